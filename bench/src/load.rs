//! The load generator: keep-alive HTTP/1.1 connections from loopback, each
//! sending one prepared request as fast as the server answers and checking
//! every answer, so a fast wrong answer never counts as throughput.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rand::Rng;
use tokio::net::TcpStream;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("http: {0}")]
    Http(#[from] hyper::Error),
    #[error("bad request: {0}")]
    Request(#[from] http::Error),
}

/// One request to send, and what its answer must be.
#[derive(Debug, Clone)]
pub struct Probe {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: StatusCode,
    /// Every one of these must appear in the body (the tenant and user it is for).
    pub expect: Vec<String>,
}

impl Probe {
    pub fn get(host: &str, path: &str) -> Self {
        Self::new(Method::GET, host, path, Bytes::new())
    }

    pub fn post_json(host: &str, path: &str, body: &serde_json::Value) -> Self {
        let mut probe = Self::new(Method::POST, host, path, Bytes::from(body.to_string()));
        probe.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        // As the page's own script sends it (cookie-bearing POSTs must say).
        probe
            .headers
            .insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        probe
    }

    /// An empty url-encoded POST (a server function with no arguments).
    pub fn post_form(host: &str, path: &str) -> Self {
        let mut probe = Self::new(Method::POST, host, path, Bytes::new());
        probe.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        probe
    }

    fn new(method: Method, host: &str, path: &str, body: Bytes) -> Self {
        let mut headers = HeaderMap::new();
        if let Ok(host) = HeaderValue::from_str(host) {
            headers.insert(header::HOST, host);
        }
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        Self {
            method,
            path: path.to_owned(),
            headers,
            body,
            status: StatusCode::OK,
            expect: Vec::new(),
        }
    }

    pub fn with_cookie(mut self, cookie: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            self.headers.insert(header::COOKIE, value);
        }
        self
    }

    pub fn expecting(mut self, texts: impl IntoIterator<Item = String>) -> Self {
        self.expect.extend(texts);
        self
    }

    fn request(&self) -> Result<http::Request<Full<Bytes>>, http::Error> {
        let mut request = http::Request::builder()
            .method(self.method.clone())
            .uri(&self.path)
            .body(Full::new(self.body.clone()))?;
        *request.headers_mut() = self.headers.clone();
        Ok(request)
    }

    /// Whether an answer is the one this probe is for.
    pub fn accepts(&self, answer: &Answer) -> Verdict {
        if answer.status != self.status {
            return Verdict::Failed;
        }
        let all_there = self
            .expect
            .iter()
            .all(|text| memchr::memmem::find(&answer.body, text.as_bytes()).is_some());
        if all_there {
            Verdict::Right
        } else {
            Verdict::Wrong
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Right,
    /// The expected status, but not the expected tenant's user in it.
    Wrong,
    /// Another status, or no answer at all.
    Failed,
}

#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// `name=value` of the first Set-Cookie whose name contains `part`.
    pub fn cookie(&self, part: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .into_iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| {
                pair.split_once('=')
                    .is_some_and(|(name, value)| name.contains(part) && !value.is_empty())
            })
            .map(str::to_owned)
    }
}

/// One keep-alive connection.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Self, LoadError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|source| LoadError::Connect { addr, source })?;
        stream
            .set_nodelay(true)
            .map_err(|source| LoadError::Connect { addr, source })?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self { sender })
    }

    pub async fn send(&mut self, probe: &Probe) -> Result<Answer, LoadError> {
        self.sender.ready().await?;
        let response = self.sender.send_request(probe.request()?).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// What a run saw: every answer's latency and how many were right.
#[derive(Debug, Default)]
pub struct Outcome {
    pub latencies_us: Vec<u32>,
    pub right: u64,
    pub wrong: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn record(&mut self, started: Instant, verdict: Verdict) {
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(micros);
        match verdict {
            Verdict::Right => self.right += 1,
            Verdict::Wrong => self.wrong += 1,
            Verdict::Failed => self.failed += 1,
        }
    }

    /// Answers per second over the run's time.
    pub fn per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        let answers = self.right + self.wrong + self.failed;
        if seconds > 0.0 {
            answers as f64 / seconds
        } else {
            0.0
        }
    }

    pub fn absorb(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.right += other.right;
        self.wrong += other.wrong;
        self.failed += other.failed;
        self.elapsed += other.elapsed;
    }
}

/// Which probe each request of a run sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Connection `i` sends `probes[i % n]` until the deadline: each
    /// connection is one tenant's one user.
    PerConnection,
    /// Every request a random probe, until the deadline.
    Random,
    /// Each probe exactly once, shared out among the connections, in order.
    EachOnce,
}

/// Drives `connections` keep-alive connections until `duration` is up (or,
/// for `Mix::EachOnce`, until every probe was sent).
pub async fn run(
    addr: SocketAddr,
    probes: &[Probe],
    mix: Mix,
    connections: usize,
    duration: Duration,
) -> Outcome {
    let started = Instant::now();
    let plan = Arc::new(Plan {
        probes: probes.to_vec(),
        mix,
        deadline: started + duration,
        next: AtomicUsize::new(0),
    });
    let workers: Vec<_> = (0..connections)
        .map(|i| tokio::spawn(drive(addr, Arc::clone(&plan), i)))
        .collect();
    let mut outcome = Outcome::default();
    for worker in workers {
        match worker.await {
            Ok(part) => outcome.absorb(part),
            Err(_) => outcome.failed += 1,
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}

struct Plan {
    probes: Vec<Probe>,
    mix: Mix,
    deadline: Instant,
    next: AtomicUsize,
}

impl Plan {
    /// The probe connection `i` sends next; None when it is done.
    fn next(&self, i: usize) -> Option<&Probe> {
        match self.mix {
            _ if self.probes.is_empty() => None,
            Mix::EachOnce => self.probes.get(self.next.fetch_add(1, Ordering::Relaxed)),
            _ if Instant::now() >= self.deadline => None,
            Mix::PerConnection => self.probes.get(i % self.probes.len()),
            Mix::Random => self
                .probes
                .get(rand::thread_rng().gen_range(0..self.probes.len())),
        }
    }
}

async fn drive(addr: SocketAddr, plan: Arc<Plan>, i: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let mut connection = None;
    while let Some(probe) = plan.next(i) {
        let started = Instant::now();
        if connection.is_none() {
            connection = Connection::open(addr).await.ok();
        }
        let Some(open) = connection.as_mut() else {
            outcome.record(started, Verdict::Failed);
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        match open.send(probe).await {
            Ok(answer) => outcome.record(started, probe.accepts(&answer)),
            Err(_) => {
                connection = None;
                outcome.record(started, Verdict::Failed);
            }
        }
    }
    outcome
}
