//! On https a host-only session cookie is `__Host-` named, and only that
//! name is a session: the plain twin, which a sibling subdomain or anyone on
//! the network can plant, is never adopted — it would sign the victim into
//! the attacker's account (login CSRF). After a real prefix change, only a
//! name this tenant issued before is carried over.

use reqwest::{header, Response};
use serde_json::{json, Value};
use tessera_backend::{
    settings::Key,
    tenancy::{directory::Editor, Slug},
};

use crate::support::{set_cookies, value_of, TestApp, PASSWORD};

async fn me_over_https(app: &TestApp, cookie: &str) -> (Value, Vec<String>) {
    let response = app
        .raw()
        .get(app.url(Some("acme"), "/api/auth/me"))
        .header("x-forwarded-proto", "https")
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("answered");
    let cookies = set_cookies(response.headers());
    (response.json().await.expect("json"), cookies)
}

/// The `name=value` pair a response set for `name`.
fn pair(response: &Response, name: &str) -> String {
    set_cookies(response.headers())
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next().map(str::to_owned))
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

async fn register(app: &TestApp, email: &str, https: bool) -> Response {
    let mut request = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/register"))
        .json(&json!({"email": email, "password": PASSWORD, "name": "Someone"}));
    if https {
        request = request.header("x-forwarded-proto", "https");
    }
    request.send().await.expect("answered")
}

#[tokio::test]
async fn a_planted_plain_cookie_is_no_session_on_https() {
    let app = TestApp::spawn_with(&[("TESSERA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    // The attacker's own session, as plain http issues it.
    let attackers = pair(
        &register(&app, "mallory@acme.test", false).await,
        "tenant_acme_session",
    );
    // Planted in the victim's browser, which then visits over https.
    let (me, cookies) = me_over_https(&app, &attackers).await;
    assert_eq!(
        me["authenticated"], false,
        "signed into the attacker's account: {me}"
    );
    assert!(
        !cookies
            .iter()
            .any(|c| c.starts_with("__Host-tenant_acme_session=")
                && c.contains(value_of(&attackers))),
        "re-issued the planted session under the __Host- name: {cookies:?}"
    );
}

#[tokio::test]
async fn after_a_prefix_change_only_a_name_this_tenant_issued_is_carried_over() {
    let app = TestApp::spawn_with(&[("TESSERA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let victim = pair(
        &register(&app, "ada@acme.test", true).await,
        "__Host-tenant_acme_session",
    );
    let attackers = value_of(&pair(
        &register(&app, "mallory@acme.test", false).await,
        "tenant_acme_session",
    ))
    .to_owned();
    let acme = Slug::parse("acme").expect("slug");
    app.platform
        .directory
        .update_settings(&acme, &[(Key::Prefix, "team".into())], Editor::Operator)
        .await
        .expect("saved");

    // The victim's real cookie, issued under the former prefix, moves over.
    let (me, cookies) = me_over_https(&app, &victim).await;
    assert_eq!(me["user"]["email"], "ada@acme.test", "{me}");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-team_acme_session=") && !c.contains("Max-Age=0")),
        "{cookies:?}"
    );

    // A planted session under any other name is nobody's.
    for name in [
        "team_acme_session",   // the plain twin of the current name
        "tenant_acme_session", // the former prefix, but a name https never issued
        "evil_acme_session",   // a prefix this tenant never had
    ] {
        let (me, _) = me_over_https(&app, &format!("{name}={attackers}")).await;
        assert_eq!(me["authenticated"], false, "{name} adopted: {me}");
    }
}
