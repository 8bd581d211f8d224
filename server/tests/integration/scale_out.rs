//! Two `tessera` processes on different ports sharing one PostgreSQL and one
//! Redis: whatever one does, the other sees.

use std::time::{Duration, Instant};

use sqlx::Connection;

use crate::support::{
    backends::{postgres_url, redis_url, TestDatabase, TestRedisPrefix},
    process::{create_acme, Reply, ServerProcess},
    PASSWORD,
};
use reqwest::StatusCode;
use serde_json::json;

struct Pair {
    a: ServerProcess,
    b: ServerProcess,
    _dir: tempfile::TempDir,
    _db: TestDatabase,
    _redis: TestRedisPrefix,
}

/// Two processes on one PostgreSQL database and one Redis key prefix, with
/// tenant acme (admin admin@acme.test), sessions in Redis.
async fn pair(extra: &[(&str, &str)]) -> Option<Pair> {
    let (pg, redis) = (postgres_url()?, redis_url()?);
    let db = TestDatabase::create(&pg).await;
    let prefix = TestRedisPrefix::new(&redis);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_text = dir.path().display().to_string();
    let mut env = vec![
        ("TESSERA_DATA_DIR", dir_text.as_str()),
        ("DATABASE_URL", db.url.as_str()),
        ("REDIS_URL", redis.as_str()),
        ("REDIS_KEY_PREFIX", prefix.prefix.as_str()),
        ("SESSION_DRIVER", "redis"),
    ];
    env.extend_from_slice(extra);
    create_acme(&env, "admin@acme.test");
    let a = ServerProcess::start(&env, &dir.path().join("a.log"));
    let b = ServerProcess::start(&env, &dir.path().join("b.log"));
    Some(Pair {
        a,
        b,
        _dir: dir,
        _db: db,
        _redis: prefix,
    })
}

async fn login(server: &ServerProcess) -> (String, String) {
    let reply = server.sign_in("acme", "admin@acme.test").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let token = reply.json()["bridge_token"]
        .as_str()
        .expect("bridge token")
        .to_owned();
    (reply.cookie("acme").expect("session cookie"), token)
}

async fn restore(server: &ServerProcess, token: &str) -> Reply {
    server
        .call(
            "acme",
            "/api/session-bridge/restore",
            None,
            Some(&json!({"token": token})),
        )
        .await
}

#[tokio::test]
async fn a_session_made_at_one_process_works_at_the_other() {
    let Some(pair) = pair(&[]).await else { return };
    let (cookie, _) = login(&pair.a).await;
    let me = pair
        .b
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert_eq!(me.json()["user"]["email"], "admin@acme.test", "{}", me.text);
    let logout = pair
        .b
        .call("acme", "/api/auth/logout", Some(&cookie), Some(&json!({})))
        .await;
    assert_eq!(logout.status, StatusCode::OK);
    let me = pair
        .a
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert_eq!(
        me.json()["authenticated"],
        false,
        "signed out at b means signed out at a"
    );
}

/// B's own view of acme (its cached tenant handle, which names the cookie)
/// takes a setting saved at A within a second.
#[tokio::test]
async fn a_setting_saved_at_one_process_applies_at_the_other_within_a_second() {
    let Some(pair) = pair(&[]).await else { return };
    let (cookie, _) = login(&pair.a).await;
    // B holds acme's handle from this request: the cookie is still named
    // tenant_acme_session there.
    let before = pair
        .b
        .call("acme", "/api/auth/me", Some(&cookie), None)
        .await;
    assert_eq!(before.json()["authenticated"], true, "{}", before.text);
    let saved = pair
        .a
        .call(
            "acme",
            "/api/admin/settings/save",
            Some(&cookie),
            Some(&json!({"values": {"prefix": "team"}})),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    let saved_at = Instant::now();
    let delay = delay_until(
        saved_at,
        Duration::from_secs(1),
        "B still names the cookie by the old prefix",
        async || {
            let seen = pair
                .b
                .call("acme", "/api/auth/me", Some(&cookie), None)
                .await;
            let moved = seen
                .headers
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.starts_with("team_acme_session=") && !c.contains("Max-Age=0"));
            moved && seen.json()["authenticated"] == true
        },
    )
    .await;
    eprintln!("a prefix saved at A used by B after {delay:?}");
}

#[tokio::test]
async fn the_restore_rate_limit_counts_both_processes() {
    let Some(pair) = pair(&[("BRIDGE_RESTORE_RATE_LIMIT", "4")]).await else {
        return;
    };
    let junk = "tsb1.1.AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    for server in [&pair.a, &pair.b, &pair.a, &pair.b] {
        assert_eq!(restore(server, junk).await.status, StatusCode::UNAUTHORIZED);
    }
    for server in [&pair.a, &pair.b] {
        let limited = restore(server, junk).await;
        assert_eq!(
            limited.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            limited.text
        );
        assert!(limited.headers.contains_key("retry-after"));
    }
}

#[tokio::test]
async fn a_token_rotated_at_one_process_is_rotated_at_the_other() {
    let Some(pair) = pair(&[("BRIDGE_ROTATION_GRACE", "0")]).await else {
        return;
    };
    let (_, first) = login(&pair.a).await;
    let restored = restore(&pair.a, &first).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);
    let second = restored.json()["new_token"]
        .as_str()
        .expect("successor")
        .to_owned();

    let again = restore(&pair.b, &second).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "b accepts the successor a issued: {}",
        again.text
    );
    let replayed = restore(&pair.b, &first).await;
    assert_eq!(
        replayed.status,
        StatusCode::UNAUTHORIZED,
        "b refuses the token a rotated away"
    );
}

