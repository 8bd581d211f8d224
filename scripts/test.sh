#!/usr/bin/env bash
# Sets everything up and runs every test: Rust unit and integration tests
# (real servers over HTTP on random ports), then Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
# A build still running in the background when a step fails goes too.
trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT
# Waits for a background build; shows its log if it failed.
finished() {
  if ! wait "$1"; then
    cat "$2" >&2
    exit 1
  fi
}

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
# A clean clone (CI) has no earlier build for incremental state to speed
# up; writing it costs the workspace's crates a tenth of their build. And
# sixteen codegen units per crate, as setup builds the tools (why there).
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_CODEGEN_UNITS=16
fi
command -v clippy-driver >/dev/null 2>&1 || rustup component add clippy
linted=(env RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
  CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
# Packages are named so the app is built with `ssr` only (the frontend
# would add `hydrate`, which cannot share a build with it). `--tests`: every
# target whose manifest leaves `test` on (not the server's lib and binary,
# whose pure functions are tested in the integration binary), and no
# doc-tests: the crates have none, and each run of rustdoc costs seconds.
server_build=(-p tessera-backend -p tessera-app -p tessera-server -p tessera-bench --features tessera-app/ssr)
server_tests=("${linted[@]}" cargo test "${server_build[@]}" --tests)

# The server build needs none of the tools setup installs, so it compiles
# while they do (on a new machine), filling the cores each leaves idle; the
# tests themselves run once the machine is quiet again.
say "the server build, linted (beside the tools' setup)"
build_log=$(mktemp)
"${server_tests[@]}" --no-run >"$build_log" 2>&1 &
build=$!
scripts/setup.sh
finished "$build" "$build_log"

# PostgreSQL and Redis run on these machines (127.0.0.1:5432 trust auth,
# 127.0.0.1:6379); the tests use them for real, each in its own database or
# key prefix. Set a URL to the empty string to skip those tests (loudly).
: "${TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test}"
: "${TESSERA_TEST_REDIS_URL=redis://127.0.0.1:6379}"
export TESSERA_TEST_POSTGRES_URL TESSERA_TEST_REDIS_URL
scripts/services.sh

# What is left runs as two lanes: the tests, then the browser tests, at
# normal priority; the wasm build, then the API docs, at the lowest, taking
# the cores whenever the tests leave one idle (they wait on databases and
# browsers much of the time) and never slowing them. Each background build
# writes a log that is shown if it fails.
in_background() {
  local log=$1
  shift
  nice -n 19 "$@" >"$log" 2>&1 &
}

say "the wasm build, linted, for the browser tests (in the background)"
# The server binary is the one `cargo test` built (target/debug/tessera);
# the wasm build has target/front to itself.
wasm_log=$(mktemp)
in_background "$wasm_log" "${linted[@]}" cargo leptos build --frontend-only
wasm=$!

say "unit and integration tests"
"${server_tests[@]}"

say "waiting for the wasm build"
finished "$wasm" "$wasm_log"

# The API docs need every dependency checked again (rustdoc reads check
# metadata, not the test build's), in target/debug, which `cargo test`
# no longer holds.
say "API docs (broken intra-doc links fail), in the background"
doc_log=$(mktemp)
in_background "$doc_log" env RUSTDOCFLAGS="-D rustdoc::broken-intra-doc-links" \
  cargo doc --no-deps --lib -p tessera-backend -p tessera-app -p tessera-server \
  --features tessera-app/ssr
doc=$!

say "end-to-end tests in Chromium"
(cd end2end && npx playwright test)

say "API docs"
finished "$doc" "$doc_log"
tail -n 1 "$doc_log"
