//! Throughput: Tessera's authenticated pages and endpoints against a bare
//! axum hello, in interleaved rounds, then bridge restore latency at one
//! connection.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail};
use tessera_backend::tenancy::Slug;

use crate::{
    budget::Budget,
    fixture::{self, host, Account, Installation},
    load::{self, Connection, Mix, Outcome, Probe, Verdict},
    process::{free_addr, release_binary, CpuUse, Server},
    stats::{ms, Summary},
};

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Interleaved rounds per target.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// Seconds per target per round.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    pub connections: usize,
    /// Sequential bridge restores timed at one connection.
    #[arg(long, default_value_t = 1000)]
    pub restores: usize,
}

const TENANTS: usize = 4;
const USERS_PER_TENANT: usize = 4;

const DASHBOARD: &str = "signed in: SSR dashboard";
const ME: &str = "signed in: /api/auth/me";
const CHECK: &str = "signed in: /api/session-bridge/check";
const ME_POSTGRES: &str = "signed in: /api/auth/me (PostgreSQL)";
const BARE_PAGE: &str = "floor: bare Leptos SSR page";
const BARE_ISLANDS_PAGE: &str = "floor: bare Leptos islands page";
const SIGN_IN_PAGE: &str = "floor: Tessera SSR sign-in page, no session";
const BARE_FUNCTION: &str = "floor: bare Leptos server function";
const TESSERA_FUNCTION: &str = "floor: Tessera check, no session";

struct Target {
    name: &'static str,
    probes: Vec<Probe>,
    addr: SocketAddr,
    /// The server answering it, for its CPU use.
    server: usize,
    outcome: Outcome,
    cpu: CpuUse,
    /// Each round's rate: their spread says how far one run can be trusted
    /// on a shared machine.
    rounds: Vec<f64>,
}

impl Target {
    fn new(name: &'static str, server: usize, addr: SocketAddr, probes: Vec<Probe>) -> Self {
        Self {
            name,
            probes,
            addr,
            server,
            outcome: Outcome::default(),
            cpu: CpuUse::default(),
            rounds: Vec::new(),
        }
    }
}

/// A Tessera to measure: its installation, process, address and accounts.
struct Subject {
    installation: Installation,
    server: Server,
    addr: SocketAddr,
    accounts: Vec<Account>,
    restorer: Account,
}

async fn subject(installation: Installation, slugs: &[Slug]) -> anyhow::Result<Subject> {
    installation.provision(slugs, 2).await?;
    let (server, addr) = installation.serve().await?;
    let (accounts, restorer) = sign_up_everyone(addr, slugs).await?;
    Ok(Subject {
        installation,
        server,
        addr,
        accounts,
        restorer,
    })
}

/// A plain program (the baselines) on a free port.
async fn baseline(name: &str, log: &std::path::Path) -> anyhow::Result<(Server, SocketAddr)> {
    let addr = free_addr()?;
    Ok((
        Server::start(&release_binary(name), &[addr.to_string()], &[], addr, log).await?,
        addr,
    ))
}

