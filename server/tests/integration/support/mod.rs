//! A real Tessera server on a random port with its own data directory,
//! driven over HTTP as a browser or API client would.

pub mod authenticator;
pub mod backends;
pub mod bridge;
pub mod process;

use std::{net::SocketAddr, sync::Arc};

use leptos::prelude::LeptosOptions;
use reqwest::{header, Client, RequestBuilder, Response, StatusCode};
use sea_query::{Expr, IntoIden, Query, Table};
use serde_json::{json, Value};
use tempfile::TempDir;
use tessera_backend::{
    clock::ManualClock,
    db::{schema::Sessions, Scope},
    platform::NewAdmin,
    sessions::TenantStore,
    settings::Key,
    tenancy::{directory::Editor, Slug, TenantHandle},
    Config, Platform,
};
use tessera_server::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const DOMAIN: &str = "localhost";
pub const PASSWORD: &str = "correct horse battery";

/// How long any request of a test may take: a hang fails the test that
/// made it, under its own name, instead of the whole binary's watchdog.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub struct TestApp {
    pub port: u16,
    pub platform: Arc<Platform>,
    pub data_dir: TempDir,
    pub backend: Backend,
    /// The server's clock: it runs with the system, and a test moves it
    /// forward instead of sleeping through a window.
    pub clock: ManualClock,
    /// Where its tenants keep bridge tokens (`BRIDGE_STORAGE`).
    pub storage: bridge::Storage,
    server: tokio::task::JoinHandle<()>,
    database: Option<Arc<backends::TestDatabase>>,
}

/// Where a test app keeps its central and tenant data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// An admin URL; the app gets a fresh database on that server.
    Postgres(String),
}

