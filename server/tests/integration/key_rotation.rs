//! The key ring from the outside: rotate with live sessions and bridge
//! tokens (nobody is signed out), retire (what the old key sealed stops
//! working), keys from the environment or a file, and stores that hold
//! nothing usable as a cookie.

use std::{os::unix::fs::PermissionsExt, time::Duration};

use crate::support::{backends, process::ServerProcess, session_cookie, value_of, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tessera_backend::keys::{KeyId, Secret};

/// Longer than the key ring's reload interval.
/// Past the key ring's reload interval: an in-process server's clock is
/// moved this far, a server process is waited for.
const RELOADED: Duration = Duration::from_millis(1_200);

/// Registers at acme: (session cookie, bridge token).
async fn sign_up(app: &TestApp, email: &str) -> (String, String) {
    let response = app.register(&app.raw(), "acme", email).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response, "acme").expect("cookie");
    let body: Value = response.json().await.expect("json");
    (
        cookie,
        body["bridge_token"].as_str().expect("token").to_owned(),
    )
}

async fn restore(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let response = app
        .post(
            &app.raw(),
            Some("acme"),
            "/api/session-bridge/restore",
            &json!({ "token": token }),
        )
        .await;
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn signed_in(app: &TestApp, cookie: &str) -> bool {
    app.me_with_cookie("acme", cookie).await.1["authenticated"] == true
}

/// The key number a cookie value was sealed with (`<tenant>.<key>.<id>.<mac>`).
fn key_of(cookie: &str) -> &str {
    value_of(cookie).split('.').nth(1).unwrap_or_default()
}

#[tokio::test]
async fn rotating_signs_nobody_out_and_retiring_ends_what_the_old_key_sealed() {
    let app = TestApp::spawn().await;
    let (ada_cookie, ada_token) = sign_up(&app, "ada@acme.test").await;
    let (bob_cookie, bob_token) = sign_up(&app, "bob@acme.test").await;
    assert_eq!(key_of(&ada_cookie), "1");

    assert_eq!(
        app.platform.keys.rotate().await.expect("rotated"),
        KeyId::new(2)
    );
    app.clock.advance(RELOADED);
    assert!(
        signed_in(&app, &ada_cookie).await && signed_in(&app, &bob_cookie).await,
        "still signed in"
    );
    let (status, restored) = restore(&app, &ada_token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a token hashed with key 1 still restores: {restored}"
    );
    let ada_next = restored["new_token"]
        .as_str()
        .expect("successor")
        .to_owned();
    let (carol_cookie, _) = sign_up(&app, "carol@acme.test").await;
    assert_eq!(
        key_of(&carol_cookie),
        "2",
        "new sessions use the new primary"
    );

    app.platform
        .keys
        .retire(KeyId::new(1))
        .await
        .expect("retired");
    app.clock.advance(RELOADED);
    assert!(
        !signed_in(&app, &bob_cookie).await,
        "a cookie sealed with key 1 is signed out"
    );
    assert_eq!(
        restore(&app, &bob_token).await.0,
        StatusCode::UNAUTHORIZED,
        "a token hashed with key 1 is refused"
    );
    assert!(signed_in(&app, &carol_cookie).await);
    assert_eq!(
        restore(&app, &ada_next).await.0,
        StatusCode::OK,
        "rotated tokens moved to key 2 on their last use"
    );
    let retire_primary = app.platform.keys.retire(KeyId::new(2)).await;
    assert!(retire_primary.is_err(), "the primary cannot be retired");
}

/// What an attacker holding a copy of the store (and even the keys) gets:
/// keyed hashes, none of which opens a session.
#[tokio::test]
async fn a_session_id_read_from_any_store_does_not_work_as_a_cookie() {
    use tessera_backend::{sessions::seal, tenancy::Slug};

    let redis = backends::redis_url().map(|url| (backends::TestRedisPrefix::new(&url), url));
    let mut drivers = vec![
        ("database", Vec::new()),
        ("file", Vec::new()),
        ("memory", Vec::new()),
    ];
    if let Some((prefix, url)) = &redis {
        drivers.push((
            "redis",
            vec![
                ("REDIS_URL", url.clone()),
                ("REDIS_KEY_PREFIX", format!("{}:", prefix.prefix)),
            ],
        ));
    }
    for (driver, extra) in drivers {
        let mut env: Vec<(&str, &str)> = vec![("SESSION_DRIVER", driver)];
        env.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
        let app = TestApp::spawn_with(&env).await;
        let (cookie, _) = sign_up(&app, "ada@acme.test").await;
        let session_id = value_of(&cookie)
            .split('.')
            .nth(2)
            .expect("id part")
            .to_owned();
        let acme = app
            .platform
            .directory
            .resolve(&Slug::parse("acme").expect("slug"))
            .await
            .expect("ok")
            .expect("tenant");
        let ring = app.platform.keys.ring().await;
        let stored = acme.sessions.list().await.expect("list");
        assert_eq!(stored.len(), 1, "{driver}");
        let (stored_id, record) = &stored[0];
        let dump = format!(
            "{}{}",
            stored_id.as_str(),
            serde_json::to_string(record).expect("json")
        );
        assert!(
            !dump.contains(&session_id),
            "{driver}: the store holds the session id: {dump}"
        );
        // The stored name as a cookie value, raw or sealed with a real key.
        let mut attempts = vec![format!("tenant_acme_session={}", stored_id.as_str())];
        let decoded = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            stored_id.as_str(),
        )
        .expect("b64");
        let as_id = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &decoded[..16],
        );
        if let Ok(id) = as_id.parse() {
            let forged = seal::seal(&ring, ring.primary(), acme.tenant.id, id).expect("sealed");
            attempts.push(format!("tenant_acme_session={forged}"));
        }
        for attempt in attempts {
            assert!(!signed_in(&app, &attempt).await, "{driver}: {attempt}");
        }
        assert!(
            signed_in(&app, &cookie).await,
            "{driver}: the real cookie still works"
        );
    }
}

