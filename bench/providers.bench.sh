#!/usr/bin/env bash
# What fetching costs a command: `vtrun list` (local backend) with the same provider tree as a
# plain directory, a git repository over file:// and over `git daemon` on 127.0.0.1 (warm cache:
# an incremental fetch that finds nothing new), pinned to a full commit (no fetch), --offline,
# and a file:// tar.gz archive (hashed on every command); then a cold first fetch + checkout.
# Prints the median of RUNS commands in milliseconds.
#   bench/providers.bench.sh [RUNS] [BUILD_DIR]
set -euo pipefail
runs=${1:-10}
build=${2:-build/release}
cd "$(dirname "$0")/.."
if [ ! -x "$build/bin/vtrun" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi
vtrun=$(realpath "$build/bin/vtrun")
work=$(mktemp -d)
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export VTRUN_CACHE_DIR="$work/cache" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# A provider of 50 tests and 2000 other files (4 KiB each, 8 MiB).
tree="$work/tree"
mkdir -p "$tree/data"
for i in $(seq 1 50); do printf '[[test]]\nname = "t%02d"\ncommand = ["true"]\n' "$i"; done \
  > "$tree/vtrun.toml"
for i in $(seq 1 2000); do head -c 4096 /dev/urandom > "$tree/data/f$i"; done
git -C "$tree" init -q -b main
git -C "$tree" add -A
git -C "$tree" -c user.name=bench -c user.email=bench@example.org commit -qm bench
commit=$(git -C "$tree" rev-parse HEAD)
git clone -q --bare "$tree" "$work/served/tests.git"
tar -czf "$work/tests.tar.gz" -C "$work" tree

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
git daemon --reuseaddr --listen=127.0.0.1 --port="$port" --export-all \
  --base-path="$work/served" "$work/served" 2>/dev/null &
daemon=$!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

define() {  # define NAME INI_BODY
  rm -rf "$work/$1"
  mkdir -p "$work/$1/providers.d"
  printf '%b' "$2" > "$work/$1/providers.d/bench.ini"
}
define dir '[provider]\nuri: ../../tree\n'
define file_git "[provider]\nuri: file://$work/served/tests.git\n"
define daemon_git "[provider]\nuri: git://127.0.0.1:$port/tests.git\n"
define pinned "[provider]\nuri: git://127.0.0.1:$port/tests.git\nref: $commit\n"
define archive "[provider]\nuri: file://$work/tests.tar.gz\n"

now_ms() { date +%s%3N; }
# median_ms SETUP_COMMAND VTRUN_ARGS...: the median wall time of RUNS `vtrun list`s.
median_ms() {
  local setup=$1 times=() start
  shift
  for _ in $(seq 1 "$runs"); do
    eval "$setup"
    start=$(now_ms)
    "$vtrun" "$@" >/dev/null
    times+=($(( $(now_ms) - start )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

list() { echo "--backend local --providers $work/$1/providers.d list"; }
# Warm the cache once for each fetched kind.
for kind in file_git daemon_git pinned archive; do $vtrun $(list $kind) >/dev/null; done

printf 'provider of 50 tests + 2000 files (8 MiB), `vtrun list`, median of %d (ms)\n' "$runs"
printf '  plain directory:                  %5d\n' "$(median_ms : $(list dir))"
printf '  git file://, warm:                %5d\n' "$(median_ms : $(list file_git))"
printf '  git daemon 127.0.0.1, warm:       %5d\n' "$(median_ms : $(list daemon_git))"
printf '  git pinned full commit (no fetch):%5d\n' "$(median_ms : $(list pinned))"
printf '  git --offline:                    %5d\n' "$(median_ms : --offline $(list daemon_git))"
printf '  file:// tar.gz archive, warm:     %5d\n' "$(median_ms : $(list archive))"
printf '  git daemon, cold (fetch+checkout):%5d\n' \
  "$(median_ms 'rm -rf "$VTRUN_CACHE_DIR"' $(list daemon_git))"
printf '  tar.gz archive, cold (extract):   %5d\n' \
  "$(median_ms 'rm -rf "$VTRUN_CACHE_DIR"' $(list archive))"
