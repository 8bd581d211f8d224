//! The `tessera` binary's tenant commands.

use std::process::{Command, Output, Stdio};

struct Cli {
    data_dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self {
            data_dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_DATA_DIR", self.data_dir.path())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .expect("tessera runs")
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn create_list_migrate_delete() {
    let cli = Cli::new();
    let created = cli.run(&[
        "tenant",
        "create",
        "acme",
        "--name",
        "Acme Inc",
        "--admin-email",
        "admin@acme.test",
        "--admin-password",
        "acme-demo-pass",
    ]);
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains("admin: admin@acme.test"));
    assert!(cli.data_dir.path().join("tenants/acme.sqlite").exists());
    assert!(cli.run(&["tenant", "create", "globex"]).status.success());

    let list = cli.run(&["tenant", "list"]);
    let listed = text(&list);
    assert!(
        listed.contains("acme") && listed.contains("Acme Inc") && listed.contains("globex"),
        "{listed}"
    );

    let one = cli.run(&["tenant", "migrate", "--tenant", "acme"]);
    assert!(one.status.success(), "{}", text(&one));
    let all = cli.run(&["tenant", "migrate", "--all"]);
    assert!(all.status.success());
    assert!(
        text(&all).contains("[2/2]") && text(&all).contains("migrated 2 of 2"),
        "{}",
        text(&all)
    );
    assert!(
        !cli.run(&["tenant", "migrate"]).status.success(),
        "needs --tenant or --all"
    );

    let refused = cli.run(&["tenant", "delete", "globex"]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--yes"));
    let deleted = cli.run(&["tenant", "delete", "globex", "--yes"]);
    assert!(deleted.status.success(), "{}", text(&deleted));
    assert!(!cli.data_dir.path().join("tenants/globex.sqlite").exists());
    assert!(!text(&cli.run(&["tenant", "list"])).contains("globex"));
}

#[test]
fn bad_and_duplicate_slugs_are_refused_clearly() {
    let cli = Cli::new();
    for (slug, needle) in [
        ("Acme", "lowercase"),
        ("www", "reserved"),
        ("a", "3 to 63"),
        ("../x", "lowercase"),
    ] {
        let output = cli.run(&["tenant", "create", slug]);
        assert!(!output.status.success(), "{slug}");
        assert!(text(&output).contains(needle), "{slug}: {}", text(&output));
    }
    assert!(cli.run(&["tenant", "create", "acme"]).status.success());
    let again = cli.run(&["tenant", "create", "acme"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already exists"));
    let missing = cli.run(&["tenant", "migrate", "--tenant", "initech"]);
    assert!(!missing.status.success());
    assert!(text(&missing).contains("no workspace named \"initech\""));
}

#[test]
fn invalid_settings_are_refused_at_start() {
    let cli = Cli::new();
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["tenant", "list"])
        .env("TESSERA_DATA_DIR", cli.data_dir.path())
        .env("TENANCY_CROSS_SUBDOMAIN_SESSIONS", "true")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(
        text(&output).contains("TENANCY_CROSS_SUBDOMAIN_SESSIONS"),
        "{}",
        text(&output)
    );
}

#[test]
fn migrate_all_carries_on_past_a_broken_tenant_and_says_so() {
    let cli = Cli::new();
    for slug in ["acme", "broken", "globex"] {
        assert!(cli.run(&["tenant", "create", slug]).status.success());
    }
    // The CLI closes its databases before it exits: each file is whole, with
    // no WAL left to replay (one holding page 1 once made the garbage
    // below read as a healthy database, ~1 run in 8).
    let tenants = cli.data_dir.path().join("tenants");
    // (Tenant files only: central.sqlite-wal is still left ~1 run in 18, down
    // from ~1 in 6 before `close_sqlite`'s lone last connection: an open
    // defect noted on round 2 · 2/5; this test corrupts a tenant.)
    for file in ["acme.sqlite-wal", "broken.sqlite-wal", "globex.sqlite-wal"] {
        assert!(!tenants.join(file).exists(), "{file} left behind");
    }
    // A whole page of garbage: a file shorter than SQLite's 100-byte header
    // reads as an empty database.
    std::fs::write(
        tenants.join("broken.sqlite"),
        b"this is not a database ".repeat(200),
    )
    .expect("corrupted");
    let output = cli.run(&["tenant", "migrate", "--all"]);
    assert!(
        !output.status.success(),
        "the exit code says something failed: {}",
        text(&output)
    );
    let all = text(&output);
    assert!(
        all.contains("[1/3] acme ok") && all.contains("[3/3] globex ok"),
        "{all}"
    );
    assert!(all.contains("[2/3] broken FAILED"), "{all}");
    assert!(
        all.contains("migrated 2 of 3 tenants; 1 failed") && all.contains("failed: broken"),
        "{all}"
    );
}
