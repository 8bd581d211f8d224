//! Response headers every answer carries, cookies scripts cannot read, and
//! logs that never hold a password, token or session cookie.

use crate::support::{process::cli, process::ServerProcess, TestApp};
use reqwest::{header, StatusCode};
use serde_json::json;

fn assert_hardened(headers: &header::HeaderMap, what: &str) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert!(
        get("content-security-policy").contains("frame-ancestors 'none'"),
        "{what}: {}",
        get("content-security-policy")
    );
}

#[tokio::test]
async fn every_kind_of_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.raw();
    let page = client
        .get(app.url(Some("acme"), "/login"))
        .send()
        .await
        .expect("page");
    assert_hardened(page.headers(), "page");
    let policy = page.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        policy.contains("script-src 'self' 'nonce-"),
        "pages run only their own nonce'd scripts: {policy}"
    );

    let api = client
        .get(app.url(Some("acme"), "/api/auth/me"))
        .send()
        .await
        .expect("api");
    assert_hardened(api.headers(), "json");
    let unknown = app
        .raw_for(&["nowhere"])
        .get(app.url(Some("nowhere"), "/"))
        .send()
        .await
        .expect("404");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_hardened(unknown.headers(), "error page");
    let file = client
        .get(app.url(None, "/pkg/tessera.css"))
        .send()
        .await
        .expect("file");
    assert_hardened(file.headers(), "static file");

    // Nothing that depends on who asks may be kept by a cache on the way:
    // pages, answers and refusals are no-store (files are not: they are
    // the same for everyone).
    let cache_control = |headers: &header::HeaderMap| {
        headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    for (what, headers) in [
        ("page", page.headers()),
        ("json", api.headers()),
        ("error page", unknown.headers()),
    ] {
        assert_eq!(cache_control(headers), "no-store", "{what}");
    }
    assert_ne!(cache_control(file.headers()), "no-store", "static file");

    let registered = app.register(&client, "acme", "ada@acme.test").await;
    let cookies: Vec<_> = registered
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(!cookies.is_empty());
    assert!(
        cookies.iter().all(|c| c.contains("HttpOnly")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn logs_hold_no_password_token_session_cookie_or_email() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    // Debug level: whatever a curious operator might turn on.
    let env = [
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("RUST_LOG", "debug,hyper=info,h2=info"),
    ];
    let admin_password = "admin-pw-Zq8sL2vX";
    cli(
        &env,
        &[
            "tenant",
            "create",
            "acme",
            "--admin-email",
            "admin@acme.test",
            "--admin-password",
            admin_password,
        ],
    );
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));

    let password = "user-pw-Kd93hQpa";
    let mut secrets = vec![admin_password.to_owned(), password.to_owned()];
    let body = json!({"email": "ada@acme.test", "password": password, "name": "Ada"});
    let registered = server
        .call("acme", "/api/auth/register", None, Some(&body))
        .await;
    assert_eq!(registered.status, StatusCode::OK);
    let cookie = registered.cookie("acme").expect("cookie");
    let token = registered.json()["bridge_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let restored = server
        .call(
            "acme",
            "/api/session-bridge/restore",
            None,
            Some(&json!({"token": token})),
        )
        .await;
    let next = restored.json()["new_token"]
        .as_str()
        .expect("successor")
        .to_owned();
    let wrong = json!({"email": "admin@acme.test", "password": "wrong-pw-Yt61mNc"});
    assert_eq!(
        server
            .call("acme", "/api/auth/login", None, Some(&wrong))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let admin = json!({"email": "admin@acme.test", "password": admin_password});
    let admin_cookie = server
        .call("acme", "/api/auth/login", None, Some(&admin))
        .await
        .cookie("acme")
        .expect("cookie");
    server
        .call("acme", "/api/auth/logout", Some(&cookie), Some(&json!({})))
        .await;
    // Emails are personal data: the log keeps none (failed sign-ins included).
    secrets.extend([
        "wrong-pw-Yt61mNc".to_owned(),
        token.clone(),
        next,
        "ada@acme.test".into(),
        "admin@acme.test".into(),
    ]);
    // Token parts too: a log line might print the selector or verifier alone.
    secrets.extend(token.split('.').skip(2).map(str::to_owned));
    for c in [cookie, admin_cookie] {
        secrets.push(c.split_once('=').map(|(_, v)| v.to_owned()).expect("value"));
    }

    let log = server.log_text();
    assert!(
        log.contains("session bridge token used"),
        "the log was captured: {log}"
    );
    for secret in secrets {
        assert!(
            !log.contains(&secret),
            "the log holds a secret ({} chars)",
            secret.len()
        );
    }
}
