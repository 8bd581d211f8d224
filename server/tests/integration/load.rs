//! Many clients at many tenants at once, each signing in, browsing,
//! restoring through the bridge and signing out: no 5xx, and nobody ever
//! sees another tenant's or user's data. Bounded: 8 tenants × 4 users × 3 rounds.

use std::sync::Arc;

use crate::support::{session_cookie, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::json;
use tessera_backend::tenancy::Slug;

const TENANTS: usize = 8;
const USERS: usize = 4;
const ROUNDS: usize = 3;

#[derive(Debug, Default)]
struct Tally {
    answers: usize,
    server_errors: Vec<String>,
    crossed: Vec<String>,
}

impl Tally {
    fn see(&mut self, what: &str, status: StatusCode, body: &str, expected: &str) {
        self.answers += 1;
        if status.is_server_error() {
            self.server_errors.push(format!("{what}: {status}"));
        } else if !body.contains(expected) {
            self.crossed.push(format!(
                "{what}: expected {expected:?}, got {status} {body:.200}"
            ));
        }
    }
}

async fn client_life(app: Arc<TestApp>, slug: String, email: String) -> Tally {
    let mut tally = Tally::default();
    let client = app.raw_for(&[&slug]);
    let me_url = app.url(Some(&slug), "/api/auth/me");
    let expect_me = format!("\"email\":\"{email}\"");
    for round in 0..ROUNDS {
        let login = app.login(&client, &slug, &email, PASSWORD).await;
        let status = login.status();
        let cookie = session_cookie(&login, &slug).unwrap_or_default();
        let body = login.text().await.unwrap_or_default();
        tally.see("login", status, &body, &expect_me);
        let token = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["bridge_token"].as_str().map(str::to_owned));

        let page = client
            .get(app.url(Some(&slug), "/dashboard"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("page");
        let status = page.status();
        tally.see(
            "dashboard",
            status,
            &page.text().await.unwrap_or_default(),
            &format!("Signed in to {slug} as {email}"),
        );
        let me = client
            .get(&me_url)
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("me");
        let status = me.status();
        tally.see(
            "me",
            status,
            &me.text().await.unwrap_or_default(),
            &expect_me,
        );

        // A redeploy lost the session: the bridge brings it back, for this user.
        let restored = app
            .post(
                &client,
                Some(&slug),
                "/api/session-bridge/restore",
                &json!({"token": token}),
            )
            .await;
        let restored_cookie = session_cookie(&restored, &slug).unwrap_or_default();
        let status = restored.status();
        tally.see(
            &format!("restore {round}"),
            status,
            &restored.text().await.unwrap_or_default(),
            "\"success\":true",
        );
        let me = client
            .get(&me_url)
            .header(header::COOKIE, &restored_cookie)
            .send()
            .await
            .expect("me");
        let status = me.status();
        tally.see(
            "me after restore",
            status,
            &me.text().await.unwrap_or_default(),
            &expect_me,
        );

        for cookie in [&cookie, &restored_cookie] {
            let out = client
                .post(app.url(Some(&slug), "/api/auth/logout"))
                .header(header::COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .json(&json!({}))
                .send()
                .await;
            let out = out.expect("logout");
            let status = out.status();
            tally.see(
                "logout",
                status,
                &out.text().await.unwrap_or_default(),
                "\"authenticated\":false",
            );
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_at_many_tenants_see_only_their_own_data() {
    // Every request comes from 127.0.0.1: the per-client restore limit would
    // otherwise stop this test rather than an attacker.
    // One client address signs everyone in: the per-address bound is not
    // what is tested here.
    let app = Arc::new(
        TestApp::spawn_with(&[
            ("BRIDGE_RESTORE_RATE_LIMIT", "10000"),
            ("TESSERA_SIGNIN_ADDRESS_LIMIT", "100000"),
        ])
        .await,
    );

    // Tenants are provisioned concurrently too (SQLite's central database
    // takes one writer at a time; the others wait their turn).
    let slugs: Vec<String> = (0..TENANTS).map(|t| format!("load{t}")).collect();
    let mut provisioning = Vec::new();
    for slug in &slugs {
        let (app, slug) = (Arc::clone(&app), Slug::parse(slug).expect("slug"));
        provisioning.push(tokio::spawn(async move {
            app.platform
                .provision(&slug, slug.as_str(), None)
                .await
                .map(|_| ())
        }));
    }
    for done in provisioning {
        done.await.expect("task").expect("provisioned");
    }
    for slug in &slugs {
        for u in 0..USERS {
            let registered = app
                .register(&app.raw_for(&[slug]), slug, &format!("user{u}@{slug}.test"))
                .await;
            assert_eq!(registered.status(), StatusCode::OK);
        }
    }

    let mut clients = Vec::new();
    for slug in &slugs {
        for u in 0..USERS {
            clients.push(tokio::spawn(client_life(
                Arc::clone(&app),
                slug.clone(),
                format!("user{u}@{slug}.test"),
            )));
        }
    }
    let mut total = Tally::default();
    for client in clients {
        let tally = client.await.expect("client ran");
        total.answers += tally.answers;
        total.server_errors.extend(tally.server_errors);
        total.crossed.extend(tally.crossed);
    }
    assert_eq!(total.answers, TENANTS * USERS * ROUNDS * 7);
    assert!(
        total.server_errors.is_empty(),
        "5xx: {:?}",
        total.server_errors
    );
    assert!(total.crossed.is_empty(), "wrong data: {:?}", total.crossed);
}
