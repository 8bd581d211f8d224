//! Things going wrong underneath: Redis stopped, PostgreSQL connections
//! killed, the server killed mid-write, one tenant's SQLite file damaged or
//! locked. Each is a clear answer and a recovery, never a panic or a leak
//! into another tenant.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::{
    backends::{postgres_url, redis_url},
    process::{cli, create_acme, free_port, ServerProcess},
    Backend, TestApp, PASSWORD,
};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use tessera_backend::db::StorageConfig;

/// A Redis of the test's own, so stopping it disturbs no other test.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start() -> Self {
        let port = free_port();
        let mut redis = Self { port, child: None };
        redis.resume();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn redis_down_is_a_clear_503_and_service_resumes_when_it_is_back() {
    if redis_url().is_none() {
        return;
    }
    let mut redis = PrivateRedis::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let (dir_text, url) = (dir.path().display().to_string(), redis.url());
    let env = [
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("REDIS_URL", url.as_str()),
        ("SESSION_DRIVER", "redis"),
    ];
    create_acme(&env, "admin@acme.test");
    let mut server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let signed_in = server.sign_in("acme", "admin@acme.test").await;
    let cookie = signed_in.cookie("acme").expect("session cookie");

    redis.stop();
    // Each answer within a second: no retrying inside the request.
    let timed = Instant::now();
    let me = server
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert!(
        timed.elapsed() < Duration::from_secs(1),
        "me took {:?}",
        timed.elapsed()
    );
    assert_eq!(me.status, StatusCode::SERVICE_UNAVAILABLE, "{}", me.text);
    // An outage is not a sign-out: the cookie is left as it was.
    let set_cookies: Vec<&str> = me
        .headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        set_cookies.is_empty(),
        "a 5xx touched the cookie: {set_cookies:?}"
    );
    assert!(
        me.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("unavailable")),
        "{}",
        me.text
    );
    let timed = Instant::now();
    let page = server.call("acme", "/dashboard", Some(&cookie), None).await;
    assert!(
        timed.elapsed() < Duration::from_secs(1),
        "the page took {:?}",
        timed.elapsed()
    );
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.text
    );
    let timed = Instant::now();
    let again = server.sign_in("acme", "admin@acme.test").await;
    assert!(
        timed.elapsed() < Duration::from_secs(1),
        "login took {:?}",
        timed.elapsed()
    );
    assert_eq!(
        again.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        again.text
    );
    assert!(
        !server.log_text().contains("panicked"),
        "{}",
        server.log_text()
    );

    redis.resume();
    // A fresh Redis has no sessions: signing in again works once it reconnects.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = server.sign_in("acme", "admin@acme.test").await;
        if reply.status == StatusCode::OK {
            let cookie = reply.cookie("acme").expect("session cookie");
            let me = server
                .call("acme", "/api/auth/me", Some(&cookie), None)
                .await;
            assert_eq!(me.json()["user"]["email"], "admin@acme.test");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not back 10 s after Redis returned: {} {}",
            reply.status,
            reply.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill9();
}

#[tokio::test]
async fn requests_recover_after_postgres_connections_are_killed() {
    let Some(pg) = postgres_url() else { return };
    let app = TestApp::spawn_on(&Backend::Postgres(pg.clone()), &[]).await;
    let client = app.browser();
    assert_eq!(
        app.register(&client, "acme", "ada@example.com")
            .await
            .status(),
        StatusCode::OK
    );

    let StorageConfig::Postgres { url } = &app.platform.config.storage else {
        panic!("a PostgreSQL app")
    };
    let name = url.rsplit('/').next().expect("database name").to_owned();
    let mut admin = PgConnection::connect(&pg).await.expect("admin connection");
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&name)
    .fetch_all(&mut admin)
    .await
    .expect("terminated");
    assert!(!killed.is_empty(), "the app had connections to kill");

    for _ in 0..5 {
        let (status, me) = app.me(&client, "acme").await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["user"]["email"], "ada@example.com");
    }
    admin.execute("SELECT 1").await.expect("admin still fine");
}

/// Signs `count` users up at acme and returns each one's bridge token.
async fn bridge_holders(server: &ServerProcess, count: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for i in 0..count {
        let body =
            json!({"email": format!("user{i}@acme.test"), "password": PASSWORD, "name": "User"});
        let reply = server
            .call("acme", "/api/auth/register", None, Some(&body))
            .await;
        tokens.push(
            reply.json()["bridge_token"]
                .as_str()
                .expect("bridge token")
                .to_owned(),
        );
    }
    tokens
}

