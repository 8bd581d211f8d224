//! Where the bridge token lives (`bridge.storage`): the cookie mode's
//! cookie and what reads it, a sign-in without JavaScript, a planted twin,
//! a revocation from elsewhere, a prefix change, and a tenant switching
//! modes with everyone signed in. The guarantees both modes share are in
//! `bridge.rs`, run under each.

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use tessera_backend::settings::Key;

use crate::support::{
    bridge::{answer, bridge_call, bridge_cookie_in, expires_bridge_cookie, Storage},
    session_cookie, session_cookie_in, set_cookies, TestApp, PASSWORD,
};

const COOKIE: (&str, &str) = ("BRIDGE_STORAGE", "cookie");

/// The Set-Cookie that sets the bridge cookie `name`.
fn bridge_set_cookie(headers: &header::HeaderMap, name: &str) -> String {
    set_cookies(headers)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
        .unwrap_or_else(|| panic!("no {name} set in {:?}", set_cookies(headers)))
}

#[tokio::test]
async fn the_cookie_is_http_only_strict_host_only_and_only_sent_to_the_bridge() {
    let app = TestApp::spawn_with(&[COOKIE]).await;
    let signed_up = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let (_, headers, body) = answer(signed_up).await;
    assert_eq!(body["bridge_token"], Value::Null, "no script gets it");
    let set = bridge_set_cookie(&headers, "tenant_acme_bridge");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/session-bridge",
        // The device's lifetime (bridge.token_lifetime: 30 days).
        "Max-Age=2592000",
    ] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(
        !set.to_ascii_lowercase().contains("domain="),
        "host-only: {set}"
    );
    assert!(!set.contains("Secure"), "plain http: {set}");
    let token = bridge_cookie_in(&headers, "acme").expect("the token");

    // A browser whose session was lost asks whether a token is there (its
    // script cannot see the cookie), then restores with an empty body.
    let (_, _, checked) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/check",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(checked["has_token"], true, "{checked}");
    let restore = app
        .raw()
        .post(app.url(Some("acme"), "/api/session-bridge/restore"))
        .header(header::COOKIE, format!("tenant_acme_bridge={token}"))
        .header("sec-fetch-site", "same-origin");
    let (status, headers, body) = answer(restore.send().await.expect("sent")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["new_token"], Value::Null);
    let rotated = bridge_cookie_in(&headers, "acme").expect("a new Set-Cookie");
    assert_ne!(rotated, token);
    let restored = session_cookie_in(&headers, "acme").expect("a session");

    let (status, headers, body) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/refresh",
        Some(&rotated),
        Some(&restored),
    )
    .await;
    assert_eq!(
        (status, &body["token"]),
        (StatusCode::OK, &Value::Null),
        "{body}"
    );
    assert!(bridge_cookie_in(&headers, "acme").is_some_and(|t| t != rotated));

    // Over https: Secure, and a name browsers refuse from plain http.
    let https = TestApp::spawn_with(&[COOKIE, ("TESSERA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let response = https
        .raw()
        .post(https.url(Some("acme"), "/api/auth/register"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "ada@acme.test", "password": PASSWORD, "name": "Ada"}))
        .send()
        .await
        .expect("sent");
    let set = bridge_set_cookie(response.headers(), "__Secure-tenant_acme_bridge");
    assert!(set.contains("; Secure"), "{set}");
}

#[tokio::test]
async fn without_javascript_a_sign_in_gets_a_bridge_only_in_cookie_mode() {
    for storage in Storage::BOTH {
        let app = TestApp::spawn_with(&[storage.env()]).await;
        app.register(&app.raw(), "acme", "ada@acme.test").await;
        let referer = app.url(Some("acme"), "/login");
        let response = app
            .form_post(
                Some("acme"),
                "/api/auth/login",
                &referer,
                &[("email", "ada@acme.test"), ("password", PASSWORD)],
            )
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::FOUND);
        let session = session_cookie(&response, "acme").expect("signed in");
        let token = bridge_cookie_in(response.headers(), "acme");
        let (_, _, checked) = bridge_call(
            &app,
            Storage::LocalStorage,
            "acme",
            "/api/session-bridge/check",
            None,
            Some(&session),
        )
        .await;
        match storage {
            Storage::Cookie => {
                let token = token.expect("a bridge cookie");
                assert_eq!(checked["has_token"], true);
                assert!(app.restores("acme", &token).await);
            }
            // The answer is a redirect: no script would ever read a token.
            Storage::LocalStorage => {
                assert_eq!(token, None);
                assert_eq!(checked["has_token"], false);
            }
        }
    }
}

#[tokio::test]
async fn two_bridge_cookies_of_one_name_restore_nobody() {
    let app = TestApp::spawn_with(&[COOKIE]).await;
    let signed_up = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let token = bridge_cookie_in(signed_up.headers(), "acme").expect("token");
    let mallory = app.register(&app.raw(), "acme", "mallory@acme.test").await;
    let planted = bridge_cookie_in(mallory.headers(), "acme").expect("token");
    // A sibling subdomain (or anyone on plain http) can set a cookie of
    // our name for the parent domain: the browser then sends both.
    let request = app
        .raw()
        .post(app.url(Some("acme"), "/api/session-bridge/restore"))
        .header(
            header::COOKIE,
            format!("tenant_acme_bridge={planted}; tenant_acme_bridge={token}"),
        )
        .header("sec-fetch-site", "same-origin");
    let (status, headers, _) = answer(request.send().await.expect("sent")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        session_cookie_in(&headers, "acme"),
        None,
        "nobody signed in"
    );
    assert!(expires_bridge_cookie(&headers, "acme"));
    assert!(
        app.restores("acme", &token).await,
        "the owner's token is untouched"
    );
}