#[tokio::test]
async fn keys_from_the_environment_live_nowhere_else() {
    let (one, two) = (Secret::generate(), Secret::generate());
    let first = format!("1:{}", one.encode());
    let app = TestApp::spawn_with(&[("TESSERA_SECRET_KEYS", &first)]).await;
    let (cookie, token) = sign_up(&app, "ada@acme.test").await;
    let stored = crate::support::count_rows(
        app.platform.directory.central().scope(),
        tessera_backend::db::schema::Keys::Table,
        None,
    )
    .await;
    assert_eq!(stored, 0, "no key in the database");
    assert!(
        app.platform.keys.rotate().await.is_err(),
        "the environment's keys are edited in the environment"
    );

    // Restarted with a second key: the old cookie and token still work.
    let both = format!("{first},2:{}", two.encode());
    let rotated = app.sibling(&[("TESSERA_SECRET_KEYS", &both)]).await;
    assert!(signed_in(&rotated, &cookie).await);
    let (cookie_two, _) = sign_up(&rotated, "bob@acme.test").await;
    assert_eq!(key_of(&cookie_two), "2");
    // Restarted without key 1: what it sealed is gone.
    let retired = app
        .sibling(&[("TESSERA_SECRET_KEYS", &format!("2:{}", two.encode()))])
        .await;
    assert!(!signed_in(&retired, &cookie).await);
    assert_eq!(restore(&retired, &token).await.0, StatusCode::UNAUTHORIZED);
    assert!(signed_in(&retired, &cookie_two).await);
}

#[tokio::test]
async fn the_cli_rotates_and_retires_keys_in_a_key_file_under_a_running_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let key_file = dir.path().join("keys");
    let env = [
        ("TESSERA_DATA_DIR", data.to_str().unwrap_or_default()),
        ("TESSERA_KEY_FILE", key_file.to_str().unwrap_or_default()),
        ("TESSERA_DOMAIN", "localhost"),
        ("RUST_LOG", "warn"),
    ];
    crate::support::process::create_acme(&env, "ada@acme.test");
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let old = server
        .sign_in("acme", "ada@acme.test")
        .await
        .cookie("acme")
        .expect("cookie");

    let rotated = crate::support::process::cli(&env, &["keys", "rotate"]);
    assert!(rotated.contains("key 2 is the primary"), "{rotated}");
    let listed = crate::support::process::cli(&env, &["keys", "list"]);
    assert!(
        listed.contains("key 1\n") && listed.contains("key 2 (primary)"),
        "{listed}"
    );
    let text = std::fs::read_to_string(&key_file).expect("key file");
    assert!(
        !listed.contains(
            text.lines()
                .nth(1)
                .unwrap_or("x")
                .split(':')
                .nth(1)
                .unwrap_or("x")
        ),
        "no secret printed"
    );
    assert_eq!(
        std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    tokio::time::sleep(RELOADED).await;
    assert_eq!(
        server
            .call("acme", "/api/auth/me", Some(&old), None)
            .await
            .json()["authenticated"],
        true
    );
    let new = server
        .sign_in("acme", "ada@acme.test")
        .await
        .cookie("acme")
        .expect("cookie");
    assert_eq!(key_of(&new), "2");

    crate::support::process::cli(&env, &["keys", "retire", "1"]);
    tokio::time::sleep(RELOADED).await;
    assert_eq!(
        server
            .call("acme", "/api/auth/me", Some(&old), None)
            .await
            .json()["authenticated"],
        false
    );
    assert_eq!(
        server
            .call("acme", "/api/auth/me", Some(&new), None)
            .await
            .json()["authenticated"],
        true
    );
}

#[tokio::test]
async fn the_data_directory_is_private() {
    let parent = tempfile::tempdir().expect("temp dir");
    let data = parent.path().join("data");
    let app = TestApp::spawn_with(&[
        ("TESSERA_DATA_DIR", data.to_str().unwrap_or_default()),
        ("SESSION_DRIVER", "file"),
    ])
    .await;
    sign_up(&app, "ada@acme.test").await;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    for dir in [
        data.clone(),
        data.join("tenants"),
        data.join("sessions").join("tenant-1"),
    ] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    }
    let mut files = vec![
        data.join("central.sqlite"),
        data.join("tenants/acme.sqlite"),
        data.join("tenants/acme.sqlite-wal"),
    ];
    files.extend(
        std::fs::read_dir(data.join("sessions/tenant-1"))
            .expect("dir")
            .flatten()
            .map(|e| e.path()),
    );
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}
