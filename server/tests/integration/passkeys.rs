//! Passkeys from the outside, with a software authenticator
//! (`support::authenticator`): registered (several, named, removed), a
//! sign-in with one alone, one as the second factor after the password
//! and for a restore that must step up, acme's never accepted at globex,
//! ceremonies single-use and short-lived, a cloned authenticator refused,
//! adding and removing privileged, audited, ending other sessions.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::{
    second_factors::{call, call_get, code_now, enrolled, next_step, password, present},
    support::{authenticator::SoftPasskey, bridge::Storage, TestApp, PASSWORD},
};

fn origin(app: &TestApp, tenant: &str) -> String {
    app.url(Some(tenant), "")
}

/// Registers a passkey named `name` for whoever `client` is at `tenant`.
async fn add_passkey(app: &TestApp, client: &Client, tenant: &str, name: &str) -> SoftPasskey {
    let (status, options) = call(
        app,
        client,
        tenant,
        "/api/account/passkeys/register/start",
        json!({ "name": name }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{options}");
    assert_eq!(
        options["publicKey"]["authenticatorSelection"]["residentKey"], "required",
        "discoverable, so it can sign in alone: {options}"
    );
    let (passkey, credential) = SoftPasskey::create(&options, &origin(app, tenant));
    let (status, list) = call(
        app,
        client,
        tenant,
        "/api/account/passkeys/register/finish",
        json!({ "credential": credential }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    passkey
}

/// Runs the sign-in ceremony from `client` with `passkey`: the finish's
/// status and answer.
async fn use_passkey(
    app: &TestApp,
    client: &Client,
    tenant: &str,
    passkey: &mut SoftPasskey,
) -> (StatusCode, Value) {
    let (status, options) = call(app, client, tenant, "/api/auth/passkey/start", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let credential = passkey.get(&options, &origin(app, tenant));
    finish(app, client, tenant, credential).await
}

/// Posts the browser's answer to a passkey ceremony.
async fn finish(
    app: &TestApp,
    client: &Client,
    tenant: &str,
    credential: Value,
) -> (StatusCode, Value) {
    call(
        app,
        client,
        tenant,
        "/api/auth/passkey/finish",
        json!({ "credential": credential }),
    )
    .await
}

async fn registered(app: &TestApp, tenant: &str, email: &str) -> Client {
    let client = app.browser();
    assert!(app
        .register(&client, tenant, email)
        .await
        .status()
        .is_success());
    client
}

async fn current_assurance(app: &TestApp, client: &Client) -> Value {
    let (_, security) = call_get(app, client, "/api/account/security").await;
    security["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["current"] == true)
        .map(|s| s["assurance"].clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_passkey_signs_in_alone_with_two_factors() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut laptop = add_passkey(&app, &ada, "acme", "Laptop").await;
    // With a factor now, adding another asks for it first.
    let (status, _) = call(
        &app,
        &ada,
        "acme",
        "/api/account/passkeys/register/start",
        json!({"name": "Phone"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = use_passkey(&app, &ada, "acme", &mut laptop).await;
    assert_eq!(status, StatusCode::OK);
    add_passkey(&app, &ada, "acme", "Phone").await;
    let (_, list) = call_get(&app, &ada, "/api/account/passkeys").await;
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Laptop") && names.contains(&"Phone"));

    let browser = app.browser();
    let (status, done) = use_passkey(&app, &browser, "acme", &mut laptop).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["authenticated"], true);
    assert_eq!(done["user"]["email"], "ada@example.com");
    assert!(done["bridge_token"].is_string());
    assert_eq!(
        current_assurance(&app, &browser).await,
        json!({"level": "two_factors", "methods": ["passkey"]})
    );
    let (_, list) = call_get(&app, &browser, "/api/account/passkeys").await;
    assert!(list
        .as_array()
        .expect("list")
        .iter()
        .any(|p| p["name"] == "Laptop" && p["last_used_at"].is_i64()));
}

#[tokio::test]
async fn after_the_password_a_passkey_is_the_second_factor() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    let browser = app.browser();
    let reply: Value = app
        .login(&browser, "acme", "ada@example.com", PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(reply["second_factor"]["methods"], json!(["passkey"]));
    let (status, options) =
        call(&app, &browser, "acme", "/api/auth/passkey/start", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        options["publicKey"]["allowCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(&passkey.credential_id),
        "her passkeys, by id: {options}"
    );
    let credential = passkey.get(&options, &origin(&app, "acme"));
    let (status, done) = finish(&app, &browser, "acme", credential).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["authenticated"], true);
    assert_eq!(
        current_assurance(&app, &browser).await,
        json!({"level": "two_factors", "methods": ["password", "passkey"]})
    );
}

#[tokio::test]
async fn a_restore_that_must_step_up_takes_a_passkey() {
    let app = TestApp::spawn_with(&[("BRIDGE_STEP_UP", "enrolled")]).await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    let device = app.browser();
    let (_, done) = use_passkey(&app, &device, "acme", &mut passkey).await;
    let token = done["bridge_token"].as_str().expect("token").to_owned();
    let browser = app.browser();
    let (status, restored) = call(
        &app,
        &browser,
        "acme",
        "/api/session-bridge/restore",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(restored["step_up"]["methods"], json!(["passkey"]));
    let (status, done) = use_passkey(&app, &browser, "acme", &mut passkey).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        current_assurance(&app, &browser).await,
        json!({"level": "two_factors", "methods": ["bridge_restore", "passkey"]})
    );
}

#[tokio::test]
async fn acme_s_passkey_is_never_accepted_at_globex() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    assert_eq!(passkey.rp_id, format!("acme.{}", app.domain()));
    // Same email at globex, with a passkey of her own there.
    let globex = registered(&app, "globex", "ada@example.com").await;
    add_passkey(&app, &globex, "globex", "Laptop").await;
    for rp_id in [passkey.rp_id.clone(), format!("globex.{}", app.domain())] {
        let browser = app.browser();
        let (_, options) = call(
            &app,
            &browser,
            "globex",
            "/api/auth/passkey/start",
            json!({}),
        )
        .await;
        assert_eq!(
            options["publicKey"]["rpId"],
            format!("globex.{}", app.domain())
        );
        let credential = passkey.get_for(&options, &origin(&app, "globex"), &rp_id);
        let (status, refused) = finish(&app, &browser, "globex", credential).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "signed for {rp_id}: {refused}"
        );
        assert_eq!(app.me(&browser, "globex").await.1["authenticated"], false);
    }
    // And at acme it still works.
    let (status, _) = use_passkey(&app, &app.browser(), "acme", &mut passkey).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_ceremony_is_used_once_and_not_for_long() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    let browser = app.browser();
    let (_, options) = call(&app, &browser, "acme", "/api/auth/passkey/start", json!({})).await;
    let credential = passkey.get(&options, &origin(&app, "acme"));
    let (status, _) = finish(&app, &browser, "acme", credential.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = finish(&app, &browser, "acme", credential).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the same answer again");

    let late = app.browser();
    let (_, options) = call(&app, &late, "acme", "/api/auth/passkey/start", json!({})).await;
    app.clock.advance(Duration::from_secs(6 * 60));
    let credential = passkey.get(&options, &origin(&app, "acme"));
    let (status, _) = finish(&app, &late, "acme", credential).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "six minutes later");
}

#[tokio::test]
async fn a_cloned_authenticator_is_refused() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    let mut clone = passkey.clone_device();
    let (status, _) = use_passkey(&app, &app.browser(), "acme", &mut passkey).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = use_passkey(&app, &app.browser(), "acme", &mut passkey).await;
    assert_eq!(status, StatusCode::OK);
    // The copy's counter is behind the original's.
    let (status, _) = use_passkey(&app, &app.browser(), "acme", &mut clone).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn adding_and_removing_is_privileged_audited_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let ada = registered(&app, "acme", "ada@example.com").await;
    let other = app.browser();
    app.login(&other, "acme", "ada@example.com", PASSWORD).await;
    let mut passkey = add_passkey(&app, &ada, "acme", "Laptop").await;
    assert_eq!(app.me(&other, "acme").await.1["authenticated"], false);

    app.clock.advance(Duration::from_secs(11 * 60));
    let (_, list) = call_get(&app, &ada, "/api/account/passkeys").await;
    let id = list[0]["id"].as_str().expect("id").to_owned();
    let remove = json!({ "id": id });
    let (status, refused) = call(
        &app,
        &ada,
        "acme",
        "/api/account/passkeys/remove",
        remove.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "step_up_required");
    let (status, refused) = call(
        &app,
        &ada,
        "acme",
        "/api/account/passkeys/register/start",
        json!({"name": "Another"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    // The passkey itself is the step-up.
    let (status, _) = use_passkey(&app, &ada, "acme", &mut passkey).await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = call(&app, &ada, "acme", "/api/account/passkeys/remove", remove).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list, json!([]));

    let (_, panel) = call_get(&app, &ada, "/api/admin/panel").await;
    let actions: Vec<&str> = panel["audit"]
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"passkey added") && actions.contains(&"passkey removed"));
}

/// Every `bridge.step_up` value against every way of presenting a second
/// factor, for someone with TOTP (and recovery codes) and a passkey: what
/// the restore asks for, and what the session ends up resting on.
#[tokio::test]
async fn every_step_up_policy_with_every_factor() {
    for storage in Storage::BOTH {
        for policy in ["never", "enrolled", "always"] {
            for method in ["totp", "recovery_code", "passkey"] {
                step_up_policy_with_factor(storage, policy, method).await;
            }
        }
    }
}

/// A restore under `policy`, stepped up (where it asks) with `method`, the
/// token kept as `storage` keeps it.
async fn step_up_policy_with_factor(storage: Storage, policy: &str, method: &str) {
    let app = TestApp::spawn_with(&[("BRIDGE_STEP_UP", policy), storage.env()]).await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let mut passkey = add_passkey(&app, &ada.client, "acme", "Laptop").await;
    next_step(&app);
    let (device, _) = password(&app, "acme", &ada.email).await;
    let response = device
        .post(app.url(Some("acme"), "/api/auth/second-factor"))
        .json(&json!({ "code": code_now(&app, &ada.secret) }))
        .send()
        .await
        .expect("sent");
    let headers = response.headers().clone();
    let done: Value = response.json().await.expect("json");
    let token = app
        .handed("acme", &headers, &done, "bridge_token")
        .expect("token");
    next_step(&app);

    let browser = app.browser();
    let request = browser.post(app.url(Some("acme"), "/api/session-bridge/restore"));
    let response = storage
        .present(request, "acme", Some(&token), None, json!({}))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    let restored: Value = response.json().await.unwrap_or_default();
    let case = format!("{storage:?}: {policy} with {method}");
    assert_eq!(status, StatusCode::OK, "{case}: {restored}");
    if policy == "never" {
        assert!(restored.get("step_up").is_none(), "{case}: {restored}");
        assert_eq!(
            current_assurance(&app, &browser).await,
            json!({"level": "one_factor", "methods": ["bridge_restore"]}),
            "{case}"
        );
        return;
    }
    assert_eq!(
        restored["step_up"]["methods"],
        json!(["totp", "recovery_code", "passkey"]),
        "{case}"
    );
    let (status, done) = match method {
        "totp" => present(&app, &browser, "acme", &code_now(&app, &ada.secret)).await,
        "recovery_code" => present(&app, &browser, "acme", &ada.recovery_codes[0]).await,
        _ => use_passkey(&app, &browser, "acme", &mut passkey).await,
    };
    assert_eq!(status, StatusCode::OK, "{case}: {done}");
    assert_eq!(
        current_assurance(&app, &browser).await,
        json!({"level": "two_factors", "methods": ["bridge_restore", method]}),
        "{case}"
    );
}
