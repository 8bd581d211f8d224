//! Who within a tenant gets the bridge (`bridge.rollout`), under each
//! storage mode: every rollout value at sign-in, restore and refresh; a
//! percentage that rises (everyone keeps it) and falls (who leaves loses
//! the device, recorded, and stays signed in); a member who leaves by a
//! role change mid-session; and what the admin panel shows of it.

use reqwest::StatusCode;
use sea_query::{Expr, ExprTrait, Query};
use serde_json::{json, Value};
use tessera_backend::{
    accounts::{Role, UserId},
    bridge::rollout::{self, LEFT_THE_ROLLOUT},
    db::schema::{BridgeEvents, BridgeFamilies},
    settings::{Key, Rollout},
};

use crate::support::{
    bridge::{bridge_call, Storage},
    count_rows, session_cookie, TestApp,
};

/// Someone signed up at acme: their session cookie and the bridge token
/// they were handed, if any.
struct Person {
    id: i64,
    session: String,
    token: Option<String>,
}

async fn sign_up(app: &TestApp, email: &str) -> Person {
    let response = app.register(&app.raw(), "acme", email).await;
    let session = session_cookie(&response, "acme").expect("session");
    let headers = response.headers().clone();
    let body: Value = response.json().await.expect("json");
    Person {
        id: body["user"]["id"].as_i64().expect("id"),
        session,
        token: app.handed("acme", &headers, &body, "bridge_token"),
    }
}

async fn refresh(app: &TestApp, person: &Person) -> (StatusCode, Value) {
    let (path, token) = ("/api/session-bridge/refresh", person.token.as_deref());
    let session = Some(person.session.as_str());
    let (status, _, body) = bridge_call(app, app.storage, "acme", path, token, session).await;
    (status, body)
}

async fn acme_id(app: &TestApp) -> tessera_backend::tenancy::TenantId {
    app.handle("acme").await.tenant.id
}

/// Families withdrawn because their person left the rollout.
async fn withdrawn(app: &TestApp) -> i64 {
    let db = app.tenant_db("acme").await;
    count_rows(
        &db,
        BridgeFamilies::Table,
        Some(Expr::col(BridgeFamilies::RevokedReason).eq(LEFT_THE_ROLLOUT)),
    )
    .await
}

