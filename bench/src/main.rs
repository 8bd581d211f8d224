//! `tessera-bench`: Tessera's performance budgets, measured. Run through
//! `scripts/bench.sh`, which builds everything in release and pins this
//! process to core 1 (the servers it starts run on core 0).

// A benchmark measures the system's own time: the one crate that reads it
// directly (clippy.toml keeps everything else on the Clock passed in).
#![allow(clippy::disallowed_methods)]

mod budget;
mod crowd;
mod fixture;
mod load;
mod process;
mod scale;
mod stats;
mod throughput;
mod wasm;

use std::process::ExitCode;

use clap::Parser;

use crate::{budget::Budget, fixture::Installation};

#[derive(Debug, Parser)]
#[command(
    about = "Tessera's benchmark: throughput vs a bare axum baseline, tenant scale, wasm size"
)]
struct Cli {
    #[command(flatten)]
    throughput: throughput::Options,
    #[command(flatten)]
    scale: scale::Options,
    #[command(flatten)]
    crowd: crowd::Options,
    /// A PostgreSQL server to make a scratch database on ("" skips PostgreSQL).
    #[arg(
        long,
        env = "TESSERA_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Only the throughput part (no scale runs, no wasm size).
    #[arg(long)]
    throughput_only: bool,
    /// Skip the throughput part.
    #[arg(long)]
    skip_throughput: bool,
    /// Only the crowded workspace (a million sessions), on both backends.
    #[arg(long)]
    crowd_only: bool,
}

// One thread: the load generator gets one core and the servers the other.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut budgets = Vec::new();
    if let Err(error) = run(&cli, &mut budgets).await {
        eprintln!("error: {error:#}");
        return ExitCode::FAILURE;
    }
    println!("\n## Budgets");
    for budget in &budgets {
        budget.print();
    }
    if budgets.iter().all(|b| b.pass) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn run(cli: &Cli, budgets: &mut Vec<Budget>) -> anyhow::Result<()> {
    print_machine();
    if cli.crowd_only {
        return crowds(cli, budgets).await;
    }
    if !cli.skip_throughput {
        let postgres = Some(cli.postgres_url.as_str()).filter(|url| !url.is_empty());
        throughput::run(&cli.throughput, postgres, budgets).await?;
    }
    if cli.throughput_only {
        return Ok(());
    }
    let max_open = vec![(
        "TESSERA_MAX_OPEN_TENANT_DBS".to_owned(),
        cli.scale.max_open.to_string(),
    )];
    scale::run(
        &cli.scale,
        Installation::sqlite(max_open)?,
        "SQLite, a file per tenant",
        budgets,
    )
    .await?;
    if cli.postgres_url.is_empty() {
        println!("\nSKIPPED: PostgreSQL scale run (no --postgres-url)");
    } else {
        let installation = Installation::postgres(&cli.postgres_url, Vec::new()).await?;
        scale::run(
            &cli.scale,
            installation,
            "PostgreSQL, a schema per tenant in one pool",
            budgets,
        )
        .await?;
    }
    crowds(cli, budgets).await?;
    wasm::measure(budgets)
}

/// The crowded workspace on SQLite, and on PostgreSQL unless skipped.
async fn crowds(cli: &Cli, budgets: &mut Vec<Budget>) -> anyhow::Result<()> {
    crowd::run(
        &cli.crowd,
        Installation::sqlite(Vec::new())?,
        "SQLite",
        budgets,
    )
    .await?;
    if cli.postgres_url.is_empty() {
        println!("\nSKIPPED: PostgreSQL crowd run (no --postgres-url)");
        return Ok(());
    }
    let installation = Installation::postgres(&cli.postgres_url, Vec::new()).await?;
    crowd::run(&cli.crowd, installation, "PostgreSQL", budgets).await
}

/// What the figures were measured on.
fn print_machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("# Tessera benchmark\nmachine: {cpu}; this process may use {cores} core(s); servers pinned to core {}", process::SERVER_CORE);
}
