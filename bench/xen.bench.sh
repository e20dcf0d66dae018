#!/usr/bin/env bash
# What a test's guest costs on the xen backend, cold against warm, on the Xen lab
# (images/xen-lab: real Xen under QEMU TCG):
#   cold   xen_warm_start = no: every test's guest is an `xl create` and a boot until ssh answers
#   warm   the default: the first boot is saved once (`xl save`), every later test's guest is an
#          `xl restore` over a fresh copy of the disk, until ssh answers
# Both run TESTS tests of `vtctl exec -- true` that each break their testbed (so each gets a
# fresh guest), and print the time per test (the job's wall time / TESTS) and the ratio.
#   bench/xen.bench.sh [TESTS] [BUILD_DIR]
set -euo pipefail
tests=${1:-4}
build=${2:-build/release}
cd "$(dirname "$0")/.."
if [ ! -x "$build/bin/vtrun" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVTRUN_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi
vtrun=$(realpath "$build/bin/vtrun")
"$vtrun" image build xen-lab >/dev/null
lab="${VTRUN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vtrun}/images/xen-lab/current"
work=$(mktemp -d /tmp/vtxenbench.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ssh-keygen -q -t ed25519 -N '' -f "$work/key"
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
start=$(date +%s.%N)
"$lab/boot.sh" --port "$port" --key "$work/key.pub" --log "$work/serial.log" &
pid=$!
dom0() {
  ssh -F /dev/null -p "$port" -i "$work/key" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 root@127.0.0.1 "$@"
}
for _ in $(seq 600); do dom0 /usr/lib/xen-4.17/bin/xl info >/dev/null 2>&1 && break; sleep 1; done
echo "lab: boot until xl info answers: $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s"
export VTRUN_XEN_HOST=ssh://root@127.0.0.1:$port VTRUN_XEN_SSH_KEY=$work/key

mkdir -p "$work/p/provider" "$work/p/providers.d"
printf '[provider]\nuri = "../provider"\n' > "$work/p/providers.d/p.toml"
for i in $(seq "$tests"); do
  printf '[[test]]\nname = "t%s"\nbreaks_testbed = true\ncommand = ["vtctl", "exec", "--", "true"]\n' "$i"
done > "$work/p/provider/vtrun.toml"
# the lab's quick hotplug scripts, as a user of the lab sets them (docs/xen.md)
fast=(--param xen_disk_script=vtrun-block --param xen_vif_script=vtrun-vif)
per_test() {  # $1: log file, then extra vtrun args; prints ms per test
  local log=$1 t0 t1
  shift
  t0=$(date +%s%N)
  (cd "$work" && "$vtrun" -vv --backend xen --providers p/providers.d run "${fast[@]}" "$@" \
    >/dev/null 2>"$log")
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000 / tests))
}
# the backend's own step timings (debug log): "xen: NAME: STEP took S s"; prints the median
median_of() {  # $1: log, $2: step
  grep -o "$2 took [0-9.]* s" "$1" | awk '{ print $(NF - 1) }' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}
cold=$(per_test "$work/cold.log" --param xen_warm_start=no)
warm=$(per_test "$work/warm.log")
create=$(median_of "$work/cold.log" "xl create")
boot=$(median_of "$work/cold.log" "the boot until ssh answered")
restore=$(median_of "$work/warm.log" "xl restore")
ssh_after=$(median_of "$work/warm.log" "ssh after the restore")
save=$(median_of "$work/warm.log" "xl save")
echo "cold: xl create $create s + boot until ssh $boot s = $(echo "$create + $boot" | bc) s (median of $tests)"
echo "warm: xl restore $restore s + ssh $ssh_after s = $(echo "$restore + $ssh_after" | bc) s (median; one xl save: $save s)"
echo "ratio cold/warm (create+boot / restore+ssh): $(echo "scale=2; ($create + $boot) / ($restore + $ssh_after)" | bc)"
echo "whole job per test: cold $cold ms, warm $warm ms (warm includes the one boot and xl save)"
