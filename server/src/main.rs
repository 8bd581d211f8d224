use std::process::ExitCode;

use clap::Parser;
use tessera_server::cli::{self, Cli};

// Rendering a page makes many small short-lived allocations; mimalloc serves
// them markedly faster than glibc's malloc (see the README's performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // tower-sessions opens an info span around every session read, a
    // measurable share of a request; its errors are still logged.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                "info,sqlx=warn,tower_sessions=warn,tower_sessions_core=warn".into()
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::run(Cli::parse()).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
