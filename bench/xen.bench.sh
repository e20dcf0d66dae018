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
per_test() {  # $1: extra vtrun args; prints ms per test
  local t0 t1
  t0=$(date +%s%N)
  (cd "$work" && "$vtrun" --backend xen --providers p/providers.d run "$@" >/dev/null)
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 / tests ))
}
cold=$(per_test --param xen_warm_start=no)
warm=$(per_test)
echo "cold (xl create + boot) per test: $cold ms"
echo "warm (xl restore) per test:       $warm ms  (the first test also pays the boot and xl save)"
echo "ratio cold/warm: $(echo "scale=2; $cold / $warm" | bc)"
