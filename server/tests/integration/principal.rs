//! What a signed-in request costs the database, counted from the outside:
//! a real process logs every statement it runs (`sqlx::query` at debug).

use tessera_backend::keys::Secret;

use crate::support::process::ServerProcess;

/// Statements the process has logged so far.
fn statements(server: &ServerProcess) -> Vec<String> {
    server
        .log_text()
        .lines()
        .filter(|l| l.contains("sqlx::query"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_signed_in_request_reads_session_user_and_device_in_one_query() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Keys from the environment: the key ring is not re-read from the database.
    let keys = format!("1:{}", Secret::generate().encode());
    let env = [
        ("TESSERA_DATA_DIR", dir.path().to_str().unwrap_or_default()),
        ("TESSERA_DOMAIN", "localhost"),
        ("TESSERA_SECRET_KEYS", keys.as_str()),
        ("RUST_LOG", "error,sqlx::query=debug"),
    ];
    crate::support::process::create_acme(&env, "ada@acme.test");
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let login = server.sign_in("acme", "ada@acme.test").await;
    let cookie = login.cookie("acme").expect("signed in");
    // Cold (the session cache keeps a session for a second): session, user
    // and device in one statement; the tenant's directory entry may be
    // re-read beside it, never anything else.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let before = statements(&server).len();
    let me = server
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert_eq!(me.json()["user"]["email"], "ada@acme.test");
    let cold: Vec<String> = statements(&server).split_off(before);
    let personal: Vec<&String> = cold
        .iter()
        .filter(|l| {
            ["sessions", "users", "bridge_families"]
                .iter()
                .any(|t| l.contains(t))
        })
        .collect();
    assert_eq!(
        personal.len(),
        1,
        "one statement for the principal: {cold:#?}"
    );
    assert!(
        personal[0].contains("JOIN"),
        "session ⋈ user ⋈ device: {}",
        personal[0]
    );

    // Warm, as under load: from the cache, no statement at all.
    let before = statements(&server).len();
    let me = server
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert_eq!(me.json()["user"]["email"], "ada@acme.test");
    let warm = statements(&server).split_off(before);
    assert!(
        warm.is_empty(),
        "a cached principal costs no query: {warm:#?}"
    );
}
