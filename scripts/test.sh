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

say "formatting and links"
cargo fmt --all --check
node scripts/check-links.mjs

# Each build is linted as it is built, with -D warnings: the server (`ssr`,
# with every test target) while `cargo test` builds it, and the wasm bundle
# (`hydrate`, wasm32) while cargo-leptos builds it. clippy-driver is the
# compiler for the workspace's own crates there (RUSTC_WORKSPACE_WRAPPER,
# as `cargo clippy` sets it), so each build is compiled once, not checked
# and then compiled; one `cargo clippy --workspace` would unify the two
# features and lint neither. Leptos bakes LEPTOS_OUTPUT_NAME in at compile
# time; setting it as cargo-leptos does lets the builds share artifacts.
export LEPTOS_OUTPUT_NAME=tessera
linted=(env RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")

say "the server build, linted; its unit and integration tests"
# Packages are named so the app is built with `ssr` only (the frontend
# would add `hydrate`, which cannot share a build with it).
server_build=(-p tessera-backend -p tessera-app -p tessera-server -p tessera-bench --features tessera-app/ssr)
"${linted[@]}" cargo test "${server_build[@]}"

say "API docs (broken intra-doc links fail)"
RUSTDOCFLAGS="-D rustdoc::broken-intra-doc-links" cargo doc --no-deps "${server_build[@]}"

say "the wasm build, linted, for the browser tests"
# The server binary is the one `cargo test` just built (target/debug/tessera).
"${linted[@]}" cargo leptos build --frontend-only
say "end-to-end tests in Chromium"
(cd end2end && npx playwright test)
