//! Second factors from the outside: TOTP set up, confirmed and used at
//! sign-in, recovery codes used once, replays refused (also from another
//! browser), wrong codes throttled, a restore that must step up under each
//! `bridge.step_up`, privileged actions that ask for a recent factor, and a
//! factor of one tenant that never counts at another.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tessera_backend::{clock::Clock, db::schema::TotpFactors, keys::KeyId};
use totp_rs::{Builder, Secret};

use crate::support::{TestApp, PASSWORD};

/// The code the person's app shows at the server's present time.
pub(crate) fn code_now(app: &TestApp, secret: &str) -> String {
    let secret = Secret::try_from_base32(secret).expect("base32 secret");
    let totp = Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .build()
        .expect("totp");
    let now = u64::try_from(Clock::from(app.clock.clone()).unix()).expect("after 1970");
    totp.generate(now).to_string()
}

/// The next 30-second step: a new code, not a replay.
pub(crate) fn next_step(app: &TestApp) {
    app.clock.advance(Duration::from_secs(30));
}

pub(crate) async fn call(
    app: &TestApp,
    client: &Client,
    tenant: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = app.post(client, Some(tenant), path, &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Presents a second factor (a TOTP or recovery code) from `client`.
pub(crate) async fn present(
    app: &TestApp,
    client: &Client,
    tenant: &str,
    code: &str,
) -> (StatusCode, Value) {
    call(
        app,
        client,
        tenant,
        "/api/auth/second-factor",
        json!({ "code": code }),
    )
    .await
}

/// A person at `tenant` with TOTP on: their browser, the secret, the codes.
pub(crate) struct Enrolled {
    pub client: Client,
    pub email: String,
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

pub(crate) async fn enrolled(app: &TestApp, tenant: &str, email: &str) -> Enrolled {
    let client = app.browser();
    assert!(app
        .register(&client, tenant, email)
        .await
        .status()
        .is_success());
    let (status, enrolment) = call(
        app,
        &client,
        tenant,
        "/api/account/totp/enrol",
        json!({"password": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().expect("secret").to_owned();
    assert!(enrolment["otpauth_uri"]
        .as_str()
        .expect("uri")
        .starts_with("otpauth://totp/"));
    assert!(enrolment["qr_svg"]
        .as_str()
        .expect("svg")
        .starts_with("<svg"));
    let (status, confirmed) = call(
        app,
        &client,
        tenant,
        "/api/account/totp/confirm",
        json!({"code": code_now(app, &secret)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let recovery_codes: Vec<String> =
        serde_json::from_value(confirmed["recovery_codes"].clone()).expect("codes");
    assert_eq!(recovery_codes.len(), 10);
    next_step(app);
    Enrolled {
        client,
        email: email.to_owned(),
        secret,
        recovery_codes,
    }
}

/// Signs in with the password: the answer and the (pending) browser.
pub(crate) async fn password(app: &TestApp, tenant: &str, email: &str) -> (Client, Value) {
    let client = app.browser();
    let reply: Value = app
        .login(&client, tenant, email, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    (client, reply)
}

#[tokio::test]
async fn enrolment_waits_for_a_code_and_then_every_sign_in_asks_for_it() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.register(&client, "acme", "ada@example.com").await;
    let (_, enrolment) = call(
        &app,
        &client,
        "acme",
        "/api/account/totp/enrol",
        json!({"password": "wrong password"}),
    )
    .await;
    assert_eq!(
        enrolment["error"], "unauthorized",
        "the password again first"
    );
    let (_, enrolment) = call(
        &app,
        &client,
        "acme",
        "/api/account/totp/enrol",
        json!({"password": PASSWORD}),
    )
    .await;
    let secret = enrolment["secret"].as_str().expect("secret").to_owned();

    // Not confirmed: sign-in does not ask for it yet.
    let (_, reply) = password(&app, "acme", "ada@example.com").await;
    assert_eq!(reply["authenticated"], true);

    let (status, _) = call(
        &app,
        &client,
        "acme",
        "/api/account/totp/confirm",
        json!({"code": "000000"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a wrong code confirms nothing"
    );
    let (status, _) = call(
        &app,
        &client,
        "acme",
        "/api/account/totp/confirm",
        json!({"code": code_now(&app, &secret)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    next_step(&app);

    let (pending, reply) = password(&app, "acme", "ada@example.com").await;
    assert_eq!(reply["authenticated"], false);
    assert_eq!(reply["user"], Value::Null);
    assert_eq!(
        reply["bridge_token"],
        Value::Null,
        "no token before the factor"
    );
    assert_eq!(reply["tenant"]["slug"], "acme");
    assert_eq!(
        reply["second_factor"]["methods"],
        json!(["totp", "recovery_code"])
    );
    let (_, me) = app.me(&pending, "acme").await;
    assert_eq!(me["authenticated"], false);
    assert_eq!(
        me["second_factor"]["methods"],
        json!(["totp", "recovery_code"])
    );

    // A pending session reaches nothing else.
    let security = pending
        .get(app.url(Some("acme"), "/api/account/security"))
        .send()
        .await
        .expect("sent");
    assert_eq!(security.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &app,
        &pending,
        "acme",
        "/api/session-bridge/refresh",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) = present(&app, &pending, "acme", "123456").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, done) = present(&app, &pending, "acme", &code_now(&app, &secret)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["authenticated"], true);
    assert_eq!(done["user"]["email"], "ada@example.com");
    assert!(
        done["bridge_token"].is_string(),
        "the device's token comes now"
    );
    let (_, me) = app.me(&pending, "acme").await;
    assert_eq!(me["authenticated"], true);
    assert!(me.get("second_factor").is_none());
}

#[tokio::test]
async fn a_code_is_accepted_once_even_from_another_browser() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let code = code_now(&app, &ada.secret);
    let (first, _) = password(&app, "acme", &ada.email).await;
    let (second, _) = password(&app, "acme", &ada.email).await;
    let (status, _) = present(&app, &first, "acme", &code).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = present(&app, &second, "acme", &code).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the same code, replayed");
    // Nor an earlier step's code, though still inside the skew window.
    let (third, _) = password(&app, "acme", &ada.email).await;
    next_step(&app);
    let (status, _) = present(&app, &third, "acme", &code).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a code at or before the last accepted step"
    );
    let (status, _) = present(&app, &third, "acme", &code_now(&app, &ada.secret)).await;
    assert_eq!(status, StatusCode::OK, "the next code works");
}

#[tokio::test]
async fn recovery_codes_work_once_and_a_new_set_kills_the_old() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let (first, _) = password(&app, "acme", &ada.email).await;
    let code = ada.recovery_codes[0].to_uppercase();
    let (status, _) = present(&app, &first, "acme", &code).await;
    assert_eq!(status, StatusCode::OK, "typed in capitals: still the code");
    let (again, _) = password(&app, "acme", &ada.email).await;
    let (status, _) = present(&app, &again, "acme", &ada.recovery_codes[0]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "used up");

    let (status, renewed) = call(
        &app,
        &first,
        "acme",
        "/api/account/recovery-codes",
        json!({"code": code_now(&app, &ada.secret)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let fresh: Vec<String> =
        serde_json::from_value(renewed["recovery_codes"].clone()).expect("codes");
    assert_eq!(fresh.len(), 10);
    let (status, _) = present(&app, &again, "acme", &ada.recovery_codes[1]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old set died");
    let (status, _) = present(&app, &again, "acme", &fresh[1]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let app = TestApp::spawn_with(&[("SIGNIN_MAX_FAILURES", "3")]).await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let (pending, _) = password(&app, "acme", &ada.email).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (status, _) = present(&app, &pending, "acme", "000000").await;
        statuses.push(status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let (status, _) = present(&app, &pending, "acme", &code_now(&app, &ada.secret)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked: even the right code waits"
    );
}

#[tokio::test]
async fn disabling_needs_a_code_and_ends_every_other_session_and_device() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let (other, _) = password(&app, "acme", &ada.email).await;
    let (_, done) = present(&app, &other, "acme", &code_now(&app, &ada.secret)).await;
    let other_token = done["bridge_token"].as_str().expect("token").to_owned();
    next_step(&app);
    let (status, _) = call(
        &app,
        &ada.client,
        "acme",
        "/api/account/totp/disable",
        json!({"code": "000000"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &app,
        &ada.client,
        "acme",
        "/api/account/totp/disable",
        json!({"code": code_now(&app, &ada.secret)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.me(&other, "acme").await.1["authenticated"],
        false,
        "the other session ended"
    );
    assert!(!app.restores("acme", &other_token).await, "and its device");
    assert_eq!(
        app.me(&ada.client, "acme").await.1["authenticated"],
        true,
        "this one stays"
    );
    let (_, reply) = password(&app, "acme", &ada.email).await;
    assert_eq!(reply["authenticated"], true, "no factor asked any more");
    let audit = app.tenant_db("acme").await;
    let entries = tessera_backend::accounts::audit::recent(&audit, 10)
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"two-step sign-in turned on"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"two-step sign-in turned off"),
        "{actions:?}"
    );
}

/// A restore under a step-up policy, by someone holding a device's token.
struct Restore {
    app: TestApp,
    /// The restore's answer, with its HTTP status as `status`.
    reply: Value,
    /// The device's owner, when she has TOTP on.
    owner: Option<Enrolled>,
    /// The owner's browser that holds the token, signed in on its family.
    device: Client,
    token: String,
}

async fn restore_under(policy: &str, enrol: bool) -> Restore {
    let app = TestApp::spawn_with(&[("BRIDGE_STEP_UP", policy)]).await;
    let (device, token, owner) = if enrol {
        let ada = enrolled(&app, "acme", "ada@example.com").await;
        let (device, _) = password(&app, "acme", &ada.email).await;
        let (_, done) = present(&app, &device, "acme", &code_now(&app, &ada.secret)).await;
        next_step(&app);
        let token = done["bridge_token"].as_str().expect("token").to_owned();
        (device, token, Some(ada))
    } else {
        let device = app.browser();
        let reply: Value = app
            .register(&device, "acme", "bob@example.com")
            .await
            .json()
            .await
            .expect("json");
        let token = reply["bridge_token"].as_str().expect("token").to_owned();
        (device, token, None)
    };
    let response = app.restore("acme", &token).await;
    let status = response.status();
    let mut reply: Value = response.json().await.unwrap_or(Value::Null);
    reply["status"] = json!(status.as_u16());
    Restore {
        app,
        reply,
        owner,
        device,
        token,
    }
}

/// Restores with `token` from a new browser: the browser and the answer.
async fn restore_in_new_browser(app: &TestApp, token: &str) -> (Client, Value) {
    let browser = app.browser();
    let (status, reply) = call(
        app,
        &browser,
        "acme",
        "/api/session-bridge/restore",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    (browser, reply)
}

async fn check(app: &TestApp, client: &Client) -> Value {
    call(app, client, "acme", "/api/session-bridge/check", json!({}))
        .await
        .1
}

#[tokio::test]
async fn never_restores_with_the_token_alone_and_one_factor_only() {
    let Restore { app, reply, .. } = restore_under("never", true).await;
    assert_eq!(reply["success"], true);
    assert!(reply["new_token"].is_string());
    assert!(reply.get("step_up").is_none(), "{reply}");
    let next = reply["new_token"].as_str().expect("token").to_owned();
    let (browser, _) = restore_in_new_browser(&app, &next).await;
    let (_, security) = call_get(&app, &browser, "/api/account/security").await;
    assert!(security["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .any(|s| s["current"] == true
            && s["assurance"] == json!({"level": "one_factor", "methods": ["bridge_restore"]})));
}

#[tokio::test]
async fn enrolled_makes_a_restore_wait_for_the_factor_of_whoever_has_one() {
    let Restore { reply, .. } = restore_under("enrolled", false).await;
    assert_eq!(reply["success"], true);
    assert!(reply["new_token"].is_string());
    assert!(
        reply.get("step_up").is_none(),
        "no factor, nothing to ask: {reply}"
    );

    let Restore {
        app,
        reply,
        owner,
        token,
        ..
    } = restore_under("enrolled", true).await;
    let ada = owner.expect("enrolled");
    assert_eq!(reply["success"], true);
    assert_eq!(
        reply["new_token"],
        Value::Null,
        "nothing rotates before the factor"
    );
    assert_eq!(
        reply["step_up"]["methods"],
        json!(["totp", "recovery_code"])
    );
    // The restoring browser: pending until the code.
    let (browser, _) = restore_in_new_browser(&app, &token).await;
    assert_eq!(
        check(&app, &browser).await,
        json!({"authenticated": false, "user_id": null, "has_token": true, "step_up": true})
    );
    assert_eq!(app.me(&browser, "acme").await.1["authenticated"], false);
    let (status, done) = present(&app, &browser, "acme", &code_now(&app, &ada.secret)).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["authenticated"], true);
    let next = done["bridge_token"].as_str().expect("a new device's token");
    let check = check(&app, &browser).await;
    assert_eq!(check["authenticated"], true);
    assert!(
        check.get("step_up").is_none(),
        "the source document's shape again: {check}"
    );
    assert!(
        !app.restores("acme", &token).await,
        "the token it restored with is replaced"
    );
    assert!(app.restores("acme", next).await);
}

#[tokio::test]
async fn always_refuses_a_restore_to_whoever_has_no_factor() {
    let Restore {
        app, reply, token, ..
    } = restore_under("always", false).await;
    assert_eq!(reply["status"], 401, "{reply}");
    assert_eq!(reply["success"], false);
    assert!(
        !app.restores("acme", &token).await,
        "the device is gone: sign in again"
    );

    // Someone with a factor: the restore waits, and a recovery code (the
    // phone left at home) finishes it, with two factors.
    let Restore {
        app,
        reply,
        owner,
        token,
        ..
    } = restore_under("always", true).await;
    assert_eq!(reply["success"], true);
    assert!(reply["step_up"].is_object(), "{reply}");
    let ada = owner.expect("enrolled");
    let (browser, _) = restore_in_new_browser(&app, &token).await;
    let (status, done) = present(&app, &browser, "acme", &ada.recovery_codes[3]).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, security) = call_get(&app, &browser, "/api/account/security").await;
    let current = security["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["current"] == true)
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        current["assurance"],
        json!({"level": "two_factors", "methods": ["bridge_restore", "recovery_code"]})
    );
}

/// A GET at acme from `client`: the status and the JSON answer.
pub(crate) async fn call_get(app: &TestApp, client: &Client, path: &str) -> (StatusCode, Value) {
    let response = client
        .get(app.url(Some("acme"), path))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_thief_with_the_token_and_no_factor_gets_nothing_and_the_owner_keeps_her_sessions() {
    let Restore {
        app,
        owner,
        device,
        token,
        ..
    } = restore_under("enrolled", true).await;
    let ada = owner.expect("enrolled");
    let (thief, _) = restore_in_new_browser(&app, &token).await;
    for guess in ["000000", "123456", "999999"] {
        let (status, _) = present(&app, &thief, "acme", guess).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.me(&thief, "acme").await.1["authenticated"], false);
    let thief_security = thief
        .get(app.url(Some("acme"), "/api/account/security"))
        .send()
        .await
        .expect("sent");
    assert_eq!(thief_security.status(), StatusCode::UNAUTHORIZED);
    // The thief gives up.
    let (status, _) = call(&app, &thief, "acme", "/api/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::OK);

    // Long past any grace window, the owner's device is as she left it.
    app.clock.advance(Duration::from_secs(3600));
    assert_eq!(app.me(&ada.client, "acme").await.1["authenticated"], true);
    assert_eq!(app.me(&device, "acme").await.1["authenticated"], true);
    let (status, refreshed) = call(
        &app,
        &device,
        "acme",
        "/api/session-bridge/refresh",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "her token still rotates: {refreshed}"
    );

    // What the admin (Ada, the first user) sees: each guess.
    let panel: Value = ada
        .client
        .get(app.url(Some("acme"), "/api/admin/panel"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let wrong_codes = panel["sign_in_events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "wrong_code" && e["email"] == "ada@example.com")
        .count();
    assert_eq!(wrong_codes, 3, "{panel}");
    let failures: u64 = panel["usage"]
        .as_array()
        .expect("usage")
        .iter()
        .filter_map(|d| d["failures"].as_u64())
        .sum();
    assert_eq!(failures, 3, "in the bridge's chart too: {panel}");
}

#[tokio::test]
async fn privileged_actions_ask_for_a_recent_factor() {
    let app = TestApp::spawn_with(&[("SIGNIN_PRIVILEGED_MINUTES", "10")]).await;
    let admin = enrolled(&app, "acme", "admin@example.com").await;
    let save = json!({"values": {"lifetime": "45"}, "switches": {}, "reset": {}});
    let (status, _) = call(
        &app,
        &admin.client,
        "acme",
        "/api/admin/settings/save",
        save.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a password sign-in a moment ago");

    // Signed in with two factors, eleven minutes ago.
    let (client, _) = password(&app, "acme", &admin.email).await;
    present(&app, &client, "acme", &code_now(&app, &admin.secret)).await;
    app.clock.advance(Duration::from_secs(11 * 60));
    let (status, refused) = call(
        &app,
        &client,
        "acme",
        "/api/admin/settings/save",
        save.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "step_up_required");
    let (status, _) = present(&app, &client, "acme", &code_now(&app, &admin.secret)).await;
    assert_eq!(status, StatusCode::OK, "presented again in place");
    let (status, _) = call(&app, &client, "acme", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_factor_of_one_tenant_never_counts_at_another() {
    let app = TestApp::spawn().await;
    let acme = enrolled(&app, "acme", "ada@example.com").await;
    // The same email at globex, no factor there: globex never asks for it.
    let globex = app.browser();
    app.register(&globex, "globex", "ada@example.com").await;
    let (_, reply) = password(&app, "globex", "ada@example.com").await;
    assert_eq!(reply["authenticated"], true, "globex's Ada has no factor");
    // acme's code at a globex pending sign-in: globex's Ada enrols her own.
    let (_, enrolment) = call(
        &app,
        &globex,
        "globex",
        "/api/account/totp/enrol",
        json!({"password": PASSWORD}),
    )
    .await;
    let (status, _) = call(
        &app,
        &globex,
        "globex",
        "/api/account/totp/confirm",
        json!({"code": code_now(&app, &acme.secret)}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "acme's secret is not globex's"
    );
    let (status, _) = call(
        &app,
        &globex,
        "globex",
        "/api/account/totp/confirm",
        json!({"code": code_now(&app, enrolment["secret"].as_str().expect("secret"))}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    next_step(&app);
    let (pending, _) = password(&app, "globex", "ada@example.com").await;
    let (status, _) = present(&app, &pending, "globex", &code_now(&app, &acme.secret)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "acme's code at globex");
    let (status, _) = present(&app, &pending, "globex", &acme.recovery_codes[0]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "acme's recovery code at globex"
    );
}

#[tokio::test]
async fn retiring_the_key_that_sealed_a_secret_seals_it_again_first() {
    let app = TestApp::spawn().await;
    let ada = enrolled(&app, "acme", "ada@example.com").await;
    let sealed_with = || async {
        let db = app.tenant_db("acme").await;
        let query = sea_query::Query::select()
            .column(TotpFactors::Secret)
            .from(db.table(TotpFactors::Table))
            .to_owned();
        let (secret,): (String,) = db.fetch_one(&query).await.expect("a factor");
        secret.split('.').next().unwrap_or_default().to_owned()
    };
    assert_eq!(sealed_with().await, "1");
    app.platform.keys.rotate().await.expect("rotated");
    // Past the key ring's reload interval.
    app.clock.advance(Duration::from_secs(2));
    let resealed = app
        .platform
        .retire_key(KeyId::new(1))
        .await
        .expect("retired");
    assert_eq!(resealed.moved, 1);
    assert_eq!(resealed.unreadable, 0);
    assert_eq!(sealed_with().await, "2");
    app.clock.advance(Duration::from_secs(2));
    next_step(&app);
    let (client, _) = password(&app, "acme", &ada.email).await;
    let (status, done) = present(&app, &client, "acme", &code_now(&app, &ada.secret)).await;
    assert_eq!(status, StatusCode::OK, "the factor still works: {done}");
}
