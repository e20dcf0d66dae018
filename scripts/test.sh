#!/usr/bin/env bash
# Installs what is missing, builds everything with AddressSanitizer + UndefinedBehaviorSanitizer
# and warnings as errors, runs every test (unit and integration), then fuzzes the Cartesian
# parser: FUZZ_RUNS inputs (default 40000, about a minute) from a fixed seed, so the run is the
# same on every machine; FUZZ_SECONDS=N fuzzes for N seconds instead. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

build=${VTRUN_TEST_BUILD_DIR:-build/test}
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DVTRUN_SANITIZE=ON -DVTRUN_WERROR=ON -DVTRUN_BUILD_TESTS=ON
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$jobs"

# Bounded fuzzing of the Cartesian parser, in its own clang build (scripts/fuzz-cartesian.sh).
if [ -n "${FUZZ_SECONDS:-}" ]; then
  FUZZ_SECONDS=$FUZZ_SECONDS FUZZ_BUILD_JOBS=$jobs ./scripts/fuzz-cartesian.sh
else
  FUZZ_RUNS=${FUZZ_RUNS:-40000} FUZZ_BUILD_JOBS=$jobs ./scripts/fuzz-cartesian.sh
fi
