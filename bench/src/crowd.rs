//! One workspace with a crowd: a million live sessions over a hundred
//! thousand users, made straight in its database, then measured over HTTP.
//! A user's Security page, the admin's first page of sessions and a revoke
//! must each cost one user's rows or one page's, whatever else the tenant
//! holds.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::{anyhow, Context};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sea_query::Query;
use serde_json::json;
use tessera_backend::{
    accounts::password::Password,
    clock::Clock,
    db::{
        schema::{Sessions, Users},
        Scope,
    },
    platform::NewAdmin,
    tenancy::Slug,
    Config, Platform,
};

use crate::{
    budget::Budget,
    fixture::{self, Installation, PASSWORD},
    load::{self, Connection, Mix, Probe},
    stats::{ms, Summary},
};

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Users of the crowded workspace.
    #[arg(long, default_value_t = 100_000)]
    pub crowd_users: u64,
    /// Live sessions each of them holds.
    #[arg(long, default_value_t = 10)]
    pub crowd_sessions_per_user: u64,
    /// Users signed in over HTTP whose pages and revokes are measured.
    #[arg(long, default_value_t = 400)]
    pub crowd_measured: u64,
    /// Seconds each page is requested for.
    #[arg(long, default_value_t = 3)]
    pub crowd_seconds: u64,
}

/// Rows per INSERT while filling the database.
const BATCH: u64 = 500;
const CONNECTIONS: usize = 4;

/// A measured user: signed in, with the handles of their sessions made in bulk.
struct Member {
    email: String,
    cookie: String,
    handles: Vec<String>,
}

pub async fn run(
    options: &Options,
    installation: Installation,
    label: &str,
    budgets: &mut Vec<Budget>,
) -> anyhow::Result<()> {
    let sessions = options.crowd_users * options.crowd_sessions_per_user;
    println!(
        "\n## A crowded workspace on {label}: {sessions} live sessions over {} users",
        options.crowd_users
    );
    let slug = Slug::parse("crowd").map_err(|e| anyhow!("{e}"))?;
    let started = Instant::now();
    let handles = fill(options, &installation, &slug).await?;
    println!(
        "filled in {:.1} s (users and sessions inserted {BATCH} a statement)",
        started.elapsed().as_secs_f64()
    );

    let (server, addr) = installation.serve().await?;
    let admin = sign_in(addr, &slug, "admin@crowd.bench").await?;
    let mut members = Vec::new();
    for (i, handles) in handles.into_iter().enumerate() {
        let email = member_email(i as u64);
        let cookie = sign_in(addr, &slug, &email).await?;
        members.push(Member {
            email,
            cookie,
            handles,
        });
    }
    let host = fixture::host(&slug, addr);
    // The admin's total is counted once in line, on the first request after
    // a start; every later one shows it while it is recounted.
    let admin_page = Probe::get(&host, "/api/admin/sessions")
        .with_cookie(&admin)
        .expecting([format!("\"total\":{}", sessions + 1 + members.len() as u64)]);
    let mut warm = Connection::open(addr).await?;
    warm.send(&admin_page).await?;

    let security: Vec<Probe> = members
        .iter()
        .map(|m| {
            Probe::get(&host, "/api/account/security")
                .with_cookie(&m.cookie)
                .expecting([format!("\"user\":\"{}\"", m.email)])
        })
        .collect();
    let revokes: Vec<Probe> = members
        .iter()
        .filter_map(|m| {
            let handle = m.handles.first()?;
            Some(
                Probe::post_json(
                    &host,
                    "/api/account/sessions/revoke",
                    &json!({ "handle": handle }),
                )
                .with_cookie(&m.cookie)
                .expecting([format!("\"user\":\"{}\"", m.email)]),
            )
        })
        .collect();
    let seconds = Duration::from_secs(options.crowd_seconds);
    let measured = [
        (
            "GET /api/account/security",
            load::run(addr, &security, Mix::Random, CONNECTIONS, seconds).await,
            5.0,
        ),
        (
            "the admin's first page (GET /api/admin/sessions)",
            load::run(addr, &[admin_page], Mix::Random, CONNECTIONS, seconds).await,
            20.0,
        ),
        // Revokes are measured as the restores are: one after another (a
        // person revoking, not a storm of writers queueing on one database).
        (
            "a revoke (POST /api/account/sessions/revoke), one at a time",
            load::run(addr, &revokes, Mix::EachOnce, 1, Duration::ZERO).await,
            5.0,
        ),
    ];
    for (what, mut outcome, ceiling) in measured {
        let summary = Summary::of(&mut outcome);
        println!(
            "{what}: {:.0} req/s, p50 {}, p99 {}, {} wrong or failed",
            summary.per_second,
            ms(summary.p50),
            ms(summary.p99),
            summary.wrong + summary.failed
        );
        budgets.push(Budget::at_most_ms(
            &format!("{label}, {sessions} sessions: {what} p99"),
            summary.p99,
            ceiling,
        ));
        budgets.push(Budget::zero(
            &format!("{label}, crowd: {what}, answers wrong or failed"),
            summary.wrong + summary.failed,
        ));
    }
    server.stop().await;
    installation.remove().await
}