#[tokio::test]
async fn each_rollout_value_in_each_mode() {
    for storage in Storage::BOTH {
        for value in [
            "everyone",
            "role:admin",
            "role:member",
            "percent:0",
            "percent:50",
            "percent:100",
        ] {
            let app = TestApp::spawn_with(&[storage.env(), ("BRIDGE_ROLLOUT", value)]).await;
            let tenant = acme_id(&app).await;
            let policy = match value {
                "everyone" => Rollout::Everyone,
                "role:admin" => Rollout::Role(Role::Admin),
                "role:member" => Rollout::Role(Role::Member),
                percent => Rollout::Percent(percent[8..].parse().expect("number")),
            };
            for n in 0..6 {
                let person = sign_up(&app, &format!("p{n}@acme.test")).await;
                // The first to sign up is the workspace's admin.
                let role = if n == 0 { Role::Admin } else { Role::Member };
                let admitted =
                    rollout::admits(policy, tenant, UserId::new(person.id), role).is_some();
                let case = format!("{storage:?} {value} user {}", person.id);
                assert_eq!(person.token.is_some(), admitted, "{case}");
                let (status, body) = refresh(&app, &person).await;
                if admitted {
                    assert_eq!(status, StatusCode::OK, "{case}: {body}");
                } else {
                    assert_eq!(
                        (status, body["reason"].as_str()),
                        (StatusCode::NOT_FOUND, Some("disabled")),
                        "{case}: {body}"
                    );
                    assert_eq!(
                        app.me_with_cookie("acme", &person.session).await.1["authenticated"],
                        true,
                        "{case}: signed in all the same"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn a_rising_percentage_keeps_everyone_and_a_falling_one_withdraws_who_leaves() {
    for storage in Storage::BOTH {
        let app = TestApp::spawn_with(&[storage.env(), ("BRIDGE_ROLLOUT", "percent:30")]).await;
        let tenant = acme_id(&app).await;
        let mut people = Vec::new();
        for n in 0..12 {
            people.push(sign_up(&app, &format!("p{n}@acme.test")).await);
        }
        let bucket = |p: &Person| rollout::bucket(tenant, UserId::new(p.id));
        for p in &people {
            assert_eq!(
                p.token.is_some(),
                bucket(p) < 30,
                "{storage:?} user {}",
                p.id
            );
        }

        app.save_setting("acme", Key::BridgeRollout, "percent:70")
            .await;
        assert_eq!(withdrawn(&app).await, 0, "{storage:?}: nobody left");
        for p in people.iter().filter(|p| p.token.is_some()) {
            let (status, body) = refresh(&app, p).await;
            assert_eq!(status, StatusCode::OK, "{storage:?} {}: {body}", p.id);
        }

        app.save_setting("acme", Key::BridgeRollout, "percent:10")
            .await;
        let leavers: Vec<&Person> = people
            .iter()
            .filter(|p| p.token.is_some() && bucket(p) >= 10)
            .collect();
        assert!(!leavers.is_empty(), "{storage:?}: someone leaves at 10%");
        assert_eq!(withdrawn(&app).await, leavers.len() as i64, "{storage:?}");
        let db = app.tenant_db("acme").await;
        let revoked_events = count_rows(
            &db,
            BridgeEvents::Table,
            Some(Expr::col(BridgeEvents::Kind).eq("revoked")),
        )
        .await;
        assert_eq!(revoked_events, leavers.len() as i64, "each is recorded");
        for p in &leavers {
            assert_eq!(
                app.me_with_cookie("acme", &p.session).await.1["authenticated"],
                true,
                "{storage:?} {}: still signed in",
                p.id
            );
            let (status, body) = refresh(&app, p).await;
            assert_eq!(
                (status, body["reason"].as_str()),
                (StatusCode::NOT_FOUND, Some("disabled"))
            );
        }
    }
}

#[tokio::test]
async fn a_member_who_leaves_the_rollout_mid_session() {
    for storage in Storage::BOTH {
        let app = TestApp::spawn_with(&[storage.env(), ("BRIDGE_ROLLOUT", "role:member")]).await;
        let ada = sign_up(&app, "ada@acme.test").await; // the admin: no bridge
        assert_eq!(ada.token, None);
        let bob = sign_up(&app, "bob@acme.test").await;
        let token = bob.token.clone().expect("members have it");

        // Promoted, Bob is no longer in `role:member`: his device goes at
        // once, his session stays, and his token now meets a closed door.
        let (status, body) = app
            .call_as(
                &ada.session,
                "/api/admin/users/role",
                Some(json!({"user_id": bob.id, "role": "admin"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(withdrawn(&app).await, 1, "{storage:?}");
        assert_eq!(
            app.me_with_cookie("acme", &bob.session).await.1["authenticated"],
            true
        );
        let (status, body) = refresh(&app, &bob).await;
        assert_eq!(
            (status, body["reason"].as_str()),
            (StatusCode::NOT_FOUND, Some("disabled"))
        );
        let restored = app.restore("acme", &token).await;
        let status = restored.status();
        let body: Value = restored.json().await.unwrap_or_default();
        assert_eq!(
            (status, body["reason"].as_str()),
            (StatusCode::NOT_FOUND, Some("disabled")),
            "{storage:?}: {body}"
        );

        // A rollout changed outside the panel (the environment, a restart)
        // is enforced on the device's next restore.
        let carol = sign_up(&app, "carol@acme.test").await;
        let carol_token = carol.token.clone().expect("a member");
        let db = app.tenant_db("acme").await;
        let promote = Query::update()
            .table(db.table(tessera_backend::db::schema::Users::Table))
            .value(tessera_backend::db::schema::Users::Role, "admin")
            .and_where(Expr::col(tessera_backend::db::schema::Users::Id).eq(carol.id))
            .to_owned();
        db.execute(&promote)
            .await
            .expect("promoted behind the app's back");
        let restored = app.restore("acme", &carol_token).await;
        assert_eq!(restored.status(), StatusCode::NOT_FOUND);
        assert_eq!(withdrawn(&app).await, 2, "recorded as leaving");
    }
}

#[tokio::test]
async fn the_admin_panel_shows_who_has_the_bridge_and_usage_by_role() {
    let app = TestApp::spawn_with(&[("BRIDGE_ROLLOUT", "role:member")]).await;
    let ada = sign_up(&app, "ada@acme.test").await;
    let bob = sign_up(&app, "bob@acme.test").await;
    let token = bob.token.clone().expect("a member");
    assert!(app.restores("acme", &token).await);

    let (status, panel) = app.call_as(&ada.session, "/api/admin/panel", None).await;
    assert_eq!(status, StatusCode::OK, "{panel}");
    assert_eq!(
        panel["holders"],
        json!({
            "rollout": "role:member",
            "count": 1,
            "users": 2,
            "first": [{"email": "bob@acme.test", "name": "Test User", "reason": "role member"}],
        })
    );
    let restores = |cohort: &Value| -> u64 {
        cohort["usage"]
            .as_array()
            .map(|days| days.iter().filter_map(|d| d["restores"].as_u64()).sum())
            .unwrap_or(0)
    };
    let by_role = panel["usage_by_role"].as_array().expect("cohorts").clone();
    assert_eq!(by_role[0]["cohort"], "admins");
    assert_eq!((restores(&by_role[0]), restores(&by_role[1])), (0, 1));

    let (_, members) = app
        .call_as(&ada.session, "/api/admin/bridge-usage?cohort=members", None)
        .await;
    assert_eq!(restores(&json!({ "usage": members })), 1);
    let html = app.page_as("acme", "/admin", &ada.session).await;
    assert!(
        html.contains("1 of 2 people (role:member)"),
        "the panel says so"
    );
    assert!(html.contains("bridge-chart-members"));
}
