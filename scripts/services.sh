#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the tests were pointed at answer,
# starting the machine's own services if they are down. Does nothing for a
# URL that is empty (those tests are then skipped, loudly).
set -euo pipefail

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ -n "${TESSERA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null 2>&1; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

if [ -n "${TESSERA_TEST_REDIS_URL:-}" ] && command -v redis-cli >/dev/null 2>&1; then
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
