#!/usr/bin/env bash
# Sets everything up and runs every test: Rust unit and integration tests
# (real servers over HTTP on random ports), then Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

scripts/setup.sh

# PostgreSQL and Redis run on these machines (127.0.0.1:5432 trust auth,
# 127.0.0.1:6379); the tests use them for real, each in its own database or
# key prefix. Set a URL to the empty string to skip those tests (loudly).
: "${TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test}"
: "${TESSERA_TEST_REDIS_URL=redis://127.0.0.1:6379}"
export TESSERA_TEST_POSTGRES_URL TESSERA_TEST_REDIS_URL
scripts/services.sh

say "formatting and lints"
cargo fmt --all --check
node scripts/check-links.mjs
LEPTOS_OUTPUT_NAME=tessera cargo clippy --workspace --all-targets -- -D warnings

say "Rust unit and integration tests"
# Packages are named so the app is built with `ssr` only (the frontend
# would add `hydrate`, which cannot share a build with it). Leptos bakes
# LEPTOS_OUTPUT_NAME in at compile time; setting it as cargo-leptos does
# lets both builds share artifacts.
LEPTOS_OUTPUT_NAME=tessera cargo test -p tessera-backend -p tessera-app -p tessera-server -p tessera-bench --features tessera-app/ssr
say "building the site (server and wasm) for the browser tests"
cargo leptos build
say "end-to-end tests in Chromium"
(cd end2end && npx playwright test)
