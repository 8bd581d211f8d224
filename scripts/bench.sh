#!/usr/bin/env bash
# Builds Tessera and the baseline in release, then runs the benchmark:
# throughput against a bare axum hello, 10,000-tenant scale on SQLite and
# PostgreSQL, and the release wasm's size. Prints PASS/FAIL per budget and
# exits non-zero on any FAIL. Not part of scripts/test.sh.
# Arguments go to the benchmark: scripts/bench.sh --help lists them.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

scripts/setup.sh

# wasm-opt for the release wasm: binaryen 132 from npm (Debian's binaryen
# 108 produces a wasm that never hydrates).
tools=target/bench-tools
if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version 132"; then
  say "installing wasm-opt (npm binaryen 132)"
  npm install --prefix "$tools" --no-audit --no-fund binaryen@132.0.0
fi
export PATH="$PWD/$tools/node_modules/.bin:$PATH"

: "${TESSERA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres}"
export TESSERA_BENCH_POSTGRES_URL
TESSERA_TEST_POSTGRES_URL="$TESSERA_BENCH_POSTGRES_URL" TESSERA_TEST_REDIS_URL="" scripts/services.sh

say "building in release (server with the size-tuned wasm, then the baseline and load generator)"
cargo leptos build --release --precompress
cargo build --release -p tessera-bench

say "benchmarking: servers on core 0, load generator on core 1"
exec taskset -c 1 target/release/tessera-bench "$@"
