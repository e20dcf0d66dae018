#!/usr/bin/env bash
# Installs what is missing, builds vtrun and runs the main job: the example provider on the
# default backend. The example fails, skips and times out on purpose (to show every status), so
# this script checks that every test ended as designed and exits 0 when it did.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

build=${VTRUN_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

# The test guest of the default backend (qemu); cached, so this is instant after the first time.
"$build/bin/vtrun" image build tiny

set +e
"$build/bin/vtrun" --providers examples/providers.d run "$@"
status=$?
set -e
echo "vtrun exited with $status (1 = a test failed, 8 = a test timed out)"

# run.log: one line per test, "STATUS  duration s  id  (reason)"; the expected statuses have a
# column per backend, named in the header line "# test local qemu ...".
job=vtrun-results/latest
backend=$(sed -n 's/.*"backend": *"\([^"]*\)".*/\1/p' "$job/job.json" | head -n 1)
grep -q "^# test .* $backend\( \|\$\)" examples/expected-statuses.txt || {
  echo "examples/expected-statuses.txt has no column for backend '$backend'"; exit 1; }
mismatches=$(awk -v backend="$backend" \
                 'NR == FNR { if ($1 == "#" && $2 == "test") { for (i = 3; i <= NF; i++) if ($i == backend) col = i - 1 }
                              else if ($0 !~ /^#/ && NF) want[$1] = $col; next }
                  FNR > 1 { got[$4] = $1 }
                  END { for (id in want) if (got[id] != want[id]) print "  " id ": expected " want[id] ", got " (got[id] == "" ? "nothing" : got[id]) }' \
             examples/expected-statuses.txt "$job/run.log")
if [ -n "$mismatches" ]; then
  echo "the example job did not end as designed:"
  echo "$mismatches"
  exit 1
fi
echo "the example job ended as designed: every test has its expected status (see $job/)"
