//! Session settings per tenant: live changes, cookie attributes, drivers'
//! own guarantees.

use crate::support::{session_cookie, TestApp};
use reqwest::{header, StatusCode};
use tessera_backend::{
    settings::Key,
    tenancy::{directory::Editor, Slug},
};

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("slug")
}

fn set_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn changes_apply_to_the_next_request_without_restart() {
    let app = TestApp::spawn_with(&[("TESSERA_DOMAIN", "tessera.test")]).await;
    let first = app.register(&app.raw(), "acme", "ada@acme.test").await;
    assert!(!set_cookie(&first).contains("Domain="));

    let changes = [
        (Key::CrossSubdomain, "true".to_owned()),
        (Key::Prefix, "team".to_owned()),
    ];
    app.platform
        .directory
        .update_settings(&slug("acme"), &changes, Editor::Operator)
        .await
        .expect("valid change");
    let next = app.register(&app.raw(), "acme", "bob@acme.test").await;
    let cookie = set_cookie(&next);
    assert!(
        cookie.starts_with("team_acme_session=") && cookie.contains("Domain=tessera.test"),
        "{cookie}"
    );
    // globex keeps the defaults.
    let globex = set_cookie(&app.register(&app.raw(), "globex", "eve@globex.test").await);
    assert!(
        globex.starts_with("tenant_globex_session=") && !globex.contains("Domain="),
        "{globex}"
    );

    // Back to the default with null.
    app.platform
        .directory
        .update_settings(
            &slug("acme"),
            &[(Key::CrossSubdomain, "null".into())],
            Editor::Operator,
        )
        .await
        .expect("valid");
    let again = set_cookie(&app.register(&app.raw(), "acme", "cy@acme.test").await);
    assert!(!again.contains("Domain="), "{again}");
}

#[tokio::test]
async fn invalid_changes_are_refused_naming_the_key_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let acme = slug("acme");
    let refused = [
        (Key::CookieSameSite, "none"),
        (Key::Lifetime, "forever"),
        (Key::Driver, "carrier-pigeon"),
        (Key::CrossSubdomain, "true"), // localhost cannot carry Domain= cookies
    ];
    for (key, value) in refused {
        let err = app
            .platform
            .directory
            .update_settings(&acme, &[(key, value.into())], Editor::Operator)
            .await
            .expect_err("refused");
        assert!(err.to_string().starts_with(key.name()), "{err}");
    }
    let (_, overrides) = app
        .platform
        .directory
        .settings(&acme)
        .await
        .expect("settings");
    assert!(
        Key::ALL.iter().all(|k| overrides.get(*k).is_none()),
        "nothing saved"
    );
}

