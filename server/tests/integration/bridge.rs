//! The session bridge over HTTP: shapes, rotation, grace, theft, expiry,
//! rate limits, other tenants, logout, devices — each under both
//! `bridge.storage` modes (the token in the answer for localStorage, or in
//! the HttpOnly cookie), as `TestApp::storage` presents and receives it.

use crate::support::{
    bridge::{answer, bridge_call, Answer, Storage},
    count_rows, session_cookie, session_cookie_in, TestApp,
};
use reqwest::{header, StatusCode};
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{json, Value};
use tessera_backend::{
    db::schema::{BridgeEvents, BridgeFamilies, BridgeTokens},
    tenancy::{directory::Editor, Slug},
};

async fn post(
    app: &TestApp,
    tenant: &str,
    path: &str,
    cookie: Option<&str>,
    body: Value,
) -> Answer {
    let mut request = app.raw().post(app.url(Some(tenant), path)).json(&body);
    if let Some(cookie) = cookie {
        // As the page's own script sends it.
        request = request
            .header(header::COOKIE, cookie)
            .header("sec-fetch-site", "same-origin");
    }
    answer(request.send().await.expect("sent")).await
}

/// Registers at `tenant`; returns (session cookie, bridge token).
async fn sign_up(app: &TestApp, tenant: &str, email: &str) -> (String, String) {
    let response = app.register(&app.raw(), tenant, email).await;
    let cookie = session_cookie(&response, tenant).expect("cookie");
    let (_, headers, body) = answer(response).await;
    let token = app
        .handed(tenant, &headers, &body, "bridge_token")
        .expect("a bridge token");
    (cookie, token)
}

async fn restore(app: &TestApp, tenant: &str, token: &str) -> Answer {
    answer(app.restore(tenant, token).await).await
}

/// `refresh` from a browser with the session `cookie`, holding `token`.
async fn refresh(app: &TestApp, tenant: &str, cookie: &str, token: Option<&str>) -> Answer {
    let path = "/api/session-bridge/refresh";
    bridge_call(app, app.storage, tenant, path, token, Some(cookie)).await
}

/// The token a restore at acme handed over.
fn new_token(app: &TestApp, restored: &Answer) -> String {
    app.handed("acme", &restored.1, &restored.2, "new_token")
        .expect("new_token")
}

/// The token a refresh at acme handed over.
fn refreshed(app: &TestApp, answer: &Answer) -> String {
    app.handed("acme", &answer.1, &answer.2, "token")
        .expect("token")
}

/// An app whose tenants keep tokens in `storage`, with `env` besides.
async fn spawn(storage: Storage, env: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![storage.env()];
    vars.extend_from_slice(env);
    TestApp::spawn_with(&vars).await
}

const REFUSED: &str = "Invalid or expired session token";

#[tokio::test]
async fn endpoints_have_the_documented_shapes() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, token) = sign_up(&app, "acme", "ada@acme.test").await;
        let acme = app
            .platform
            .directory
            .get(&Slug::parse("acme").expect("slug"))
            .await
            .expect("tenant");
        assert!(
            token.starts_with(&format!("tsb1.{}.", acme.id)),
            "recognisable prefix"
        );

        let (status, _, checked) = post(
            &app,
            "acme",
            "/api/session-bridge/check",
            Some(&cookie),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            checked,
            json!({"authenticated": true, "user_id": 1, "has_token": true})
        );
        let (_, _, anonymous) =
            post(&app, "acme", "/api/session-bridge/check", None, json!({})).await;
        assert_eq!(
            anonymous,
            json!({"authenticated": false, "user_id": null, "has_token": false})
        );

        let restored = restore(&app, "acme", &token).await;
        let (status, headers, body) = &restored;
        assert_eq!(*status, StatusCode::OK, "{storage:?}: {body}");
        assert_eq!(body["success"], true);
        assert_eq!(body["message"], "Session restored successfully");
        assert_ne!(new_token(&app, &restored), token, "rotated");
        let restored_cookie = session_cookie_in(headers, "acme").expect("a new session");
        assert_ne!(restored_cookie, cookie, "a fresh session id");
        assert_eq!(
            app.me_with_cookie("acme", &restored_cookie).await.1["user"]["email"],
            "ada@acme.test"
        );

        let next = new_token(&app, &restored);
        let answer = refresh(&app, "acme", &restored_cookie, Some(&next)).await;
        assert_eq!(answer.0, StatusCode::OK, "{storage:?}: {}", answer.2);
        assert_eq!(answer.2["success"], true);
        assert!(refreshed(&app, &answer).starts_with("tsb1."));

        let (status, _, failed) = restore(&app, "acme", "tsb1.1.nope.nope").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            failed,
            json!({"success": false, "message": REFUSED, "reason": "invalid"})
        );
        let (status, _, _) =
            post(&app, "acme", "/api/session-bridge/refresh", None, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "refresh needs a session");
    }
}

