//! The storage backends a test can run on. SQLite always; PostgreSQL and
//! Redis when their URLs are set (scripts/test.sh sets them on machines
//! that run the services), each test in its own database / key prefix.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection};

pub const POSTGRES_ENV: &str = "TESSERA_TEST_POSTGRES_URL";
pub const REDIS_ENV: &str = "TESSERA_TEST_REDIS_URL";

fn unique(tag: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "tessera_{tag}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Says loudly that a part of the suite did not run; under CI (`CI=true`)
/// a skip is a failure, so a missing service can never pass as green.
pub fn skip(what: &str, env: &str) {
    let message = format!(
        "SKIPPED: {what} tests; set {env} to run them (scripts/test.sh does on these machines)"
    );
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{message}; under CI=true nothing may be skipped");
    }
    eprintln!("\n!!!! {message} !!!!\n");
}

pub fn postgres_url() -> Option<String> {
    let url = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty());
    if url.is_none() {
        skip("PostgreSQL", POSTGRES_ENV);
    }
    url
}

pub fn redis_url() -> Option<String> {
    let url = std::env::var(REDIS_ENV).ok().filter(|u| !u.is_empty());
    if url.is_none() {
        skip("Redis", REDIS_ENV);
    }
    url
}

/// A PostgreSQL database of its own, dropped when the test ends.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl TestDatabase {
    pub async fn create(admin_url: &str) -> Self {
        let name = unique("pg");
        let mut admin = PgConnection::connect(admin_url)
            .await
            .expect("PostgreSQL reachable");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("database created");
        admin.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Self {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // The test's runtime may be shutting down: drop from a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

/// A Redis key prefix of its own, its keys deleted when the test ends.
pub struct TestRedisPrefix {
    pub url: String,
    pub prefix: String,
}

impl TestRedisPrefix {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            prefix: unique("redis"),
        }
    }
}

impl Drop for TestRedisPrefix {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(self.url.as_str()) else {
            return;
        };
        let Ok(mut conn) = client.get_connection() else {
            return;
        };
        let pattern = format!("{}*", self.prefix);
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(&pattern)
            .query(&mut conn)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: Result<(), _> = redis::cmd("DEL").arg(keys).query(&mut conn);
        }
    }
}
