//! PostgreSQL specifics: one schema per tenant in one shared pool, with
//! `search_path` scoped to each unit of work even under concurrency.

mod support;

use reqwest::StatusCode;
use support::{backends, Backend, TestApp};
use tessera_backend::tenancy::Slug;

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
    // And a plain connection from the shared pool carries no tenant's path.
    let central = app.platform.directory.central().scope().clone();
    let mut conn = central.conn().await.expect("connection");
    let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&mut *conn)
        .await
        .expect("schema");
    assert_eq!(schema, "central");
}

#[tokio::test]
async fn concurrent_requests_across_tenants_see_only_their_own_users() {
    let Some(app) = pg_app().await else { return };
    // User 1 at both tenants, then many interleaved reads.
    let acme = support::session_cookie(
        &app.register(&app.raw(), "acme", "ada@acme.test").await,
        "acme",
    )
    .expect("cookie");
    let globex = support::session_cookie(
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
