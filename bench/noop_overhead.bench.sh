#!/usr/bin/env bash
# The runner's overhead per test: N no-op tests (`true`) through `vtrun run` on the local
# backend (`--backend local`, explicitly: the default backend is qemu), against a plain shell
# loop that runs the same command with its output captured to a file per test. Prints
# milliseconds per test for both and the difference.
#   bench/noop_overhead.bench.sh [N] [BUILD_DIR]
set -euo pipefail
n=${1:-200}
build=${2:-build/release}
cd "$(dirname "$0")/.."
if [ ! -x "$build/bin/vtrun" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/provider" "$work/providers.d"
printf '[provider]\nuri = "../provider"\n' > "$work/providers.d/bench.toml"
for i in $(seq 1 "$n"); do printf '[[test]]\nname = "noop.t%04d"\ncommand = ["true"]\n' "$i"; done \
  > "$work/provider/vtrun.toml"

now_ms() { date +%s%3N; }

start=$(now_ms)
"$build/bin/vtrun" --backend local --providers "$work/providers.d" --results-dir "$work/results" run \
  --reporter json:"$work/r.json" >/dev/null
vtrun_ms=$(( $(now_ms) - start ))

start=$(now_ms)
for i in $(seq 1 "$n"); do
  mkdir -p "$work/loop/$i"
  true >"$work/loop/$i/stdout" 2>"$work/loop/$i/stderr"
  echo "PASS $i" >>"$work/loop/run.log"
done
loop_ms=$(( $(now_ms) - start ))

start=$(now_ms)
for i in $(seq 1 "$n"); do
  /bin/true >"$work/loop/$i/stdout" 2>"$work/loop/$i/stderr"
done
exec_ms=$(( $(now_ms) - start ))

awk -v n="$n" -v v="$vtrun_ms" -v l="$loop_ms" -v e="$exec_ms" 'BEGIN {
  printf "tests:                         %d no-op tests\n", n
  printf "vtrun run (local, sequential): %7.2f ms/test  (%d ms total)\n", v / n, v
  printf "shell loop, builtin true:      %7.2f ms/test  (%d ms total)\n", l / n, l
  printf "shell loop, exec /bin/true:    %7.2f ms/test  (%d ms total)\n", e / n, e
  printf "vtrun overhead over exec loop: %7.2f ms/test\n", (v - e) / n
}'
