//! PostgreSQL specifics: one schema per tenant in one shared pool, with
//! `search_path` scoped to each unit of work even under concurrency.

use crate::support::{backends, Backend, TestApp};
use reqwest::StatusCode;
use tessera_backend::{
    db::{Schema, Scope},
    tenancy::Slug,
};

async fn pg_app() -> Option<TestApp> {
    let admin = backends::postgres_url()?;
    Some(TestApp::spawn_on(&Backend::Postgres(admin), &[]).await)
}

#[tokio::test]
async fn search_path_never_leaks_between_tenants_under_concurrency() {
    let Some(app) = pg_app().await else { return };
    let slugs = ["acme", "globex", "initech", "umbrella"];
    for extra in &slugs[2..] {
        app.create_tenant(extra, None).await;
    }
    let mut tasks = Vec::new();
    for round in 0..200 {
        let slug = Slug::parse(slugs[round % slugs.len()]).expect("slug");
        let platform = app.platform.clone();
        tasks.push(tokio::spawn(async move {
            let tenant = platform.directory.get(&slug).await.expect("tenant");
            let db = platform.directory.db(&tenant).await.expect("scope");
            let mut conn = db.conn().await.expect("connection");
            // Yield mid-transaction so other tasks interleave on the pool.
            tokio::task::yield_now().await;
            let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                .fetch_one(&mut *conn)
                .await
                .expect("schema");
            assert_eq!(schema, format!("tenant_{slug}"), "round {round}");
        }));
    }
    for task in tasks {
        task.await.expect("no task saw another tenant's schema");
    }
}

/// The scoping must end with the unit of work: a connection handed back to
/// the pool carries no tenant's schema. (One connection, so the check runs
/// on the very connection the tenant's work used; a session-level
/// `set_config` or `SET search_path` would fail it.)
#[tokio::test]
async fn a_pooled_connection_forgets_the_tenant_after_its_unit_of_work() {
    let Some(admin) = backends::postgres_url() else {
        return;
    };
    let database = backends::TestDatabase::create(&admin).await;
    let pool = tessera_backend::db::connect::postgres(&database.url, 1)
        .await
        .expect("pool");
    let mut setup = pool.acquire().await.expect("connection");
    sqlx::query("CREATE SCHEMA \"tenant_acme\"")
        .execute(&mut *setup)
        .await
        .expect("schema");
    drop(setup);
    let scope = Scope::postgres(pool.clone(), Schema::new("tenant_acme"));
    for commit in [true, false] {
        let mut conn = scope.conn().await.expect("unit of work");
        let inside: String = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(&mut *conn)
            .await
            .expect("schema");
        assert_eq!(inside, "tenant_acme");
        if commit {
            conn.commit().await.expect("committed");
        } else {
            drop(conn);
        }
        let mut after = pool.acquire().await.expect("the same connection");
        let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
            .fetch_one(&mut *after)
            .await
            .expect("path");
        assert!(
            !path.contains("tenant_acme"),
            "the connection kept the tenant's path ({path}) after commit={commit}"
        );
    }
}

#[tokio::test]
async fn concurrent_requests_across_tenants_see_only_their_own_users() {
    let Some(app) = pg_app().await else { return };
    // User 1 at both tenants, then many interleaved reads.
    let acme = crate::support::session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("cookie");
    let globex = crate::support::session_cookie(
        &app.register(&app.raw(), "globex", "bob@globex.test").await,
        "globex",
    )
    .expect("cookie");
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (tenant, cookie, email) = if i % 2 == 0 {
            ("acme", acme.clone(), "ada@acme.test")
        } else {
            ("globex", globex.clone(), "bob@globex.test")
        };
        let client = app.raw();
        let url = app.url(Some(tenant), "/api/auth/me");
        tasks.push(tokio::spawn(async move {
            let response = client
                .get(url)
                .header(reqwest::header::COOKIE, cookie)
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), StatusCode::OK);
            let body: serde_json::Value = response.json().await.expect("json");
            assert_eq!(body["user"]["email"], email);
            assert_eq!(body["tenant"]["slug"], tenant);
        }));
    }
    for task in tasks {
        task.await
            .expect("every answer was the right tenant's right user");
    }
}

#[tokio::test]
async fn tenants_are_schemas_and_deleting_drops_the_schema() {
    let Some(app) = pg_app().await else { return };
    let central = app.platform.directory.central().scope().clone();
    let schemas = || async {
        let mut conn = central.conn().await.expect("connection");
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 'tenant_%' ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("schemas");
        names
    };
    assert_eq!(schemas().await, vec!["tenant_acme", "tenant_globex"]);
    app.platform
        .directory
        .delete(&Slug::parse("globex").expect("slug"))
        .await
        .expect("deleted");
    assert_eq!(schemas().await, vec!["tenant_acme"]);
}

/// Roles decided under concurrency, on every backend: a new workspace gets
/// exactly one admin however many sign up at once, and two admins demoting
/// each other at once never leave it with none.
#[tokio::test]
async fn first_user_and_last_admin_rules_hold_under_concurrency() {
    use std::sync::Arc;

    use tessera_backend::accounts::{password::Hasher, users, NewRole, Role};

    for backend in crate::support::backends() {
        let app = TestApp::spawn_on(&backend, &[]).await;
        let db = app.tenant_db("acme").await;
        // Enough hashing slots that the inserts, not the hashes, race.
        let hasher = Arc::new(Hasher::new(16, 64));
        let sign_ups: Vec<_> = (0..12)
            .map(|i| {
                let (db, hasher) = (db.clone(), Arc::clone(&hasher));
                tokio::spawn(async move {
                    users::register(
                        &db,
                        &hasher,
                        &format!("u{i}@acme.test"),
                        crate::support::PASSWORD.into(),
                        "U",
                        NewRole::FirstUserIsAdmin,
                    )
                    .await
                })
            })
            .collect();
        for sign_up in sign_ups {
            sign_up.await.expect("joined").expect("registered");
        }
        let everyone = users::list(&db).await.expect("users");
        let admins: Vec<_> = everyone.iter().filter(|u| u.role == Role::Admin).collect();
        assert_eq!(admins.len(), 1, "{backend:?}: {everyone:?}");

        for round in 0..15 {
            let (first, second) = (everyone[0].id, everyone[1].id);
            users::set_role(&db, first, Role::Admin)
                .await
                .expect("promoted");
            users::set_role(&db, second, Role::Admin)
                .await
                .expect("promoted");
            for user in &everyone[2..] {
                users::set_role(&db, user.id, Role::Member)
                    .await
                    .expect("member");
            }
            let (a, b) = tokio::join!(
                users::set_role(&db, first, Role::Member),
                users::set_role(&db, second, Role::Member)
            );
            assert!(
                a.is_ok() != b.is_ok(),
                "{backend:?} round {round}: exactly one demotion wins ({a:?}, {b:?})"
            );
            let left = users::list(&db)
                .await
                .expect("users")
                .into_iter()
                .filter(|u| u.role == Role::Admin)
                .count();
            assert_eq!(left, 1, "{backend:?} round {round}");
        }
    }
}
