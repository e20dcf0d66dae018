#!/usr/bin/env bash
# Runs every benchmark and prints its numbers. Not part of the tests: numbers vary by machine.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.bench.sh; do
  echo "== $b"
  "$b" "$@"
done
