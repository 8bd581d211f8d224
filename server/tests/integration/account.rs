//! The Security page's API: a user's own sessions and bridge devices, seen
//! and revoked by that user only; this browser's are left to signing out.

use crate::support::{TestApp, PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// One browser signed in as `email` at acme, with its bridge token.
struct Browser {
    client: Client,
    token: String,
}

/// A new browser: the account's first (registering it) or another one.
async fn browser(app: &TestApp, email: &str, registering: bool) -> Browser {
    let client = app.browser();
    let response = if registering {
        app.register(&client, "acme", email).await
    } else {
        app.login(&client, "acme", email, PASSWORD).await
    };
    let reply: Value = response.json().await.expect("json");
    Browser {
        client,
        token: reply["bridge_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

async fn call(
    app: &TestApp,
    browser: &Browser,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = app.url(Some("acme"), path);
    let request = match body {
        Some(body) => browser.client.post(url).json(&body),
        None => browser.client.get(url),
    };
    let response = request.send().await.expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn signed_in(app: &TestApp, browser: &Browser) -> bool {
    app.me(&browser.client, "acme").await.1["authenticated"] == true
}

fn handles(view: &Value, list: &str, current: bool) -> Vec<String> {
    view[list]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter(|row| row["current"] == current)
                .filter_map(|row| row[if list == "sessions" { "handle" } else { "id" }].as_str())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Ada in three browsers, and Bob (whose sessions Ada must never see).
async fn ada_and_bob() -> (TestApp, [Browser; 3], Browser) {
    let app = TestApp::spawn().await;
    let ada = [
        browser(&app, "ada@acme.test", true).await,
        browser(&app, "ada@acme.test", false).await,
        browser(&app, "ada@acme.test", false).await,
    ];
    let bob = browser(&app, "bob@acme.test", true).await;
    (app, ada, bob)
}

#[tokio::test]
async fn a_user_sees_only_their_own_sessions_and_devices_with_this_one_marked() {
    let (app, ada, bob) = ada_and_bob().await;
    let (status, view) = call(&app, &ada[0], "/api/account/security", None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    for list in ["sessions", "devices"] {
        assert_eq!(
            handles(&view, list, true).len(),
            1,
            "{list}: this one marked: {view}"
        );
        assert_eq!(
            handles(&view, list, false).len(),
            2,
            "{list}: Ada's two others: {view}"
        );
    }
    let (_, bobs) = call(&app, &bob, "/api/account/security", None).await;
    for list in ["sessions", "devices"] {
        let adas: Vec<String> = [true, false]
            .iter()
            .flat_map(|c| handles(&view, list, *c))
            .collect();
        assert!(
            handles(&bobs, list, true)
                .iter()
                .chain(&handles(&bobs, list, false))
                .all(|h| !adas.contains(h)),
            "{list}: Bob sees none of Ada's"
        );
    }
    let anonymous = Browser {
        client: app.browser(),
        token: String::new(),
    };
    let (status, _) = call(&app, &anonymous, "/api/account/security", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revoking_ends_that_session_or_device_only_and_never_another_users() {
    let (app, ada, bob) = ada_and_bob().await;
    let (_, view) = call(&app, &ada[0], "/api/account/security", None).await;
    let (_, bobs) = call(&app, &bob, "/api/account/security", None).await;

    // Bob's session and device are not Ada's to revoke.
    let bob_session = handles(&bobs, "sessions", true).remove(0);
    let (status, _) = call(
        &app,
        &ada[0],
        "/api/account/sessions/revoke",
        Some(json!({ "handle": bob_session })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bob_device = handles(&bobs, "devices", true).remove(0);
    let (status, _) = call(
        &app,
        &ada[0],
        "/api/account/devices/revoke",
        Some(json!({ "device_id": bob_device })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(signed_in(&app, &bob).await && app.restores("acme", &bob.token).await);

    // This browser's own are left to signing out.
    let this_session = handles(&view, "sessions", true).remove(0);
    let (status, reply) = call(
        &app,
        &ada[0],
        "/api/account/sessions/revoke",
        Some(json!({ "handle": this_session })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    let this_device = handles(&view, "devices", true).remove(0);
    let (status, _) = call(
        &app,
        &ada[0],
        "/api/account/devices/revoke",
        Some(json!({ "device_id": this_device })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Another session of Ada's: that browser is signed out, the rest are not.
    let (_, other) = call(&app, &ada[1], "/api/account/security", None).await;
    let second = handles(&other, "sessions", true).remove(0);
    let (status, after) = call(
        &app,
        &ada[0],
        "/api/account/sessions/revoke",
        Some(json!({ "handle": second })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(handles(&after, "sessions", false).len(), 1);
    assert!(
        !signed_in(&app, &ada[1]).await,
        "the revoked session is refused"
    );
    assert!(
        !app.restores("acme", &ada[1].token).await,
        "nor does its own bridge token bring it back"
    );
    assert!(signed_in(&app, &ada[0]).await && signed_in(&app, &ada[2]).await);

    // Another device of Ada's: its token no longer restores.
    let (_, third) = call(&app, &ada[2], "/api/account/security", None).await;
    let third_device = handles(&third, "devices", true).remove(0);
    let (status, _) = call(
        &app,
        &ada[0],
        "/api/account/devices/revoke",
        Some(json!({ "device_id": third_device })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !app.restores("acme", &ada[2].token).await,
        "the revoked device's token is refused"
    );
    assert!(
        app.restores("acme", &ada[0].token).await,
        "this device's token still works"
    );
}

#[tokio::test]
async fn signing_out_everywhere_else_keeps_only_this_browser() {
    let (app, ada, bob) = ada_and_bob().await;
    // Every browser in use: their sessions are in the cache.
    for browser in ada.iter().chain([&bob]) {
        assert!(signed_in(&app, browser).await);
    }
    let (status, view) = call(
        &app,
        &ada[0],
        "/api/account/sign-out-others",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    for list in ["sessions", "devices"] {
        assert_eq!(handles(&view, list, true).len(), 1, "{list}: {view}");
        assert!(handles(&view, list, false).is_empty(), "{list}: {view}");
    }
    assert!(signed_in(&app, &ada[0]).await);
    for other in &ada[1..] {
        assert!(
            !signed_in(&app, other).await,
            "another browser is signed out"
        );
        assert!(
            !app.restores("acme", &other.token).await,
            "and cannot restore"
        );
    }
    assert!(
        signed_in(&app, &bob).await && app.restores("acme", &bob.token).await,
        "Bob is untouched"
    );
}

#[tokio::test]
async fn the_security_page_lists_this_browser() {
    let (app, ada, _) = ada_and_bob().await;
    let page = app.html(&ada[0].client, Some("acme"), "/security").await;
    assert!(page.contains("This browser"), "{page}");
    assert!(page.contains("Sign out everywhere else"), "{page}");
    assert_eq!(
        page.matches("action=\"/api/account/sessions/revoke\"")
            .count(),
        2,
        "a form per other session"
    );
}
