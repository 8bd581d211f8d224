//! What an attacker or a broken client sends: bad Host headers, junk and
//! oversized cookies, malformed JSON, huge bodies, traversal, SQL
//! metacharacters, look-alike characters. Every one is a clear 4xx (or,
//! where ignoring it is the right answer, an ordinary anonymous 200): never
//! a 5xx, never a crash.

use crate::support::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Signs up a workspace with this slug on the central site.
async fn workspace_signup(app: &TestApp, slug: &str) -> StatusCode {
    let body = json!({"slug": slug, "name": "X", "admin_name": "A", "admin_email": "a@x.test", "admin_password": PASSWORD});
    app.post(&app.raw(), None, "/api/workspaces", &body)
        .await
        .status()
}

fn get_with_host(host: &[u8]) -> Vec<u8> {
    [
        b"GET /api/auth/me HTTP/1.1\r\nHost: ".as_slice(),
        host,
        b"\r\nConnection: close\r\n\r\n",
    ]
    .concat()
}

#[tokio::test]
async fn malformed_and_oversized_hosts_are_4xx() {
    let app = TestApp::spawn().await;
    let long = format!("{}.localhost", "a".repeat(5000));
    let cases: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"acme..localhost".to_vec(),
        b"-acme.localhost".to_vec(),
        b"acme.localhost:99999".to_vec(),
        b"acme.localhost:port".to_vec(),
        b"../../etc.localhost".to_vec(),
        b"acme%2e.localhost".to_vec(),
        b"acme.localhost.evil.test".to_vec(),
        b"[::1".to_vec(),
        long.into_bytes(),
        "\u{430}cme.localhost".as_bytes().to_vec(), // Cyrillic а
        b"\xff\xfe.localhost".to_vec(),
        b"acme.localhost\x00".to_vec(),
    ];
    for host in cases {
        let status = app.raw_status(&get_with_host(&host)).await;
        assert!(
            (400..500).contains(&status),
            "Host {:?} got {status}",
            String::from_utf8_lossy(&host)
        );
    }
    let missing = app
        .raw_status(b"GET /api/auth/me HTTP/1.1\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(missing, 400, "HTTP/1.1 without Host");
    let twice = app.raw_status(b"GET /api/auth/me HTTP/1.1\r\nHost: acme.localhost\r\nHost: globex.localhost\r\nConnection: close\r\n\r\n").await;
    assert!((200..500).contains(&twice), "two Hosts got {twice}");
}

#[tokio::test]
async fn junk_duplicate_and_oversized_cookies_never_fail_the_server() {
    let app = TestApp::spawn().await;
    let client = app.browser();
    app.register(&client, "acme", "ada@acme.test").await;
    let valid = crate::support::session_cookie(
        &app.login(&app.raw(), "acme", "ada@acme.test", PASSWORD)
            .await,
        "acme",
    )
    .expect("cookie");
    let name = valid.split('=').next().unwrap_or_default().to_owned();

    for cookie in [
        format!("{name}=garbage"),
        format!("{name}="),
        format!("{name}=\"\""),
        format!("{name}=a.b.c.d.e"),
        format!("{name}={}", "A".repeat(4000)),
        format!("{name}=%00%ff; {name}=;;;;=="),
        "=; ; =x; ==; ;".to_owned(),
    ] {
        let (status, me) = app.me_with_cookie("acme", &cookie).await;
        assert_eq!(status, StatusCode::OK, "{cookie:?}: {me}");
        assert_eq!(me["authenticated"], false, "{cookie:?} signs nobody in");
    }
    // A junk duplicate next to the real cookie does not shadow it.
    let (_, me) = app
        .me_with_cookie("acme", &format!("{name}=junk; {valid}"))
        .await;
    assert_eq!(me["user"]["email"], "ada@acme.test");

    let huge = format!("{name}={}", "A".repeat(200_000));
    let request = format!("GET /api/auth/me HTTP/1.1\r\nHost: acme.localhost\r\nCookie: {huge}\r\nConnection: close\r\n\r\n");
    let status = app.raw_status(request.as_bytes()).await;
    assert!((400..500).contains(&status), "a 200 kB cookie got {status}");
}

