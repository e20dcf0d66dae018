#!/usr/bin/env bash
# Parallel efficiency of `vtrun run -j N`, N = 1, 2, 4, on two sets of tests:
#   io   IO_TESTS (8) tests that `sleep 1` on the local backend. Ideal wall time IO_TESTS s / N;
#        prints wall time, ideal, efficiency = ideal / wall and speedup against -j 1.
#   cpu  CPU_TESTS (4) cold boots of the tiny guest on the qemu backend (`kill_vm = true`, so no
#        VM is reused, and `qemu_save_state = "no"`, so every open is a full boot; the test runs
#        `vtctl exec -- true`). Ideal speedup min(N, CPU budget, nproc, CPU_TESTS); prints wall
#        time, speedup against -j 1, the ideal and efficiency = speedup / ideal. --max-cpus
#        defaults to max(nproc, N), so -j 4 on a 2-CPU host runs 4 VMs at once; the set also
#        runs -j 4 --max-cpus $(nproc) to show the budget capping that.
# Each line also gives vtrun's own JOB TIME, the most tests that ran at once (from
# results.json), the 1-minute load average when the run started and the CPU time the rest of
# the host used during the run (busy time in /proc/stat less vtrun's and its children's, from
# GNU time; the share is of wall time × nproc); cpu lines give the number of boots the job
# logged (one per test when no VM was reused).
#   bench/parallel.bench.sh [N] [BUILD_DIR]
# The arguments are those bench/run.sh passes to every bench; N (a test count) is not used here.
# Environment: SETS ("io cpu"), JOBS_LIST ("1 2 4"), IO_TESTS (8), CPU_TESTS (4);
# WAIT_LOAD (e.g. 0.8): before each run wait until the 1-minute load average is below it;
# WAIT_BUSY (e.g. 10): also until the host was less than that many percent busy over 5 s;
# both poll every 20 s for at most WAIT_MAX (1500) s, then measure anyway and say so.
set -euo pipefail
build=${2:-build/release}
sets=${SETS:-io cpu}
jobs_list=${JOBS_LIST:-1 2 4}
io_tests=${IO_TESTS:-8}
cpu_tests=${CPU_TESTS:-4}
ncpu=$(nproc)
cd "$(dirname "$0")/.."
if [ ! -x "$build/bin/vtrun" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$ncpu" >/dev/null
fi
vtrun=$build/bin/vtrun
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

load1() { cut -d' ' -f1 /proc/loadavg; }
# Busy jiffies of all CPUs so far (user nice system irq softirq steal).
host_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Busy share of the host over the last 5 s, in percent.
busy_pct() {
  local b0 b1
  b0=$(host_busy); sleep 5; b1=$(host_busy)
  echo $(( (b1 - b0) * 100 / (5 * $(getconf CLK_TCK) * ncpu) ))
}
wait_quiet() {
  [ -n "${WAIT_LOAD:-}${WAIT_BUSY:-}" ] || return 0
  local deadline=$(( $(date +%s) + ${WAIT_MAX:-1500} ))
  while { [ -n "${WAIT_LOAD:-}" ] && awk -v max="$WAIT_LOAD" '{ exit !($1 >= max) }' /proc/loadavg; } ||
        { [ -n "${WAIT_BUSY:-}" ] && [ "$(busy_pct)" -ge "$WAIT_BUSY" ]; }; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "parallel.bench: not quiet after ${WAIT_MAX:-1500} s (load $(load1)), measuring anyway" >&2
      return 0
    fi
    sleep 20
  done
}

# A provider directory $work/$1 with the [[test]] entries read from stdin.
make_provider() {
  mkdir -p "$work/$1/provider" "$work/$1/providers.d"
  printf '[provider]\nuri = "../provider"\n' > "$work/$1/providers.d/bench.toml"
  cat > "$work/$1/provider/vtrun.toml"
}

# The most tests that ran at once, from results.json (started + duration of each test).
peak() {
  python3 - "$1" <<'EOF' 2>/dev/null || echo "?"
import datetime, json, sys
tests = json.load(open(sys.argv[1]))["tests"]
ev = []
for t in tests:
    s = datetime.datetime.fromisoformat(t["started"].replace("Z", "+00:00")).timestamp()
    ev += [(s, 1), (s + float(t["duration"]) - 0.05, -1)]  # 50 ms slack for rounding
cur = best = 0
for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
    cur += d
    best = max(best, cur)
print(best)
EOF
}

# run SET LABEL ARGS...: one timed `vtrun run`; sets wall (s), jobtime, load, peak, boots.
run() {
  local set=$1 label=$2; shift 2
  local res=$work/$set/results-$label out=$work/$set/out-$label start end rc=0
  wait_quiet
  load=$(load1)
  busy0=$(host_busy)
  start=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%U %S' -o "$out.cpu" \
      "$vtrun" --providers "$work/$set/providers.d" --results-dir "$res" "$@" >"$out" 2>&1 || rc=$?
  else
    "$vtrun" --providers "$work/$set/providers.d" --results-dir "$res" "$@" >"$out" 2>&1 || rc=$?
  fi
  end=$(date +%s%N)
  busy1=$(host_busy)
  if [ "$rc" -ne 0 ]; then
    echo "parallel.bench: $set $label: vtrun exited $rc:" >&2
    cat "$out" >&2
    exit 1
  fi
  wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
  jobtime=$(sed -n 's/^JOB TIME: *\([0-9.]*\) s.*/\1/p' "$out" | tail -1)
  jobtime=${jobtime:-?}
  peak=$(peak "$res/latest/results.json")
  boots=$(grep -c 'booted in' "$res/latest/debug.log" 2>/dev/null || true)
  # CPU the rest of the host used meanwhile: all busy time less vtrun's own and its children's.
  others="?"
  if [ -s "$out.cpu" ]; then
    others=$(awk -v b0="$busy0" -v b1="$busy1" -v hz="$(getconf CLK_TCK)" -v w="$wall" -v nc="$ncpu" \
      'NR == 1 { o = (b1 - b0) / hz - ($1 + $2); if (o < 0) o = 0; printf "%.1f CPU-s = %.0f%%", o, 100 * o / (w * nc) }' \
      "$out.cpu")
  fi
}

# The commit the build was made from (its source tree's HEAD; uncommitted changes not shown).
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
echo "vtrun: $vtrun (source ${src:-?} at $(git -C "${src:-.}" rev-parse --short HEAD 2>/dev/null || echo '?')), nproc $ncpu"

if [[ " $sets " == *" io "* ]]; then
  for i in $(seq 1 "$io_tests"); do
    printf '[[test]]\nname = "io.t%02d"\ncommand = ["sleep", "1"]\n' "$i"
  done | make_provider io
  base=
  for n in $jobs_list; do
    run io "j$n" --backend local run -j "$n"
    base=${base:-$wall}
    awk -v n="$n" -v w="$wall" -v t="$io_tests" -v b="$base" -v jt="$jobtime" -v p="$peak" -v l="$load" -v o="$others" 'BEGIN {
      ideal = t / n
      printf "io   -j %d: %6.2f s (ideal %5.2f s) efficiency %3.0f%% speedup %.2fx  [JOB TIME %s s, peak %s at once, load %s, others %s]\n",
        n, w, ideal, 100 * ideal / w, b / w, jt, p, l, o
    }'
  done
