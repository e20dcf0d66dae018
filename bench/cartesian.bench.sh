#!/usr/bin/env bash
# Speed and memory of `vtrun cartesian` on tp-qemu's real matrix
# (../shared/conformance/cartesian-real/qemu), next to the targets:
#   (a) avocado-list-default.cfg, names only (4,827 dicts)    wall <= 0.13 s
#   (b) the same with -c, every key of every dict             wall <= 0.5 s
#   (c) tests.cfg unfiltered, names, first COUNT_NAMES dicts  >= 100,000 dicts/s
#   (d) tests.cfg unfiltered, -c, first COUNT_FULL dicts      (dicts/s for information)
#   and peak RSS <= 100 MB everywhere. Each figure is the median of RUNS runs; peak RSS comes
#   from GNU time -v. (c) and (d) stop vtrun by closing the pipe, as `| head` does.
#   bench/cartesian.bench.sh [N] [BUILD_DIR]
# The arguments are those bench/run.sh passes to every bench; N (a test count) is not used here.
# Environment: RUNS (5), COUNT_NAMES (2000000), COUNT_FULL (200000), JOBS (build jobs, nproc).
set -euo pipefail
shopt -s inherit_errexit  # a failing run inside $(measure ...) stops the bench
runs=${RUNS:-5}
build=${2:-build/release}
count_names=${COUNT_NAMES:-2000000}
count_full=${COUNT_FULL:-200000}
cd "$(dirname "$0")/.."
qemu=$(cd .. && pwd)/shared/conformance/cartesian-real/qemu
if [ ! -d "$qemu" ]; then
  echo "cartesian.bench: no matrix at $qemu" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")
[ "$build_type" = Release ] || echo "cartesian.bench: warning: $build is a '$build_type' build" >&2
cmake --build "$build" --target vtrun -j "${JOBS:-$(nproc)}" >/dev/null
vtrun=$(cd "$build/bin" && pwd)/vtrun

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$qemu"  # as avocado runs it: file names in the dicts are relative

# sample FILE CMD...: runs the pipeline CMD (a shell string) once; appends "WALL_S RSS_KB OUT"
# to FILE, where OUT is what the pipeline printed (a count).
sample() {
  local file=$1 cmd=$2 start end out rss
  start=$(date +%s%N)
  out=$(bash -o pipefail -c "$cmd")
  end=$(date +%s%N)
  rss=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$work/time")
  echo "$(( (end - start) / 1000 )) $rss $out" |
    awk -v o="${overhead:-0}" '{ w = $1 / 1e6 - o; printf "%.6f %d %s\n", (w > 0 ? w : 0), $2, $3 }' \
    >>"$file"
}

# measure NAME CMD: RUNS samples of CMD; prints "WALL_S RSS_KB COUNT" (medians; the count of
# the first run) on stdout.
measure() {
  local name=$1 cmd=$2 i
  : >"$work/$name"
  for i in $(seq 1 "$runs"); do sample "$work/$name" "$cmd"; done
  local wall rss count
  wall=$(cut -d' ' -f1 "$work/$name" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  rss=$(cut -d' ' -f2 "$work/$name" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  count=$(head -n1 "$work/$name" | cut -d' ' -f3)
  echo "$wall $rss $count"
}

time_v="/usr/bin/time -v -o $work/time"
# What the harness itself costs (bash, GNU time, the counting pipe), subtracted from each wall.
overhead=$(measure overhead "$time_v true | wc -l" | cut -d' ' -f1)
# One line per dict without -c; with -c, `dict N:` starts each dict, so grep stops the run at
# the header after COUNT_FULL complete dicts.
a=$(measure a "$time_v '$vtrun' cartesian avocado-list-default.cfg | wc -l")
b=$(measure b "$time_v '$vtrun' cartesian -c avocado-list-default.cfg | grep -c '^dict '")
c=$(measure c "$time_v '$vtrun' cartesian tests.cfg | head -n $count_names | wc -l")
d=$(measure d "$time_v '$vtrun' cartesian -c tests.cfg | grep -m $((count_full + 1)) -c '^dict '")
read -r a_wall a_rss a_n <<<"$a"
read -r b_wall b_rss b_n <<<"$b"
read -r c_wall c_rss c_n <<<"$c"
read -r d_wall d_rss d_n <<<"$d"
[ "$d_n" -gt "$count_full" ] && d_n=$count_full

awk -v runs="$runs" -v overhead="$overhead" \
  -v aw="$a_wall" -v ar="$a_rss" -v an="$a_n" -v bw="$b_wall" -v br="$b_rss" -v bn="$b_n" \
  -v cw="$c_wall" -v cr="$c_rss" -v cn="$c_n" -v dw="$d_wall" -v dr="$d_rss" -v dn="$d_n" 'BEGIN {
  rss_target = 100
  printf "vtrun cartesian on tp-qemu (median of %d runs; target in brackets, MISS when not met;\n", runs
  printf "harness overhead of %.1f ms subtracted from each wall time)\n", overhead * 1000
  printf "%-44s %9s %9s %12s %9s  %s\n", "case", "dicts", "wall s", "dicts/s", "RSS MB", "verdict"
  row("(a) avocado-list-default.cfg, names", an, aw, ar, "wall", 0.13)
  row("(b) avocado-list-default.cfg, -c", bn, bw, br, "wall", 0.5)
  row("(c) tests.cfg unfiltered, names", cn, cw, cr, "rate", 100000)
  row("(d) tests.cfg unfiltered, -c", dn, dw, dr, "", 0)
  printf "reference parser (Python, README): 12.9 s for (b), ~1,000 dicts/s unfiltered, 87 MB\n"
}
function row(label, n, wall, rss_kb, kind, target,    rate, mb, verdict, note) {
  rate = wall > 0 ? n / wall : 0
  mb = rss_kb / 1024
  verdict = "ok"
  if (kind == "wall") { note = sprintf("[<= %.2f s", target); if (wall > target) verdict = "MISS" }
  else if (kind == "rate") { note = sprintf("[>= %d dicts/s", target); if (rate < target) verdict = "MISS" }
  else note = "["
  note = note (note == "[" ? "" : ", ") sprintf("RSS <= %d MB]", rss_target)
  if (mb > rss_target) verdict = "MISS"
  printf "%-44s %9d %9.3f %12.0f %9.1f  %-4s %s\n", label, n, wall, rate, mb, verdict, note
}'
if [ "$a_n" != 4827 ] || [ "$b_n" != 4827 ]; then
  echo "cartesian.bench: avocado-list-default.cfg gave $a_n names and $b_n dicts, expected 4827" >&2
  exit 1
fi
