#!/usr/bin/env bash
# Fuzzes the Cartesian lexer, parser and expander with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer for a bounded time. Uses a clang build directory of its own that
# builds only the fuzz target and what it links (the cartesian module and libvtsdk).
# Seeds come from the conformance corpus (../shared/conformance/cartesian); new inputs are kept
# in BUILD_DIR/corpus, and a crashing input is written to BUILD_DIR/artifacts/.
# FUZZ_SECONDS=0 only runs every input of the corpus once (libFuzzer's own 0 means forever).
# FUZZ_RUNS=N instead runs N inputs from the fixed seed FUZZ_SEED (default 1): the same inputs
# on every machine, so a run that passed here passes in CI too (scripts/test.sh uses it).
#   FUZZ_SECONDS=60 scripts/fuzz-cartesian.sh [libFuzzer options...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(realpath -m "${VTRUN_FUZZ_BUILD_DIR:-build/fuzz}")
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_BUILD_JOBS:-$(nproc)}
cxx=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++ || true)}
seeds=$(cd .. && pwd)/shared/conformance/cartesian

if [ -z "$cxx" ]; then
  echo "fuzz-cartesian: no clang++ found; scripts/install-deps.sh installs clang-14" >&2
  exit 1
fi

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DVTRUN_BUILD_TESTS=OFF -DVTRUN_FUZZ=ON >/dev/null
cmake --build "$build" --target vt_fuzz_cartesian -j "$jobs"

mkdir -p "$build/corpus" "$build/artifacts" "$build/run"
if [ -d "$seeds" ]; then
  cp -n "$seeds"/*.cfg "$seeds"/data/inc/*.cfg "$build/corpus/" 2>/dev/null || true
else
  echo "fuzz-cartesian: no seed corpus at $seeds; starting from nothing" >&2
fi

# From an empty directory, so that `include` of a relative name finds nothing of ours.
cd "$build/run"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -n "${FUZZ_RUNS:-}" ]; then
  limit=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
elif [ "$seconds" -gt 0 ]; then
  limit=(-max_total_time="$seconds")
else
  limit=(-runs=0)
fi
status=0
"$build/bin/vt_fuzz_cartesian" "${limit[@]}" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$root/tests/fuzz/cartesian.dict" -artifact_prefix="$build/artifacts/" "$build/corpus" \
  "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz-cartesian: FAILED (exit $status); reproduce with:" >&2
  echo "  $build/bin/vt_fuzz_cartesian $build/artifacts/<crash-or-timeout file>" >&2
fi
exit "$status"
