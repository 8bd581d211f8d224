//! PostgreSQL specifics: one schema per tenant in one shared pool, every
//! statement naming its schema, even under concurrency.

use crate::support::{backends, Backend, TestApp};
use reqwest::StatusCode;
use sea_query::{PostgresQueryBuilder, Query};
use tessera_backend::{
    accounts::users,
    bus::Announce,
    db::{schema::Users, Scope},
    tenancy::Slug,
};

async fn pg_app() -> Option<TestApp> {
    let admin = backends::postgres_url()?;
    Some(TestApp::spawn_on(&Backend::Postgres(admin), &[]).await)
}

#[tokio::test]
async fn no_tenant_ever_reads_another_tenants_schema_under_concurrency() {
    let Some(app) = pg_app().await else { return };
    let slugs = ["acme", "globex", "initech", "umbrella"];
    for extra in &slugs[2..] {
        app.create_tenant(extra, None).await;
    }
    for slug in slugs {
        app.register(&app.raw(), slug, &format!("only@{slug}.test"))
            .await;
    }
    let mut tasks = Vec::new();
    for round in 0..200 {
        let slug = slugs[round % slugs.len()];
        let db = app.tenant_db(slug).await;
        tasks.push(tokio::spawn(async move {
            tokio::task::yield_now().await;
            let users = users::list(&db).await.expect("users");
            let emails: Vec<String> = users.iter().map(|u| u.email.to_string()).collect();
            assert_eq!(emails, [format!("only@{slug}.test")], "round {round}");
        }));
    }
    for task in tasks {
        task.await.expect("no task saw another tenant's rows");
    }
}

/// Tenants share one pool with no per-connection state: every statement
/// names its schema, and no connection ever has a tenant's search_path.
#[tokio::test]
async fn statements_name_their_schema_and_connections_carry_none() {
    let Some(app) = pg_app().await else { return };
    let db = app.tenant_db("acme").await;
    let query = Query::select()
        .column(Users::Id)
        .from(db.table(Users::Table))
        .to_owned();
    let sql = query.to_string(PostgresQueryBuilder);
    assert!(sql.contains(r#""tenant_acme"."users""#), "{sql}");
    app.register(&app.raw(), "acme", "ada@acme.test").await;
    app.register(&app.raw(), "globex", "bob@globex.test").await;
    let Scope::Postgres { pool, .. } = &db else {
        panic!("a PostgreSQL scope")
    };
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut conn = pool.acquire().await.expect("connection");
        let path: String = sqlx::query_scalar("SELECT current_setting('search_path')")
            .fetch_one(&mut *conn)
            .await
            .expect("path");
        assert!(
            !path.contains("tenant_"),
            "a pooled connection carries {path}"
        );
        held.push(conn);
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
    let Scope::Postgres { pool, .. } = app.platform.directory.central().scope().clone() else {
        panic!("PostgreSQL")
    };
    let schemas = || async {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 'tenant_%' ORDER BY 1",
        )
        .fetch_all(&pool)
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
        let acme = app
            .platform
            .directory
            .get(&Slug::parse("acme").expect("slug"))
            .await
            .expect("tenant");
        let announce = Announce {
            cache: &*app.platform.sessions,
            tenant: acme.id,
        };
        // Enough hashing slots that the inserts, not the hashes, race.
        let hasher = Arc::new(Hasher::new(16, 64));
        let sign_ups: Vec<_> = (0..12)
            .map(|i| {
                let (db, hasher) = (db.clone(), Arc::clone(&hasher));
                let clock = app.platform.clock.clone();
                tokio::spawn(async move {
                    users::register(
                        &db,
                        &clock,
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
            users::set_role(&db, announce, first, Role::Admin)
                .await
                .expect("promoted");
            users::set_role(&db, announce, second, Role::Admin)
                .await
                .expect("promoted");
            for user in &everyone[2..] {
                users::set_role(&db, announce, user.id, Role::Member)
                    .await
                    .expect("member");
            }
            let (a, b) = tokio::join!(
                users::set_role(&db, announce, first, Role::Member),
                users::set_role(&db, announce, second, Role::Member)
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
