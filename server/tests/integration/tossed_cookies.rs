//! Cookie tossing: a sibling tenant (anyone can make a workspace) plants a
//! cookie of acme's name for the parent domain. It must never lock anyone
//! out of acme: refused where a session is needed, expired in the answer,
//! and no obstacle to signing in.

use crate::support::{session_cookie, value_of, TestApp, PASSWORD};
use reqwest::{header, StatusCode};
use serde_json::json;

/// acme and globex on a real domain (so parent-domain cookies exist), with
/// a user at each; returns the app and globex's session cookie value.
async fn tenants() -> (TestApp, String) {
    let app = TestApp::spawn_with(&[("TESSERA_DOMAIN", "tessera.test")]).await;
    assert_eq!(
        app.register(&app.raw(), "acme", "ada@acme.test")
            .await
            .status(),
        StatusCode::OK
    );
    let globex = session_cookie(
        &app.register(&app.raw(), "globex", "bob@globex.test").await,
        "globex",
    )
    .expect("cookie");
    (app, value_of(&globex).to_owned())
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

fn expires(cookies: &[String], domain: Option<&str>) -> bool {
    cookies.iter().any(|c| {
        c.starts_with("tenant_acme_session=;")
            && c.contains("Max-Age=0")
            && match domain {
                Some(d) => c.contains(&format!("Domain={d}")),
                None => !c.contains("Domain="),
            }
    })
}

#[tokio::test]
async fn a_tossed_cookie_is_refused_once_expired_and_never_blocks_signing_in() {
    let (app, globex_value) = tenants().await;
    let tossed = format!("tenant_acme_session={globex_value}");

    // Where a session is needed: refused (the scope guard), and expired in
    // both variants (host-only and parent-domain), since acme has no
    // session of its own in this jar.
    let me = app
        .raw()
        .get(app.url(Some("acme"), "/api/auth/me"))
        .header(header::COOKIE, &tossed)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), StatusCode::FORBIDDEN);
    let cookies = set_cookies(&me);
    assert!(
        expires(&cookies, None) && expires(&cookies, Some("tessera.test")),
        "{cookies:?}"
    );

    // Files never meet the session layer at all.
    for path in ["/pkg/tessera.css", "/favicon.svg"] {
        let file = app
            .raw()
            .get(app.url(Some("acme"), path))
            .header(header::COOKIE, &tossed)
            .send()
            .await
            .expect("sent");
        assert_eq!(file.status(), StatusCode::OK, "{path}");
        assert!(set_cookies(&file).is_empty(), "{path}");
    }

    // The sign-in page and the sign-in itself work with it still in the jar.
    let page = app
        .raw()
        .get(app.url(Some("acme"), "/login"))
        .header(header::COOKIE, &tossed)
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let login = app
        .raw()
        .post(app.url(Some("acme"), "/api/auth/login"))
        .header(header::COOKIE, &tossed)
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": "ada@acme.test", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::OK);
    let own = session_cookie(&login, "acme").expect("a session of acme's own");
    let cookies = set_cookies(&login);
    assert!(
        expires(&cookies, Some("tessera.test")),
        "the tossed parent-domain cookie goes: {cookies:?}"
    );
    let order: Vec<usize> = cookies
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_with("tenant_acme_session="))
        .map(|(i, _)| i)
        .collect();
    assert!(
        cookies[*order.last().expect("set")].starts_with(&format!("{own};")),
        "the new session is set last: {cookies:?}"
    );

    // Both in the jar (the browser sends the tossed one too): ours wins, and
    // only the variant ours never uses is expired.
    let both = format!("{tossed}; {own}");
    let me = app
        .raw()
        .get(app.url(Some("acme"), "/api/auth/me"))
        .header(header::COOKIE, &both)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), StatusCode::OK);
    let cookies = set_cookies(&me);
    assert!(
        expires(&cookies, Some("tessera.test")) && !expires(&cookies, None),
        "{cookies:?}"
    );
    let body: serde_json::Value = me.json().await.expect("json");
    assert_eq!(body["user"]["email"], "ada@acme.test");
}

#[tokio::test]
async fn garbage_under_our_name_is_expired_too() {
    let (app, _) = tenants().await;
    let me = app
        .raw()
        .get(app.url(Some("acme"), "/api/auth/me"))
        .header(header::COOKIE, "tenant_acme_session=not-a-session")
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), StatusCode::OK);
    assert!(expires(&set_cookies(&me), None), "{:?}", set_cookies(&me));
}

/// The second line of defence: a session record stamped for another tenant
/// is refused even when its cookie is sealed for this one (say, a shared
/// store and a leaked id). The store is written directly, as an attacker
/// with a foothold in a shared store could.
#[tokio::test]
async fn a_record_stamped_for_another_tenant_is_refused_by_its_stamp() {
    use tessera_backend::{
        sessions::{seal, Unsealed},
        tenancy::Slug,
    };
    use tower_sessions::SessionStore;

    let app = TestApp::spawn_with(&[("TENANCY_SESSION_ISOLATION", "false")]).await;
    let globex_cookie = session_cookie(
        &app.register(&app.raw(), "globex", "bob@globex.test").await,
        "globex",
    )
    .expect("cookie");
    let globex = app
        .platform
        .directory
        .resolve(&Slug::parse("globex").expect("slug"))
        .await
        .expect("ok")
        .expect("tenant");
    let acme = app
        .platform
        .directory
        .resolve(&Slug::parse("acme").expect("slug"))
        .await
        .expect("ok")
        .expect("tenant");
    let ring = app.platform.keys.ring().await;
    let Unsealed::Ours { key, id } = seal::open(&ring, value_of(&globex_cookie), globex.tenant.id)
    else {
        panic!("globex's own cookie")
    };
    // Globex's record, in the shared store, under a cookie sealed for acme.
    let store = app
        .platform
        .session_store(&acme, &ring, key)
        .expect("store");
    assert!(
        store.load(&id).await.expect("load").is_some(),
        "one shared store"
    );
    let resealed = format!(
        "tenant_acme_session={}",
        seal::seal(&ring, key, acme.tenant.id, id).expect("sealed")
    );
    let (status, body) = app.me_with_cookie("acme", &resealed).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "forbidden");
}
