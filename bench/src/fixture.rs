//! The data a benchmark runs against: an installation (data dir or
//! PostgreSQL database), its tenants, provisioned through the same
//! `Platform::provision` the CLI uses, and accounts signed up over HTTP.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context};
use sqlx::{Connection as _, Executor};
use tessera_backend::{clock::Clock, tenancy::Slug, Config, Platform};
use tokio::task::JoinSet;

use crate::{
    load::{Connection, Probe},
    process::{free_addr, release_binary, Server},
};

/// A password good enough for the policy; bench accounts are thrown away.
pub const PASSWORD: &str = "bench-password-0123";

/// Where an installation keeps its data.
pub enum Storage {
    Sqlite,
    /// A database made for this run on the server at `admin_url`, dropped afterwards.
    Postgres {
        admin_url: String,
        database: String,
    },
}

pub struct Installation {
    pub dir: tempfile::TempDir,
    pub storage: Storage,
    /// Extra environment for the server (tuning under test).
    pub extra_env: Vec<(String, String)>,
}

impl Installation {
    pub fn sqlite(extra_env: Vec<(String, String)>) -> anyhow::Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir()?,
            storage: Storage::Sqlite,
            extra_env,
        })
    }

    pub async fn postgres(
        admin_url: &str,
        extra_env: Vec<(String, String)>,
    ) -> anyhow::Result<Self> {
        let database = format!("tessera_bench_{}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("connecting to {admin_url}"))?;
        conn.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
            .await?;
        conn.execute(format!("CREATE DATABASE {database}").as_str())
            .await?;
        let storage = Storage::Postgres {
            admin_url: admin_url.to_owned(),
            database,
        };
        Ok(Self {
            dir: tempfile::tempdir()?,
            storage,
            extra_env,
        })
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The server's environment, listening on `addr`.
    pub fn env(&self, addr: SocketAddr) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "TESSERA_DATA_DIR".to_owned(),
                self.dir.path().display().to_string(),
            ),
            ("LEPTOS_SITE_ADDR".to_owned(), addr.to_string()),
            ("SESSION_DRIVER".to_owned(), "database".to_owned()),
            // One client (the load generator) restores thousands of times
            // and signs up every user.
            ("BRIDGE_RESTORE_RATE_LIMIT".to_owned(), "10000".to_owned()),
            ("SIGNIN_ADDRESS_RATE_LIMIT".to_owned(), "10000".to_owned()),
            (
                "TESSERA_SIGNIN_ADDRESS_LIMIT".to_owned(),
                "1000000".to_owned(),
            ),
        ];
        if let Storage::Postgres {
            admin_url,
            database,
        } = &self.storage
        {
            env.push(("DATABASE_URL".to_owned(), database_url(admin_url, database)));
        }
        env.extend(self.extra_env.iter().cloned());
        env
    }

    /// Starts the release `tessera serve` on this installation (see `process`
    /// for the pinning); returns it and its address.
    pub async fn serve(&self) -> anyhow::Result<(Server, SocketAddr)> {
        let addr = free_addr()?;
        let serve = ["serve".to_owned()];
        let server = Server::start(
            &release_binary("tessera"),
            &serve,
            &self.env(addr),
            addr,
            &self.log("tessera.log"),
        )
        .await?;
        Ok((server, addr))
    }

    /// Creates `slugs` `concurrency` at a time; returns each one's time.
    pub async fn provision(
        &self,
        slugs: &[Slug],
        concurrency: usize,
    ) -> anyhow::Result<Vec<Duration>> {
        let env = self.env(SocketAddr::from(([127, 0, 0, 1], 0)));
        let config =
            Config::from_lookup(|key| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))?;
        let platform = Arc::new(Platform::open(config, Clock::system()).await?);
        let mut running = JoinSet::new();
        let mut times = Vec::with_capacity(slugs.len());
        for slug in slugs {
            if running.len() >= concurrency {
                times.push(joined(running.join_next().await)?);
            }
            let (platform, slug) = (Arc::clone(&platform), slug.clone());
            running.spawn(async move {
                let started = Instant::now();
                platform
                    .provision(&slug, slug.as_str(), None)
                    .await
                    .map(|_| started.elapsed())
                    .map_err(|e| anyhow!("{slug}: {e}"))
            });
        }
        while let Some(done) = running.join_next().await {
            times.push(joined(Some(done))?);
        }
        Ok(times)
    }

    /// Drops the PostgreSQL database made for this run.
    pub async fn remove(self) -> anyhow::Result<()> {
        if let Storage::Postgres {
            admin_url,
            database,
        } = &self.storage
        {
            let mut conn = sqlx::PgConnection::connect(admin_url).await?;
            conn.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
                .await?;
        }
        Ok(())
    }
}

