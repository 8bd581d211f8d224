//! Scale: thousands of tenants on one server. Provisioning time, memory
//! with requests spread over every tenant (SQLite pools capped by an LRU),
//! and the latency of a tenant's first request after its pool was let go.

use std::time::{Duration, Instant};

use crate::{
    budget::Budget,
    fixture::{self, Installation},
    load::{self, Mix, Probe},
    process::Server,
    stats::{ms, percentile, Summary},
};

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Tenants to provision (per storage backend).
    #[arg(long, default_value_t = 10_000)]
    pub tenants: usize,
    /// TESSERA_MAX_OPEN_TENANT_DBS for the SQLite run.
    #[arg(long, default_value_t = 64)]
    pub max_open: usize,
    /// Seconds of requests to random tenants after the cold pass.
    #[arg(long, default_value_t = 10)]
    pub spread_seconds: u64,
}

/// Concurrent connections for the cold and spread passes.
const CONNECTIONS: usize = 8;

pub async fn run(
    options: &Options,
    installation: Installation,
    label: &str,
    budgets: &mut Vec<Budget>,
) -> anyhow::Result<()> {
    println!("\n## Scale: {} tenants on {label}", options.tenants);
    let slugs = fixture::slugs("sc", options.tenants)?;
    let started = Instant::now();
    let mut times = installation.provision(&slugs, 4).await?;
    let total = started.elapsed();
    times.sort_unstable();
    let micros: Vec<u32> = times
        .iter()
        .map(|t| u32::try_from(t.as_micros()).unwrap_or(u32::MAX))
        .collect();
    println!(
        "provisioned in {:.1} s: {} per tenant (4 at a time); each took p50 {}, p99 {}",
        total.as_secs_f64(),
        ms(total / u32::try_from(slugs.len().max(1)).unwrap_or(u32::MAX)),
        ms(percentile(&micros, 50.0)),
        ms(percentile(&micros, 99.0)),
    );

    let (server, addr) = installation.serve().await?;
    let started = Instant::now();
    let accounts = fixture::sign_up_one_each(addr, &slugs, 2).await?;
    println!(
        "signed up one user per tenant in {:.1} s (argon2 hashing dominates)",
        started.elapsed().as_secs_f64()
    );
    print_memory("after sign-up", &server);

    // Sign-up went through the tenants in this same order, so by now every
    // tenant but the last few hundred has had its pool let go: each request
    // below is that tenant's first since (and, in the same order, again in
    // the second pass). One connection measures a cold request itself; eight
    // add the queueing of a busy server.
    let probes: Vec<Probe> = accounts.iter().map(|a| a.me_probe(addr)).collect();
    let mut cold = Vec::new();
    for connections in [1, CONNECTIONS] {
        let mut outcome =
            load::run(addr, &probes, Mix::EachOnce, connections, Duration::ZERO).await;
        let summary = Summary::of(&mut outcome);
        println!(
            "first request at every tenant, {connections} connection(s): {:.0} req/s, p50 {}, p99 {}",
            summary.per_second,
            ms(summary.p50),
            ms(summary.p99)
        );
        cold.push(summary);
    }
    let mut spread = load::run(
        addr,
        &probes,
        Mix::Random,
        CONNECTIONS,
        Duration::from_secs(options.spread_seconds),
    )
    .await;
    let spread = Summary::of(&mut spread);
    println!(
        "random tenants for {} s: {:.0} req/s, p50 {}, p99 {}",
        options.spread_seconds,
        spread.per_second,
        ms(spread.p50),
        ms(spread.p99)
    );
    let memory = print_memory("after the spread pass", &server);

    budgets.push(Budget::at_most_ms(
        &format!("{label}: cold-tenant first request p99, {CONNECTIONS} connections"),
        cold[1].p99,
        10.0,
    ));
    budgets.push(Budget::at_most(
        &format!("{label}: peak resident memory"),
        memory,
        200.0,
        "MiB",
    ));
    budgets.push(Budget::zero(
        &format!("{label}: answers not the right tenant's user (or failed)"),
        cold.iter()
            .chain([&spread])
            .map(|s| s.wrong + s.failed)
            .sum(),
    ));
    server.stop().await;
    installation.remove().await
}

/// Prints RSS now and at peak; returns the peak.
fn print_memory(when: &str, server: &Server) -> f64 {
    let memory = server.memory();
    println!(
        "resident memory {when}: {:.1} MiB (peak {:.1} MiB)",
        memory.rss_mib, memory.peak_mib
    );
    memory.peak_mib
}
