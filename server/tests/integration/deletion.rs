//! Deleting a workspace is final: whoever signs up for its slug afterwards
//! gets a new, empty workspace, even while a running server still held the
//! old one's database open, and nothing of the old one is readable there.

use serde_json::json;

use crate::support::{
    backends::{redis_url, TestRedisPrefix},
    process::{cli, create_acme, Reply, ServerProcess},
    PASSWORD,
};

fn cookie_of(reply: &Reply) -> String {
    reply.cookie("acme").expect("a session cookie")
}

fn users(reply: &Reply) -> Vec<String> {
    reply.json().as_array().map_or_else(Vec::new, |users| {
        users
            .iter()
            .filter_map(|u| u["email"].as_str().map(str::to_owned))
            .collect()
    })
}

async fn deleted_and_signed_up_again(env: &[(&str, &str)]) -> ServerProcess {
    let dir = env
        .iter()
        .find(|(k, _)| *k == "TESSERA_DATA_DIR")
        .map(|(_, v)| std::path::PathBuf::from(v))
        .expect("a data dir");
    create_acme(env, "old-admin@acme.test");
    let server = ServerProcess::start(env, &dir.join("server.log"));

    // The old workspace in use: a member, the admin signed in, all of it warm.
    let register = json!({"email": "old-member@acme.test", "password": PASSWORD, "name": "Old"});
    let member = server
        .call("acme", "/api/auth/register", None, Some(&register))
        .await;
    assert_eq!(member.status, 200, "{}", member.text);
    let member_token = member.json()["bridge_token"]
        .as_str()
        .expect("a bridge token")
        .to_owned();
    let old_admin = server.sign_in("acme", "old-admin@acme.test").await;
    let old_cookie = cookie_of(&old_admin);
    let users_before = server
        .call("acme", "/api/admin/users", Some(&old_cookie), None)
        .await;
    assert_eq!(users(&users_before).len(), 2, "{}", users_before.text);

    // The operator deletes it from another process while the server runs.
    cli(env, &["tenant", "delete", "acme", "--yes"]);

    // Someone signs up for the freed slug on the public site.
    let signup = json!({
        "slug": "acme", "name": "New Acme", "admin_name": "New",
        "admin_email": "new-owner@acme.test", "admin_password": PASSWORD,
    });
    let created = server.call_central("/api/workspaces", Some(&signup)).await;
    assert_eq!(created.status, 200, "{}", created.text);

    // Nothing of the old workspace works or shows there.
    let old_member = server.sign_in("acme", "old-member@acme.test").await;
    assert_eq!(old_member.status, 401, "{}", old_member.text);
    let me = server
        .call("acme", "/api/auth/me", Some(&old_cookie), None)
        .await;
    assert_ne!(me.json()["authenticated"], true, "{}", me.text);
    let restore = server
        .call(
            "acme",
            "/api/session-bridge/restore",
            None,
            Some(&json!({ "token": member_token })),
        )
        .await;
    assert_ne!(restore.json()["success"], true, "{}", restore.text);
    let owner = server.sign_in("acme", "new-owner@acme.test").await;
    assert_eq!(owner.status, 200, "{}", owner.text);
    let owner_cookie = cookie_of(&owner);
    let listed = server
        .call("acme", "/api/admin/users", Some(&owner_cookie), None)
        .await;
    assert_eq!(users(&listed), ["new-owner@acme.test"], "{}", listed.text);
    let register = json!({"email": "new-member@acme.test", "password": PASSWORD, "name": "New"});
    let joined = server
        .call("acme", "/api/auth/register", None, Some(&register))
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text);
    server
}

#[tokio::test]
async fn a_deleted_workspace_stays_deleted_for_whoever_takes_its_slug() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    let env = [("TESSERA_DATA_DIR", dir_text.as_str())];
    let server = deleted_and_signed_up_again(&env).await;

    // What the new owner wrote is in the new workspace's own file.
    let server = server.restart();
    let owner = server.sign_in("acme", "new-owner@acme.test").await;
    assert_eq!(owner.status, 200, "{}", owner.text);
    let listed = server
        .call("acme", "/api/admin/users", Some(&cookie_of(&owner)), None)
        .await;
    let mut emails = users(&listed);
    emails.sort();
    assert_eq!(emails, ["new-member@acme.test", "new-owner@acme.test"]);
}