#[tokio::test]
async fn kill_9_mid_writes_leaves_no_corrupt_session_and_no_half_rotated_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    let env = [
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("SESSION_DRIVER", "database"),
        ("BRIDGE_RESTORE_RATE_LIMIT", "10000"),
    ];
    cli(&env, &["tenant", "create", "acme"]);
    let server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let tokens = bridge_holders(&server, 6).await;

    // Each holder restores over and over, keeping the newest token it was
    // given, until the server dies under it.
    let server = std::sync::Arc::new(server);
    let mut holders = Vec::new();
    for token in tokens {
        let server = std::sync::Arc::clone(&server);
        holders.push(tokio::spawn(async move {
            let mut token = token;
            loop {
                let reply = tokio::time::timeout(
                    Duration::from_secs(2),
                    server.try_call(
                        "acme",
                        "/api/session-bridge/restore",
                        None,
                        Some(&json!({"token": token})),
                    ),
                )
                .await;
                match reply {
                    Ok(Some(reply)) if reply.status == StatusCode::OK => {
                        token = reply.json()["new_token"]
                            .as_str()
                            .expect("successor")
                            .to_owned();
                    }
                    Ok(Some(reply)) => panic!(
                        "restore failed before the kill: {} {}",
                        reply.status, reply.text
                    ),
                    _ => return token,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let killed = Command::new("kill")
        .args(["-9", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut last_tokens = Vec::new();
    for holder in holders {
        last_tokens.push(holder.await.expect("holder"));
    }
    let Ok(server) = std::sync::Arc::try_unwrap(server) else {
        panic!("holders still hold the server")
    };
    let server = server.restart();

    let file = dir.path().join("tenants/acme.sqlite");
    let mut db = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("tenant database");
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .expect("integrity check");
    assert_eq!(check, "ok");
    let sessions: Vec<(String,)> = sqlx::query_as("SELECT data FROM sessions")
        .fetch_all(&mut db)
        .await
        .expect("sessions");
    assert!(sessions.len() > 6, "restores made sessions");
    for (data,) in sessions {
        serde_json::from_str::<serde_json::Value>(&data)
            .expect("every stored session is whole JSON");
    }
    // The newest token each holder got still restores: it is either current,
    // or its rotation's answer was lost and it is replayed within the grace.
    for token in last_tokens {
        let reply = server
            .call(
                "acme",
                "/api/session-bridge/restore",
                None,
                Some(&json!({"token": token})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
}

#[tokio::test]
async fn a_corrupt_tenant_file_fails_only_that_tenant() {
    let app = TestApp::spawn().await;
    app.create_tenant("initech", None).await;
    let file = app.data_dir.path().join("tenants/initech.sqlite");
    std::fs::write(&file, vec![0x5a; 64 * 1024]).expect("file overwritten");

    let client = app.browser();
    let broken = app.register(&client, "initech", "ada@initech.test").await;
    assert_eq!(broken.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = broken.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("unavailable")),
        "{body}"
    );
    assert_eq!(
        app.register(&client, "acme", "ada@acme.test")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.me(&client, "acme").await.1["user"]["email"],
        "ada@acme.test"
    );
}

#[tokio::test]
async fn a_locked_tenant_file_slows_only_that_tenant() {
    let app = TestApp::spawn().await;
    let file = app.data_dir.path().join("tenants/globex.sqlite");
    let mut locker = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("globex file");
    locker
        .execute("BEGIN EXCLUSIVE")
        .await
        .expect("write lock held");

    let app = std::sync::Arc::new(app);
    let locked = {
        let app = std::sync::Arc::clone(&app);
        tokio::spawn(async move {
            let started = Instant::now();
            let status = app
                .register(&app.browser(), "globex", "ada@globex.test")
                .await
                .status();
            (status, started.elapsed())
        })
    };
    let started = Instant::now();
    let client = app.browser();
    assert_eq!(
        app.register(&client, "acme", "ada@acme.test")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.me(&client, "acme").await.1["user"]["email"],
        "ada@acme.test"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "acme waited on globex's lock"
    );

    let (status, waited) = locked.await.expect("globex request");
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "busy past the timeout"
    );
    // It waited out the 5 s busy timeout, and no longer.
    assert!(
        waited >= Duration::from_millis(4_500) && waited < Duration::from_secs(8),
        "globex waited {waited:?}"
    );
    locker.execute("ROLLBACK").await.expect("lock released");
    assert_eq!(
        app.register(&app.browser(), "globex", "ada@globex.test")
            .await
            .status(),
        StatusCode::OK
    );
}

fn login_body() -> serde_json::Value {
    serde_json::json!({"email": "admin@acme.test", "password": crate::support::PASSWORD})
}

#[tokio::test]
async fn a_server_stopped_with_sigterm_lets_requests_finish_and_leaves_every_sqlite_file_whole() {
    let dir = tempfile::tempdir().expect("data dir");
    let dir_text = dir.path().to_string_lossy().into_owned();
    let env = [("TESSERA_DATA_DIR", dir_text.as_str())];
    create_acme(&env, "admin@acme.test");
    let mut server = ServerProcess::start(&env, &dir.path().join("server.log"));
    let signed_in = server.sign_in("acme", "admin@acme.test").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    let wal = dir.path().join("tenants/acme.sqlite-wal");
    assert!(
        wal.exists(),
        "the session row is in acme's WAL while it runs"
    );

    // Sign-ins in flight when SIGTERM arrives (each hashes a password, so
    // they queue on the hashing slots) all finish with their answer.
    let in_flight: Vec<_> = (0..6)
        .map(|_| {
            let call = server.call_owned("acme", "/api/auth/login", login_body());
            tokio::spawn(call)
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let status = server.terminate();
    assert!(status.success(), "{status}:\n{}", server.log_text());
    for call in in_flight {
        let reply = call
            .await
            .expect("joined")
            .expect("answered before the exit");
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
    for file in [wal, dir.path().join("central.sqlite-wal")] {
        assert!(
            !file.exists(),
            "{} left behind: a copy of the .sqlite files alone would miss it",
            file.display()
        );
    }
}
