//! Attacks from the other tenant: cookies made at acme presented at globex.

use crate::support::{session_cookie, value_of, TestApp, PASSWORD};
use reqwest::{header, StatusCode};

#[tokio::test]
async fn acme_cookie_replayed_at_globex_authenticates_nobody() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        // User 1 exists at both tenants: ids are per-tenant on purpose.
        let acme_login = app.register(&app.raw(), "acme", "ada@acme.test").await;
        assert_eq!(acme_login.status(), StatusCode::OK);
        let acme_cookie =
            session_cookie(&acme_login, "acme").expect("acme sets its session cookie");
        let globex_user = app.register(&app.raw(), "globex", "bob@globex.test").await;
        let globex_body: serde_json::Value = globex_user.json().await.expect("json");
        assert_eq!(globex_body["user"]["id"], 1);

        // Renamed to globex's cookie: recognised as acme's and refused.
        let forged = format!("tenant_globex_session={}", value_of(&acme_cookie));
        let (status, body) = app.me_with_cookie("globex", &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "forbidden");
        assert!(body.get("user").is_none());

        // Under acme's own name globex simply ignores it.
        let (status, body) = app.me_with_cookie("globex", &acme_cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["authenticated"], false);
        assert_eq!(body["user"], serde_json::Value::Null);

        // The page, too, is refused rather than rendered for anyone.
        let page = app
            .raw()
            .get(app.url(Some("globex"), "/dashboard"))
            .header(header::COOKIE, &forged)
            .send()
            .await
            .expect("sent");
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        // The refused cookie is expired (so the next request is clean), and
        // nothing else is set: no session is made or changed for it.
        let set: Vec<&str> = page
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert!(
            !set.is_empty()
                && set
                    .iter()
                    .all(|c| c.starts_with("tenant_globex_session=;") && c.contains("Max-Age=0")),
            "{set:?}"
        );

        // And the session at acme is untouched by the attempt.
        let (status, body) = app.me_with_cookie("acme", &acme_cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["user"]["email"], "ada@acme.test");
    }
}

#[tokio::test]
async fn tampered_cookie_is_treated_as_no_session() {
    let app = TestApp::spawn().await;
    let login = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let cookie = session_cookie(&login, "acme").expect("cookie");
    // Claim globex's tenant id with acme's MAC: the MAC no longer verifies.
    let value = value_of(&cookie).replacen("1.", "2.", 1);
    let (status, body) = app
        .me_with_cookie("globex", &format!("tenant_globex_session={value}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["authenticated"], false);
    for garbage in [
        "x",
        "1.2.3",
        "",
        "1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let (status, body) = app
            .me_with_cookie("acme", &format!("tenant_acme_session={garbage}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{garbage:?}");
        assert_eq!(body["authenticated"], false, "{garbage:?}");
    }
}

#[tokio::test]
async fn logout_at_acme_leaves_globex_signed_in() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        let browser = app.browser();
        assert_eq!(
            app.register(&browser, "acme", "ada@example.test")
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            app.register(&browser, "globex", "ada@example.test")
                .await
                .status(),
            StatusCode::OK
        );
        let logout = browser
            .post(app.url(Some("acme"), "/api/auth/logout"))
            .send()
            .await
            .expect("sent");
        assert_eq!(logout.status(), StatusCode::OK);
        let removal = logout
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            removal.starts_with("tenant_acme_session=") && removal.contains("Max-Age=0"),
            "{removal}"
        );
        assert_eq!(app.me(&browser, "acme").await.1["authenticated"], false);
        let (_, globex) = app.me(&browser, "globex").await;
        assert_eq!(globex["authenticated"], true);
        assert_eq!(globex["tenant"]["slug"], "globex");
    }
}

#[tokio::test]
async fn session_id_changes_at_login_and_old_id_dies() {
    let app = TestApp::spawn().await;
    let first = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let old = session_cookie(&first, "acme").expect("cookie");
    // Sign in again presenting the old cookie (a fixation attempt).
    let again = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/login"))
        .header(header::COOKIE, &old)
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({"email": "ada@acme.test", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), StatusCode::OK);
    let new = session_cookie(&again, "acme").expect("a new cookie is issued");
    assert_ne!(value_of(&old), value_of(&new));
    assert_eq!(
        app.me_with_cookie("acme", &old).await.1["authenticated"],
        false,
        "the old id is gone"
    );
    assert_eq!(
        app.me_with_cookie("acme", &new).await.1["authenticated"],
        true
    );

    // Logout ends the session server-side: a copy of the cookie is worthless.
    let logout = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .header(header::COOKIE, &new)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("sent");
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(
        app.me_with_cookie("acme", &new).await.1["authenticated"],
        false
    );
    assert_eq!(app.session_rows("acme").await, 0);
}

#[tokio::test]
async fn cross_origin_posts_are_refused() {
    let app = TestApp::spawn().await;
    let login = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let cookie = session_cookie(&login, "acme").expect("cookie");
    let sibling = app.url(Some("globex"), "");
    let own = app.url(Some("acme"), "");
    let attempts: [(&str, &str); 4] = [
        ("origin", "http://evil.example"),
        ("origin", &sibling),
        ("origin", "null"),
        ("sec-fetch-site", "same-site"),
    ];
    for (name, value) in attempts {
        let response = app
            .raw()
            .post(app.url(Some("acme"), "/api/auth/logout"))
            .header(header::COOKIE, &cookie)
            .header(name, value)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert!(body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("cross-origin"));
    }
    // A cookie-bearing POST that says nothing of where it comes from is not
    // a browser's on the site's behalf: refused too.
    let silent = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("sent");
    assert_eq!(silent.status(), StatusCode::FORBIDDEN);
    // The right host on the wrong scheme is another origin.
    let https_page = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .header(header::COOKIE, &cookie)
        .header("origin", own.replace("http://", "https://"))
        .send()
        .await
        .expect("sent");
    assert_eq!(https_page.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.me_with_cookie("acme", &cookie).await.1["authenticated"],
        true,
        "nothing was done"
    );

    let same_origin = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .header(header::COOKIE, &cookie)
        .header("origin", own)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("sent");
    assert_eq!(same_origin.status(), StatusCode::OK);
    assert_eq!(
        app.me_with_cookie("acme", &cookie).await.1["authenticated"],
        false
    );
}

#[tokio::test]
async fn cross_origin_signup_on_the_central_domain_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .raw()
        .post(app.url(None, "/api/workspaces"))
        .header("origin", app.url(Some("acme"), ""))
        .json(&serde_json::json!({"slug": "initech", "name": "Initech", "admin_name": "A", "admin_email": "a@initech.test", "admin_password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
