#!/usr/bin/env bash
# The qemu backend against a bare QEMU boot of the same guest, measured in the same run:
#   bare      qemu-system-x86_64 -kernel vmlinux … with the same devices, the guest's init runs
#             `true` (vt.cmd) and powers off: process start → exit
#   vtrun     open → first command cold, cold + saving the state, from the saved state, revert
# Prints medians and the ratios the QEMU backend aims at: cold open ≤ 1.1× bare, fast revert ≤ 0.5 s.
#   bench/qemu.bench.sh [ROUNDS] [BUILD_DIR]
set -euo pipefail
rounds=${1:-3}
build=${2:-build/release}
cd "$(dirname "$0")/.."
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target vtrun vt_qemu vt_bench_qemu_open >/dev/null
"$build/bin/vtrun" image build tiny >/dev/null
image=$(readlink -f "${VTRUN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vtrun}/images/tiny/current")
# The bare boot uses the accelerator the backend picks, so both sides run the same way.
accel=$("$build/bin/vtrun" check --backend qemu 2>/dev/null | sed -n 's/.*acceleration: \([a-z]*\):.*/\1/p')
accel=${accel:-tcg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmd=$(printf 'true' | base64 -w0)
bare=()
for i in $(seq 1 "$rounds"); do
  rm -f "$work/ov.qcow2"
  start=$(date +%s%N)
  qemu-img create -q -f qcow2 -b "$image/disk.qcow2" -F qcow2 "$work/ov.qcow2"
  qemu-system-x86_64 -nodefaults -no-user-config -display none -accel "$accel" -machine pc -m 256 \
    -smp 1 -kernel "$image/vmlinux" -initrd "$image/initrd.img" -no-reboot \
    -append "console=ttyS0 quiet panic=-1 vt.net=eth0:10.0.2.15/24:10.0.2.2 vt.cmd=$cmd" \
    -device virtio-serial-pci -device virtserialport,chardev=c0,name=org.qemu.guest_agent.0 \
    -chardev socket,id=c0,path="$work/c.sock",server=on,wait=off \
    -drive file="$work/ov.qcow2",format=qcow2,if=none,cache=unsafe,id=d0 -device virtio-blk-pci,drive=d0 \
    -netdev user,id=n0 -device virtio-net-pci,netdev=n0 -serial file:"$work/console.log"
  bare+=("$(( ($(date +%s%N) - start) / 1000000 ))")
done
bare_ms=$(printf '%s\n' "${bare[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")
printf '%-40s %.3f s (median of %d)\n' "bare boot of the same guest" "$(echo "$bare_ms/1000" | bc -l)" "$rounds"

out=$("$build/bin/vt_bench_qemu_open" "$build/lib/vtrun/plugins" "$rounds")
echo "$out"
# The value of a line "<name padded to 40> <seconds> s (...)".
value() { echo "$out" | awk -v name="$1" '{ n = substr($0, 1, 40); sub(/ +$/, "", n) } n == name { split(substr($0, 41), a, " "); print a[1] }'; }
ratio() { echo "$(value "$1") * 1000 / $bare_ms" | bc -l | xargs printf '%.2f'; }
echo "ratio cold open / bare boot:              $(ratio 'open -> first command, cold')  (goal <= 1.1)"
echo "ratio cold open + save / bare boot:       $(ratio 'open -> first command, cold + save state')"
echo "revert -> first command:                  $(value 'revert -> first command') s  (goal <= 0.5)"
