//! Who must have a second factor (`signin.second_factor`), changing the
//! password, the password again before a privileged action, assurance in
//! the session lists, and the pages a sign-in's second step uses.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::{
    second_factors::{call, call_get, code_now, enrolled, next_step, password, present},
    support::{location, TestApp, PASSWORD},
};

async fn audit_actions(app: &TestApp, admin: &Client) -> Vec<String> {
    let (_, panel) = call_get(app, admin, "/api/admin/panel").await;
    panel["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

/// Registers `email` at acme: the browser and the answer.
async fn registered(app: &TestApp, email: &str) -> (Client, Value) {
    let client = app.browser();
    let reply = app
        .register(&client, "acme", email)
        .await
        .json()
        .await
        .expect("json");
    (client, reply)
}

#[tokio::test]
async fn everyone_must_set_up_a_factor_right_after_the_password_and_can_do_nothing_else() {
    let app = TestApp::spawn_with(&[("SIGNIN_SECOND_FACTOR", "everyone")]).await;
    let (ada, reply) = registered(&app, "ada@example.com").await;
    let waiting = json!({"methods": ["totp"], "enrol": true});
    assert_eq!(reply["authenticated"], false, "{reply}");
    assert_eq!(reply["second_factor"], waiting);
    assert_eq!(reply["bridge_token"], Value::Null);
    assert_eq!(app.me(&ada, "acme").await.1["second_factor"], waiting);

    // Nothing else: not the account, not the admin panel, not a code.
    assert_eq!(
        call_get(&app, &ada, "/api/account/security").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_get(&app, &ada, "/api/admin/panel").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = present(&app, &ada, "acme", "123456").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&app, &ada, "acme", "/api/session-bridge/refresh", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The page says what to do; then the set-up finishes the sign-in.
    let page = app.html(&ada, Some("acme"), "/two-step").await;
    assert!(page.contains("Set up two-step sign-in"), "{page}");
    let (status, enrolment) = call(
        &app,
        &ada,
        "acme",
        "/api/account/totp/enrol",
        json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().expect("secret").to_owned();
    let page = app.html(&ada, Some("acme"), "/two-step").await;
    assert!(
        page.contains("<svg") && page.contains(&secret),
        "the QR code and the key, shown again until confirmed"
    );
    let (status, confirmed) = call(
        &app,
        &ada,
        "acme",
        "/api/account/totp/confirm",
        json!({"code": code_now(&app, &secret)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(
        confirmed["recovery_codes"].as_array().map(Vec::len),
        Some(10)
    );
    assert!(confirmed["bridge_token"].is_string(), "{confirmed}");
    let me = app.me(&ada, "acme").await.1;
    assert_eq!(me["authenticated"], true, "{me}");
    let (_, security) = call_get(&app, &ada, "/api/account/security").await;
    assert_eq!(
        security["sessions"][0]["assurance"],
        json!({"level": "two_factors", "methods": ["password", "totp"]})
    );
    assert!(audit_actions(&app, &ada)
        .await
        .contains(&"two-step sign-in turned on".to_owned()));

    // From then on, as for anyone with a factor: the code at sign-in.
    next_step(&app);
    let (_, reply) = password(&app, "acme", "ada@example.com").await;
    assert_eq!(
        reply["second_factor"]["methods"],
        json!(["totp", "recovery_code"])
    );
}

#[tokio::test]
async fn admins_means_admins_and_optional_means_nobody() {
    let app = TestApp::spawn_with(&[("SIGNIN_SECOND_FACTOR", "admins")]).await;
    let (_, admin) = registered(&app, "admin@example.com").await;
    assert_eq!(
        admin["second_factor"]["enrol"], true,
        "the first user is the admin: {admin}"
    );
    let (_, member) = registered(&app, "member@example.com").await;
    assert_eq!(member["authenticated"], true, "{member}");
    assert!(member.get("second_factor").is_none());

    let app = TestApp::spawn_with(&[("SIGNIN_SECOND_FACTOR", "optional")]).await;
    let (_, admin) = registered(&app, "admin@example.com").await;
    assert_eq!(admin["authenticated"], true, "{admin}");
}

#[tokio::test]
async fn a_restore_for_someone_who_must_have_a_factor_and_has_none_signs_nobody_in() {
    // The rule switched on (by Bob, the admin) after his device started.
    let app = TestApp::spawn_with(&[("BRIDGE_STEP_UP", "never")]).await;
    let (bob, reply) = registered(&app, "bob@example.com").await;
    let token = reply["bridge_token"].as_str().expect("token").to_owned();
    let save = json!({"values": {"signin.second_factor": "everyone"}, "switches": {}, "reset": {}});
    let (status, saved) = call(&app, &bob, "acme", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let response = app.restore("acme", &token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(!app.restores("acme", &token).await, "the device is gone");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let (ada, _) = registered(&app, "ada@example.com").await;
    let (other, other_reply) = password(&app, "acme", "ada@example.com").await;
    let other_token = other_reply["bridge_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, _) = call(
        &app,
        &ada,
        "acme",
        "/api/account/password",
        change("wrong password", "a new password"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &app,
        &ada,
        "acme",
        "/api/account/password",
        change(PASSWORD, "short"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, changed) = call(
        &app,
        &ada,
        "acme",
        "/api/account/password",
        change(PASSWORD, "a new password"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed, json!({"password_changed": true}));
    assert_eq!(
        app.me(&ada, "acme").await.1["authenticated"],
        true,
        "this one stays"
    );
    assert_eq!(app.me(&other, "acme").await.1["authenticated"], false);
    assert!(!app.restores("acme", &other_token).await);
    assert!(audit_actions(&app, &ada)
        .await
        .contains(&"password changed".to_owned()));
    let old = app
        .login(&app.browser(), "acme", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app
        .login(&app.browser(), "acme", "ada@example.com", "a new password")
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn with_a_factor_the_password_change_asks_for_a_recent_code() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    app.clock.advance(Duration::from_secs(11 * 60));
    let body = json!({"current_password": PASSWORD, "new_password": "a new password"});
    let (status, refused) = call(
        &app,
        &ada.client,
        "acme",
        "/api/account/password",
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"], "step_up_required");
    let (status, _) = present(&app, &ada.client, "acme", &code_now(&app, &ada.secret)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, &ada.client, "acme", "/api/account/password", body).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_factor_the_password_again_is_the_step_up() {
    let app = TestApp::spawn().await;
    let (admin, _) = registered(&app, "admin@example.com").await;
    app.clock.advance(Duration::from_secs(11 * 60));
    let save = json!({"values": {"lifetime": "45"}, "switches": {}, "reset": {}});
    let (status, refused) = call(
        &app,
        &admin,
        "acme",
        "/api/admin/settings/save",
        save.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "step_up_required");
    let (status, _) = call(
        &app,
        &admin,
        "acme",
        "/api/auth/confirm-password",
        json!({"password": "not it"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, me) = call(
        &app,
        &admin,
        "acme",
        "/api/auth/confirm-password",
        json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let (status, _) = call(&app, &admin, "acme", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn both_session_lists_say_how_each_session_was_signed_in() {
    let app = TestApp::spawn_with(&[("BRIDGE_STEP_UP", "never")]).await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let (device, _) = password(&app, "acme", &ada.email).await;
    let (_, done) = present(&app, &device, "acme", &code_now(&app, &ada.secret)).await;
    let token = done["bridge_token"].as_str().expect("token");
    let restored = app.browser();
    let (status, _) = call(
        &app,
        &restored,
        "acme",
        "/api/session-bridge/restore",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (_, mine) = call_get(&app, &restored, "/api/account/security").await;
    let assurances: Vec<&Value> = mine["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| &s["assurance"])
        .collect();
    assert!(assurances.contains(&&json!({"level": "one_factor", "methods": ["bridge_restore"]})));
    assert!(assurances.contains(&&json!({"level": "two_factors", "methods": ["password", "totp"]})));
    let page = app.html(&restored, Some("acme"), "/security").await;
    assert!(
        page.contains("restored by the bridge (one factor)"),
        "{page}"
    );
    assert!(page.contains("password + authenticator code (two factors)"));

    let (_, panel) = call_get(&app, &ada.client, "/api/admin/panel").await;
    let rows = panel["sessions"]["rows"].as_array().expect("rows");
    assert!(rows
        .iter()
        .any(|s| s["assurance"]["methods"] == json!(["bridge_restore"])));
}

#[tokio::test]
async fn recovery_codes_are_shown_on_their_page_once() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let page = app
        .html(&ada.client, Some("acme"), "/security/recovery-codes")
        .await;
    assert!(
        ada.recovery_codes
            .iter()
            .all(|code| page.contains(code.as_str())),
        "{page}"
    );
    let again = app
        .html(&ada.client, Some("acme"), "/security/recovery-codes")
        .await;
    assert!(ada
        .recovery_codes
        .iter()
        .all(|code| !again.contains(code.as_str())));
    assert!(again.contains("shown once"));
}

#[tokio::test]
async fn the_second_step_works_without_javascript() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let browser = app.browser();
    let referer = app.url(Some("acme"), "/login");
    let response = browser
        .post(app.url(Some("acme"), "/api/auth/login"))
        .header("accept", "text/html")
        .header("referer", &referer)
        .header("origin", app.url(Some("acme"), ""))
        .form(&[("email", ada.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("sent");
    assert_eq!(location(&response), "/two-step");
    let page = app.html(&browser, Some("acme"), "/two-step").await;
    assert!(page.contains("second-factor-code"), "{page}");
    let response = browser
        .post(app.url(Some("acme"), "/api/auth/second-factor"))
        .header("accept", "text/html")
        .header("referer", app.url(Some("acme"), "/two-step"))
        .header("origin", app.url(Some("acme"), ""))
        .form(&[("code", code_now(&app, &ada.secret).as_str())])
        .send()
        .await
        .expect("sent");
    assert_eq!(location(&response), "/dashboard");
    assert_eq!(app.me(&browser, "acme").await.1["authenticated"], true);
}
