//! The tenant admin panel's API and page: admins only, settings applied to
//! the very next request, audit log, roles.

use crate::support::{location, session_cookie, set_cookies, TestApp};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

struct Actor {
    cookie: Option<String>,
}

async fn call(
    app: &TestApp,
    actor: &Actor,
    method: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value, header::HeaderMap) {
    let url = app.url(Some("acme"), path);
    let mut request = if method == "GET" {
        app.raw().get(url)
    } else {
        app.raw()
            .post(url)
            .json(&body)
            .header("sec-fetch-site", "same-origin")
    };
    if let Some(cookie) = &actor.cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

/// acme with an admin (first user) and a member.
async fn acme() -> (TestApp, Actor, Actor) {
    acme_with(&[]).await
}

async fn acme_with(env: &[(&str, &str)]) -> (TestApp, Actor, Actor) {
    let mut env = env.to_vec();
    env.push(("TESSERA_DOMAIN", "tessera.test"));
    let app = TestApp::spawn_with(&env).await;
    let admin = session_cookie(
        &app.register(&app.raw(), "acme", "admin@acme.test").await,
        "acme",
    );
    let member = session_cookie(
        &app.register(&app.raw(), "acme", "member@acme.test").await,
        "acme",
    );
    (app, Actor { cookie: admin }, Actor { cookie: member })
}

fn endpoints() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("GET", "/api/admin/settings", Value::Null),
        (
            "POST",
            "/api/admin/settings/save",
            json!({"values": {"lifetime": "30"}}),
        ),
        ("GET", "/api/admin/users", Value::Null),
        (
            "POST",
            "/api/admin/users/role",
            json!({"user_id": 2, "role": "admin"}),
        ),
        ("GET", "/api/admin/audit", Value::Null),
        ("GET", "/api/admin/bridge-usage", Value::Null),
        ("GET", "/api/admin/panel", Value::Null),
        ("GET", "/api/admin/sessions", Value::Null),
        (
            "POST",
            "/api/admin/sessions/revoke",
            json!({"handle": "nope"}),
        ),
        ("GET", "/api/admin/devices", Value::Null),
        (
            "POST",
            "/api/admin/devices/revoke",
            json!({"device_id": "nope"}),
        ),
    ]
}

#[tokio::test]
async fn every_admin_endpoint_refuses_non_admins() {
    let (app, admin, member) = acme().await;
    for (method, path, body) in endpoints() {
        for (who, actor) in [("anonymous", &Actor { cookie: None }), ("member", &member)] {
            let (status, reply, _) = call(&app, actor, method, path, body.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {method} {path}");
            assert_eq!(reply["error"], "forbidden", "{who} {method} {path}");
        }
    }
    let page = app
        .raw()
        .get(app.url(Some("acme"), "/admin"))
        .header(header::COOKIE, member.cookie.clone().unwrap_or_default())
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    for (method, path, body) in endpoints() {
        let (status, _, _) = call(&app, &admin, method, path, body).await;
        let expected = if path.ends_with("/revoke") {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "admin {method} {path}");
    }
    let page = app
        .raw()
        .get(app.url(Some("acme"), "/admin"))
        .header(header::COOKIE, admin.cookie.clone().unwrap_or_default())
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("Session settings"));
}

