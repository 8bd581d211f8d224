//! Where session records land, and the sessions table's life cycle.

use crate::support::{TestApp, PASSWORD};
use reqwest::StatusCode;

#[tokio::test]
async fn sessions_land_in_the_tenants_own_database() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        assert_eq!(
            (
                app.session_rows("acme").await,
                app.session_rows("globex").await
            ),
            (0, 0)
        );
        app.register(&app.raw(), "acme", "ada@acme.test").await;
        assert_eq!(
            (
                app.session_rows("acme").await,
                app.session_rows("globex").await
            ),
            (1, 0)
        );
        assert_eq!(
            app.central_session_rows().await,
            0,
            "nothing in the shared store while isolation is on"
        );
    }
}

#[tokio::test]
async fn a_missing_sessions_table_is_created_on_first_use() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        app.drop_sessions_table("acme").await;
        // Two first requests at once both succeed.
        let (one, two) = (app.raw(), app.raw());
        let (a, b) = tokio::join!(
            app.register(&one, "acme", "ada@acme.test"),
            app.register(&two, "acme", "bob@acme.test"),
        );
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        assert_eq!(app.session_rows("acme").await, 2);
    }
}

#[tokio::test]
async fn without_auto_create_a_missing_table_is_a_clear_error() {
    for backend in crate::support::backends() {
        let app =
            TestApp::spawn_on(&backend, &[("TENANCY_AUTO_CREATE_SESSION_TABLE", "false")]).await;
        app.drop_sessions_table("acme").await;
        let response = app.register(&app.raw(), "acme", "ada@acme.test").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"], "unavailable");
        // globex is unaffected.
        assert_eq!(
            app.register(&app.raw(), "globex", "ada@globex.test")
                .await
                .status(),
            StatusCode::OK
        );
        assert_eq!(
            app.login(&app.raw(), "globex", "ada@globex.test", PASSWORD)
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn cookie_name_and_attributes_follow_the_settings() {
    let app = TestApp::spawn_with(&[
        ("TENANCY_SESSION_PREFIX", "tess"),
        ("SESSION_LIFETIME", "15"),
        ("TENANCY_SESSION_COOKIE_SAME_SITE", "strict"),
    ])
    .await;
    let response = app.register(&app.raw(), "acme", "ada@acme.test").await;
    let cookie = response.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("tess_acme_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=900"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("Domain="),
        "host-only by default: {cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
}
