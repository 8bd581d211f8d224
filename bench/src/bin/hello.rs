//! The baseline: a bare axum "hello" on the same runtime and release profile
//! as Tessera, so the benchmark's ratios measure what Tessera adds.

use std::net::SocketAddr;

use axum::{routing::get, Router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3999)));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(
        listener,
        Router::new().route("/", get(|| async { "Hello, World!" })),
    )
    .await
}