#[tokio::test]
async fn malformed_json_and_huge_bodies_are_4xx() {
    let app = TestApp::spawn().await;
    let client = app.raw();
    let url = app.url(Some("acme"), "/api/auth/login");
    for body in [
        "",
        "{",
        "[]",
        "null",
        "{\"email\": 5}",
        "{\"email\":\"a@b.c\"}",
        "\u{0}\u{1}",
        "{\"email\":\"a@b.c\",\"password\":{}}",
    ] {
        let response = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = response.status();
        assert!(status.is_client_error(), "{body:?} got {status}");
        let json: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            json["message"].is_string(),
            "{body:?}: a message says what is wrong: {json}"
        );
    }
    // The same endpoint posted as a form (the page before hydration).
    for body in [
        "",
        "email=a%ZZ",
        "email[=x&password=y",
        "email[a][b][c][d][e][f]=x&password=y",
        "email=a@b.c&password[x]=y",
        "\u{0}\u{1}",
        "%",
    ] {
        let response = client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app.url(Some("acme"), ""))
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = response.status();
        assert!(status.is_client_error(), "form {body:?} got {status}");
        let json: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            json["message"].is_string(),
            "form {body:?}: a message says what is wrong: {json}"
        );
    }
    let huge = format!(
        "{{\"email\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let response = client
        .post(&url)
        .header("content-type", "application/json")
        .body(huge.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Without a Content-Length (chunked), the limit applies as it is read.
    let exchange = async {
        let mut stream = TcpStream::connect(("127.0.0.1", app.port))
            .await
            .expect("connect");
        let head = "POST /api/auth/login HTTP/1.1\r\nHost: acme.localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        for chunk in huge.as_bytes().chunks(64 * 1024) {
            // The server may answer and close before all of it is sent.
            if stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await
                .is_err()
                || stream.write_all(chunk).await.is_err()
                || stream.write_all(b"\r\n").await.is_err()
            {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        answer
    };
    let answer = tokio::time::timeout(crate::support::REQUEST_TIMEOUT, exchange)
        .await
        .expect("answered within the request timeout");
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "chunked 2 MB got {:?}",
        answer.lines().next()
    );
}

#[tokio::test]
async fn traversal_never_leaves_the_site() {
    let app = TestApp::spawn().await;
    for path in [
        "/pkg/../../Cargo.toml",
        "/pkg/..%2f..%2fCargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/../../../../etc/passwd",
    ] {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: acme.localhost\r\nConnection: close\r\n\r\n");
        let status = app.raw_status(request.as_bytes()).await;
        assert!((400..500).contains(&status), "{path} got {status}");
    }
    for slug in ["../acme", "acme/../globex", "..", "acme%00", "ac me"] {
        assert_eq!(
            workspace_signup(&app, slug).await,
            StatusCode::BAD_REQUEST,
            "slug {slug:?}"
        );
    }
}

#[tokio::test]
async fn sql_metacharacters_are_just_text() {
    let app = TestApp::spawn().await;
    let nasty = "x'; DROP TABLE users; --\"\\%_";
    let client = app.browser();
    let body = json!({"email": "o'brien+\"q\"@acme.test", "password": format!("{nasty}{nasty}"), "name": nasty});
    let registered = app
        .post(&client, Some("acme"), "/api/auth/register", &body)
        .await;
    assert_eq!(registered.status(), StatusCode::OK);
    let (_, me) = app.me(&client, "acme").await;
    assert_eq!(me["user"]["name"], nasty, "stored verbatim");

    for (email, password) in [
        (nasty, "whatever1"),
        ("' OR '1'='1@x.test", "' OR '1'='1"),
        ("a@acme.test", nasty),
    ] {
        let response = app.login(&app.raw(), "acme", email, password).await;
        assert!(
            response.status().is_client_error(),
            "{email:?} got {}",
            response.status()
        );
    }
    let response = app
        .post(&app.raw(), None, "/api/workspaces", &json!({"slug": "a'b", "name": nasty, "admin_name": nasty, "admin_email": "a@x.test", "admin_password": PASSWORD}))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let again = app
        .login(
            &app.raw(),
            "acme",
            "o'brien+\"q\"@acme.test",
            &format!("{nasty}{nasty}"),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK, "the users table is intact");
}

#[tokio::test]
async fn unicode_look_alikes_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.raw();
    for slug in ["\u{430}cme", "acm\u{435}", "ａcme", "acme\u{200b}"] {
        assert_eq!(
            workspace_signup(&app, slug).await,
            StatusCode::BAD_REQUEST,
            "slug {slug:?}"
        );
    }
    for email in [
        "ada@\u{430}cme.test",
        "\u{430}da@acme.test",
        "ada@acme.test\u{200b}",
    ] {
        let response = app.register(&client, "acme", email).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "email {email:?}"
        );
    }
}

/// An IDNA A-label looks like another name once a browser shows it as
/// Unicode (`xn--80ak6aa92e` as Cyrillic "аррӏе"): refused, saying why.
#[tokio::test]
async fn look_alike_workspace_addresses_are_refused_with_a_message() {
    let app = TestApp::spawn().await;
    for slug in ["xn--80ak6aa92e", "xn--acme", "ab--cd"] {
        let body = json!({"slug": slug, "name": "X", "admin_name": "A", "admin_email": "a@x.test", "admin_password": PASSWORD});
        let response = app.post(&app.raw(), None, "/api/workspaces", &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{slug}");
        let reply: Value = response.json().await.expect("json");
        assert!(
            reply["message"]
                .as_str()
                .is_some_and(|m| m.contains("look-alikes")),
            "{slug}: {reply}"
        );
    }
    let host = app.raw_status(b"GET /api/auth/me HTTP/1.1\r\nHost: xn--80ak6aa92e.localhost\r\nConnection: close\r\n\r\n").await;
    assert_eq!(host, 404, "no Host can name one either");
}
