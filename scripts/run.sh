#!/usr/bin/env bash
# Sets everything up and serves Tessera at http://localhost:3000 on SQLite
# (./data), with two demo tenants, acme and globex.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
printf '\033[1m==> %s\033[0m\n' "building (server and wasm)"
cargo leptos build

export TESSERA_DATA_DIR="${TESSERA_DATA_DIR:-data}"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
tessera=target/debug/tessera
port="${LEPTOS_SITE_ADDR##*:}"

# Demo tenants, created once; their passwords are demo values, printed below.
for slug in acme globex; do
  if ! "$tessera" tenant list | awk '{ print $2 }' | grep -qx "$slug"; then
    name="$(tr '[:lower:]' '[:upper:]' <<<"${slug:0:1}")${slug:1}"
    "$tessera" tenant create "$slug" --name "$name" \
      --admin-email "admin@$slug.test" --admin-password "$slug-demo-password" --admin-name "$name Admin"
  fi
done

# Data from an earlier version gets this version's tenant migrations.
"$tessera" tenant migrate --all >/dev/null

cat <<MSG

  Tessera is starting on http://localhost:$port
    landing & sign-up:  http://localhost:$port/
    acme:               http://acme.localhost:$port/    admin@acme.test / acme-demo-password
    globex:             http://globex.localhost:$port/  admin@globex.test / globex-demo-password
  (*.localhost resolves to this machine in Chrome, Firefox and curl.)

MSG
exec "$tessera" serve
