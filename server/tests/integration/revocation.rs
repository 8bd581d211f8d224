//! Revocation sticks: whatever ends a session ends its bridge device too, so
//! no token brings back a session someone revoked; a session cookie alone
//! never mints a token; and a request that read a session just before it was
//! revoked can neither write it back nor cache it back. Every check runs
//! against a warm cache: the victim's session is used first, then revoked,
//! then refused at once.

use reqwest::{header, Client, StatusCode};
use serde_json::{json, Value};
use tower_sessions::{
    session::{Id, Record},
    SessionStore as _,
};

use crate::support::{session_cookie, TestApp, PASSWORD};

/// A browser signed in with JSON (so it holds a bridge token).
struct Browser {
    client: Client,
    token: String,
}

async fn sign_in(app: &TestApp, email: &str) -> Browser {
    let client = app.browser();
    let reply: Value = app
        .login(&client, "acme", email, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    Browser {
        client,
        token: reply["bridge_token"]
            .as_str()
            .expect("a bridge token")
            .to_owned(),
    }
}

async fn post(app: &TestApp, browser: &Browser, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post(&browser.client, Some("acme"), path, &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, browser: &Browser, path: &str) -> Value {
    browser
        .client
        .get(app.url(Some("acme"), path))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .unwrap_or(Value::Null)
}

/// Signed in, and the session's principal in this process's cache.
async fn warm(app: &TestApp, browser: &Browser) {
    for _ in 0..2 {
        assert_eq!(
            app.me(&browser.client, "acme").await.1["authenticated"],
            true
        );
    }
}

/// The handle of `browser`'s own session, as the Security page names it.
async fn own_handle(app: &TestApp, browser: &Browser) -> String {
    let view = get(app, browser, "/api/account/security").await;
    view["sessions"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["current"] == true))
        .and_then(|row| row["handle"].as_str())
        .expect("this session listed")
        .to_owned()
}

/// Ada (the admin, registered first) and Bob, each signed in twice.
async fn tenant() -> (TestApp, [Browser; 2], [Browser; 2]) {
    let app = TestApp::spawn().await;
    for email in ["ada@acme.test", "bob@acme.test"] {
        app.register(&app.raw(), "acme", email).await;
    }
    let ada = [
        sign_in(&app, "ada@acme.test").await,
        sign_in(&app, "ada@acme.test").await,
    ];
    let bob = [
        sign_in(&app, "bob@acme.test").await,
        sign_in(&app, "bob@acme.test").await,
    ];
    (app, ada, bob)
}

#[tokio::test]
async fn a_session_revoked_by_its_user_or_an_admin_stays_revoked() {
    let (app, ada, bob) = tenant().await;
    // Bob revokes his other browser from his Security page.
    warm(&app, &bob[1]).await;
    let handle = own_handle(&app, &bob[1]).await;
    let (status, _) = post(
        &app,
        &bob[0],
        "/api/account/sessions/revoke",
        json!({ "handle": handle }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.me(&bob[1].client, "acme").await.1["authenticated"],
        false
    );
    assert!(
        !app.restores("acme", &bob[1].token).await,
        "its bridge brought it back"
    );

    // Ada, the admin, revokes Bob's remaining session from the panel.
    warm(&app, &bob[0]).await;
    let handle = own_handle(&app, &bob[0]).await;
    let (status, _) = post(
        &app,
        &ada[0],
        "/api/admin/sessions/revoke",
        json!({ "handle": handle }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.me(&bob[0].client, "acme").await.1["authenticated"],
        false
    );
    assert!(
        !app.restores("acme", &bob[0].token).await,
        "its bridge brought it back"
    );

    // Nothing of Ada's was touched.
    for browser in &ada {
        assert_eq!(
            app.me(&browser.client, "acme").await.1["authenticated"],
            true
        );
    }
}

#[tokio::test]
async fn an_admin_signs_a_user_out_everywhere() {
    let (app, ada, bob) = tenant().await;
    for browser in &bob {
        warm(&app, browser).await;
    }
    let bob_id = app.me(&bob[0].client, "acme").await.1["user"]["id"].clone();
    let (status, _) = post(
        &app,
        &ada[0],
        "/api/admin/users/sign-out",
        json!({ "user_id": bob_id }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for browser in &bob {
        assert_eq!(
            app.me(&browser.client, "acme").await.1["authenticated"],
            false
        );
        assert!(!app.restores("acme", &browser.token).await);
    }
    // Not one's own (the Security page does that), and not for members.
    let ada_id = app.me(&ada[0].client, "acme").await.1["user"]["id"].clone();
    let (status, _) = post(
        &app,
        &ada[0],
        "/api/admin/users/sign-out",
        json!({ "user_id": ada_id }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let member = sign_in(&app, "bob@acme.test").await;
    let (status, _) = post(
        &app,
        &member,
        "/api/admin/users/sign-out",
        json!({ "user_id": ada_id }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for browser in &ada {
        assert_eq!(
            app.me(&browser.client, "acme").await.1["authenticated"],
            true
        );
        assert!(app.restores("acme", &browser.token).await);
    }
}

#[tokio::test]
async fn signing_out_ends_this_device_and_no_cookie_alone_mints_a_token() {
    let app = TestApp::spawn().await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    // Signed in by a plain form post: a session with no bridge device.
    let login = app
        .form_post(
            Some("acme"),
            "/api/auth/login",
            &app.url(Some("acme"), "/login"),
            &[("email", "ada@acme.test"), ("password", PASSWORD)],
        )
        .send()
        .await
        .expect("sent");
    let cookie = session_cookie(&login, "acme").expect("signed in");
    // A thief with that cookie asks the bridge for a token: nothing.
    let refresh = app
        .raw()
        .post(app.url(Some("acme"), "/api/session-bridge/refresh"))
        .header(header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    let status = refresh.status();
    let reply: Value = refresh.json().await.unwrap_or(Value::Null);
    assert!(status.is_client_error(), "{status} {reply}");
    assert!(reply.get("token").is_none_or(Value::is_null), "{reply}");

    // A signed-in device that signs out cannot be restored afterwards.
    let browser = sign_in(&app, "ada@acme.test").await;
    warm(&app, &browser).await;
    let (status, _) = post(&app, &browser, "/api/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!app.restores("acme", &browser.token).await);
}

/// The store half of the race: a request loaded a session, the session was
/// revoked, and then the request's save (say, of "last seen") arrived.
#[tokio::test]
async fn a_save_never_writes_back_a_session_revoked_meanwhile() {
    for driver in ["database", "file", "memory"] {
        let app = TestApp::spawn_with(&[("SESSION_DRIVER", driver)]).await;
        let store = app.session_store("acme").await;
        let mut record = Record {
            id: Id::default(),
            data: [("x".to_owned(), json!(1))].into(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.expect("created");
        assert!(store.load(&record.id).await.expect("loaded").is_some());
        store
            .remove(&store.stored_id(&record.id))
            .await
            .expect("revoked");
        store.save(&record).await.expect("saved, quietly");
        assert!(
            store.load(&record.id).await.expect("loaded").is_none(),
            "{driver}: the revoked session came back"
        );
    }
}

/// A revoke raced by the revoked browser's own requests: once the revoke
/// has answered, no request begun after it is let in (none cached the
/// session back, none wrote it back).
#[tokio::test]
async fn a_revoke_raced_by_the_revoked_browsers_requests_sticks() {
    let (app, _, bob) = tenant().await;
    let [bob, other] = bob;
    warm(&app, &bob).await;
    let handle = own_handle(&app, &bob).await;
    let app = std::sync::Arc::new(app);
    let revoked_at = std::sync::Arc::new(std::sync::OnceLock::new());
    let mut racers = Vec::new();
    for _ in 0..4 {
        let (app, client, revoked_at) = (
            std::sync::Arc::clone(&app),
            bob.client.clone(),
            std::sync::Arc::clone(&revoked_at),
        );
        racers.push(tokio::spawn(async move {
            let mut let_in_after = 0;
            for _ in 0..200 {
                let began = std::time::Instant::now();
                let signed_in = app.me(&client, "acme").await.1["authenticated"] == true;
                let after_revoke = revoked_at
                    .get()
                    .is_some_and(|at: &std::time::Instant| began > *at);
                if signed_in && after_revoke {
                    let_in_after += 1;
                }
                if after_revoke && !signed_in {
                    break;
                }
            }
            let_in_after
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = post(
        &app,
        &other,
        "/api/account/sessions/revoke",
        json!({ "handle": handle }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let _ = revoked_at.set(std::time::Instant::now());
    for racer in racers {
        assert_eq!(racer.await.expect("joined"), 0, "let in after the revoke");
    }
    assert!(!app.restores("acme", &bob.token).await);
}
