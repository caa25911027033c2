#!/usr/bin/env bash
# bench/run.sh — run every benchmark script in bench/ (except this one), in
# name order. `make bench` calls it after building ./hardengen.
set -u
cd "$(dirname "$0")/.."
status=0
for b in bench/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  echo "== $(basename "$b")"
  bash "$b" || status=1
done
exit $status
