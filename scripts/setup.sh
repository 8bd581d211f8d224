#!/usr/bin/env bash
# Installs what building and testing Tessera needs, skipping whatever is
# already present: the wasm target, cargo-leptos, the wasm-bindgen CLI at the
# lockfile's version, the end-to-end npm packages and Chromium.
#
# Chromium and the npm packages are downloads, not compilation: they install
# in the background while cargo compiles the two tools on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 0.3.4, the last before reqwest 0.13, whose rustls compiles AWS-LC from C:
# 0.3.10 takes 22% more CPU to build (10 m 11 s against 8 m 22 s), the
# same build tool otherwise (0.3.11 needs a newer rustc than these have).
CARGO_LEPTOS_VERSION=0.3.4

background=()
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

# Runs a download step in the background, its output kept for a failure.
in_background() {
  local name=$1
  shift
  say "$name (in the background)"
  "$@" >"$log_dir/$name.log" 2>&1 &
  background+=("$!:$name")
}

if [ ! -d end2end/node_modules/@playwright/test ] \
  || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  in_background "installing the end-to-end test packages" \
    bash -c 'cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund'
fi

if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # Playwright cannot download its own browser here; Debian's works.
  in_background "installing Chromium" \
    bash -c "$sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium"
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Build tools, not shipped code: unoptimised and without debug info, they
# compile in a fraction of their release profiles' time (cargo-leptos's own
# is lto = true, codegen-units = 1: 17 minutes on two cores) and spend
# their run waiting for cargo and rustc anyway. Sixteen codegen units
# rather than the dev profile's 256: on two busy cores a crate's units
# gain little from running side by side, and each costs its own object
# file and copies of the generics it uses (cargo-leptos alone: 406 CPU
# seconds instead of 536, measured).
tool_install=(env CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_DEV_CODEGEN_UNITS=16 cargo install --debug)

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 4 minutes on two cores, once)"
  # no_downloads: use the wasm-bindgen on PATH instead of fetching one.
  # OPENSSL_NO_VENDOR: link the machine's OpenSSL rather than compile one
  # (cargo-generate, which it embeds, asks for a vendored copy).
  if [ -f /usr/include/openssl/ssl.h ]; then export OPENSSL_NO_VENDOR=1; fi
  "${tool_install[@]}" cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wasm_bindgen_version"; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Not --locked: its lockfile names a crate version this registry lacks.
  "${tool_install[@]}" wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

if ! command -v clippy-driver >/dev/null 2>&1; then
  say "adding clippy"
  rustup component add clippy
fi

failed=0
for job in "${background[@]}"; do
  pid=${job%%:*}
  name=${job#*:}
  if ! wait "$pid"; then
    printf '%s failed:\n' "$name" >&2
    cat "$log_dir/$name.log" >&2
    failed=1
  fi
done
exit "$failed"
