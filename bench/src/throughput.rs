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
    process::{free_addr, release_binary, Server},
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

const DASHBOARD: &str = "SSR dashboard";
const CHECK: &str = "/api/session-bridge/check";

struct Target {
    name: &'static str,
    probes: Vec<Probe>,
    addr: SocketAddr,
    outcome: Outcome,
}

impl Target {
    fn new(name: &'static str, addr: SocketAddr, probes: Vec<Probe>) -> Self {
        Self {
            name,
            probes,
            addr,
            outcome: Outcome::default(),
        }
    }
}

pub async fn run(options: &Options, budgets: &mut Vec<Budget>) -> anyhow::Result<()> {
    println!(
        "\n## Throughput (server on core 0, load generator on core 1, {} connections)",
        options.connections
    );
    let installation = Installation::sqlite(Vec::new())?;
    let slugs = fixture::slugs("tp", TENANTS)?;
    installation.provision(&slugs, 2).await?;

    let (tessera, tessera_addr) = installation.serve().await?;
    let hello_addr = free_addr()?;
    let hello = Server::start(
        &release_binary("hello"),
        &[hello_addr.to_string()],
        &[],
        hello_addr,
        &installation.log("hello.log"),
    )
    .await?;

    let (accounts, restorer) = sign_up_everyone(tessera_addr, &slugs).await?;
    let mut targets = vec![
        Target::new(
            "baseline: axum hello",
            hello_addr,
            vec![baseline_probe(hello_addr)],
        ),
        Target::new(
            DASHBOARD,
            tessera_addr,
            accounts
                .iter()
                .map(|a| a.dashboard_probe(tessera_addr))
                .collect(),
        ),
        Target::new(
            "/api/auth/me",
            tessera_addr,
            accounts.iter().map(|a| a.me_probe(tessera_addr)).collect(),
        ),
        Target::new(
            CHECK,
            tessera_addr,
            accounts
                .iter()
                .map(|a| a.check_probe(tessera_addr))
                .collect(),
        ),
        // Floors: the same stack with no session to load, so no database at
        // all. No session work can make a target faster than its floor.
        Target::new(
            "floor: SSR sign-in page, no session",
            tessera_addr,
            slugs
                .iter()
                .map(|s| login_page_probe(s, tessera_addr))
                .collect(),
        ),
        Target::new(
            "floor: check, no session",
            tessera_addr,
            slugs
                .iter()
                .map(|s| anonymous_check_probe(s, tessera_addr))
                .collect(),
        ),
    ];

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
            let outcome = load::run(
                target.addr,
                &target.probes,
                Mix::PerConnection,
                options.connections,
                seconds,
            )
            .await;
            println!(
                "  round {} {:<28} {:>9.0} req/s",
                round + 1,
                target.name,
                outcome.per_second()
            );
            target.outcome.absorb(outcome);
        }
    }

    let summaries: Vec<(&str, Summary)> = targets
        .iter_mut()
        .map(|t| (t.name, Summary::of(&mut t.outcome)))
        .collect();
    let baseline = summaries[0].1.per_second;
    println!("\n| target | req/s | p50 | p99 | × baseline | wrong / failed |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, s) in &summaries {
        println!(
            "| {name} | {:.0} | {} | {} | {:.2} | {} / {} |",
            s.per_second,
            ms(s.p50),
            ms(s.p99),
            s.per_second / baseline,
            s.wrong,
            s.failed
        );
    }

    let restore = time_restores(tessera_addr, &restorer, options.restores).await?;
    println!(
        "| bridge restore, 1 connection | {:.0} | {} | {} | – | {} / {} |",
        restore.per_second,
        ms(restore.p50),
        ms(restore.p99),
        restore.wrong,
        restore.failed
    );
    let memory = tessera.memory();
    println!(
        "\nTessera resident memory: {:.1} MiB (peak {:.1} MiB)",
        memory.rss_mib, memory.peak_mib
    );

    let ratio = |name: &str| {
        summaries
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0.0, |(_, s)| s.per_second / baseline)
    };
    budgets.push(Budget::at_least(
        "SSR dashboard req/s vs baseline",
        ratio(DASHBOARD),
        0.40,
    ));
    budgets.push(Budget::at_least(
        "/api/session-bridge/check req/s vs baseline",
        ratio(CHECK),
        0.60,
    ));
    budgets.push(Budget::at_most_ms(
        "bridge restore p99 at one connection",
        restore.p99,
        5.0,
    ));
    let unexpected: u64 = summaries
        .iter()
        .map(|(_, s)| s.wrong + s.failed)
        .sum::<u64>()
        + restore.wrong
        + restore.failed;
    budgets.push(Budget::zero(
        "answers not the right tenant's right user (or failed)",
        unexpected,
    ));

    tessera.stop().await;
    hello.stop().await;
    installation.remove().await
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

fn baseline_probe(addr: SocketAddr) -> Probe {
    Probe::get(&addr.to_string(), "/").expecting(["Hello, World!".to_owned()])
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
