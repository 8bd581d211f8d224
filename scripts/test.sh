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

say "formatting, links and lints"
cargo fmt --all --check
node scripts/check-links.mjs
# Each build is linted as it is built: the server (`ssr`, with every test
# target) and the wasm bundle (`hydrate`, for wasm32). One `--workspace`
# run would unify the two features and lint neither. Leptos bakes
# LEPTOS_OUTPUT_NAME in at compile time; setting it as cargo-leptos does
# lets every build share artifacts.
export LEPTOS_OUTPUT_NAME=tessera
server_build=(-p tessera-backend -p tessera-app -p tessera-server -p tessera-bench --features tessera-app/ssr)
cargo clippy "${server_build[@]}" --all-targets -- -D warnings
cargo clippy -p tessera-frontend -p tessera-app --features tessera-app/hydrate \
  --target wasm32-unknown-unknown -- -D warnings

say "Rust unit and integration tests"
# Packages are named so the app is built with `ssr` only (the frontend
# would add `hydrate`, which cannot share a build with it).
cargo test "${server_build[@]}"

say "API docs (broken intra-doc links fail)"
RUSTDOCFLAGS="-D rustdoc::broken-intra-doc-links" cargo doc --no-deps "${server_build[@]}"

say "building the site (server and wasm) for the browser tests"
cargo leptos build
say "end-to-end tests in Chromium"
(cd end2end && npx playwright test)
