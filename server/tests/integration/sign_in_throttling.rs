//! Sign-in throttling, tried as an attacker would: guess passwords, rotate
//! accounts, rotate addresses, spread attempts over two processes.

use crate::support::{backends, process::ServerProcess, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const WRONG: &str = "not the password";

/// A login from `client` (an X-Forwarded-For address our trusted proxy wrote).
async fn login_from(
    app: &TestApp,
    tenant: &str,
    client: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.raw()
        .post(app.url(Some(tenant), "/api/auth/login"))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sent")
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::spawn_with(&[("TESSERA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    for (tenant, email) in [
        ("acme", "ada@acme.test"),
        ("acme", "bob@acme.test"),
        ("globex", "ada@acme.test"),
    ] {
        assert_eq!(
            app.register(&app.raw(), tenant, email).await.status(),
            StatusCode::OK
        );
    }
    for attempt in 1..=5 {
        let r = login_from(&app, "acme", "198.51.100.1", "ada@acme.test", WRONG).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // The sixth try, with the right password and the email in another case,
    // from another address: still locked.
    let locked = login_from(&app, "acme", "198.51.100.2", "  ADA@acme.test ", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&locked);
    assert!(
        (800..=900).contains(&wait),
        "locked for the rest of 15 minutes, said {wait} s"
    );
    let body: Value = locked.json().await.expect("json");
    assert_eq!(body["error"], "too_many_requests");

    // Unaffected: another account at the same tenant, the same email at
    // another tenant, and the locked account's neighbour from the attacker's address.
    assert_eq!(
        login_from(&app, "acme", "198.51.100.1", "bob@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        login_from(&app, "globex", "198.51.100.1", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_success_forgets_earlier_failures() {
    let app = TestApp::spawn().await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    for _ in 0..4 {
        assert_eq!(
            app.login(&app.raw(), "acme", "ada@acme.test", WRONG)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    for _ in 0..4 {
        assert_eq!(
            app.login(&app.raw(), "acme", "ada@acme.test", WRONG)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn one_address_spraying_many_accounts_is_throttled_and_others_are_not() {
    let app = TestApp::spawn_with(&[
        ("TESSERA_TRUSTED_PROXIES", "127.0.0.1"),
        ("SIGNIN_ADDRESS_RATE_LIMIT", "8"),
    ])
    .await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    for i in 0..8 {
        let r = login_from(
            &app,
            "acme",
            "203.0.113.7",
            &format!("guess{i}@acme.test"),
            WRONG,
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let throttled = login_from(&app, "acme", "203.0.113.7", "ada@acme.test", PASSWORD).await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=60).contains(&retry_after(&throttled)));
    assert_eq!(
        login_from(&app, "acme", "203.0.113.8", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn registration_and_workspace_sign_up_are_throttled_per_address() {
    let app = TestApp::spawn_with(&[("SIGNIN_ADDRESS_RATE_LIMIT", "3")]).await;
    for i in 0..3 {
        let r = app
            .register(&app.raw(), "acme", &format!("user{i}@acme.test"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(
        app.register(&app.raw(), "acme", "user9@acme.test")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let sign_up = |i: usize| json!({"slug": format!("team{i}"), "name": "Team", "admin_name": "A", "admin_email": format!("a{i}@team.test"), "admin_password": PASSWORD});
    for i in 0..3 {
        assert_eq!(
            app.post(&app.raw(), None, "/api/workspaces", &sign_up(i))
                .await
                .status(),
            StatusCode::OK,
            "sign-up {i}"
        );
    }
    assert_eq!(
        app.post(&app.raw(), None, "/api/workspaces", &sign_up(9))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn probing_for_existing_accounts_by_registering_is_throttled() {
    let app = TestApp::spawn().await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    for _ in 0..5 {
        assert_eq!(
            app.register(&app.raw(), "acme", "ada@acme.test")
                .await
                .status(),
            StatusCode::CONFLICT
        );
    }
    assert_eq!(
        app.register(&app.raw(), "acme", "ada@acme.test")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn the_central_admin_is_locked_after_five_wrong_passwords() {
    let app = TestApp::spawn_with(&[("TESSERA_CENTRAL_ADMIN_PASSWORD", "central-secret")]).await;
    let tenants = |password: &str| {
        app.raw()
            .get(app.url(None, "/api/central/tenants"))
            .basic_auth("admin", Some(password))
            .send()
    };
    // Using it is not an attempt: many right requests are never throttled.
    for _ in 0..40 {
        assert_eq!(
            tenants("central-secret").await.expect("sent").status(),
            StatusCode::OK
        );
    }
    for _ in 0..5 {
        assert_eq!(
            tenants(WRONG).await.expect("sent").status(),
            StatusCode::FORBIDDEN
        );
    }
    let locked = tenants("central-secret").await.expect("sent");
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&locked) > 60);
}

#[tokio::test]
async fn failed_sign_ins_are_events_the_admin_panel_shows() {
    let app = TestApp::spawn().await;
    let admin = app.browser();
    app.register(&admin, "acme", "root@acme.test").await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    for _ in 0..5 {
        app.login(&app.raw(), "acme", "ada@acme.test", WRONG).await;
    }
    let panel: Value = admin
        .get(app.url(Some("acme"), "/api/admin/panel"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let events = panel["sign_in_events"].as_array().expect("events listed");
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "failed").count(),
        5,
        "{events:?}"
    );
    assert_eq!(
        kinds.first(),
        Some(&"locked"),
        "the newest event is the lockout: {events:?}"
    );
    assert!(events
        .iter()
        .all(|e| e["email"] == "ada@acme.test" && e["ip"] == "127.0.0.1"));
    assert!(
        !panel.to_string().contains(WRONG),
        "no password is ever recorded"
    );
}

#[tokio::test]
async fn tenant_admins_tune_the_lockout_within_the_operators_bounds() {
    let app = TestApp::spawn().await;
    let admin = app.browser();
    app.register(&admin, "acme", "root@acme.test").await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    let save = |values: Value| {
        admin
            .post(app.url(Some("acme"), "/api/admin/settings/save"))
            .json(&json!({"values": values}))
            .send()
    };
    let refused = save(json!({"signin.max_failures": "21"}))
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused
        .text()
        .await
        .expect("body")
        .contains("signin.max_failures"));
    assert_eq!(
        save(json!({"signin.max_failures": "2"}))
            .await
            .expect("sent")
            .status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        assert_eq!(
            app.login(&app.raw(), "acme", "ada@acme.test", WRONG)
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Two real processes on one PostgreSQL and one Redis prefix: failures at
/// either count against the same account.
#[tokio::test]
async fn two_processes_share_the_counters_through_redis() {
    let (Some(pg), Some(redis)) = (backends::postgres_url(), backends::redis_url()) else {
        return;
    };
    let database = backends::TestDatabase::create(&pg).await;
    let prefix = backends::TestRedisPrefix::new(&redis);
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [
        ("DATABASE_URL", database.url.as_str()),
        ("REDIS_URL", redis.as_str()),
        ("REDIS_KEY_PREFIX", prefix.prefix.as_str()),
        ("TESSERA_DATA_DIR", dir.path().to_str().unwrap_or_default()),
        ("TESSERA_DOMAIN", "localhost"),
        ("RUST_LOG", "warn"),
    ];
    crate::support::process::create_acme(&env, "ada@acme.test");
    let (a, b) = (
        ServerProcess::start(&env, &dir.path().join("a.log")),
        ServerProcess::start(&env, &dir.path().join("b.log")),
    );
    let wrong = json!({"email": "ada@acme.test", "password": WRONG});
    for (i, server) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        assert_eq!(
            server
                .call("acme", "/api/auth/login", None, Some(&wrong))
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "failure {i}"
        );
    }
    let right = json!({"email": "ada@acme.test", "password": PASSWORD});
    assert_eq!(
        b.call("acme", "/api/auth/login", None, Some(&right))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        a.call("acme", "/api/auth/login", None, Some(&right))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn failed_workspace_sign_ups_never_lock_the_central_admin_out() {
    let app = TestApp::spawn_with(&[
        ("TESSERA_TRUSTED_PROXIES", "127.0.0.1"),
        ("TESSERA_CENTRAL_ADMIN_PASSWORD", "the operator's secret"),
    ])
    .await;
    // An anonymous visitor signs up five times "as" the operator's account.
    for attempt in 1..=6 {
        let r = app
            .raw()
            .post(app.url(None, "/api/workspaces"))
            .header("x-forwarded-for", "203.0.113.9")
            .json(&json!({"slug": "initech", "name": "I", "admin_name": "A",
                          "admin_email": "admin", "admin_password": PASSWORD}))
            .send()
            .await
            .expect("sent");
        assert!(r.status().is_client_error(), "attempt {attempt}");
    }
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        "admin:the operator's secret",
    );
    let admin = app
        .raw()
        .get(app.url(None, "/api/central/tenants"))
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(admin.status(), StatusCode::OK, "the operator got in");
}

#[tokio::test]
async fn one_address_is_bounded_across_every_tenant_together() {
    let app = TestApp::spawn_with(&[
        ("TESSERA_TRUSTED_PROXIES", "127.0.0.1"),
        ("SIGNIN_ADDRESS_RATE_LIMIT", "100"),
        ("TESSERA_SIGNIN_ADDRESS_LIMIT", "6"),
    ])
    .await;
    for tenant in ["acme", "globex"] {
        for attempt in 1..=3 {
            let r = login_from(&app, tenant, "198.51.100.7", "nobody@x.test", WRONG).await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{tenant} {attempt}");
        }
    }
    // Each tenant has seen three of its hundred; together they made six.
    for tenant in ["acme", "globex", "initech"] {
        if tenant == "initech" {
            app.create_tenant("initech", None).await;
        }
        let r = login_from(&app, tenant, "198.51.100.7", "nobody@x.test", WRONG).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{tenant}");
    }
    // Another address is its own.
    let other = login_from(&app, "acme", "198.51.100.8", "nobody@x.test", WRONG).await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
}