fn joined(
    result: Option<Result<anyhow::Result<Duration>, tokio::task::JoinError>>,
) -> anyhow::Result<Duration> {
    match result {
        Some(Ok(time)) => time,
        Some(Err(e)) => Err(e.into()),
        None => bail!("no provisioning task left"),
    }
}

/// `postgres://.../<db>` → `postgres://.../<database>`.
fn database_url(admin_url: &str, database: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url, |(base, _)| base);
    format!("{base}/{database}")
}

/// `n` slugs `<prefix>0000`, `<prefix>0001`, ...
pub fn slugs(prefix: &str, n: usize) -> anyhow::Result<Vec<Slug>> {
    (0..n)
        .map(|i| Slug::parse(&format!("{prefix}{i:05}")).map_err(|e| anyhow!("{e}")))
        .collect()
}

/// The Host a tenant is addressed by.
pub fn host(slug: &Slug, addr: SocketAddr) -> String {
    format!("{slug}.localhost:{}", addr.port())
}

/// A user signed up over HTTP, with the cookie and bridge token it got.
#[derive(Debug, Clone)]
pub struct Account {
    pub slug: Slug,
    pub email: String,
    pub id: i64,
    pub cookie: String,
    pub bridge_token: Option<String>,
}

pub async fn sign_up(
    conn: &mut Connection,
    addr: SocketAddr,
    slug: &Slug,
    email: &str,
) -> anyhow::Result<Account> {
    let body = serde_json::json!({ "email": email, "password": PASSWORD, "name": email });
    let answer = conn
        .send(&Probe::post_json(
            &host(slug, addr),
            "/api/auth/register",
            &body,
        ))
        .await?;
    if !answer.status.is_success() {
        bail!(
            "signing up {email} at {slug}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    let json = answer.json();
    let id = json["user"]["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("no user id in the sign-up answer"))?;
    let cookie = answer
        .cookie(&format!("_{slug}_session"))
        .ok_or_else(|| anyhow!("no session cookie for {slug}"))?;
    let bridge_token = json["bridge_token"].as_str().map(str::to_owned);
    Ok(Account {
        slug: slug.clone(),
        email: email.to_owned(),
        id,
        cookie,
        bridge_token,
    })
}

/// One user per tenant, signed up over `workers` connections; in slug order.
pub async fn sign_up_one_each(
    addr: SocketAddr,
    slugs: &[Slug],
    workers: usize,
) -> anyhow::Result<Vec<Account>> {
    let slugs: Arc<[Slug]> = slugs.into();
    let mut running = JoinSet::new();
    for w in 0..workers.max(1) {
        let slugs = Arc::clone(&slugs);
        running.spawn(async move {
            let mut conn = Connection::open(addr).await?;
            let mut mine = Vec::new();
            for (i, slug) in slugs.iter().enumerate().skip(w).step_by(workers.max(1)) {
                mine.push((
                    i,
                    sign_up(&mut conn, addr, slug, &format!("user@{slug}.bench")).await?,
                ));
            }
            anyhow::Ok(mine)
        });
    }
    let mut accounts = Vec::with_capacity(slugs.len());
    while let Some(done) = running.join_next().await {
        accounts.extend(done??);
    }
    accounts.sort_by_key(|(i, _)| *i);
    Ok(accounts.into_iter().map(|(_, a)| a).collect())
}

/// Requests as this account, each expecting an answer about exactly this
/// tenant's this user.
impl Account {
    pub fn dashboard_probe(&self, addr: SocketAddr) -> Probe {
        Probe::get(&host(&self.slug, addr), "/dashboard")
            .with_cookie(&self.cookie)
            .expecting([format!("Signed in to {} as {}", self.slug, self.email)])
    }

    pub fn me_probe(&self, addr: SocketAddr) -> Probe {
        Probe::get(&host(&self.slug, addr), "/api/auth/me")
            .with_cookie(&self.cookie)
            .expecting([
                format!("\"email\":\"{}\"", self.email),
                format!("\"slug\":\"{}\"", self.slug),
            ])
    }

    pub fn check_probe(&self, addr: SocketAddr) -> Probe {
        Probe::post_json(
            &host(&self.slug, addr),
            "/api/session-bridge/check",
            &serde_json::json!({}),
        )
        .with_cookie(&self.cookie)
        .expecting([format!("\"authenticated\":true,\"user_id\":{},", self.id)])
    }
}
