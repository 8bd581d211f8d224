//! The central admin: HTTP Basic with the configured password, tenants
//! created, migrated and deleted (with confirmation) from the main domain.

use crate::support::{TestApp, PASSWORD};
use base64::{engine::general_purpose::STANDARD, Engine};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

const SECRET: &str = "central-secret";

fn basic(password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("admin:{password}")))
}

async fn call(
    app: &TestApp,
    auth: Option<&str>,
    method: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value, header::HeaderMap) {
    let url = app.url(None, path);
    let mut request = if method == "GET" {
        app.raw().get(url)
    } else {
        app.raw().post(url).json(&body)
    };
    if let Some(auth) = auth {
        request = request.header(header::AUTHORIZATION, auth);
    }
    let response = request.send().await.expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        response.json().await.unwrap_or(Value::Null),
        headers,
    )
}

#[tokio::test]
async fn without_a_password_there_is_no_central_admin() {
    let app = TestApp::spawn().await;
    let (status, _, _) = call(
        &app,
        Some(&basic("anything")),
        "GET",
        "/api/central/tenants",
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_the_configured_credentials_get_in() {
    let app = TestApp::spawn_with(&[("TESSERA_CENTRAL_ADMIN_PASSWORD", SECRET)]).await;
    let (status, _, headers) = call(&app, None, "GET", "/api/central/tenants", Value::Null).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        headers.get(header::WWW_AUTHENTICATE).is_some(),
        "the browser asks for credentials"
    );
    for (method, path) in [
        ("GET", "/api/central/tenants"),
        ("POST", "/api/central/tenants/migrate"),
        ("POST", "/api/central/tenants/delete"),
    ] {
        let (status, _, _) = call(
            &app,
            Some(&basic("wrong")),
            method,
            path,
            json!({"slug": "acme", "confirm": "acme"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let page = app
        .raw()
        .get(app.url(None, "/central-admin"))
        .header(header::AUTHORIZATION, basic("wrong"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    // Not from a tenant's address either.
    let at_tenant = app
        .raw()
        .get(app.url(Some("acme"), "/api/central/tenants"))
        .header(header::AUTHORIZATION, basic(SECRET))
        .send()
        .await
        .expect("sent");
    assert_eq!(at_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tenants_are_listed_created_migrated_and_deleted_with_confirmation() {
    let app = TestApp::spawn_with(&[("TESSERA_CENTRAL_ADMIN_PASSWORD", SECRET)]).await;
    let auth = basic(SECRET);
    let (status, tenants, _) = call(
        &app,
        Some(&auth),
        "GET",
        "/api/central/tenants",
        Value::Null,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tenants.as_array().map(Vec::len), Some(2));

    let new = json!({"slug": "initech", "name": "Initech", "admin_email": "peter@initech.test", "admin_password": PASSWORD});
    let (status, tenants, _) = call(
        &app,
        Some(&auth),
        "POST",
        "/api/central/tenants/create",
        new,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(tenants
        .as_array()
        .expect("list")
        .iter()
        .any(|t| t["slug"] == "initech"));
    assert_eq!(
        app.login(&app.raw(), "initech", "peter@initech.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    let (status, _, _) = call(
        &app,
        Some(&auth),
        "POST",
        "/api/central/tenants/migrate",
        json!({"slug": "initech"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, reply, _) = call(
        &app,
        Some(&auth),
        "POST",
        "/api/central/tenants/delete",
        json!({"slug": "initech", "confirm": "acme"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let (status, tenants, _) = call(
        &app,
        Some(&auth),
        "POST",
        "/api/central/tenants/delete",
        json!({"slug": "initech", "confirm": "initech"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!tenants
        .as_array()
        .expect("list")
        .iter()
        .any(|t| t["slug"] == "initech"));
    let gone = app
        .raw()
        .get(app.url(Some("initech"), "/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}