/// Polls `server` until `cookie` no longer signs anyone in at acme; the time it took.
async fn refused_after(
    server: &ServerProcess,
    cookie: &str,
    since: Instant,
    give_up: Duration,
) -> Duration {
    delay_until(since, give_up, "still signed in", async || {
        let me = server
            .call("acme", "/api/auth/me", Some(cookie), None)
            .await;
        me.json()["authenticated"] != true
    })
    .await
}

/// Polls `done` every 2 ms until it holds; the time since `since`. Fails
/// with `still` once `give_up` has passed.
async fn delay_until(
    since: Instant,
    give_up: Duration,
    still: &str,
    mut done: impl AsyncFnMut() -> bool,
) -> Duration {
    while !done().await {
        assert!(
            since.elapsed() < give_up,
            "{still} after {:?}",
            since.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    since.elapsed()
}

/// Signs acme's admin in at `server`; the session cookie.
async fn sign_in(server: &ServerProcess) -> String {
    let body = json!({"email": "admin@acme.test", "password": PASSWORD});
    server
        .call("acme", "/api/auth/login", None, Some(&body))
        .await
        .cookie("acme")
        .expect("signed in")
}

/// Each process caches the sessions it serves (a second at most); a
/// revocation at one reaches the other through PostgreSQL NOTIFY (and Redis
/// where sessions live there) well before that.
#[tokio::test]
async fn a_revocation_at_one_process_is_refused_at_the_other_within_100_ms() {
    for driver in ["database", "redis"] {
        let Some(pair) = pair(&[("SESSION_DRIVER", driver)]).await else {
            return;
        };
        let cookie = sign_in(&pair.a).await;
        // B serves it (and now holds it in its cache).
        assert_eq!(
            pair.b
                .call("acme", "/api/auth/me", Some(&cookie), None)
                .await
                .json()["authenticated"],
            true
        );
        let logout = Instant::now();
        assert_eq!(
            pair.a
                .call("acme", "/api/auth/logout", Some(&cookie), Some(&json!({})))
                .await
                .status,
            StatusCode::OK
        );
        let delay = refused_after(&pair.b, &cookie, logout, Duration::from_secs(2)).await;
        eprintln!("{driver} driver: a logout at A refused at B after {delay:?}");
        assert!(delay < Duration::from_millis(100), "{driver}: {delay:?}");
    }
}

#[tokio::test]
async fn a_demoted_admin_is_refused_at_the_other_process_within_100_ms() {
    let Some(pair) = pair(&[("SESSION_DRIVER", "database")]).await else {
        return;
    };
    let admin = sign_in(&pair.a).await;
    let second = json!({"email": "bob@acme.test", "password": PASSWORD, "name": "Bob"});
    let bob = pair
        .a
        .call("acme", "/api/auth/register", None, Some(&second))
        .await
        .cookie("acme")
        .expect("bob");
    let promote = json!({"user_id": 2, "role": "admin"});
    assert_eq!(
        pair.a
            .call(
                "acme",
                "/api/admin/users/role",
                Some(&admin),
                Some(&promote)
            )
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        pair.b
            .call("acme", "/api/admin/users", Some(&bob), None)
            .await
            .status,
        StatusCode::OK,
        "cached at B as an admin"
    );
    let demoted = Instant::now();
    let demote = json!({"user_id": 2, "role": "member"});
    assert_eq!(
        pair.a
            .call("acme", "/api/admin/users/role", Some(&admin), Some(&demote))
            .await
            .status,
        StatusCode::OK
    );
    let delay = delay_until(
        demoted,
        Duration::from_secs(2),
        "still an admin at B",
        async || {
            let users = pair
                .b
                .call("acme", "/api/admin/users", Some(&bob), None)
                .await;
            users.status == StatusCode::FORBIDDEN
        },
    )
    .await;
    eprintln!("a demotion at A refused at B after {delay:?}");
    assert!(delay < Duration::from_millis(100), "{delay:?}");
}

/// A revocation nobody announces (the row deleted behind every process's
/// back: no NOTIFY, no PUBLISH) is honoured by B's cache, but no longer than
/// its one-second life. With a longer TTL this fails.
#[tokio::test]
async fn an_unannounced_revocation_outlives_the_cache_by_at_most_its_ttl() {
    let Some(pair) = pair(&[("SESSION_DRIVER", "database")]).await else {
        return;
    };
    let cookie = sign_in(&pair.a).await;
    let me_at_b = async || {
        pair.b
            .call("acme", "/api/auth/me", Some(&cookie), None)
            .await
            .json()["authenticated"]
            == true
    };
    assert!(me_at_b().await, "B serves it, and caches it");
    let mut admin = sqlx::PgConnection::connect(&pair._db.url)
        .await
        .expect("admin connection");
    sqlx::query("DELETE FROM \"tenant_acme\".\"sessions\"")
        .execute(&mut admin)
        .await
        .expect("deleted");
    let revoked = Instant::now();
    assert!(
        me_at_b().await,
        "B heard nothing and answered from its cache (else this test shows nothing)"
    );
    let delay = refused_after(&pair.b, &cookie, revoked, Duration::from_secs(3)).await;
    eprintln!("an unannounced revocation refused at B after {delay:?}");
    assert!(
        delay <= Duration::from_millis(1_100),
        "{delay:?} is beyond the cache's one second"
    );
}