#[tokio::test]
async fn admin_posts_are_csrf_checked() {
    let (app, admin, _) = acme().await;
    let response = app
        .raw()
        .post(app.url(Some("acme"), "/api/admin/settings/save"))
        .header(header::COOKIE, admin.cookie.clone().unwrap_or_default())
        .header("origin", app.url(Some("globex"), ""))
        .json(&json!({"values": {"isolation": "false"}}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn invalid_values_are_refused_by_name_and_nothing_is_saved() {
    let (app, admin, _) = acme().await;
    let (_, before, _) = call(&app, &admin, "GET", "/api/admin/settings", Value::Null).await;
    let (status, reply, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/settings/save",
        json!({"values": {"prefix": "ok", "lifetime": "soon"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        reply["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("lifetime:")),
        "{reply}"
    );
    let (_, after, _) = call(&app, &admin, "GET", "/api/admin/settings", Value::Null).await;
    assert_eq!(before, after, "nothing saved");
}

#[tokio::test]
async fn saved_changes_apply_to_the_very_next_request() {
    let (app, admin, _) = acme().await;
    let (status, _, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/settings/save",
        json!({"values": {"cross_subdomain": "true"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let next = app.register(&app.raw(), "acme", "next@acme.test").await;
    assert!(set_cookies(next.headers())
        .iter()
        .any(|c| c.contains("Domain=tessera.test")));

    let (status, _, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/settings/save",
        json!({"values": {"prefix": "team"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The admin's browser still holds tenant_acme_session: it stays signed in,
    // moved to the new name, and the old cookie is expired.
    let (status, me, headers) = call(&app, &admin, "GET", "/api/auth/me", Value::Null).await;
    assert_eq!(
        (status, &me["user"]["email"]),
        (StatusCode::OK, &json!("admin@acme.test"))
    );
    let cookies = set_cookies(&headers);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("team_acme_session=") && !c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("tenant_acme_session=") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn the_insecure_combination_is_flagged_and_changes_are_audited() {
    // Isolation is the operator's by default; this operator lets admins choose.
    let (app, admin, _) = acme_with(&[(
        "TESSERA_TENANT_ADMIN_SETTINGS",
        "isolation,scope_guard,lifetime",
    )])
    .await;
    let (_, saved, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/settings/save",
        json!({"values": {"isolation": "false", "scope_guard": "false"}}),
    )
    .await;
    assert!(saved["warning"]
        .as_str()
        .is_some_and(|w| w.contains("INSECURE")));
    // Sessions now live in the shared store: the admin signs in again there.
    let login = app
        .login(
            &app.raw(),
            "acme",
            "admin@acme.test",
            crate::support::PASSWORD,
        )
        .await;
    let admin = Actor {
        cookie: session_cookie(&login, "acme"),
    };
    let (_, shown, _) = call(&app, &admin, "GET", "/api/admin/settings", Value::Null).await;
    assert!(shown["warning"].as_str().is_some());
    let (_, audit, _) = call(&app, &admin, "GET", "/api/admin/audit", Value::Null).await;
    let details: Vec<&str> = audit
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["detail"].as_str())
        .collect();
    assert!(
        details.contains(&"isolation: true → false")
            && details.contains(&"scope_guard: true → false"),
        "{details:?}"
    );
    assert!(audit
        .as_array()
        .expect("list")
        .iter()
        .all(|e| e["actor"] == "admin@acme.test"));
}

#[tokio::test]
async fn roles_change_but_a_tenant_keeps_one_admin() {
    let (app, admin, _) = acme().await;
    let (status, reply, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/users/role",
        json!({"user_id": 1, "role": "member"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    let (status, users, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/users/role",
        json!({"user_id": 2, "role": "admin"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users[1]["role"], "admin");
    let (status, users, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/users/role",
        json!({"user_id": 1, "role": "member"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (users[0]["role"].as_str(), users[1]["role"].as_str()),
        (Some("member"), Some("admin"))
    );
    let (status, _, _) = call(&app, &admin, "GET", "/api/admin/users", Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no longer an admin");
    let (status, _, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/users/role",
        json!({"user_id": 99, "role": "admin"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bridge_usage_counts_restores_refreshes_failures_and_revocations() {
    let (app, admin, member) = acme().await;
    let token = |body: &Value| body["bridge_token"].as_str().unwrap_or_default().to_owned();
    let signed_up: Value = app
        .register(&app.raw(), "acme", "ada@acme.test")
        .await
        .json()
        .await
        .expect("json");
    let restore = |t: String| {
        let app = &app;
        async move { app.restore("acme", &t).await.status() }
    };
    assert_eq!(restore(token(&signed_up)).await, StatusCode::OK);
    assert_eq!(restore("garbage".into()).await, StatusCode::UNAUTHORIZED);
    let (_, _, _) = call(&app, &member, "POST", "/api/auth/logout", json!({})).await; // revokes the member's device
    let (status, usage, _) =
        call(&app, &admin, "GET", "/api/admin/bridge-usage", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    let days = usage.as_array().expect("list");
    assert_eq!(days.len(), 14);
    let today = &days[13];
    assert_eq!(
        (
            today["restores"].as_u64(),
            today["failures"].as_u64(),
            today["revocations"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let (status, _, _) = call(&app, &member, "GET", "/api/admin/bridge-usage", Value::Null).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_see_and_revoke_sessions_and_devices() {
    let (app, admin, member) = acme().await;
    let (status, sessions, _) = call(&app, &admin, "GET", "/api/admin/sessions", Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sessions["total"], 2, "{sessions}");
    let sessions = sessions["rows"].as_array().expect("list").clone();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let members = sessions
        .iter()
        .find(|s| s["user"] == "member@acme.test")
        .expect("the member's session");
    assert_eq!(members["ip"], "127.0.0.1");
    assert!(members["created_at"].as_i64().is_some() && members["current"] == false);
    assert!(sessions
        .iter()
        .any(|s| s["user"] == "admin@acme.test" && s["current"] == true));
    let handle = members["handle"].as_str().expect("handle");
    assert!(
        !member.cookie.clone().unwrap_or_default().contains(handle),
        "handles are not session ids"
    );

    let (status, remaining, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/sessions/revoke",
        json!({"handle": handle}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(remaining["rows"].as_array().map(Vec::len), Some(1));
    let (_, me, _) = call(&app, &member, "GET", "/api/auth/me", Value::Null).await;
    assert_eq!(me["authenticated"], false, "signed out on the next request");

    // A device: the member signs in again; the admin revokes that device.
    let login = app
        .login(
            &app.raw(),
            "acme",
            "member@acme.test",
            crate::support::PASSWORD,
        )
        .await;
    let member = Actor {
        cookie: session_cookie(&login, "acme"),
    };
    let (_, devices, _) = call(&app, &admin, "GET", "/api/admin/devices", Value::Null).await;
    let theirs: Vec<Value> = devices["rows"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|d| d["user"] == "member@acme.test")
        .cloned()
        .collect();
    // Revoking the registration's session above ended its device too.
    assert_eq!(theirs.len(), 1, "the new sign-in's device only");
    for device in theirs {
        let (status, _, _) = call(
            &app,
            &admin,
            "POST",
            "/api/admin/devices/revoke",
            json!({"device_id": device["id"]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, me, _) = call(&app, &member, "GET", "/api/auth/me", Value::Null).await;
    assert_eq!(
        me["authenticated"], false,
        "the revoked device is signed out"
    );
    let (_, audit, _) = call(&app, &admin, "GET", "/api/admin/audit", Value::Null).await;
    let actions: Vec<&str> = audit
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"session revoked") && actions.contains(&"device revoked"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_operator_fences_what_tenant_admins_may_change() {
    let (app, admin, _) = acme().await;
    let refusals = [
        // Operator-only settings: where sessions live, and which cookie.
        ("driver", "memory", "set by the operator"),
        ("isolation", "false", "set by the operator"),
        ("cookie.domain", "tessera.test", "set by the operator"),
        // Bounds: a 10-year session, a restore limit of 10,000, a long grace.
        ("lifetime", "5256000", "operator's bounds"),
        ("bridge.restore_rate_limit", "10000", "operator's bounds"),
        ("bridge.token_lifetime", "5256000", "operator's bounds"),
        ("bridge.rotation_grace", "121", "from 0 to 120"),
        ("signin.lockout", "1", "operator's bounds"),
    ];
    for (key, value, why) in refusals {
        let (status, reply, _) = call(
            &app,
            &admin,
            "POST",
            "/api/admin/settings/save",
            json!({"values": {key: value}}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}={value}: {reply}");
        let message = reply["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(key) && message.contains(why),
            "{key}={value}: {message}"
        );
    }
    let (_, settings, _) = call(&app, &admin, "GET", "/api/admin/settings", Value::Null).await;
    let fields = settings["fields"].as_array().expect("fields");
    assert!(
        fields.iter().all(|f| f["overridden"] == false),
        "nothing was saved"
    );
    // The panel shows which ones are the operator's.
    let locked: Vec<&str> = fields
        .iter()
        .filter(|f| f["locked"] == true)
        .filter_map(|f| f["key"].as_str())
        .collect();
    assert_eq!(locked, ["isolation", "cookie.domain", "driver"]);
    // Within bounds, and the locked ones submitted unchanged (as the form does): fine.
    let within = json!({"values": {"lifetime": "600", "driver": "database", "bridge.rotation_grace": "120"}});
    let (status, reply, _) = call(&app, &admin, "POST", "/api/admin/settings/save", within).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

#[tokio::test]
async fn the_operator_can_widen_the_fence() {
    let (app, admin, _) = acme_with(&[
        ("TESSERA_TENANT_ADMIN_SETTINGS", "driver,lifetime"),
        ("TESSERA_MAX_SESSION_LIFETIME", "20000"),
    ])
    .await;
    let (status, reply, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/settings/save",
        json!({"values": {"prefix": "x"}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "prefix is no longer on the list: {reply}"
    );
    // (Last: a new driver starts an empty store, so this admin signs in again after it.)
    let save = json!({"values": {"driver": "memory", "lifetime": "20000"}});
    let (status, reply, _) = call(&app, &admin, "POST", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

/// One endpoint, two ways in: a plain form post (before hydration, or
/// without JavaScript) and JSON give the same typed argument; text where
/// the id's number belongs is refused either way, before the handler runs.
#[tokio::test]
async fn a_role_change_posts_as_a_form_or_as_json_with_a_numeric_id() {
    let (app, admin, _) = acme().await;
    let cookie = admin.cookie.clone().expect("admin signed in");
    let form = |fields: &[(&str, &str)]| {
        app.raw()
            .post(app.url(Some("acme"), "/api/admin/users/role"))
            .header(header::COOKIE, &cookie)
            .header("origin", app.url(Some("acme"), ""))
            .form(fields)
            .send()
    };
    let promoted = form(&[("user_id", "2"), ("role", "admin")])
        .await
        .expect("sent");
    assert_eq!(promoted.status(), StatusCode::OK);
    let users: Value = promoted.json().await.expect("json");
    assert_eq!(users[1]["role"], "admin");

    let not_a_number = form(&[("user_id", "two"), ("role", "member")])
        .await
        .expect("sent");
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);
    let (status, reply, _) = call(
        &app,
        &admin,
        "POST",
        "/api/admin/users/role",
        json!({"user_id": "2", "role": "member"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");

    let (_, users, _) = call(&app, &admin, "GET", "/api/admin/users", Value::Null).await;
    assert_eq!(users[1]["role"], "admin", "neither refused call changed it");
}

/// A page of several forms, posted without JavaScript: the refusal comes
/// back to the page and is shown at the form that failed, not at each.
#[tokio::test]
async fn a_refused_plain_post_shows_its_message_at_its_own_form_only() {
    let (app, admin, _) = acme().await;
    let cookie = admin.cookie.clone().expect("admin signed in");
    let admin_page = app.url(Some("acme"), "/admin");
    let refused = app
        .form_post(
            Some("acme"),
            "/api/admin/users/role",
            &admin_page,
            &[("user_id", "1"), ("role", "member")],
        )
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::FOUND);
    let location = location(&refused);
    assert!(
        location.starts_with("/admin?error=")
            && location.ends_with("&form=%2Fapi%2Fadmin%2Fusers%2Frole"),
        "{location}"
    );
    let page = app
        .raw()
        .get(app.url(Some("acme"), &location))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    // A message shown (each form's empty message slot is `hidden`).
    let alert = "<p role=\"alert\" class=\"error\">";
    assert_eq!(
        page.matches(alert).count(),
        1,
        "one message of the page's forms"
    );
    let users = page.find("data-testid=\"users\"").expect("the roles table");
    let after_users = &page[users..];
    let message_at = after_users
        .find(alert)
        .expect("the message after the roles table");
    let next_table = after_users[1..]
        .find("<table")
        .map_or(usize::MAX, |i| i + 1);
    assert!(message_at < next_table, "the message is the roles form's");
}

/// The opening tag of the element with this id, as rendered.
fn tag_of<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let start = page[..at].rfind('<').expect("tag start");
    let end = at + page[at..].find('>').expect("tag end");
    &page[start..=end]
}

async fn admin_page(app: &TestApp, admin: &Actor, path: &str) -> String {
    let cookie = admin.cookie.as_deref().expect("admin signed in");
    app.page_as("acme", path, cookie).await
}

/// Four sections; each setting with the control its value takes, a line on
/// what it does, its default and variable; the operator's shown disabled,
/// saying why; an override offering its reset.
#[tokio::test]
async fn the_settings_page_gives_each_setting_its_control_and_its_default() {
    let (app, admin, _) = acme().await;
    let save = json!({"values": {"lifetime": "45", "scope_guard": "false"}});
    let (status, reply, _) = call(&app, &admin, "POST", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let page = admin_page(&app, &admin, "/admin").await;

    for section in [
        "Sessions and cookies",
        "Storage",
        "Session bridge",
        "Sign-in protection",
    ] {
        assert!(
            page.contains(&format!("<legend>{section}</legend>")),
            "{section}"
        );
    }
    let switch = tag_of(&page, "setting-scope_guard");
    assert!(
        switch.contains("type=\"checkbox\"") && switch.contains("role=\"switch\""),
        "{switch}"
    );
    assert!(!switch.contains("checked"), "saved off: {switch}");
    assert!(tag_of(&page, "setting-bridge-enabled").contains("checked"));
    assert!(tag_of(&page, "setting-cookie-same_site").starts_with("<select"));
    assert!(
        page.contains("<option value=\"lax\" selected"),
        "lax by default"
    );
    let lifetime = tag_of(&page, "setting-lifetime");
    assert!(
        lifetime.contains("type=\"number\"")
            && lifetime.contains("value=\"45\"")
            && lifetime.contains("min=\"1\""),
        "{lifetime}"
    );
    assert!(page.contains("<span class=\"unit\">minutes</span>"));
    assert!(tag_of(&page, "setting-prefix").contains("type=\"text\""));
    assert!(page.contains("A session ends after this long without a request."));
    assert!(page.contains("Default: 120 (SESSION_LIFETIME)."));

    // The operator's three: disabled, with the reason.
    for id in [
        "setting-driver",
        "setting-isolation",
        "setting-cookie-domain",
    ] {
        assert!(tag_of(&page, id).contains("disabled"), "{id}");
    }
    assert_eq!(
        page.matches("Set by the operator of this installation")
            .count(),
        3
    );
    // Overridden here: a reset; not overridden: none.
    assert!(page.contains("name=\"reset[lifetime]\""));
    assert!(page.contains("name=\"reset[scope_guard]\""));
    assert!(!page.contains("name=\"reset[prefix]\""));
}

/// As the page's form posts it without JavaScript: a switch left off sends
/// no value and is saved off, a ticked reset drops its override, and the
/// answer is the panel with a notice.
#[tokio::test]
async fn the_settings_form_saves_switches_off_drops_reset_overrides_and_says_so() {
    let (app, admin, _) = acme().await;
    let save = json!({"values": {"lifetime": "45"}});
    let (status, reply, _) = call(&app, &admin, "POST", "/api/admin/settings/save", save).await;
    assert_eq!(status, StatusCode::OK, "{reply}");

    let cookie = admin.cookie.clone().expect("admin signed in");
    let posted = app
        .form_post(
            Some("acme"),
            "/api/admin/settings/save",
            &app.url(Some("acme"), "/admin"),
            &[
                ("values[lifetime]", "45"),
                ("reset[lifetime]", "1"),
                ("switches[scope_guard]", "shown"),
                ("switches[bridge.enabled]", "shown"),
                ("values[bridge.enabled]", "true"),
            ],
        )
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(posted.status(), StatusCode::FOUND);
    assert_eq!(location(&posted), "/admin?saved=settings");

    let (_, settings, _) = call(&app, &admin, "GET", "/api/admin/settings", Value::Null).await;
    let field = |key: &str| {
        settings["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["key"] == key))
            .cloned()
            .unwrap_or_else(|| panic!("{key}"))
    };
    assert_eq!(field("scope_guard")["value"], "false");
    assert_eq!(field("scope_guard")["overridden"], true);
    assert_eq!(field("bridge.enabled")["value"], "true");
    assert_eq!(field("bridge.enabled")["overridden"], false);
    assert_eq!(field("lifetime")["value"], "120", "reset to the default");
    assert_eq!(field("lifetime")["overridden"], false);

    let page = admin_page(&app, &admin, "/admin?saved=settings").await;
    assert!(page.contains("Settings saved."), "the notice");
    assert!(!admin_page(&app, &admin, "/admin")
        .await
        .contains("Settings saved."));
}

/// Rows name the browser as a person would, keep the full string on hover,
/// and each revoke button says what it revokes.
#[tokio::test]
async fn session_rows_name_their_browser_and_their_revoke_button() {
    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    let (app, admin, _) = acme().await;
    let chrome = app.builder(&[]).user_agent(CHROME).build().expect("client");
    let signed_in = app
        .login(
            &chrome,
            "acme",
            "member@acme.test",
            crate::support::PASSWORD,
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let page = admin_page(&app, &admin, "/admin").await;
    assert!(
        page.contains(&format!("title=\"{CHROME}\"")),
        "full string on hover"
    );
    assert!(page.contains(">Chrome on Linux</td>"));
    assert!(
        page.contains("aria-label=\"Revoke session: member@acme.test, Chrome on Linux\""),
        "a named button"
    );
    assert!(page.contains("aria-label=\"Make admin: member@acme.test\""));
}

/// No bridge activity: a sentence, not an empty chart. Activity: bars
/// with axes.
#[tokio::test]
async fn the_bridge_chart_says_when_there_is_nothing_to_show() {
    let (app, admin, _) = acme().await;
    let page = admin_page(&app, &admin, "/admin").await;
    assert!(page.contains("No session bridge activity in the last 14 days."));
    assert!(!page.contains("<svg"));

    let registered = app.register(&app.raw(), "acme", "carol@acme.test").await;
    let body: Value = registered.json().await.expect("json");
    let token = body["bridge_token"].as_str().expect("a bridge token");
    assert_eq!(app.restore("acme", token).await.status(), StatusCode::OK);
    let page = admin_page(&app, &admin, "/admin").await;
    assert!(page.contains("<svg"), "a chart");
    assert!(page.contains("Day (UTC, month-day)"), "an axis label");
    assert!(page.contains("restores: 1</title>"), "the day's bar");
}
