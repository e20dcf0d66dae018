#!/usr/bin/env bash
# What the appengine backend costs per test, against the container engine alone, on a private
# dockerd (no firewall changes) and the stand-in device image:
#   bare run     `docker run --rm IMAGE true`: the floor of any container per test
#   bare device  by hand, what a test needs at least: docker run -d, pv-appengine, poll READY
#                and the pvtx endpoint once a second as the reference does, the test script
#                under `docker exec -t`, poweroff, docker rm -f
#   vtrun        `vtrun --backend appengine run local/control/devmeta` (the whole command:
#                plugin loading, slot, staging, probes, pty run, verdict, stop, job files)
# Prints the median of RUNS in milliseconds and the ratios.
#   bench/appengine.bench.sh [RUNS] [BUILD_DIR]
set -euo pipefail
runs=${1:-5}
build=${2:-build/release}
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ] || ! command -v dockerd >/dev/null; then
  echo "appengine bench: needs root and dockerd (apt-get install docker.io); skipped"
  exit 0
fi
if [ ! -x "$build/bin/vtrun" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi
vtrun=$(realpath "$build/bin/vtrun")
docker=docker
[ -x /usr/bin/docker ] && docker=/usr/bin/docker
work=$(mktemp -d /tmp/vtbench.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    $docker ps -aq | xargs -r $docker rm -f >/dev/null 2>&1 || true
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
dockerd --data-root "$work/data" --exec-root "$work/exec" -H "unix://$work/docker.sock" \
  --iptables=false --ip6tables=false --bridge=none >"$work/dockerd.log" 2>&1 &
pid=$!
export DOCKER_HOST="unix://$work/docker.sock" VTRUN_CACHE_DIR="$work/cache"
until $docker version >/dev/null 2>&1; do sleep 0.1; done
"$vtrun" image build appengine-standin --engine "$docker" >/dev/null 2>&1
image=vtrun/appengine-standin:latest
cp -r examples/pvtests "$work/tree"
printf '[params]\nappengine_image = "%s"\nappengine_engine = "%s"\nappengine_slot_dir = "%s"\nappengine_network = "none"\n' \
  "$image" "$docker" "$work" > "$work/tree/vtrun-params.toml"

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

bare_run() { $docker run --rm --network none --entrypoint true "$image" >/dev/null; }

bare_device() {
  local c=bench-device
  $docker run -d --name $c --network none --cap-add SYS_ADMIN -v "$work/st:/var/pantavisor/storage" \
    --entrypoint sh "$image" -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait; done' >/dev/null
  $docker exec -d $c pv-appengine -d 0
  until [ "$($docker exec $c sh -c 'pvcontrol devmeta ls 2>/dev/null | jq -r ".[\"pantavisor.status\"]"')" = READY ]; do
    sleep 1
  done
  until $docker exec $c curl -s -o /dev/null http://localhost:12368/cgi-bin/pvtx/status; do sleep 1; done
  $docker exec -t $c bash -c 'pvcontrol devmeta ls | jq -M -S .; pvcontrol ls' >/dev/null
  $docker exec $c pvcontrol commands poweroff >/dev/null
  $docker rm -f $c >/dev/null
  rm -rf "$work/st"
}

via_vtrun() {
  (cd "$work/tree" && "$vtrun" --backend appengine run local/control/devmeta -w "$work/ws.$1" >/dev/null)
}

measure() {
  local f=$1 i
  for i in $(seq 1 "$runs"); do
    local t0; t0=$(now)
    "$f" "$i"
    echo $(( ($(now) - t0) / 1000000 ))
  done | median
}

run_ms=$(measure bare_run)
device_ms=$(measure bare_device)
vtrun_ms=$(measure via_vtrun)
echo "appengine per test, median of $runs (ms): bare run $run_ms, bare device $device_ms, vtrun $vtrun_ms"
echo "ratio vtrun / bare device: $(echo "scale=2; $vtrun_ms / $device_ms" | bc)"
echo "ratio vtrun / bare run:    $(echo "scale=2; $vtrun_ms / $run_ms" | bc)"