#[tokio::test]
async fn unknown_selector_and_wrong_verifier_look_the_same() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (_, token) = sign_up(&app, "acme", "ada@acme.test").await;
        let parts: Vec<&str> = token.split('.').collect();
        let other = {
            let (_, t) = sign_up(&app, "acme", "bob@acme.test").await;
            t.split('.').map(str::to_owned).collect::<Vec<_>>()
        };
        let wrong_verifier = format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], other[3]);
        let unknown_selector = format!(
            "{}.{}.{}.{}",
            parts[0],
            parts[1],
            other[3].get(..22).unwrap_or_default(),
            parts[3]
        );
        let a = restore(&app, "acme", &wrong_verifier).await;
        let b = restore(&app, "acme", &unknown_selector).await;
        let c = restore(&app, "acme", "garbage").await;
        assert_eq!((a.0, &a.2), (StatusCode::UNAUTHORIZED, &b.2));
        assert_eq!((b.0, &b.2), (c.0, &c.2));
        // The real token still works: failures did not touch it.
        assert_eq!(restore(&app, "acme", &token).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn only_hashes_are_stored() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, t0) = sign_up(&app, "acme", "ada@acme.test").await;
        // Every token this device has held: issued, restored (rotated),
        // refreshed (rotated again), before and after a key rotation.
        let t1 = new_token(&app, &restore(&app, "acme", &t0).await);
        app.platform.keys.rotate().await.expect("rotated");
        // Past the key ring's reload interval.
        app.clock.advance(std::time::Duration::from_secs(2));
        let t2 = refreshed(&app, &refresh(&app, "acme", &cookie, Some(&t1)).await);
        let db = app.tenant_db("acme").await;
        let query = Query::select()
            .columns([
                BridgeTokens::Selector,
                BridgeTokens::VerifierHash,
                BridgeTokens::Successor,
            ])
            .from(db.table(BridgeTokens::Table))
            .to_owned();
        let rows: Vec<(String, String, Option<String>)> = db.fetch_all(&query).await.expect("rows");
        assert_eq!(rows.len(), 3);
        let dump: String = rows
            .iter()
            .map(|(a, b, c)| format!("{a} {b} {}\n", c.as_deref().unwrap_or_default()))
            .collect();
        for token in [&t0, &t1, &t2] {
            let verifier = token.rsplit('.').next().expect("verifier");
            let raw =
                base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, verifier)
                    .expect("b64");
            let encodings = [
                verifier.to_owned(),
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw),
                raw.iter().map(|b| format!("{b:02x}")).collect(),
                base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    sha2_digest(verifier.as_bytes()),
                ),
            ];
            for encoded in encodings {
                assert!(
                    !dump.contains(&encoded[..20]),
                    "a verifier ({encoded}) is stored: {dump}"
                );
            }
        }
    }
}

