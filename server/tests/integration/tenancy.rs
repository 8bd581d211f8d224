//! Host → site: the central domain, tenant subdomains, unknown and bad hosts.

use crate::support::{location, TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use tessera_backend::tenancy::{directory::CACHE_TTL, Slug, TenantHandle};

#[tokio::test]
async fn central_domain_serves_the_landing_page() {
    let app = TestApp::spawn().await;
    let page = app
        .raw()
        .get(app.url(None, "/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("Create your workspace"), "{html}");
    assert!(html.contains("Sign in to your workspace"), "{html}");
    assert!(html.contains("action=\"/api/workspaces/find\""), "{html}");
    let signup = app
        .raw()
        .get(app.url(None, "/signup"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    assert!(signup.contains("name=\"slug\""));
}

#[tokio::test]
async fn tenant_home_names_the_tenant() {
    let app = TestApp::spawn().await;
    let html = app
        .raw()
        .get(app.url(Some("acme"), "/"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Welcome to acme"));
}

#[tokio::test]
async fn unknown_tenant_gets_a_404_that_says_so() {
    let app = TestApp::spawn().await;
    let page = app
        .raw()
        .get(app.url(Some("initech"), "/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page
        .text()
        .await
        .expect("html")
        .contains("There is no workspace called &quot;initech&quot; here."));
    let api = app
        .raw()
        .get(app.url(Some("initech"), "/api/auth/me"))
        .send()
        .await
        .expect("sent");
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: Value = api.json().await.expect("json");
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn missing_or_malformed_host_gets_400() {
    let app = TestApp::spawn().await;
    let missing = app.raw_http(b"GET / HTTP/1.0\r\n\r\n").await;
    assert!(
        missing.starts_with("HTTP/1.0 400") || missing.starts_with("HTTP/1.1 400"),
        "{missing}"
    );
    for host in [
        "bad host",
        "acme.localhost:notaport",
        "acme.localhost:99999",
        "[::1]",
        "a\"b.localhost",
    ] {
        let response = app
            .raw_http(
                format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await;
        assert!(response.starts_with("HTTP/1.1 400"), "{host}: {response}");
    }
    let long = format!(
        "GET / HTTP/1.1\r\nHost: {}.localhost\r\nConnection: close\r\n\r\n",
        "a".repeat(300)
    );
    assert!(app
        .raw_http(long.as_bytes())
        .await
        .starts_with("HTTP/1.1 400"));
    // Hosts outside the central domain, and subdomains that cannot be slugs, are unknown sites.
    for host in ["evil.example", "a.b.localhost", "www.localhost"] {
        let response = app
            .raw_http(
                format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .await;
        assert!(response.starts_with("HTTP/1.1 404"), "{host}: {response}");
    }
}

/// "Sign in to your workspace" on the central site: what someone types
/// leads to that workspace's sign-in page; an unknown or malformed name is
/// refused with a message; only the central site answers.
#[tokio::test]
async fn the_central_site_finds_a_workspace_sign_in_page() {
    let app = &TestApp::spawn().await;
    let find = |site: Option<&'static str>, typed: String| {
        let body = json!({ "workspace": typed });
        async move {
            let response = app
                .post(&app.raw(), site, "/api/workspaces/find", &body)
                .await;
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let login = format!("http://acme.localhost:{}/login", app.port);
    for typed in [
        "acme".to_owned(),
        " ACME ".to_owned(),
        format!("http://acme.localhost:{}/dashboard", app.port),
    ] {
        let (status, found) = find(None, typed.clone()).await;
        assert_eq!(status, StatusCode::OK, "{typed:?}: {found}");
        assert_eq!(found["slug"], "acme", "{typed:?}");
        assert_eq!(found["login_url"], login.as_str(), "{typed:?}");
    }
    let (status, unknown) = find(None, "initech".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown["message"],
        "There is no workspace called \"initech\" here."
    );
    for malformed in ["", "../etc", "acme.evil.example", "x"] {
        let (status, reply) = find(None, malformed.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{malformed:?}: {reply}");
        assert!(reply["message"].is_string(), "{malformed:?}: {reply}");
    }
    let (status, _) = find(Some("acme"), "globex".into()).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the central site finds workspaces"
    );

    // Without JavaScript the form's post is answered with a redirect: to the
    // sign-in page, or back to the form with the message.
    let landing = app.url(None, "/");
    let form = |typed: &'static str| {
        app.form_post(
            None,
            "/api/workspaces/find",
            &landing,
            &[("workspace", typed)],
        )
        .send()
    };
    let found = form("Acme").await.expect("sent");
    assert_eq!(found.status(), StatusCode::FOUND);
    assert_eq!(location(&found), login);
    let unknown = form("initech").await.expect("sent");
    assert_eq!(unknown.status(), StatusCode::FOUND);
    assert_eq!(
        location(&unknown),
        "/?error=no_workspace&form=%2Fapi%2Fworkspaces%2Ffind"
    );
}

fn workspace(slug: &str) -> Value {
    json!({"slug": slug, "name": "Initech", "admin_name": "Peter", "admin_email": "peter@initech.test", "admin_password": PASSWORD})
}

#[tokio::test]
async fn signup_creates_a_workspace_with_its_admin() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        let response = app
            .post(&app.raw(), None, "/api/workspaces", &workspace("initech"))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let created: Value = response.json().await.expect("json");
        assert_eq!(created["slug"], "initech");
        assert_eq!(
            created["login_url"],
            format!("http://initech.localhost:{}/login", app.port)
        );
        let login: Value = app
            .login(&app.raw(), "initech", "peter@initech.test", PASSWORD)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(login["user"]["role"], "admin");
        assert_eq!(login["tenant"]["name"], "Initech");

        let again = app
            .post(&app.raw(), None, "/api/workspaces", &workspace("initech"))
            .await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn signup_refuses_bad_slugs_with_a_clear_message() {
    let app = TestApp::spawn().await;
    let cases = [
        ("ab", "3 to 63 characters"),
        ("Acme-Corp", "lowercase letters"),
        ("../../etc", "lowercase letters"),
        ("acmé", "lowercase letters"),
        ("-acme", "hyphen"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("api", "reserved"),
    ];
    for (slug, needle) in cases {
        let response = app
            .post(&app.raw(), None, "/api/workspaces", &workspace(slug))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{slug}");
        let body: Value = response.json().await.expect("json");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or_default()
                .contains(needle),
            "{slug}: {body}"
        );
    }
    // A bad admin leaves no tenant behind.
    let mut bad_admin = workspace("umbrella");
    bad_admin["admin_email"] = json!("nope");
    let response = app
        .post(&app.raw(), None, "/api/workspaces", &bad_admin)
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = app
        .raw()
        .get(app.url(Some("umbrella"), "/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tenant_lookups_are_cached() {
    let app = TestApp::spawn().await;
    let client = app.raw();
    app.me(&client, "acme").await;
    let before = app.platform.directory.central_lookups();
    let started = std::time::Instant::now();
    for _ in 0..20 {
        app.me(&client, "acme").await;
    }
    let after = app.platform.directory.central_lookups();
    // One lookup per expired cache entry, however slow the machine is.
    let allowed = u64::try_from(started.elapsed().as_millis() / CACHE_TTL.as_millis())
        .unwrap_or(u64::MAX)
        + 1;
    assert!(
        after - before <= allowed,
        "20 requests asked the central database {} times",
        after - before
    );
}

#[tokio::test]
async fn open_tenant_databases_are_capped_and_reopened_on_demand() {
    let app = TestApp::spawn_with(&[("TESSERA_MAX_OPEN_TENANT_DBS", "2")]).await;
    for slug in ["initech", "umbrella"] {
        app.create_tenant(slug, None).await;
    }
    for (i, slug) in ["acme", "globex", "initech", "umbrella", "acme", "globex"]
        .into_iter()
        .enumerate()
    {
        let response = app
            .register(&app.raw(), slug, &format!("user{i}@{slug}.test"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{slug}");
        let open = app.platform.directory.open_databases().await;
        assert!(open <= 2, "{open} tenant databases open with a cap of 2");
    }
    // A tenant whose pool was let go reopens on its next request.
    assert_eq!(
        app.login(&app.raw(), "initech", "user2@initech.test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

/// The directory's handle for a demo tenant.
async fn handle(app: &TestApp, slug: &str) -> Arc<TenantHandle> {
    let slug = Slug::parse(slug).expect("a valid slug");
    app.platform
        .directory
        .resolve(&slug)
        .await
        .expect("resolved")
        .unwrap_or_else(|| panic!("{slug} exists"))
}

/// A cached tenant handle holds its tenant's pool open, so stale handles must
/// not pile up: at 10,000 tenants they kept every database open and ran the
/// process out of file descriptors, whatever the cap said.
#[tokio::test]
async fn stale_tenant_handles_are_let_go() {
    let app = TestApp::spawn_with(&[("TESSERA_MAX_OPEN_TENANT_DBS", "1")]).await;
    let acme = Arc::downgrade(&handle(&app, "acme").await);
    app.clock
        .advance(CACHE_TTL + std::time::Duration::from_millis(100));
    handle(&app, "globex").await;
    assert!(
        acme.upgrade().is_none(),
        "acme's expired handle (and its open database) is still held"
    );
    assert_eq!(app.platform.directory.open_databases().await, 1);
}

/// Fresh handles count against the cap too: at a thousand tenants a second,
/// half a second of cached handles held ten times the cap's databases open.
#[tokio::test]
async fn cached_tenant_handles_honour_the_open_database_cap() {
    let app = TestApp::spawn_with(&[("TESSERA_MAX_OPEN_TENANT_DBS", "1")]).await;
    handle(&app, "globex").await;
    let acme = Arc::downgrade(&handle(&app, "acme").await);
    handle(&app, "globex").await;
    assert!(
        acme.upgrade().is_none(),
        "a second tenant's handle is cached beside acme's with a cap of one"
    );
}

/// Every page of a workspace carries its bar: the workspace, and for a
/// signed-in user the way around (Admin for admins only), who they are and
/// the way out; the page's own link marked current. The central site,
/// which is no workspace, has none.
#[tokio::test]
async fn every_workspace_page_has_the_app_bar() {
    let app = TestApp::spawn().await;
    let bar = "data-testid=\"bar-workspace\"";
    for path in ["/", "/login", "/register", "/dashboard"] {
        let page = app.html(&app.raw(), Some("acme"), path).await;
        assert!(page.contains(bar), "{path} signed out");
        assert!(!page.contains("data-testid=\"bar-user\""), "{path}");
    }
    assert!(!app.html(&app.raw(), None, "/").await.contains(bar));

    let cookie_of = |response: &reqwest::Response| {
        crate::support::session_cookie(response, "acme").expect("signed in")
    };
    let admin = cookie_of(&app.register(&app.raw(), "acme", "ada@acme.test").await);
    let member = cookie_of(&app.register(&app.raw(), "acme", "bob@acme.test").await);
    for (path, current) in [
        ("/dashboard", "/dashboard"),
        ("/security", "/security"),
        ("/admin", "/admin"),
    ] {
        let page = app.page_as("acme", path, &admin).await;
        assert!(
            page.contains(bar) && page.contains("data-testid=\"bar-user\""),
            "{path}"
        );
        for link in ["/dashboard", "/security", "/admin"] {
            assert!(
                page.contains(&format!("href=\"{link}\"")),
                "{path} links {link}"
            );
        }
        assert!(
            page.contains(&format!("href=\"{current}\" aria-current=\"page\"")),
            "{path} marks its link"
        );
        assert_eq!(page.matches("aria-current=\"page\"").count(), 1, "{path}");
        assert!(
            page.contains("action=\"/api/auth/logout\""),
            "{path} signs out"
        );
    }
    let page = app.page_as("acme", "/dashboard", &member).await;
    assert!(page.contains("href=\"/security\""));
    assert!(!page.contains("href=\"/admin\""), "no Admin for members");
    // Every page knows its visitor, the sign-in page too.
    let page = app.page_as("acme", "/login", &member).await;
    assert!(
        page.contains("data-testid=\"bar-user\""),
        "signed in, on /login"
    );
}
