//! Every driver × isolation × scope guard × cross-subdomain combination:
//! where the session record lands (counted in the store itself), and
//! whether acme's cookie replayed at globex authenticates anyone.

use crate::support::{backends, session_cookie, value_of, TestApp};
use reqwest::{header, StatusCode};
use tessera_backend::{settings::TenantSettings, tenancy::Slug};

#[derive(Debug, Clone, Copy)]
struct Case {
    driver: &'static str,
    isolation: bool,
    scope_guard: bool,
    cross_subdomain: bool,
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn drivers() -> Vec<&'static str> {
    let mut drivers = vec!["database", "file", "memory"];
    if backends::redis_url().is_some() {
        drivers.push("redis");
    }
    drivers
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for driver in drivers() {
        for isolation in [true, false] {
            for scope_guard in [true, false] {
                for cross_subdomain in [false, true] {
                    cases.push(Case {
                        driver,
                        isolation,
                        scope_guard,
                        cross_subdomain,
                    });
                }
            }
        }
    }
    cases
}

/// Live sessions in acme's own store (`isolated`) or in the shared one.
async fn stored(app: &TestApp, tenant: &str, isolated: bool) -> u64 {
    let slug = Slug::parse(tenant).expect("slug");
    let handle = app
        .platform
        .directory
        .resolve(&slug)
        .await
        .expect("resolves")
        .expect("exists");
    let settings = TenantSettings {
        isolation: isolated,
        ..(*handle.settings).clone()
    };
    let backend = app
        .platform
        .directory
        .session_backend(&handle.tenant, &settings)
        .await
        .expect("backend");
    backend.list().await.expect("list").len() as u64
}

async fn run(case: Case) {
    let redis = backends::redis_url().map(|url| backends::TestRedisPrefix::new(&url));
    let mut env = vec![
        ("TESSERA_DOMAIN", "tessera.test".to_owned()),
        ("SESSION_DRIVER", case.driver.to_owned()),
        ("TENANCY_SESSION_ISOLATION", flag(case.isolation).to_owned()),
        (
            "TENANCY_SESSION_SCOPE_GUARD",
            flag(case.scope_guard).to_owned(),
        ),
        (
            "TENANCY_CROSS_SUBDOMAIN_SESSIONS",
            flag(case.cross_subdomain).to_owned(),
        ),
        // The session layer alone: a bridge family in the session would also
        // refuse the crossing (its family is unknown at globex) and hide what
        // the insecure combination really allows.
        ("BRIDGE_ENABLED", "false".to_owned()),
    ];
    if let Some(redis) = &redis {
        env.push(("REDIS_URL", redis.url.clone()));
        env.push(("REDIS_KEY_PREFIX", format!("{}:", redis.prefix)));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_on(&crate::support::Backend::Sqlite, &env).await;

    let login = app.register(&app.raw(), "acme", "ada@acme.test").await;
    assert_eq!(login.status(), StatusCode::OK, "{case:?}");
    let set_cookie = login.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        set_cookie.contains("Domain=tessera.test"),
        case.cross_subdomain,
        "{case:?}: {set_cookie}"
    );
    let acme_cookie = session_cookie(&login, "acme").expect("cookie");
    let globex_login = app.register(&app.raw(), "globex", "bob@globex.test").await;
    let globex_cookie = session_cookie(&globex_login, "globex").expect("cookie");

    // (a) where the records landed
    let (acme_own, globex_own, shared) = (
        stored(&app, "acme", true).await,
        stored(&app, "globex", true).await,
        stored(&app, "acme", false).await,
    );
    if case.isolation {
        assert_eq!(
            (acme_own, globex_own, shared),
            (1, 1, 0),
            "{case:?}: each tenant's own store"
        );
    } else {
        assert_eq!(
            (acme_own, globex_own, shared),
            (0, 0, 2),
            "{case:?}: the shared store only"
        );
    }

    // (b) acme's cookie under globex's name, and under its own name, at globex
    let forged = format!("tenant_globex_session={}", value_of(&acme_cookie));
    let (status, body) = app.me_with_cookie("globex", &forged).await;
    let crosses = !case.isolation && !case.scope_guard;
    if crosses {
        // The flagged insecure combination: globex's user 1 is "signed in".
        assert_eq!(
            (status, &body["authenticated"]),
            (StatusCode::OK, &serde_json::json!(true)),
            "{case:?}"
        );
        assert_eq!(body["user"]["email"], "bob@globex.test", "{case:?}");
    } else {
        assert_ne!(body["authenticated"], true, "{case:?}: {body}");
        let expected = if case.scope_guard {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{case:?}");
    }
    let (_, body) = app.me_with_cookie("globex", &acme_cookie).await;
    assert_eq!(
        body["authenticated"], false,
        "{case:?}: globex ignores acme's cookie name"
    );

    // Logout at acme leaves globex signed in.
    let logout = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/logout"))
        .header(header::COOKIE, &acme_cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("sent");
    assert_eq!(logout.status(), StatusCode::OK, "{case:?}");
    assert_eq!(
        app.me_with_cookie("acme", &acme_cookie).await.1["authenticated"],
        false,
        "{case:?}"
    );
    assert_eq!(
        app.me_with_cookie("globex", &globex_cookie).await.1["authenticated"],
        true,
        "{case:?}"
    );
}

#[tokio::test]
async fn every_driver_and_setting_combination() {
    let cases = cases();
    eprintln!("running {} combinations", cases.len());
    for case in cases {
        run(case).await;
    }
}

#[tokio::test]
async fn a_tossed_parent_domain_cookie_does_not_confuse_acme() {
    let app = TestApp::spawn_with(&[("TESSERA_DOMAIN", "tessera.test")]).await;
    let acme = session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("cookie");
    let globex = session_cookie(
        &app.register(&app.raw(), "globex", "eve@globex.test").await,
        "globex",
    )
    .expect("cookie");
    // A sibling tenant plants cookies named like acme's for the parent domain:
    // a value of its own and garbage, sent before or after acme's real one.
    let planted = [
        format!("tenant_acme_session={}", value_of(&globex)),
        "tenant_acme_session=garbage".to_owned(),
    ];
    for tossed in &planted {
        for header_value in [format!("{tossed}; {acme}"), format!("{acme}; {tossed}")] {
            let (status, body) = app.me_with_cookie("acme", &header_value).await;
            assert_eq!(status, StatusCode::OK, "{header_value}");
            assert_eq!(body["user"]["email"], "ada@acme.test", "{header_value}");
        }
    }
}