pub async fn run(
    options: &Options,
    postgres_url: Option<&str>,
    budgets: &mut Vec<Budget>,
) -> anyhow::Result<()> {
    println!(
        "\n## Throughput (servers on core 0, load generator on core 1, {} connections)",
        options.connections
    );
    let slugs = fixture::slugs("tp", TENANTS)?;
    let sqlite = subject(Installation::sqlite(Vec::new())?, &slugs).await?;
    let (hello, hello_addr) = baseline("hello", &sqlite.installation.log("hello.log")).await?;
    let (bare, bare_addr) =
        baseline("bare-leptos", &sqlite.installation.log("bare-leptos.log")).await?;
    let postgres = match postgres_url {
        Some(url) => Some(subject(Installation::postgres(url, Vec::new()).await?, &slugs).await?),
        None => None,
    };
    // Servers by index: 0 hello, 1 bare Leptos, 2 Tessera on SQLite, 3 on PostgreSQL.
    let mut servers = vec![&hello, &bare, &sqlite.server];
    let at = sqlite.addr;
    let mut targets = vec![
        Target::new(
            "baseline: axum hello",
            0,
            hello_addr,
            vec![baseline_probe(hello_addr)],
        ),
        Target::new(BARE_PAGE, 1, bare_addr, vec![bare_page_probe(bare_addr)]),
        Target::new(
            BARE_ISLANDS_PAGE,
            1,
            bare_addr,
            vec![bare_islands_page_probe(bare_addr)],
        ),
        Target::new(
            BARE_FUNCTION,
            1,
            bare_addr,
            vec![bare_function_probe(bare_addr)],
        ),
        Target::new(
            SIGN_IN_PAGE,
            2,
            at,
            slugs.iter().map(|s| login_page_probe(s, at)).collect(),
        ),
        Target::new(
            TESSERA_FUNCTION,
            2,
            at,
            slugs.iter().map(|s| anonymous_check_probe(s, at)).collect(),
        ),
        Target::new(
            DASHBOARD,
            2,
            at,
            sqlite
                .accounts
                .iter()
                .map(|a| a.dashboard_probe(at))
                .collect(),
        ),
        Target::new(
            ME,
            2,
            at,
            sqlite.accounts.iter().map(|a| a.me_probe(at)).collect(),
        ),
        Target::new(
            CHECK,
            2,
            at,
            sqlite.accounts.iter().map(|a| a.check_probe(at)).collect(),
        ),
    ];
    if let Some(pg) = &postgres {
        servers.push(&pg.server);
        targets.push(Target::new(
            ME_POSTGRES,
            3,
            pg.addr,
            pg.accounts.iter().map(|a| a.me_probe(pg.addr)).collect(),
        ));
    }

    for target in &targets {
        load::run(
            target.addr,
            &target.probes,
            Mix::PerConnection,
            options.connections,
            Duration::from_secs(1),
        )
        .await;
    }
    let seconds = Duration::from_secs(options.seconds);
    let count = targets.len();
    for round in 0..options.rounds as usize {
        // Rotating the order spreads any drift (heat, caches) over every target.
        for i in 0..count {
            let target = &mut targets[(i + round) % count];
            let server = servers[target.server];
            let before = server.cpu();
            let outcome = load::run(
                target.addr,
                &target.probes,
                Mix::PerConnection,
                options.connections,
                seconds,
            )
            .await;
            target.cpu.add(server.cpu().since(before));
            target.rounds.push(outcome.per_second());
            println!(
                "  round {} {:<46} {:>9.0} req/s",
                round + 1,
                target.name,
                outcome.per_second()
            );
            target.outcome.absorb(outcome);
        }
    }

    let summaries: Vec<(&str, Summary, CpuUse, u64, String)> = targets
        .iter_mut()
        .map(|t| {
            let answers = t.outcome.right + t.outcome.wrong + t.outcome.failed;
            let spread = spread(&t.rounds);
            (
                t.name,
                Summary::of(&mut t.outcome),
                t.cpu,
                answers.max(1),
                spread,
            )
        })
        .collect();
    let baseline_rate = summaries[0].1.per_second;
    println!("\n| target | req/s | rounds (min–max) | p50 | p99 | × hello | CPU µs/req | ctx switches/req | wrong / failed |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, s, cpu, answers, spread) in &summaries {
        println!(
            "| {name} | {:.0} | {spread} | {} | {} | {:.2} | {:.1} | {:.2} | {} / {} |",
            s.per_second,
            ms(s.p50),
            ms(s.p99),
            s.per_second / baseline_rate,
            cpu.cpu_ns as f64 / 1000.0 / *answers as f64,
            cpu.switches as f64 / *answers as f64,
            s.wrong,
            s.failed
        );
    }

    let restore = time_restores(sqlite.addr, &sqlite.restorer, options.restores).await?;
    println!(
        "| bridge restore, 1 connection | {:.0} | – | {} | {} | – | – | – | {} / {} |",
        restore.per_second,
        ms(restore.p50),
        ms(restore.p99),
        restore.wrong,
        restore.failed
    );
    let memory = sqlite.server.memory();
    println!(
        "\nTessera resident memory: {:.1} MiB (peak {:.1} MiB)",
        memory.rss_mib, memory.peak_mib
    );

    let rate = |name: &str| {
        summaries
            .iter()
            .find(|(n, ..)| *n == name)
            .map_or(0.0, |(_, s, ..)| s.per_second)
    };
    let of = |a: &str, b: &str| rate(a) / rate(b).max(1.0);
    for (what, target, floor_of, floor) in [
        (
            "Tessera's no-session server function vs the bare one",
            TESSERA_FUNCTION,
            BARE_FUNCTION,
            0.75,
        ),
        (
            "signed-in me vs Tessera's no-session floor",
            ME,
            TESSERA_FUNCTION,
            0.85,
        ),
        (
            "signed-in check vs Tessera's no-session floor",
            CHECK,
            TESSERA_FUNCTION,
            0.85,
        ),
        (
            "signed-in SSR dashboard vs the bare SSR page",
            DASHBOARD,
            BARE_PAGE,
            0.60,
        ),
        (
            "anonymous SSR sign-in page vs the bare islands page",
            SIGN_IN_PAGE,
            BARE_ISLANDS_PAGE,
            0.90,
        ),
        (
            "signed-in SSR dashboard vs the bare islands page",
            DASHBOARD,
            BARE_ISLANDS_PAGE,
            0.80,
        ),
    ] {
        budgets.push(Budget::at_least(what, of(target, floor_of), floor));
    }
    if postgres.is_some() {
        budgets.push(Budget::at_least(
            "signed-in me on PostgreSQL vs on SQLite",
            of(ME_POSTGRES, ME),
            0.50,
        ));
    }
    budgets.push(Budget::at_most_ms(
        "bridge restore p99 at one connection",
        restore.p99,
        5.0,
    ));
    let unexpected: u64 = summaries
        .iter()
        .map(|(_, s, ..)| s.wrong + s.failed)
        .sum::<u64>()
        + restore.wrong
        + restore.failed;
    budgets.push(Budget::zero(
        "answers not the right tenant's right user (or failed)",
        unexpected,
    ));

    drop(servers);
    hello.stop().await;
    bare.stop().await;
    sqlite.server.stop().await;
    sqlite.installation.remove().await?;
    if let Some(pg) = postgres {
        pg.server.stop().await;
        pg.installation.remove().await?;
    }
    Ok(())
}