fn member_email(i: u64) -> String {
    format!("user{i}@crowd.bench")
}

async fn sign_in(addr: SocketAddr, slug: &Slug, email: &str) -> anyhow::Result<String> {
    let mut conn = Connection::open(addr).await?;
    let answer = conn
        .send(&Probe::post_json(
            &fixture::host(slug, addr),
            "/api/auth/login",
            &json!({ "email": email, "password": PASSWORD }),
        ))
        .await?;
    answer
        .cookie(&format!("_{slug}_session"))
        .filter(|_| answer.status.is_success())
        .ok_or_else(|| anyhow!("signing {email} in: {}", answer.status))
}

/// Provisions the workspace with its admin, then inserts the users (all
/// with one password hash) and their sessions; returns the stored ids of
/// the measured users' sessions.
async fn fill(
    options: &Options,
    installation: &Installation,
    slug: &Slug,
) -> anyhow::Result<Vec<Vec<String>>> {
    let env = installation.env(SocketAddr::from(([127, 0, 0, 1], 0)));
    let config =
        Config::from_lookup(|key| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))?;
    let platform = Platform::open(config, Clock::system()).await?;
    let admin = NewAdmin {
        email: "admin@crowd.bench".into(),
        password: PASSWORD.into(),
        name: "Admin".into(),
    };
    let (tenant, _) = platform.provision(slug, "Crowd", Some(admin)).await?;
    let db = platform.directory.db(&tenant).await?;
    let hash = platform
        .hasher
        .hash(Password::new(PASSWORD.into())?)
        .await
        .context("hashing the crowd's password")?;
    let now = platform.clock.unix();
    // The admin is user 1; the crowd follows, user i as id i + 2.
    for first in (0..options.crowd_users).step_by(BATCH as usize) {
        let mut insert = Query::insert()
            .into_table(db.table(Users::Table))
            .columns([
                Users::Email,
                Users::Name,
                Users::PasswordHash,
                Users::Role,
                Users::CreatedAt,
            ])
            .to_owned();
        for i in first..(first + BATCH).min(options.crowd_users) {
            insert.values_panic([
                member_email(i).into(),
                format!("User {i}").into(),
                hash.clone().into(),
                "member".into(),
                now.into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    let mut measured = vec![Vec::new(); options.crowd_measured as usize];
    let total = options.crowd_users * options.crowd_sessions_per_user;
    let mut rng = rand::thread_rng();
    for first in (0..total).step_by(BATCH as usize) {
        let mut insert = Query::insert()
            .into_table(db.table(Sessions::Table))
            .columns([
                Sessions::Id,
                Sessions::Data,
                Sessions::ExpiryDate,
                Sessions::UserId,
                Sessions::FamilyId,
            ])
            .to_owned();
        for n in first..(first + BATCH).min(total) {
            let member = n % options.crowd_users;
            let user = i64::try_from(member + 2)?;
            let seen = now - rand::Rng::gen_range(&mut rng, 0..3_600);
            let stored = URL_SAFE_NO_PAD.encode(rand::Rng::gen::<[u8; 32]>(&mut rng));
            if let Some(handles) = measured.get_mut(member as usize) {
                handles.push(stored.clone());
            }
            let data = json!({"auth": {
                "tenant": tenant.id, "user": user, "family": null,
                "created_at": seen, "seen_at": seen,
                "ip": "192.0.2.1", "user_agent": "bench",
            }});
            insert.values_panic([
                stored.into(),
                data.to_string().into(),
                (seen + 7_200).into(),
                user.into(),
                Option::<String>::None.into(),
            ]);
        }
        db.execute(&insert).await?;
    }
    analyze(&db).await?;
    platform.close().await;
    Ok(measured)
}

/// Statistics for the planner, as a database that grew this way would have
/// gathered by itself over time (autovacuum on PostgreSQL).
async fn analyze(db: &Scope) -> anyhow::Result<()> {
    match db {
        Scope::Sqlite(pool) => {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Scope::Postgres { pool, schema } => {
            sqlx::query(&format!("ANALYZE {}.sessions", schema.quoted()))
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}
