//! The real `tessera` binary as a child process: for what only a separate
//! process can show (scale-out, `kill -9`, what ends up in its logs).

use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct ServerProcess {
    child: Child,
    pub port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
}

/// A loopback port nobody listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl ServerProcess {
    /// `tessera serve` on a free port with this environment, its output
    /// appended to `log`; returns once it accepts connections.
    pub fn start(env: &[(&str, &str)], log: &Path) -> Self {
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Self::start_on(free_port(), env, log.to_owned())
    }

    fn start_on(port: u16, mut env: Vec<(String, String)>, log: PathBuf) -> Self {
        env.retain(|(k, _)| k != "LEPTOS_SITE_ADDR");
        env.push(("LEPTOS_SITE_ADDR".into(), format!("127.0.0.1:{port}")));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .arg("serve")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_OUTPUT_NAME", "tessera")
            .current_dir(env!("CARGO_MANIFEST_DIR").to_owned() + "/..")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .spawn()
            .expect("tessera starts");
        let mut server = Self {
            child,
            port,
            env,
            log,
        };
        server.wait_listening();
        server
    }

    fn wait_listening(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(addr).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tessera exited ({status}) before listening:\n{}",
                    self.log_text()
                );
            }
            assert!(
                Instant::now() < deadline,
                "tessera did not listen within 30 s:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no shutdown, no flush, whatever was in flight is cut off.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, as a service manager stops it; waits up to 10 s for the exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM not delivered");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("waits") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "tessera did not stop within 10 s of SIGTERM:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Starts the same server again on the same port and data.
    pub fn restart(mut self) -> Self {
        self.kill9();
        let (port, env, log) = (self.port, std::mem::take(&mut self.env), self.log.clone());
        drop(self);
        Self::start_on(port, env, log)
    }

    /// Everything the process wrote so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An answer, read whole.
pub struct Reply {
    pub status: reqwest::StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null)
    }

    pub fn cookie(&self, tenant: &str) -> Option<String> {
        super::session_cookie_in(&self.headers, tenant)
    }
}

impl ServerProcess {
    /// One request to `tenant`, with this Cookie header and JSON body (POST) or none (GET).
    pub async fn call(
        &self,
        tenant: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Reply {
        self.try_call(tenant, path, cookie, body)
            .await
            .expect("request answered")
    }

    /// Signs `email` in at `tenant` with the shared test password.
    pub async fn sign_in(&self, tenant: &str, email: &str) -> Reply {
        let login = serde_json::json!({"email": email, "password": super::PASSWORD});
        self.call(tenant, "/api/auth/login", None, Some(&login))
            .await
    }

    /// The same; None when the server did not answer (it died, say).
    pub async fn try_call(
        &self,
        tenant: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Option<Reply> {
        self.call_host(&format!("{tenant}.localhost"), path, cookie, body)
            .await
    }

    /// A POST of `body` to `tenant` that owns what it needs, to run as a
    /// task of its own; None when the server did not answer.
    pub fn call_owned(
        &self,
        tenant: &str,
        path: &str,
        body: serde_json::Value,
    ) -> impl std::future::Future<Output = Option<Reply>> + Send + 'static {
        let (port, host, path) = (self.port, format!("{tenant}.localhost"), path.to_owned());
        async move { exchange(port, &host, &path, None, Some(&body)).await }
    }

    /// A POST (JSON) or GET to the central site.
    pub async fn call_central(&self, path: &str, body: Option<&serde_json::Value>) -> Reply {
        self.call_host("localhost", path, None, body)
            .await
            .expect("request answered")
    }

    async fn call_host(
        &self,
        host: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Option<Reply> {
        exchange(self.port, host, path, cookie, body).await
    }
}

/// One request to `host` on the server at `port`, as a browser on the
/// page's own origin would send it; None when nothing answered.
async fn exchange(
    port: u16,
    host: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Option<Reply> {
    let client = reqwest::Client::builder()
        .timeout(super::REQUEST_TIMEOUT)
        .resolve(host, SocketAddr::from(([127, 0, 0, 1], port)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let url = format!("http://{host}:{port}{path}");
    let mut request = match body {
        Some(body) => client
            .post(url)
            .json(body)
            .header("sec-fetch-site", "same-origin"),
        None => client.get(url),
    };
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    let response = request.send().await.ok()?;
    let (status, headers) = (response.status(), response.headers().clone());
    Some(Reply {
        status,
        headers,
        text: response.text().await.ok()?,
    })
}

/// Creates tenant acme with `admin` as its admin (password `PASSWORD`), as an operator would.
pub fn create_acme(env: &[(&str, &str)], admin: &str) {
    cli(
        env,
        &[
            "tenant",
            "create",
            "acme",
            "--admin-email",
            admin,
            "--admin-password",
            super::PASSWORD,
        ],
    );
}

/// Runs a one-shot `tessera` command (say, `tenant create`) with this environment.
pub fn cli(env: &[(&str, &str)], args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("tessera runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "tessera {args:?} failed:\n{text}");
    text
}