/// Plain SHA-256, as a careless implementation would store it.
fn sha2_digest(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

#[tokio::test]
async fn a_replay_within_the_grace_window_gets_the_same_successor() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (_, t0) = sign_up(&app, "acme", "ada@acme.test").await;
        let (first, second) = tokio::join!(restore(&app, "acme", &t0), restore(&app, "acme", &t0));
        assert_eq!(
            (first.0, second.0),
            (StatusCode::OK, StatusCode::OK),
            "two tabs restoring at once"
        );
        assert_eq!(new_token(&app, &first), new_token(&app, &second));
        assert_eq!(
            restore(&app, "acme", &new_token(&app, &first)).await.0,
            StatusCode::OK,
            "the successor is valid"
        );
    }
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_both_end_up_valid() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, t0) = sign_up(&app, "acme", "ada@acme.test").await;
        let (a, b) = tokio::join!(
            refresh(&app, "acme", &cookie, Some(&t0)),
            refresh(&app, "acme", &cookie, Some(&t0)),
        );
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        let t1 = refreshed(&app, &a);
        assert_eq!(t1, refreshed(&app, &b));
        assert_eq!(restore(&app, "acme", &t1).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_replay_after_the_grace_window_revokes_the_family_and_its_sessions() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[("BRIDGE_ROTATION_GRACE", "0")]).await;
        let (login_cookie, t0) = sign_up(&app, "acme", "ada@acme.test").await;
        let restored = restore(&app, "acme", &t0).await;
        let t1 = new_token(&app, &restored);
        let restored_cookie = session_cookie_in(&restored.1, "acme").expect("a session");
        app.clock.advance(std::time::Duration::from_secs(2));
        // Both sessions in use, so the cache holds their principals.
        for cookie in [&restored_cookie, &login_cookie] {
            assert_eq!(
                app.me_with_cookie("acme", cookie).await.1["authenticated"],
                true
            );
        }

        let (status, _, body) = restore(&app, "acme", &t0).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(REFUSED))
        );
        assert_eq!(
            restore(&app, "acme", &t1).await.0,
            StatusCode::UNAUTHORIZED,
            "the whole family is revoked"
        );
        assert_eq!(
            app.me_with_cookie("acme", &restored_cookie).await.1["authenticated"],
            false,
            "its sessions end"
        );
        assert_eq!(
            app.me_with_cookie("acme", &login_cookie).await.1["authenticated"],
            false
        );

        let db = app.tenant_db("acme").await;
        let thefts = count_rows(
            &db,
            BridgeEvents::Table,
            Some(Expr::col(BridgeEvents::Kind).eq("theft_detected")),
        )
        .await;
        assert_eq!(thefts, 1, "an event is recorded");
    }
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let db = app.tenant_db("acme").await;
        for (column, name) in [
            (BridgeFamilies::ExpiresAt, "expires_at"),
            (BridgeFamilies::LastUsedAt, "last_used_at"),
        ] {
            let (_, token) = sign_up(&app, "acme", &format!("{name}@acme.test")).await;
            let aged = Query::update()
                .table(db.table(BridgeFamilies::Table))
                .value(column, 1000i64)
                .to_owned();
            db.execute(&aged).await.expect("aged");
            let (status, _, body) = restore(&app, "acme", &token).await;
            assert_eq!(
                (status, body["message"].as_str()),
                (StatusCode::UNAUTHORIZED, Some(REFUSED)),
                "{storage:?} {name}"
            );
        }
    }
}

#[tokio::test]
async fn restores_are_rate_limited_per_client() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[("BRIDGE_RESTORE_RATE_LIMIT", "3")]).await;
        for _ in 0..3 {
            assert_eq!(
                restore(&app, "acme", "garbage").await.0,
                StatusCode::UNAUTHORIZED
            );
        }
        let (status, headers, body) = restore(&app, "acme", "garbage").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = headers[header::RETRY_AFTER]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&wait));
        assert_eq!(body["reason"], "rate_limited");
        // Another tenant has its own budget.
        assert_eq!(
            restore(&app, "globex", "garbage").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// In cookie mode, acme's cookie value under globex's name at globex.
#[tokio::test]
async fn an_acme_token_presented_at_globex_is_refused_and_revoked() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (_, token) = sign_up(&app, "acme", "ada@acme.test").await;
        sign_up(&app, "globex", "bob@globex.test").await; // user 1 exists there too
        let (status, headers, body) = restore(&app, "globex", &token).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (StatusCode::UNAUTHORIZED, Some(REFUSED))
        );
        assert_eq!(
            session_cookie_in(&headers, "globex"),
            None,
            "nobody is signed in at globex"
        );
        assert_eq!(
            restore(&app, "acme", &token).await.0,
            StatusCode::UNAUTHORIZED,
            "and the token is dead at acme too"
        );
    }
}

