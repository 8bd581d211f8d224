//! One user's page costs one user's rows, and the admin's lists are pages:
//! fifty sessions or devices, the most recent first, with the total and a
//! way on. On every store, on SQLite and PostgreSQL.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use tessera_backend::{
    accounts::UserId,
    sessions::{record, Assurance, Method, SessionRecord},
};
use tower_sessions::{
    session::{Id, Record},
    SessionStore as _,
};

use crate::support::{
    backends::{redis_url, TestRedisPrefix},
    session_cookie, Backend, TestApp,
};

/// Sessions Bob holds besides the one he registered with.
const MANY: i64 = 120;

/// Bob's sessions, made in the store as sign-ins would leave them, each
/// seen a second before the last.
async fn many_sessions_of(app: &TestApp, bob: i64) {
    let acme = app.handle("acme").await;
    let store = app.session_store("acme").await;
    let now = time::OffsetDateTime::now_utc();
    for i in 1..=MANY {
        let seen = now - time::Duration::seconds(i);
        let signed_in = SessionRecord {
            tenant: acme.tenant.id,
            user: UserId::new(bob),
            family: None,
            created_at: seen.unix_timestamp(),
            seen_at: seen.unix_timestamp(),
            ip: Some(format!("192.0.2.{}", i % 250)),
            user_agent: None,
            assurance: Assurance::of(Method::Password, seen.unix_timestamp()),
        };
        let mut record = Record {
            id: Id::default(),
            data: [(record::KEY.to_owned(), json!(signed_in))].into(),
            expiry_date: seen + time::Duration::hours(2),
        };
        store.create(&mut record).await.expect("created");
    }
}

fn column(rows: &Value, name: &str) -> Vec<Value> {
    rows["rows"]
        .as_array()
        .map(|rows| rows.iter().map(|r| r[name].clone()).collect())
        .unwrap_or_default()
}

async fn pages_on(backend: &Backend, env: &[(&str, &str)], label: &str) {
    let app = TestApp::spawn_on(backend, env).await;
    let ada = session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("ada");
    let bob_signed_up = app.register(&app.raw(), "acme", "bob@acme.test").await;
    let bob = session_cookie(&bob_signed_up, "acme").expect("bob");
    let bob_id = app.call_as(&bob, "/api/auth/me", None).await.1["user"]["id"]
        .as_i64()
        .expect("bob's id");
    many_sessions_of(&app, bob_id).await;
    let all = MANY + 2;

    // The admin's first page: fifty, the most recently active first.
    let (status, first) = app.call_as(&ada, "/api/admin/sessions", None).await;
    assert_eq!(status, StatusCode::OK, "{label}: {first}");
    assert_eq!(
        (
            first["total"].as_i64(),
            first["page"].as_i64(),
            first["per_page"].as_i64()
        ),
        (Some(all), Some(1), Some(50)),
        "{label}"
    );
    let seen = column(&first, "last_seen");
    assert_eq!(seen.len(), 50, "{label}");
    assert!(
        seen.windows(2).all(|w| w[0].as_i64() >= w[1].as_i64()),
        "{label}: newest first: {seen:?}"
    );
    // The last page holds the rest, and pages do not overlap.
    let (_, last) = app.call_as(&ada, "/api/admin/sessions?page=3", None).await;
    let last_handles = column(&last, "handle");
    assert_eq!(last_handles.len() as i64, all - 100, "{label}");
    assert!(column(&first, "handle")
        .iter()
        .all(|h| !last_handles.contains(h)));

    // A session on the last page is revoked by its handle alone.
    let revoked = app
        .raw()
        .post(app.url(Some("acme"), "/api/admin/sessions/revoke"))
        .header(header::COOKIE, &ada)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "handle": last_handles[0] }))
        .send()
        .await
        .expect("sent");
    assert_eq!(revoked.status(), StatusCode::OK, "{label}");

    // Bob's own page lists his sessions, and only his.
    let (status, security) = app.call_as(&bob, "/api/account/security", None).await;
    assert_eq!(status, StatusCode::OK, "{label}: {security}");
    let sessions = security["sessions"].as_array().expect("sessions");
    assert_eq!(
        sessions.len() as i64,
        MANY,
        "{label}: all of his but the revoked one"
    );
    assert!(
        sessions.iter().all(|s| s["user"] == "bob@acme.test"),
        "{label}"
    );
    assert!(
        !sessions.iter().any(|s| s["handle"] == last_handles[0]),
        "{label}"
    );

    // Devices are pages too.
    let (status, devices) = app.call_as(&ada, "/api/admin/devices?page=1", None).await;
    assert_eq!(status, StatusCode::OK, "{label}: {devices}");
    assert_eq!(devices["total"], 2, "{label}: {devices}");
}

#[tokio::test]
async fn the_admin_lists_pages_and_a_user_their_own_rows_on_every_store() {
    let redis = redis_url();
    for backend in crate::support::backends() {
        for driver in ["database", "file", "memory"] {
            pages_on(
                &backend,
                &[("SESSION_DRIVER", driver)],
                &format!("{backend:?} {driver}"),
            )
            .await;
        }
        if let Some(url) = &redis {
            // Each run its own keys: both backends number acme 1.
            let prefix = TestRedisPrefix::new(url);
            let env = [
                ("SESSION_DRIVER", "redis"),
                ("REDIS_URL", url.as_str()),
                ("REDIS_KEY_PREFIX", prefix.prefix.as_str()),
            ];
            pages_on(&backend, &env, &format!("{backend:?} redis")).await;
        }
    }
}

#[tokio::test]
async fn the_admin_page_links_to_the_next_page_of_sessions() {
    let app = TestApp::spawn().await;
    let ada = session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("ada");
    let bob = session_cookie(
        &app.register(&app.raw(), "acme", "bob@acme.test").await,
        "acme",
    )
    .expect("bob");
    let bob_id = app.call_as(&bob, "/api/auth/me", None).await.1["user"]["id"]
        .as_i64()
        .expect("bob's id");
    many_sessions_of(&app, bob_id).await;
    let html = app.page_as("acme", "/admin", &ada).await;
    assert!(html.contains("1–50 of 122 sessions"), "{html}");
    assert!(
        html.contains("href=\"/admin?sessions_page=2#sessions\""),
        "{html}"
    );
    let second = app.page_as("acme", "/admin?sessions_page=2", &ada).await;
    assert!(second.contains("51–100 of 122 sessions"), "{second}");
    assert!(
        second.contains("href=\"/admin?sessions_page=1#sessions\""),
        "{second}"
    );
}
