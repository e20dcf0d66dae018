#!/bin/sh
# Boots the Xen lab (Xen + PV dom0, images/xen-lab) in QEMU under TCG, in the foreground: the
# caller supervises it, and ending this process ends QEMU. dom0 is up once its console (the
# serial log) shows VTRUN-DOM0-READY; then `ssh -p PORT root@127.0.0.1` with the key reaches
# it, and the guests on its bridge through it (ssh -J / -W). `poweroff` in dom0 ends the lab.
#
#   boot.sh --port PORT --key PUBKEYFILE [--log LOG] [--mem MiB] [--timeout S]
#     --port     host port (on 127.0.0.1) forwarded to dom0's sshd
#     --key      public key authorised for root in dom0
#     --log      the serial console (Xen's and dom0's messages) goes to LOG; default stdout
#     --mem      QEMU's RAM in MiB (default 1536; dom0 gets LAB_DOM0_MEM of it)
#     --timeout  stop QEMU after S seconds (default: no limit)
# Knobs: LAB_CPU (max,-smap,-rdtscp,-xsave), LAB_SMP (2), LAB_DOM0_MEM (768M), LAB_STATE_SIZE (450M:
# dom0's tmpfs for save images and copy-on-write stores), LAB_XEN_ARGS and LAB_DOM0_ARGS
# (more words for Xen's and dom0's command lines, e.g. loglvl=all guest_loglvl=all).
# QEMU's status is the exit status: 0 once dom0 powered off.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: boot.sh --port PORT --key PUBKEYFILE [--log LOG] [--mem MiB] [--timeout S]"
port= key= log= mem=1536 timeout_s=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port|--key|--log|--mem|--timeout) [ $# -ge 2 ] || { echo "boot.sh: $1 needs a value; $usage" >&2; exit 2; } ;;
  esac
  case "$1" in
    --port) port=$2 ;;
    --key) key=$2 ;;
    --log) log=$2 ;;
    --mem) mem=$2 ;;
    --timeout) timeout_s=$2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "boot.sh: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$port" ] && [ -n "$key" ] || { echo "boot.sh: --port and --key are required; $usage" >&2; exit 2; }
number() { case "$2" in ''|*[!0-9]*) echo "boot.sh: $1 '$2' is not a number" >&2; exit 2 ;; esac; }
number --port "$port"; number --mem "$mem"; number --timeout "$timeout_s"
[ -r "$key" ] || { echo "boot.sh: --key: cannot read '$key'; $usage" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "boot.sh: qemu-system-x86_64 is missing" >&2; exit 1; }

ssh_b64=$(base64 -w0 < "$key")
if [ -n "$log" ]; then
  case "$log" in /*) ;; *) log=$PWD/$log ;; esac
  serial=file:$log
  exec < /dev/null
else
  serial=stdio
fi
dom0_mem=${LAB_DOM0_MEM:-768M}
# QEMU's multiboot -initrd is a comma-separated list of "FILE ARGS": commas in the arguments
# are doubled, and the files are named relative to this folder (cd below), so that where the
# image lives (commas, spaces) does not matter and nothing needs copying.
dom0_args=$(printf '%s' "console=hvc0 quiet vt.ssh=$ssh_b64 vt.state=${LAB_STATE_SIZE:-450M} ${LAB_DOM0_ARGS:-}" |
  sed 's/,/,,/g')
cd "$here"
for f in xen vmlinux dom0.img; do [ -r "$f" ] || { echo "boot.sh: $here/$f is missing" >&2; exit 1; }; done

# -cpu: QEMU 7.2's TCG reads the IRET frame with supervisor rights even at CPL 3, so with
# SMAP on, Xen kills the 64-bit PV dom0 at once (-smap); its SVM has no NRIPS and reports RDTSCP
# as RDTSC, which hangs PVH guests (-rdtscp); and with XSAVE (and so AVX) on, guests' FPU/SSE
# registers are corrupted now and then while the host is busy (busybox `seq 1 700000 | md5sum`
# differed in 4 of 7 runs with both host cores loaded, in none of 14 with -xsave): Xen then
# switches FPU state with FXSAVE/FXRSTOR.
# -netdev restrict=on: dom0 reaches nothing outside (not the host either); the hostfwd to its
# sshd still works.
set -- qemu-system-x86_64 -name "vtrun-xen-lab-$port" \
  -accel tcg -cpu "${LAB_CPU:-max,-smap,-rdtscp,-xsave}" -m "$mem" -smp "${LAB_SMP:-2}" \
  -display none -monitor none -serial "$serial" -no-reboot \
  -kernel xen \
  -append "console=com1 com1=115200,8n1 dom0_mem=$dom0_mem,max:$dom0_mem bootscrub=0 ${LAB_XEN_ARGS:-}" \
  -initrd "vmlinux $dom0_args,dom0.img" \
  -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0
if [ "$timeout_s" -gt 0 ]; then
  # timeout passes TERM/INT/HUP on to QEMU; --pdeathsig takes QEMU along if timeout is killed
  exec timeout -k 10 "$timeout_s" setpriv --pdeathsig KILL "$@"
fi
exec "$@"
