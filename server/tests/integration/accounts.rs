//! Registration, login, logout and `me` over the JSON API.

use crate::support::{location, session_cookie, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn first_user_is_admin_and_later_ones_are_members() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        let first: Value = app
            .register(&app.raw(), "acme", "ada@acme.test")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(first["authenticated"], true);
        assert_eq!(first["user"]["role"], "admin");
        assert_eq!(first["tenant"]["slug"], "acme");
        let second: Value = app
            .register(&app.raw(), "acme", "bob@acme.test")
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(second["user"]["role"], "member");
        assert_eq!(second["user"]["id"], 2);
    }
}

#[tokio::test]
async fn me_reports_the_signed_in_user_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let (status, anonymous) = app.me(&browser, "acme").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        anonymous,
        json!({"authenticated": false, "user": null, "tenant": {"slug": "acme", "name": "acme"}})
    );
    app.register(&browser, "acme", "Ada@Acme.test").await;
    let (_, me) = app.me(&browser, "acme").await;
    assert_eq!(
        me["user"]["email"], "ada@acme.test",
        "emails are normalised"
    );
    assert_eq!(me["user"]["name"], "Test User");
    let out = browser
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .send()
        .await
        .expect("sent");
    assert_eq!(out.status(), StatusCode::OK);
    assert_eq!(app.me(&browser, "acme").await.1["authenticated"], false);
    let back = app.login(&browser, "acme", "ada@acme.test", PASSWORD).await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(app.me(&browser, "acme").await.1["authenticated"], true);
}

#[tokio::test]
async fn wrong_credentials_get_401_without_saying_which_part() {
    let app = TestApp::spawn().await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    let wrong_password = app
        .login(&app.raw(), "acme", "ada@acme.test", "not the password")
        .await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong_password, "acme").is_none());
    let wrong_password: Value = wrong_password.json().await.expect("json");
    let unknown_email = app
        .login(&app.raw(), "acme", "nobody@acme.test", PASSWORD)
        .await;
    assert_eq!(unknown_email.status(), StatusCode::UNAUTHORIZED);
    let unknown_email: Value = unknown_email.json().await.expect("json");
    assert_eq!(wrong_password, unknown_email);
    assert_eq!(
        wrong_password,
        json!({"error": "unauthorized", "message": "invalid email or password"})
    );
    // The same account does not exist at globex.
    assert_eq!(
        app.login(&app.raw(), "globex", "ada@acme.test", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn registration_refuses_bad_input_clearly() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "A"}),
            StatusCode::BAD_REQUEST,
            "valid email",
        ),
        (
            json!({"email": "a@acme.test", "password": "short", "name": "A"}),
            StatusCode::BAD_REQUEST,
            "at least 8",
        ),
        (
            json!({"email": "a@acme.test", "password": PASSWORD, "name": "  "}),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            json!({"email": "a@acme.test"}),
            StatusCode::BAD_REQUEST,
            "malformed",
        ),
        (
            json!({"email": "o'brien+x@acme.test", "password": PASSWORD, "name": "Robert'); DROP TABLE users; --"}),
            StatusCode::OK,
            "",
        ),
    ];
    for (body, status, needle) in cases {
        let response = app
            .post(&app.raw(), Some("acme"), "/api/auth/register", &body)
            .await;
        assert_eq!(response.status(), status, "{body}");
        let reply: Value = response.json().await.expect("json");
        assert!(
            reply["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{reply}"
        );
    }
    let duplicate = app.register(&app.raw(), "acme", "dup@acme.test").await;
    assert_eq!(duplicate.status(), StatusCode::OK);
    let again = app.register(&app.raw(), "acme", "DUP@acme.test").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let garbage = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn accounts_only_exist_in_workspaces() {
    let app = TestApp::spawn().await;
    let body = json!({"email": "a@b.test", "password": PASSWORD, "name": "A"});
    let response = app
        .post(&app.raw(), None, "/api/auth/register", &body)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (status, me) = me_at_central(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me,
        json!({"authenticated": false, "user": null, "tenant": null})
    );
}

async fn me_at_central(app: &TestApp) -> (StatusCode, Value) {
    let response = app
        .raw()
        .get(app.url(None, "/api/auth/me"))
        .send()
        .await
        .expect("sent");
    (response.status(), response.json().await.expect("json"))
}

#[tokio::test]
async fn plain_form_posts_work_without_javascript() {
    let app = TestApp::spawn().await;
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    let login_page = app.url(Some("acme"), "/login");
    let form = |password: &'static str| {
        app.form_post(
            Some("acme"),
            "/api/auth/login",
            &login_page,
            &[("email", "ada@acme.test"), ("password", password)],
        )
    };
    let ok = form(PASSWORD).send().await.expect("sent");
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(location(&ok), "/dashboard");
    let cookie = session_cookie(&ok, "acme").expect("signed in");
    let dashboard = app.page_as("acme", "/dashboard", &cookie).await;
    assert!(dashboard.contains("Signed in to acme as ada@acme.test"));

    let bad = form("wrong password").send().await.expect("sent");
    assert_eq!(bad.status(), StatusCode::FOUND);
    let sent_back = "/login?error=wrong_credentials&form=%2Fapi%2Fauth%2Flogin";
    assert_eq!(location(&bad), sent_back);
    let page = |path: &'static str| {
        let request = app.raw().get(app.url(Some("acme"), path)).send();
        async move { request.await.expect("sent").text().await.expect("html") }
    };
    assert!(page(sent_back).await.contains("invalid email or password"));
    // A message sent back for another form is not this form's.
    let elsewhere = page("/login?error=wrong_credentials&form=%2Fapi%2Fauth%2Fregister").await;
    assert!(!elsewhere.contains("invalid email or password"));
}

/// A link can name a message only by its code: text an attacker writes
/// into the URL never appears as the page's own alert.
#[tokio::test]
async fn a_crafted_link_cannot_put_words_on_the_page() {
    let app = TestApp::spawn().await;
    let crafted =
        "/login?error=Your+account+was+suspended%2C+call+555-0100&form=%2Fapi%2Fauth%2Flogin";
    let html = app.html(&app.raw(), Some("acme"), crafted).await;
    assert!(!html.contains("suspended"), "{html}");
    assert!(!html.contains("555-0100"), "{html}");
    assert!(!html.contains("role=\"alert\">Your"), "{html}");
    let known = app
        .html(
            &app.raw(),
            Some("acme"),
            "/login?error=too_many_requests&form=%2Fapi%2Fauth%2Flogin",
        )
        .await;
    assert!(known.contains("too many attempts; please wait"), "{known}");
}

/// A failed form post is sent back to the page it came from — but only
/// ever to a path on this site, whatever the Referer says.
#[tokio::test]
async fn a_failed_form_post_never_redirects_off_site() {
    let app = TestApp::spawn().await;
    let base = app.url(Some("acme"), "");
    for referer in [
        format!("{base}//evil.example/x"),
        format!("{base}/\\evil.example/x"),
        "//evil.example/x".to_owned(),
    ] {
        let bad = app
            .form_post(
                Some("acme"),
                "/api/auth/login",
                &referer,
                &[("email", "ada@acme.test"), ("password", "wrong password")],
            )
            .send()
            .await
            .expect("sent");
        assert_eq!(bad.status(), StatusCode::FOUND, "{referer}");
        let location = location(&bad);
        assert!(
            location.starts_with('/')
                && !location.starts_with("//")
                && !location.starts_with("/\\"),
            "{referer} → {location}"
        );
    }
}