/// `USERS_PER_TENANT` accounts per tenant, plus one more at the first tenant
/// for the restore timing. Tenant `t` first signs up `t × USERS_PER_TENANT`
/// padding users, so no two tenants' bench users share an id and an answer
/// naming the wrong tenant's user id is caught.
async fn sign_up_everyone(
    addr: SocketAddr,
    slugs: &[Slug],
) -> anyhow::Result<(Vec<Account>, Account)> {
    let mut conn = Connection::open(addr).await?;
    let mut accounts = Vec::new();
    for (t, slug) in slugs.iter().enumerate() {
        for p in 0..t * USERS_PER_TENANT {
            fixture::sign_up(&mut conn, addr, slug, &format!("padding{p}@{slug}.bench")).await?;
        }
        for u in 0..USERS_PER_TENANT {
            accounts.push(
                fixture::sign_up(&mut conn, addr, slug, &format!("user{u}@{slug}.bench")).await?,
            );
        }
    }
    let restorer = fixture::sign_up(
        &mut conn,
        addr,
        &slugs[0],
        &format!("restorer@{}.bench", slugs[0]),
    )
    .await?;
    Ok((accounts, restorer))
}

/// The slowest and fastest round, as "min–max" req/s.
fn spread(rounds: &[f64]) -> String {
    let min = rounds.iter().copied().fold(f64::INFINITY, f64::min);
    let max = rounds.iter().copied().fold(0.0, f64::max);
    if rounds.is_empty() {
        "–".to_owned()
    } else {
        format!("{min:.0}–{max:.0}")
    }
}

fn baseline_probe(addr: SocketAddr) -> Probe {
    Probe::get(&addr.to_string(), "/").expecting(["Hello, World!".to_owned()])
}

fn bare_page_probe(addr: SocketAddr) -> Probe {
    Probe::get(&addr.to_string(), "/").expecting(["<p>Hello, World!</p>".to_owned()])
}

fn bare_islands_page_probe(addr: SocketAddr) -> Probe {
    Probe::get(&addr.to_string(), "/islands").expecting([
        "<p>Hello, World!</p>".to_owned(),
        "leptos-island".to_owned(),
    ])
}

fn bare_function_probe(addr: SocketAddr) -> Probe {
    Probe::post_form(&addr.to_string(), "/api/hello").expecting(["\"Hello, World!\"".to_owned()])
}

fn login_page_probe(slug: &Slug, addr: SocketAddr) -> Probe {
    Probe::get(&host(slug, addr), "/login").expecting(["<h1>Sign in</h1>".to_owned()])
}

fn anonymous_check_probe(slug: &Slug, addr: SocketAddr) -> Probe {
    Probe::post_json(
        &host(slug, addr),
        "/api/session-bridge/check",
        &serde_json::json!({}),
    )
    .expecting(["\"authenticated\":false".to_owned()])
}

/// Restores one after another on one connection, each with the token the
/// previous one returned, as a browser after a redeploy would.
async fn time_restores(
    addr: SocketAddr,
    account: &Account,
    count: usize,
) -> anyhow::Result<Summary> {
    let mut token = account
        .bridge_token
        .clone()
        .ok_or_else(|| anyhow!("sign-up gave no bridge token (bridge off?)"))?;
    let tenant_part = token.split('.').take(2).collect::<Vec<_>>().join(".") + ".";
    let cookie_name = format!("_{}_session", account.slug);
    let mut conn = Connection::open(addr).await?;
    let warmup = count / 10;
    let mut outcome = Outcome::default();
    let mut started = Instant::now();
    for i in 0..warmup + count {
        if i == warmup {
            (outcome, started) = (Outcome::default(), Instant::now());
        }
        let probe = Probe::post_json(
            &host(&account.slug, addr),
            "/api/session-bridge/restore",
            &serde_json::json!({ "token": token }),
        );
        let sent = Instant::now();
        let answer = conn.send(&probe).await?;
        let next = answer.json()["new_token"].as_str().map(str::to_owned);
        let verdict = match (probe.accepts(&answer), next) {
            (Verdict::Right, Some(next))
                if next.starts_with(&tenant_part) && answer.cookie(&cookie_name).is_some() =>
            {
                token = next;
                Verdict::Right
            }
            (Verdict::Failed, _) => bail!(
                "restore {i} failed: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ),
            _ => Verdict::Wrong,
        };
        outcome.record(sent, verdict);
    }
    outcome.elapsed = started.elapsed();
    Ok(Summary::of(&mut outcome))
}