/// SQLite, plus PostgreSQL when TESSERA_TEST_POSTGRES_URL is set.
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    all.extend(backends::postgres_url().map(Backend::Postgres));
    all
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// A server on SQLite with two empty tenants, acme and globex.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// The same, with extra environment settings (`TENANCY_*`, `SESSION_*`).
    pub async fn spawn_with(env: &[(&str, &str)]) -> Self {
        Self::spawn_on(&Backend::Sqlite, env).await
    }

    /// A server on the given backend with tenants acme and globex.
    pub async fn spawn_on(backend: &Backend, env: &[(&str, &str)]) -> Self {
        watchdog();
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(admin) => Some(Arc::new(backends::TestDatabase::create(admin).await)),
        };
        let app = Self::start(
            tempfile::tempdir().expect("temp dir"),
            backend.clone(),
            database,
            env,
        )
        .await;
        for slug in ["acme", "globex"] {
            app.create_tenant(slug, None).await;
        }
        app
    }

    /// Starts another server on this one's data (a second process, or a restart).
    pub async fn sibling(&self, env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::TempDir::with_prefix("unused").expect("temp dir");
        let mut vars = vec![(
            "TESSERA_DATA_DIR",
            self.data_dir.path().to_str().unwrap_or_default(),
        )];
        vars.extend_from_slice(env);
        Self::start(data_dir, self.backend.clone(), self.database.clone(), &vars).await
    }

    async fn start(
        data_dir: TempDir,
        backend: Backend,
        database: Option<Arc<backends::TestDatabase>>,
        env: &[(&str, &str)],
    ) -> Self {
        let dir = data_dir.path().display().to_string();
        let mut vars: Vec<(String, String)> = vec![
            ("TESSERA_DATA_DIR".into(), dir),
            ("TESSERA_DOMAIN".into(), DOMAIN.into()),
            ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ];
        if let Some(db) = &database {
            vars.push(("DATABASE_URL".into(), db.url.clone()));
        }
        vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let storage = bridge::Storage::of_env(&vars);
        // Later entries win, so callers can override the defaults above.
        let config = Config::from_lookup(|key| {
            vars.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        })
        .expect("valid test configuration");
        // The site's files, as `cargo leptos build` would leave them.
        let site = data_dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("site dir");
        std::fs::write(site.join("pkg/tessera.css"), "body { margin: 0 }\n").expect("stylesheet");
        // And a script with the copies `cargo leptos build --precompress`
        // leaves beside it (the contents only need to tell them apart).
        for (name, contents) in [
            ("tessera.js", "export function hydrate() {}\n"),
            ("tessera.js.br", "brotli"),
            ("tessera.js.gz", "gzip"),
        ] {
            std::fs::write(site.join("pkg").join(name), contents).expect("script");
        }
        std::fs::write(
            site.join("favicon.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        )
        .expect("favicon");
        let leptos = LeptosOptions::builder()
            .output_name("tessera")
            .site_root(site.display().to_string())
            .build();
        let clock = ManualClock::new();
        let app = Application::build(config, leptos, clock.clone().into())
            .await
            .expect("application starts");
        let port = app.port();
        let platform = app.platform();
        let server = tokio::spawn(async move {
            app.run_until_stopped().await.expect("server runs");
        });
        Self {
            port,
            platform,
            data_dir,
            backend,
            clock,
            storage,
            server,
            database,
        }
    }

    pub async fn create_tenant(&self, slug: &str, admin_email: Option<&str>) {
        let slug = Slug::parse(slug).expect("valid slug");
        let admin = admin_email.map(|email| NewAdmin {
            email: email.into(),
            password: PASSWORD.into(),
            name: "Admin".into(),
        });
        self.platform
            .provision(&slug, slug.as_str(), admin)
            .await
            .expect("tenant provisioned");
    }

    pub fn domain(&self) -> &str {
        self.platform.config.domain.as_str()
    }

    pub fn host(&self, tenant: Option<&str>) -> String {
        match tenant {
            Some(slug) => format!("{slug}.{}:{}", self.domain(), self.port),
            None => format!("{}:{}", self.domain(), self.port),
        }
    }

    pub fn url(&self, tenant: Option<&str>, path: &str) -> String {
        format!("http://{}{path}", self.host(tenant))
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// A client builder that reaches this app's sites (for one with other settings).
    pub fn builder(&self, slugs: &[&str]) -> reqwest::ClientBuilder {
        let domain = self.domain();
        let mut builder = Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .resolve(domain, self.addr());
        for slug in ["acme", "globex", "initech", "umbrella"]
            .iter()
            .chain(slugs)
        {
            builder = builder.resolve(&format!("{slug}.{domain}"), self.addr());
        }
        builder
    }

    /// A client that keeps cookies per host, like one browser — and, like
    /// one, says its requests come from the page's own origin.
    pub fn browser(&self) -> Client {
        let mut same_origin = header::HeaderMap::new();
        same_origin.insert(
            "sec-fetch-site",
            header::HeaderValue::from_static("same-origin"),
        );
        self.builder(&[])
            .cookie_store(true)
            .default_headers(same_origin)
            .build()
            .expect("client")
    }

    /// A client without a cookie jar: every cookie is sent by hand.
    pub fn raw(&self) -> Client {
        self.raw_for(&[])
    }

    /// The same, also reaching these tenants' subdomains.
    pub fn raw_for(&self, slugs: &[&str]) -> Client {
        self.builder(slugs).build().expect("client")
    }

    /// Sends raw bytes, for requests no HTTP client would build, and returns
    /// the whole answer (the request should ask for `Connection: close`).
    pub async fn raw_http(&self, request: &[u8]) -> String {
        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(self.addr())
                .await
                .expect("connect");
            stream.write_all(request).await.expect("write");
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.expect("read");
            response
        };
        let response = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .expect("a raw request answered within the request timeout");
        String::from_utf8_lossy(&response).into_owned()
    }

    /// The status code of a raw request's answer.
    pub async fn raw_status(&self, request: &[u8]) -> u16 {
        let answer = self.raw_http(request).await;
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok());
        status.unwrap_or_else(|| panic!("no status in {:?}", answer.lines().next()))
    }

    /// POSTs a JSON body to a site (None: the central domain).
    pub async fn post(
        &self,
        client: &Client,
        tenant: Option<&str>,
        path: &str,
        body: &Value,
    ) -> Response {
        client
            .post(self.url(tenant, path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    /// A JSON call at acme with a session cookie: a GET, or a same-origin
    /// POST of `body`; the status and the JSON answer (null if none).
    pub async fn call_as(
        &self,
        cookie: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let url = self.url(Some("acme"), path);
        let request = match body {
            None => self.raw().get(url),
            Some(body) => self
                .raw()
                .post(url)
                .json(&body)
                .header("sec-fetch-site", "same-origin"),
        };
        let response = request
            .header(header::COOKIE, cookie)
            .send()
            .await
            .expect("sent");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers at a tenant through the JSON API.
    pub async fn register(&self, client: &Client, tenant: &str, email: &str) -> Response {
        let body = json!({"email": email, "password": PASSWORD, "name": "Test User"});
        self.post(client, Some(tenant), "/api/auth/register", &body)
            .await
    }

    pub async fn login(
        &self,
        client: &Client,
        tenant: &str,
        email: &str,
        password: &str,
    ) -> Response {
        self.post(
            client,
            Some(tenant),
            "/api/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// A plain form post, as a browser sends one without JavaScript: it
    /// asks for HTML, names the page it came from and comes from this site.
    pub fn form_post(
        &self,
        tenant: Option<&str>,
        path: &str,
        referer: &str,
        fields: &[(&str, &str)],
    ) -> RequestBuilder {
        self.raw()
            .post(self.url(tenant, path))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, referer)
            .header("origin", self.url(tenant, ""))
            .form(fields)
    }

    /// A page's HTML for the holder of `cookie` (a `Cookie` header value).
    pub async fn page_as(&self, tenant: &str, path: &str, cookie: &str) -> String {
        let request = self.raw().get(self.url(Some(tenant), path));
        text_of(request.header(header::COOKIE, cookie)).await
    }

    /// A page's HTML as `client` gets it.
    pub async fn html(&self, client: &Client, tenant: Option<&str>, path: &str) -> String {
        text_of(client.get(self.url(tenant, path))).await
    }

    /// `POST /api/session-bridge/restore` with `token`, from a fresh client
    /// (no session cookie: as a browser after the server's sessions were
    /// wiped), presenting it as this app's `bridge.storage` has browsers do.
    pub async fn restore(&self, tenant: &str, token: &str) -> Response {
        let request = self
            .raw()
            .post(self.url(Some(tenant), "/api/session-bridge/restore"));
        self.storage
            .present(request, tenant, Some(token), None, json!({}))
            .send()
            .await
            .expect("request sent")
    }

    /// Changes a tenant's settings as the operator would.
    pub async fn save_setting(&self, tenant: &str, key: Key, value: &str) {
        self.platform
            .save_settings(
                &Slug::parse(tenant).expect("slug"),
                &[(key, value.to_owned())],
                Editor::Operator,
            )
            .await
            .expect("saved");
    }

    /// The bridge token an answer handed over in `field` (`bridge_token`,
    /// `new_token`, `token`), wherever this app's mode puts it.
    pub fn handed(
        &self,
        tenant: &str,
        headers: &header::HeaderMap,
        body: &Value,
        field: &str,
    ) -> Option<String> {
        self.storage.handed(tenant, headers, body, field)
    }

    /// Whether `token` restores a session at `tenant`.
    pub async fn restores(&self, tenant: &str, token: &str) -> bool {
        let reply: Value = self
            .restore(tenant, token)
            .await
            .json()
            .await
            .unwrap_or(Value::Null);
        reply["success"] == true
    }

    /// A tenant's directory entry, as a request there gets it.
    pub async fn handle(&self, tenant: &str) -> Arc<TenantHandle> {
        self.platform
            .directory
            .resolve(&Slug::parse(tenant).expect("slug"))
            .await
            .expect("resolved")
            .expect("the tenant exists")
    }

    /// A tenant's session store, ids hashed with the primary key.
    pub async fn session_store(&self, tenant: &str) -> TenantStore {
        let handle = self.handle(tenant).await;
        let ring = self.platform.keys.ring().await;
        self.platform
            .session_store(&handle, &ring, ring.primary())
            .expect("store")
    }

    pub async fn me(&self, client: &Client, tenant: &str) -> (StatusCode, Value) {
        me_with(client, &self.url(Some(tenant), "/api/auth/me"), None).await
    }

    /// `GET /api/auth/me` at `tenant` presenting exactly this Cookie header.
    pub async fn me_with_cookie(&self, tenant: &str, cookie: &str) -> (StatusCode, Value) {
        me_with(
            &self.raw(),
            &self.url(Some(tenant), "/api/auth/me"),
            Some(cookie),
        )
        .await
    }

    /// A tenant's own database.
    pub async fn tenant_db(&self, tenant: &str) -> Scope {
        let slug = Slug::parse(tenant).expect("valid slug");
        let tenant = self
            .platform
            .directory
            .get(&slug)
            .await
            .expect("tenant exists");
        self.platform
            .directory
            .db(&tenant)
            .await
            .expect("tenant database")
    }

    /// Rows in a tenant database's sessions table.
    pub async fn session_rows(&self, tenant: &str) -> i64 {
        count_sessions(&self.tenant_db(tenant).await).await
    }

    /// Rows in the central (shared) sessions table.
    pub async fn central_session_rows(&self) -> i64 {
        count_sessions(self.platform.directory.central().scope()).await
    }

    /// Drops a tenant's sessions table, as an old or damaged database would lack it.
    pub async fn drop_sessions_table(&self, tenant: &str) {
        let db = self.tenant_db(tenant).await;
        db.execute_schema(&Table::drop().table(db.table(Sessions::Table)).to_owned())
            .await
            .expect("dropped");
    }
}

async fn count_sessions(db: &Scope) -> i64 {
    count_rows(db, Sessions::Table, None).await
}

/// Rows of a table (matching `filter`, if given), as an attacker with a copy
/// of the database would count them.
pub async fn count_rows(db: &Scope, table: impl IntoIden, filter: Option<Expr>) -> i64 {
    let mut query = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(db.table(table))
        .to_owned();
    if let Some(filter) = filter {
        query.and_where(filter);
    }
    let (count,): (i64,) = db.fetch_one(&query).await.expect("count");
    count
}

async fn me_with(client: &Client, url: &str, cookie: Option<&str>) -> (StatusCode, Value) {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `name=value` of a response's session cookie, if it set one.
/// Where a redirect sends the browser.
pub fn location(response: &Response) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .expect("an ASCII Location")
        .to_owned()
}

pub fn session_cookie(response: &Response, tenant: &str) -> Option<String> {
    session_cookie_in(response.headers(), tenant)
}

pub fn session_cookie_in(headers: &header::HeaderMap, tenant: &str) -> Option<String> {
    cookie_set_in(headers, &format!("tenant_{tenant}_session"))
}

/// The cookie `name` an answer set, as `name=value` (not one it expired).
pub fn cookie_set_in(headers: &header::HeaderMap, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&prefix) && !v.contains("Max-Age=0"))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// The value part of a `name=value` cookie.
/// Every Set-Cookie of an answer.
pub fn set_cookies(headers: &header::HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

pub fn value_of(cookie: &str) -> &str {
    cookie.split_once('=').map_or("", |(_, v)| v)
}

/// The whole binary takes well under a minute. A test that hangs (a request
/// never answered) would otherwise hold CI until its own limit, and SIGTERM
/// cannot stop it (the in-process servers handle that signal to shut down
/// gracefully): past this much time the process says so and aborts.
const WHOLE_RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(8 * 60);

fn watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            std::thread::sleep(WHOLE_RUN_LIMIT);
            eprintln!(
                "integration tests still running after {} s: a test hangs; aborting",
                WHOLE_RUN_LIMIT.as_secs()
            );
            std::process::abort();
        });
    });
}

/// The body of the answer to `request`, as text.
async fn text_of(request: RequestBuilder) -> String {
    request
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text")
}