#[tokio::test]
async fn a_device_revoked_elsewhere_drops_its_cookie_on_its_next_restore() {
    let app = TestApp::spawn_with(&[COOKIE]).await;
    let laptop = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let laptop_token = bridge_cookie_in(laptop.headers(), "acme").expect("token");
    let phone = app
        .login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
        .await;
    let phone_session = session_cookie(&phone, "acme").expect("session");
    let (_, devices) = app
        .call_as(&phone_session, "/api/session-bridge/devices", None)
        .await;
    let laptop_device = devices
        .as_array()
        .and_then(|d| d.iter().find(|d| d["current"] == false))
        .expect("the laptop")["id"]
        .clone();
    let (status, _) = app
        .call_as(
            &phone_session,
            "/api/session-bridge/devices/revoke",
            Some(json!({"device_id": laptop_device})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, _) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/restore",
        Some(&laptop_token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        expires_bridge_cookie(&headers, "acme"),
        "the laptop forgets it"
    );
}

#[tokio::test]
async fn after_a_prefix_change_the_cookie_under_its_former_name_still_restores() {
    let app = TestApp::spawn_with(&[COOKIE]).await;
    let signed_up = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let token = bridge_cookie_in(signed_up.headers(), "acme").expect("token");
    app.save_setting("acme", Key::Prefix, "neo").await;
    let (status, headers, body) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/restore",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    bridge_set_cookie(&headers, "neo_acme_bridge");
    assert!(expires_bridge_cookie(&headers, "acme"), "the old name goes");
}

#[tokio::test]
async fn switching_modes_keeps_everyone_signed_in_and_moves_each_device_on_its_refresh() {
    let app = TestApp::spawn().await;
    let signed_up = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let session = session_cookie(&signed_up, "acme").expect("session");
    let (_, _, body) = answer(signed_up).await;
    let stored = body["bridge_token"]
        .as_str()
        .expect("in the answer")
        .to_owned();

    // To the cookie: the page's script still sends what localStorage holds.
    app.save_setting("acme", Key::BridgeStorage, "cookie").await;
    assert_eq!(
        app.me_with_cookie("acme", &session).await.1["authenticated"],
        true
    );
    let (status, headers, body) = bridge_call(
        &app,
        Storage::LocalStorage,
        "acme",
        "/api/session-bridge/refresh",
        Some(&stored),
        Some(&session),
    )
    .await;
    assert_eq!(
        (status, &body["token"]),
        (StatusCode::OK, &Value::Null),
        "{body}"
    );
    let in_cookie = bridge_cookie_in(&headers, "acme").expect("moved into the cookie");
    let (status, _, _) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/refresh",
        Some(&in_cookie),
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the cookie alone refreshes now");

    // And back: the cookie is read once more, the token given in the answer
    // and the cookie dropped.
    let in_cookie = {
        let (_, headers, _) = bridge_call(
            &app,
            Storage::Cookie,
            "acme",
            "/api/session-bridge/refresh",
            Some(&in_cookie),
            Some(&session),
        )
        .await;
        bridge_cookie_in(&headers, "acme").expect("rotated")
    };
    app.save_setting("acme", Key::BridgeStorage, "local_storage")
        .await;
    let (status, headers, body) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/refresh",
        Some(&in_cookie),
        Some(&session),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let back = body["token"]
        .as_str()
        .expect("in the answer again")
        .to_owned();
    assert!(expires_bridge_cookie(&headers, "acme"));
    assert_eq!(
        app.me_with_cookie("acme", &session).await.1["authenticated"],
        true
    );
    assert!(app.restores("acme", &back).await);
}

#[tokio::test]
async fn in_cookie_mode_a_stale_copy_in_the_body_never_shadows_the_cookie() {
    let app = TestApp::spawn().await;
    let old = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let (_, _, body) = answer(old).await;
    let stale = body["bridge_token"]
        .as_str()
        .expect("local mode")
        .to_owned();
    app.save_setting("acme", Key::BridgeStorage, "cookie").await;
    // A new sign-in on the same browser: its script still holds the old
    // device's token, the cookie holds the new one.
    let login = app
        .login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
        .await;
    let session = session_cookie(&login, "acme").expect("session");
    let current = bridge_cookie_in(login.headers(), "acme").expect("cookie");
    let request = app
        .raw()
        .post(app.url(Some("acme"), "/api/session-bridge/refresh"))
        .header(
            header::COOKIE,
            format!("{session}; tenant_acme_bridge={current}"),
        )
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "token": stale }));
    let (status, headers, body) = answer(request.send().await.expect("sent")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(bridge_cookie_in(&headers, "acme").is_some_and(|t| t != current));
}

#[tokio::test]
async fn an_outage_during_a_restore_keeps_the_cookie() {
    use sqlx::{Connection, Executor, SqliteConnection};
    let app = TestApp::spawn_with(&[COOKIE]).await;
    let signed_up = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let token = bridge_cookie_in(signed_up.headers(), "acme").expect("token");
    let file = app.data_dir.path().join("tenants/acme.sqlite");
    let mut locker = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("acme's file");
    locker
        .execute("BEGIN EXCLUSIVE")
        .await
        .expect("write lock held");
    let (status, headers, _) = bridge_call(
        &app,
        Storage::Cookie,
        "acme",
        "/api/session-bridge/restore",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        !expires_bridge_cookie(&headers, "acme"),
        "an outage is not a revocation: {:?}",
        set_cookies(&headers)
    );
    locker.execute("ROLLBACK").await.expect("lock released");
    assert!(app.restores("acme", &token).await, "back once it is");
}