fi

if [[ " $sets " == *" cpu "* ]]; then
  "$vtrun" image build tiny >/dev/null
  {
    printf '[defaults]\ntimeout = 900\nparams = { kill_vm = true, qemu_save_state = "no" }\n'
    for i in $(seq 1 "$cpu_tests"); do
      printf '[[test]]\nname = "boot.t%02d"\ncommand = ["vtctl", "exec", "--", "true"]\n' "$i"
    done
  } | make_provider cpu
  base=
  cpu_line() {  # N LABEL BUDGET
    base=${base:-$wall}
    awk -v n="$1" -v label="$2" -v budget="$3" -v nc="$ncpu" -v t="$cpu_tests" -v w="$wall" -v b="$base" \
        -v jt="$jobtime" -v p="$peak" -v bo="$boots" -v l="$load" -v o="$others" 'BEGIN {
      ideal = n; if (budget < ideal) ideal = budget; if (nc < ideal) ideal = nc; if (t < ideal) ideal = t
      s = b / w
      printf "cpu  %-19s %6.2f s speedup %.2fx (ideal %.2fx) efficiency %3.0f%%  [JOB TIME %s s, peak %s VMs at once, %s/%d boots, load %s, others %s]\n",
        label ":", w, s, ideal, 100 * s / ideal, jt, p, bo, t, l, o
    }'
  }
  for n in $jobs_list; do
    run cpu "j$n" --backend qemu run -j "$n"
    cpu_line "$n" "-j $n" "$(( n > ncpu ? n : ncpu ))"
  done
  n=$(echo "$jobs_list" | tr ' ' '\n' | sort -n | tail -1)
  if [ "$n" -gt "$ncpu" ]; then
    run cpu "j$n-capped" --backend qemu run -j "$n" --max-cpus "$ncpu"
    cpu_line "$n" "-j $n --max-cpus $ncpu" "$ncpu"
  fi
fi