#[tokio::test]
async fn logout_revokes_the_token_server_side() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, token) = sign_up(&app, "acme", "ada@acme.test").await;
        let (status, headers, _) =
            post(&app, "acme", "/api/auth/logout", Some(&cookie), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        if storage == Storage::Cookie {
            assert!(
                crate::support::bridge::expires_bridge_cookie(&headers, "acme"),
                "and the browser drops the cookie"
            );
        }
        assert_eq!(
            restore(&app, "acme", &token).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn users_list_and_revoke_their_own_devices() {
    for storage in Storage::BOTH {
        users_list_and_revoke_their_own_devices_in(storage).await;
    }
}

async fn users_list_and_revoke_their_own_devices_in(storage: Storage) {
    let app = spawn(storage, &[]).await;
    let (laptop, _) = sign_up(&app, "acme", "ada@acme.test").await;
    let phone_login = app
        .login(
            &app.raw(),
            "acme",
            "ada@acme.test",
            crate::support::PASSWORD,
        )
        .await;
    let phone = session_cookie(&phone_login, "acme").expect("cookie");
    let devices: Value = app
        .raw()
        .get(app.url(Some("acme"), "/api/session-bridge/devices"))
        .header(header::COOKIE, &laptop)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let devices = devices.as_array().expect("a list").clone();
    assert_eq!(devices.len(), 2);
    let phone_device = devices
        .iter()
        .find(|d| d["current"] == false)
        .expect("the other device");
    let (status, _, remaining) = post(
        &app,
        "acme",
        "/api/session-bridge/devices/revoke",
        Some(&laptop),
        json!({"device_id": phone_device["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(remaining.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.me_with_cookie("acme", &phone).await.1["authenticated"],
        false,
        "the revoked device is signed out"
    );
    assert_eq!(
        app.me_with_cookie("acme", &laptop).await.1["authenticated"],
        true
    );

    // Someone else's live device cannot be revoked: the laptop stays signed in.
    let laptop_device = devices
        .iter()
        .find(|d| d["current"] == true)
        .expect("this device");
    let (mallory, _) = sign_up(&app, "acme", "mallory@acme.test").await;
    let (status, _, _) = post(
        &app,
        "acme",
        "/api/session-bridge/devices/revoke",
        Some(&mallory),
        json!({"device_id": laptop_device["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.me_with_cookie("acme", &laptop).await.1["authenticated"],
        true,
        "the owner is untouched"
    );
}

#[tokio::test]
async fn a_restore_cycles_the_session_id_it_was_presented_with() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, token) = sign_up(&app, "acme", "ada@acme.test").await;
        // Restore on a browser that still holds a live session (a fixation
        // attempt would plant one): the answer carries a new id, and the
        // old one is gone.
        let request = app
            .raw()
            .post(app.url(Some("acme"), "/api/session-bridge/restore"));
        let request = app
            .storage
            .present(request, "acme", Some(&token), Some(&cookie), json!({}));
        let (status, headers, _) = answer(request.send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        let restored = session_cookie_in(&headers, "acme").expect("a session cookie");
        assert_ne!(restored, cookie, "a fresh session id");
        assert_eq!(
            app.me_with_cookie("acme", &cookie).await.1["authenticated"],
            false,
            "the old id is dead"
        );
        assert_eq!(
            app.me_with_cookie("acme", &restored).await.1["user"]["email"],
            "ada@acme.test"
        );
    }
}

#[tokio::test]
async fn refresh_without_the_current_token_mints_nothing() {
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let (cookie, token) = sign_up(&app, "acme", "ada@acme.test").await;
        // A stolen session cookie alone (no token) asks for a token.
        let (status, headers, body) = refresh(&app, "acme", &cookie, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body.get("token").is_none(), "{body}");
        assert_eq!(
            crate::support::bridge::bridge_cookie_in(&headers, "acme"),
            None
        );
        let (status, _, body) = refresh(&app, "acme", &cookie, Some("junk")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        // The device's own token is untouched and still rotates.
        let (status, _, body) = refresh(&app, "acme", &cookie, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn the_bridge_can_be_turned_off_per_tenant() {
    let app = TestApp::spawn().await;
    let changes = [(
        tessera_backend::settings::Key::BridgeEnabled,
        "false".to_owned(),
    )];
    app.platform
        .directory
        .update_settings(
            &Slug::parse("acme").expect("slug"),
            &changes,
            Editor::Operator,
        )
        .await
        .expect("saved");
    let body: Value = app
        .register(&app.raw(), "acme", "ada@acme.test")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["bridge_token"], Value::Null);
    let (status, _, _) = post(&app, "acme", "/api/session-bridge/check", None, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, token) = sign_up(&app, "globex", "bob@globex.test").await;
    assert_eq!(
        restore(&app, "globex", &token).await.0,
        StatusCode::OK,
        "globex keeps it"
    );
}

const JUNK: &str = "tsb1.1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

/// A restore through our proxy, which appended the client's address.
async fn restore_via_proxy(app: &TestApp, forwarded_for: &str, token: &str) -> StatusCode {
    let url = app.url(Some("acme"), "/api/session-bridge/restore");
    let request = app
        .raw()
        .post(url)
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "token": token }));
    request.send().await.expect("sent").status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for() {
    let trusting = TestApp::spawn_with(&[
        ("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("BRIDGE_RESTORE_RATE_LIMIT", "2"),
    ])
    .await;
    // Whatever the client writes to the left of what our proxy saw is its
    // own claim: it cannot pick a fresh key with it.
    for claimed in ["1.1.1.1", "2.2.2.2"] {
        assert_eq!(
            restore_via_proxy(&trusting, &format!("{claimed}, 198.51.100.1"), JUNK).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        restore_via_proxy(&trusting, "3.3.3.3, 198.51.100.1", JUNK).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        restore_via_proxy(&trusting, "198.51.100.2", JUNK).await,
        StatusCode::UNAUTHORIZED,
        "another client"
    );
    // IPv6 clients are one client per /64.
    for address in ["2001:db8:1:2::1", "2001:db8:1:2::2"] {
        assert_eq!(
            restore_via_proxy(&trusting, address, JUNK).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        restore_via_proxy(&trusting, "2001:db8:1:2:ffff::3", JUNK).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        restore_via_proxy(&trusting, "2001:db8:1:3::1", JUNK).await,
        StatusCode::UNAUTHORIZED,
        "the next /64"
    );

    // Not from a trusted proxy: the header is the client's own claim, ignored.
    let direct = TestApp::spawn_with(&[("BRIDGE_RESTORE_RATE_LIMIT", "2")]).await;
    for _ in 0..2 {
        assert_eq!(
            restore_via_proxy(&direct, "198.51.100.1", JUNK).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        restore_via_proxy(&direct, "198.51.100.2", JUNK).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn junk_tokens_from_many_addresses_never_block_a_good_restore() {
    let app = TestApp::spawn_with(&[
        ("TESSERA_TRUSTED_PROXIES", "127.0.0.1"),
        ("BRIDGE_RESTORE_RATE_LIMIT", "2"),
    ])
    .await;
    let (_, token) = sign_up(&app, "acme", "ada@acme.test").await;
    // The tenant tolerates 40 failures a minute (20 × the per-client limit);
    // 30 addresses, each within its own limit, flood it past that.
    let mut statuses = Vec::new();
    for i in 0..60 {
        statuses.push(restore_via_proxy(&app, &format!("198.51.100.{}", i % 30 + 1), JUNK).await);
    }
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        throttled, 20,
        "past the tenant's failure budget junk is throttled: {statuses:?}"
    );
    assert_eq!(
        restore_via_proxy(&app, "192.0.2.77", &token).await,
        StatusCode::OK,
        "a good token still restores"
    );
}

#[tokio::test]
async fn the_security_page_names_each_device_and_the_sessions_it_brought_back() {
    const FIREFOX: &str =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:132.0) Gecko/20100101 Firefox/132.0";
    const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    for storage in Storage::BOTH {
        let app = spawn(storage, &[]).await;
        let response = app
            .raw()
            .post(app.url(Some("acme"), "/api/auth/register"))
            .header(header::USER_AGENT, FIREFOX)
            .json(&json!({"email": "ada@acme.test", "password": crate::support::PASSWORD, "name": "Ada"}))
            .send()
            .await
            .expect("sent");
        let (_, headers, body) = answer(response).await;
        let token = app
            .handed("acme", &headers, &body, "bridge_token")
            .expect("token");
        // The server's sessions are lost; the device brings this one back.
        let restored = restore(&app, "acme", &token).await;
        let session = session_cookie_in(&restored.1, "acme").expect("restored");
        let phone = app
            .raw()
            .post(app.url(Some("acme"), "/api/auth/login"))
            .header(header::USER_AGENT, ANDROID)
            .json(&json!({"email": "ada@acme.test", "password": crate::support::PASSWORD}))
            .send()
            .await
            .expect("sent");
        let phone = session_cookie(&phone, "acme").expect("another device");

        let (status, security) = app.call_as(&session, "/api/account/security", None).await;
        assert_eq!(status, StatusCode::OK, "{security}");
        let current = security["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["current"] == true))
            .expect("this session")
            .clone();
        let devices = security["devices"].as_array().expect("devices").clone();
        let laptop = devices
            .iter()
            .find(|d| d["current"] == true)
            .expect("this device");
        assert_eq!(laptop["restored_sessions"], json!([current["handle"]]));
        let other = devices
            .iter()
            .find(|d| d["current"] == false)
            .expect("the phone");
        assert_eq!(other["user_agent"], ANDROID, "{storage:?}");
        assert_eq!(other["ip"], "127.0.0.1");
        assert!(other["last_used_at"].as_i64().is_some());
        assert_eq!(
            other["restored_sessions"],
            json!([]),
            "signed in, not restored"
        );

        let page = app.page_as("acme", "/security", &session).await;
        assert!(page.contains("Chrome on Android"), "the device is named");
        assert!(page.contains("this browser&#x27;s") || page.contains("this browser's"));

        // And one is revoked from here: the phone's sessions end with it.
        let (status, after) = app
            .call_as(
                &session,
                "/api/account/devices/revoke",
                Some(json!({"device_id": other["id"]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert_eq!(after["devices"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            app.me_with_cookie("acme", &phone).await.1["authenticated"],
            false
        );
    }
}