/// Registers at acme saying, through X-Forwarded-Proto, that the browser used https.
async fn register_over_https(app: &TestApp, email: &str) -> reqwest::Response {
    app.raw()
        .post(app.url(Some("acme"), "/api/auth/register"))
        .header("x-forwarded-proto", "https")
        .json(&serde_json::json!({"email": email, "password": crate::support::PASSWORD, "name": "Ada"}))
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn secure_host_only_cookies_are_automatic_on_https_behind_a_trusted_proxy() {
    let app = TestApp::spawn_with(&[("TESSERA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let response = register_over_https(&app, "ada@acme.test").await;
    let cookie = set_cookie(&response);
    // __Host-: Secure, Path=/, no Domain; browsers take it from no one but this host.
    assert!(
        cookie.starts_with("__Host-tenant_acme_session=")
            && cookie.contains("Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(
        response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_some(),
        "HSTS on https"
    );
    let plain = app.register(&app.raw(), "acme", "bob@acme.test").await;
    assert!(
        plain
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "no HSTS over plain http"
    );
    let cookie = set_cookie(&plain);
    assert!(
        cookie.starts_with("tenant_acme_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_client_claiming_https_without_a_trusted_proxy_is_not_believed() {
    let app = TestApp::spawn().await;
    let response = register_over_https(&app, "ada@acme.test").await;
    let cookie = set_cookie(&response);
    assert!(
        cookie.starts_with("tenant_acme_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(response
        .headers()
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());
}

#[tokio::test]
async fn memory_sessions_are_lost_on_restart_and_file_sessions_are_not() {
    for (driver, survives) in [("memory", false), ("file", true), ("database", true)] {
        let app = TestApp::spawn_with(&[("SESSION_DRIVER", driver)]).await;
        let cookie = session_cookie(
            &app.register(&app.raw(), "acme", "ada@acme.test").await,
            "acme",
        )
        .expect("cookie");
        let restarted = app.sibling(&[("SESSION_DRIVER", driver)]).await;
        let (status, body) = restarted.me_with_cookie("acme", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["authenticated"], survives, "{driver}");
    }
}

#[tokio::test]
async fn file_sessions_are_one_file_each_and_expire_on_read() {
    let app = TestApp::spawn_with(&[("SESSION_DRIVER", "file"), ("SESSION_LIFETIME", "1")]).await;
    let cookie = session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("cookie");
    let tenant = app
        .platform
        .directory
        .get(&slug("acme"))
        .await
        .expect("tenant");
    let dir = app
        .data_dir
        .path()
        .join("sessions")
        .join(format!("tenant-{}", tenant.id));
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("session dir")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(files.len(), 1, "one file, no temporaries left behind");
    let path = files[0].path();
    // Named by a keyed hash of the session id, and holding no id at all.
    let session_id = crate::support::value_of(&cookie)
        .split('.')
        .nth(2)
        .expect("id part");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        !path.display().to_string().contains(session_id) && !text.contains(session_id),
        "{text}"
    );
    // Age the record past its expiry: the next read must not accept it.
    let mut record: serde_json::Value = serde_json::from_str(&text).expect("json");
    record["expiry_date"] = serde_json::json!(1_577_836_800);
    let aged = record.to_string();
    std::fs::write(&path, aged).expect("write");
    assert_eq!(
        app.me_with_cookie("acme", &cookie).await.1["authenticated"],
        false
    );
    assert!(!path.exists(), "the expired file is removed");
}

#[test]
fn cli_settings_print_edit_and_warn() {
    let dir = tempfile::tempdir().expect("dir");
    let tessera = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(args)
            .env("TESSERA_DATA_DIR", dir.path())
            .env("RUST_LOG", "warn")
            .output()
            .expect("runs")
    };
    assert!(tessera(&["tenant", "create", "acme"]).status.success());
    let shown = tessera(&["tenant", "settings", "acme"]);
    let text = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        text.contains("isolation") && text.contains("(default)") && !text.contains("WARNING"),
        "{text}"
    );

    let insecure = tessera(&[
        "tenant",
        "settings",
        "acme",
        "--set",
        "isolation=false",
        "--set",
        "scope_guard=false",
    ]);
    assert!(insecure.status.success());
    let stdout = String::from_utf8_lossy(&insecure.stdout);
    assert!(
        stdout.contains("WARNING: INSECURE") && stdout.contains("(tenant)"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&insecure.stderr).contains("INSECURE"),
        "logged too"
    );

    let bad = tessera(&["tenant", "settings", "acme", "--set", "lifetime=soon"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lifetime: expected a number of minutes"));
    let unknown = tessera(&["tenant", "settings", "acme", "--set", "colour=blue"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown setting \"colour\""));
}

#[tokio::test]
async fn redis_keys_carry_the_tenant_prefix() {
    let Some(url) = crate::support::backends::redis_url() else {
        return;
    };
    let redis = crate::support::backends::TestRedisPrefix::new(&url);
    let key_prefix = format!("{}:", redis.prefix);
    let app = TestApp::spawn_with(&[
        ("SESSION_DRIVER", "redis"),
        ("REDIS_URL", &url),
        ("REDIS_KEY_PREFIX", &key_prefix),
    ])
    .await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    app.register(&app.raw(), "globex", "bob@globex.test").await;
    let acme = app
        .platform
        .directory
        .get(&slug("acme"))
        .await
        .expect("tenant");
    let mut conn = redis::Client::open(url.as_str())
        .expect("url")
        .get_connection()
        .expect("redis");
    // Sessions (the sign-in rate limits live under `limit:`), and each
    // namespace's indexes beside them (`#user:<id>`, `#recent`).
    let all: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{key_prefix}tenant:*"))
        .query(&mut conn)
        .expect("keys");
    let (indexes, keys): (Vec<String>, Vec<String>) =
        all.into_iter().partition(|k| k.contains(":#"));
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(
        indexes.len(),
        4,
        "a user and a recent index per tenant: {indexes:?}"
    );
    let acme_keys: Vec<_> = keys
        .iter()
        .filter(|k| k.starts_with(&format!("{key_prefix}tenant:tenant-{}:", acme.id)))
        .collect();
    assert_eq!(acme_keys.len(), 1, "{keys:?}");
    let ttl: i64 = redis::cmd("TTL")
        .arg(acme_keys[0])
        .query(&mut conn)
        .expect("ttl");
    assert!(
        ttl > 0 && ttl <= 120 * 60,
        "keys expire with the session: {ttl}"
    );
    // A user's index outlives every session it lists.
    let index = indexes
        .iter()
        .find(|k| k.starts_with(&format!("{key_prefix}tenant:tenant-{}:#user:", acme.id)))
        .expect("acme's user index");
    let index_ttl: i64 = redis::cmd("TTL").arg(index).query(&mut conn).expect("ttl");
    assert!(index_ttl >= ttl, "index {index_ttl} s, session {ttl} s");
}

/// The admin panel lists Redis sessions by SCAN: run as a Redis user that
/// may not call KEYS (which blocks the whole server), it still works.
#[tokio::test]
async fn redis_sessions_are_listed_without_keys() {
    let Some(url) = crate::support::backends::redis_url() else {
        return;
    };
    let redis = crate::support::backends::TestRedisPrefix::new(&url);
    let user = format!("{}_nokeys", redis.prefix);
    let mut admin_conn = redis::Client::open(url.as_str())
        .expect("url")
        .get_connection()
        .expect("redis");
    let _: () = redis::cmd("ACL")
        .arg(
            &[
                "SETUSER", &user, "on", "nopass", "~*", "&*", "+@all", "-keys",
            ][..],
        )
        .query(&mut admin_conn)
        .expect("a user without KEYS");
    let limited = url.replacen("redis://", &format!("redis://{user}:any@"), 1);
    let mut limited_conn = redis::Client::open(limited.as_str())
        .expect("url")
        .get_connection()
        .expect("as that user");
    let denied: redis::RedisResult<Vec<String>> =
        redis::cmd("KEYS").arg("*").query(&mut limited_conn);
    assert!(denied.is_err(), "KEYS is refused to this user");

    let key_prefix = format!("{}:", redis.prefix);
    let app = TestApp::spawn_with(&[
        ("SESSION_DRIVER", "redis"),
        ("REDIS_URL", &limited),
        ("REDIS_KEY_PREFIX", &key_prefix),
    ])
    .await;
    let admin = app.browser();
    app.register(&admin, "acme", "root@acme.test").await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    let sessions = admin
        .get(app.url(Some("acme"), "/api/admin/sessions"))
        .send()
        .await
        .expect("sent");
    let status = sessions.status();
    let listed: serde_json::Value = sessions.json().await.expect("json");
    let _: () = redis::cmd("ACL")
        .arg(&["DELUSER", &user][..])
        .query(&mut admin_conn)
        .expect("user removed");
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["rows"].as_array().map(Vec::len), Some(2), "{listed}");
}