#[tokio::test]
async fn deleting_a_workspace_removes_its_sessions_from_redis() {
    let Some(url) = redis_url() else { return };
    let redis = TestRedisPrefix::new(&url);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    let env = [
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("REDIS_URL", url.as_str()),
        ("REDIS_KEY_PREFIX", redis.prefix.as_str()),
        ("SESSION_DRIVER", "redis"),
    ];
    let keys = || -> Vec<String> {
        let client = redis::Client::open(url.as_str()).expect("redis url");
        let mut conn = client.get_connection().expect("redis");
        redis::cmd("KEYS")
            .arg(format!("{}*:tenant-1:*", redis.prefix))
            .query(&mut conn)
            .expect("keys")
    };
    create_acme(&env, "admin@acme.test");
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));
    for _ in 0..3 {
        assert_eq!(server.sign_in("acme", "admin@acme.test").await.status, 200);
    }
    let sessions = || keys().into_iter().filter(|k| !k.contains(":#")).count();
    assert_eq!(sessions(), 3, "the sessions are in Redis");
    assert!(keys().len() > 3, "with their indexes");
    cli(&env, &["tenant", "delete", "acme", "--yes"]);
    assert_eq!(
        keys(),
        Vec::<String>::new(),
        "the deleted tenant's sessions"
    );
    drop(server);
}

#[tokio::test]
async fn the_central_admin_deletes_a_workspace_as_finally_as_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    let env = [
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("TESSERA_CENTRAL_ADMIN_PASSWORD", "a central secret"),
    ];
    create_acme(&env, "old-admin@acme.test");
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let old = server.sign_in("acme", "old-admin@acme.test").await;
    let old_cookie = cookie_of(&old);
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "admin:a central secret",
    );
    let deleted = reqwest::Client::builder()
        .timeout(crate::support::REQUEST_TIMEOUT)
        .resolve("localhost", ([127, 0, 0, 1], server.port).into())
        .build()
        .expect("client")
        .post(format!(
            "http://localhost:{}/api/central/tenants/delete",
            server.port
        ))
        .header("authorization", format!("Basic {basic}"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"slug": "acme", "confirm": "acme"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(deleted.status(), 200);
    let gone = server.call("acme", "/api/auth/me", None, None).await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    let signup = json!({
        "slug": "acme", "name": "New Acme", "admin_name": "New",
        "admin_email": "new-owner@acme.test", "admin_password": PASSWORD,
    });
    let created = server.call_central("/api/workspaces", Some(&signup)).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let me = server
        .call("acme", "/api/auth/me", Some(&old_cookie), None)
        .await;
    // Sealed for the deleted tenant: another workspace's session now.
    assert_eq!(me.status, 403, "{}", me.text);
    assert!(me.text.contains("another workspace"), "{}", me.text);
    let old_admin = server.sign_in("acme", "old-admin@acme.test").await;
    assert_eq!(old_admin.status, 401, "{}", old_admin.text);
}

/// The file and memory stores give up a deleted tenant's sessions too (its
/// own directory and namespace; its records in the shared ones).
#[tokio::test]
async fn deleting_a_workspace_removes_its_file_and_memory_sessions() {
    for (driver, isolation) in [
        ("file", "true"),
        ("file", "false"),
        ("memory", "true"),
        ("memory", "false"),
    ] {
        let app = crate::support::TestApp::spawn_with(&[
            ("SESSION_DRIVER", driver),
            ("TENANCY_SESSION_ISOLATION", isolation),
        ])
        .await;
        for (tenant, email) in [("acme", "ada@acme.test"), ("globex", "bob@globex.test")] {
            app.register(&app.raw(), tenant, email).await;
        }
        let count = |slug: &'static str| {
            let app = &app;
            async move {
                let handle = app.handle(slug).await;
                handle.sessions.list().await.expect("listed").len()
            }
        };
        assert_eq!(
            count("globex").await,
            if isolation == "true" { 1 } else { 2 }
        );
        let acme = tessera_backend::tenancy::Slug::parse("acme").expect("slug");
        app.platform.delete_tenant(&acme).await.expect("deleted");
        let label = format!("{driver}, isolation {isolation}");
        assert_eq!(count("globex").await, 1, "{label}: only globex's is left");
        if driver == "file" {
            let own = app.data_dir.path().join("sessions/tenant-1");
            assert!(!own.exists(), "{label}: {} left", own.display());
        }
    }
}
