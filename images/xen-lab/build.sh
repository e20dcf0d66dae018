#!/bin/sh
# Builds the Xen lab: a real Xen 4.17 hypervisor with a PV dom0, booted by QEMU under TCG (no
# KVM needed), for the xen backend to run its guests in. dom0 is Debian's kernel with a busybox
# initramfs holding the toolstack (xl, xenstored, xenconsoled, the hotplug scripts), blkback,
# netback, device-mapper (copy-on-write guest disks), dropbear (the host's way in) and the tiny
# guest (../tiny) to start as a PV domU.
#
# dom0 as the backend sees it (also in image.json): ssh as root with the key boot.sh was given;
# guests on the bridge xenbr0, 10.99.0.0/24, dom0 is 10.99.0.1; the state tmpfs /var/lib/vtrun
# (save images, copy-on-write stores); the tiny guest's vmlinux, initrd.img and disk.img (raw
# ext4, 32 MiB, read-only) in /var/lib/vtrun/images/tiny; guest consoles logged to
# /var/log/xen/console/guest-NAME.log; quick hotplug scripts vtrun-block and vtrun-vif.
#
#   build.sh --inputs   prints what the build depends on besides this folder: package
#                       versions, the hypervisor .deb, the kernel release, and the tiny
#                       recipe (its files and inputs), which this image embeds
#   build.sh OUTDIR     builds into OUTDIR (which must be empty)
#
# Output: xen (the hypervisor, gunzipped: an ELF32 with a multiboot1 header, which QEMU's
# -kernel boots), vmlinux (dom0's kernel, the raw ELF: Xen loads it without the 4 s xz unpack
# the bzImage costs under TCG), dom0.img (gzip newc cpio), boot.sh (runs the lab), image.json.
# Reproducible: fixed mtimes, sorted archive members, no gzip name or time stamp.
#
# The hypervisor comes from the xen-hypervisor-4.17-amd64 .deb that scripts/install-deps.sh
# downloads into vtrun's cache: unpacked into a temporary folder, never installed, so the
# host's /boot and boot loader stay untouched.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tiny=$here/../tiny
xv=4.17
xbin=/usr/lib/xen-$xv/bin
packages="xen-utils-$xv linux-image-amd64 busybox-static dropbear-bin dmsetup util-linux bash e2fsprogs cpio kmod gzip qemu-system-x86"
kver=${VTRUN_GUEST_KERNEL:-$(ls /lib/modules | sort -V | tail -n 1)}
# vtrun's cache folder, as vtrun finds it (sdk::cache_dir)
if [ -n "${VTRUN_CACHE_DIR:-}" ]; then cache=$VTRUN_CACHE_DIR
else
  case "${XDG_CACHE_HOME:-}" in
    /*) cache=$XDG_CACHE_HOME/vtrun ;;
    *) cache=${HOME:-/tmp}/.cache/vtrun ;;
  esac
fi
deb=$(ls "$cache"/debs/xen-hypervisor-$xv-amd64_*.deb 2>/dev/null | sort -V | tail -n 1)

# What dom0 offers the backend; also written to image.json.
bridge=xenbr0
subnet=10.99.0               # dom0 is .1 on the bridge, guests .10 and up
images=/var/lib/vtrun/images # the guest images, under the state tmpfs /var/lib/vtrun

if [ "${1:-}" = --inputs ]; then
  for p in $packages; do
    printf '%s %s\n' "$p" "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo missing)"
  done
  printf 'xen-hypervisor-deb %s\n' "${deb:+$(basename "$deb")}"
  printf 'kernel %s\n' "$kver"
  # the tiny guest is built into dom0.img, but vtrun hashes only this folder
  sum=$(cd "$tiny" && { find . -printf '%y %p %m %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
  printf 'tiny-recipe %s\n' "$sum"
  VTRUN_GUEST_KERNEL=$kver "$tiny/build.sh" --inputs | sed 's/^/tiny: /'
  exit 0
fi
out=${1:?usage: build.sh OUTDIR | build.sh --inputs}
export PATH="$PATH:/usr/sbin:/sbin"
for tool in busybox dpkg-deb dropbear dropbearkey dmsetup losetup flock bash mke2fs cpio modinfo depmod; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "build.sh: '$tool' is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x "$xbin/xl" ] || { echo "build.sh: $xbin/xl is missing (xen-utils-$xv); run scripts/install-deps.sh" >&2; exit 1; }
[ -n "$deb" ] || { echo "build.sh: no xen-hypervisor-$xv-amd64_*.deb in $cache/debs; run scripts/install-deps.sh" >&2; exit 1; }
[ -x "$tiny/build.sh" ] || { echo "build.sh: the tiny recipe is not at $tiny" >&2; exit 1; }
mkdir -p "$out"; out=$(cd "$out" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
epoch=${SOURCE_DATE_EPOCH:-1700000000}
xen_version=$(dpkg-deb -f "$deb" Version)

# --- the hypervisor ---
dpkg-deb -x "$deb" "$tmp/deb"
gzip -dc "$tmp/deb/boot/xen-$xv-amd64.gz" > "$out/xen"

# --- the tiny guest; its vmlinux is also dom0's kernel (the same Debian kernel) ---
VTRUN_GUEST_KERNEL=$kver "$tiny/build.sh" "$tmp/tiny" >/dev/null
cp "$tmp/tiny/vmlinux" "$out/vmlinux"

# --- dom0's root file system, laid out like the host's (merged /usr), so that the paths ldd
# reports and the ones the hotplug scripts use are right as they are ---
root=$tmp/root
for d in usr/bin usr/sbin usr/lib/x86_64-linux-gnu usr/lib64 usr/lib/modules/"$kver" usr/lib/vtrun/images/tiny \
         proc sys dev run tmp etc/xen etc/dropbear root var/lib/xen var/lib/xenstored var/lib/vtrun \
         var/log/xen/console; do mkdir -p "$root/$d"; done
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
ln -s ../run "$root/var/run"; ln -s ../run/lock "$root/var/lock"
cp /bin/busybox "$root/usr/bin/busybox"
# programs with their shared libraries, at the paths the loader expects
copy_prog() {
  for prog in "$@"; do
    cp -L "$prog" "$root$prog"
    ldd "$prog" | awk '/=>/ { print $3 } /^\t\// { print $1 }' | while read -r lib; do
      [ -e "$lib" ] || continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}
mkdir -p "$root$xbin"
# the toolstack: xl, the two daemons, dom0's xenstore entries, xl save/restore's helper, and
# what the hotplug scripts run (bash, flock: busybox 1.35 has none, xenstore-*)
copy_prog "$xbin/xl" "$xbin/xenstored" "$xbin/xenconsoled" "$xbin/xenconsole" "$xbin/xen-init-dom0" \
          "$xbin/libxl-save-helper" /usr/bin/xenstore /usr/bin/bash /usr/bin/flock
# the host's way in (ssh, also the jump host to the guests), copy-on-write disks
# (device-mapper snapshots over loop devices: util-linux's losetup, as busybox's has no --show)
copy_prog /usr/sbin/dropbear /usr/bin/dropbearkey /usr/sbin/dmsetup /usr/sbin/losetup
# without it xl aborts after create/save/restore: "libgcc_s.so.1 must be installed for
# pthread_cancel to work" (rc 134, although the operation succeeded)
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/usr/lib/x86_64-linux-gnu/"
for n in read write ls list rm exists chmod watch; do ln -s xenstore "$root/usr/bin/xenstore-$n"; done
# in PATH, also for ssh sessions (dropbear gives them /usr/sbin:/usr/bin:/sbin:/bin)
for p in xl xenconsole xenstored xenconsoled xen-init-dom0; do ln -s "$xbin/$p" "$root/usr/sbin/$p"; done
# libdevmapper leaves /dev/mapper/NAME to udev, which dom0 does not run: without this, dmsetup
# creates the device but no node (and leaves a stale one on remove)
mkdir -p "$root/usr/lib/vtrun/bin"
mv "$root/usr/sbin/dmsetup" "$root/usr/lib/vtrun/bin/dmsetup"
printf '#!/bin/busybox sh\nDM_DISABLE_UDEV=1 exec /usr/lib/vtrun/bin/dmsetup "$@"\n' > "$root/usr/sbin/dmsetup"
chmod 755 "$root/usr/sbin/dmsetup"
# sh is bash: busybox-static's ash runs its own applets before anything in PATH, so `losetup`
# in a script would be busybox's (no --show) although util-linux's is there
ln -s bash "$root/usr/bin/sh"
# busybox's applets, where no real program of that name was copied
for a in $(/bin/busybox --list); do
  [ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] || [ -L "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
cp -a /etc/xen/xl.conf /etc/xen/scripts "$root/etc/xen/"
# quick stand-ins for `block` and `vif-bridge`, which cost seconds per device under TCG; a
# guest uses them with script= in its disk and vif specs (see the scripts)
install -m 755 "$here/hotplug/vtrun-block" "$here/hotplug/vtrun-vif" "$root/etc/xen/scripts/"
printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\ndisk:x:6:\n' > "$root/etc/group"
printf '/bin/sh\n/bin/bash\n' > "$root/etc/shells"   # dropbear refuses users whose shell is not listed
printf 'vtrun-dom0\n' > "$root/etc/hostname"
printf '127.0.0.1 localhost\n%s.1 vtrun-dom0\n' "$subnet" > "$root/etc/hosts"

# kernel modules, with their dependencies: the Xen back ends and device files (=m in Debian's
# kernel; xenbus and hvc_xen are built in), loop + device-mapper snapshots for the guest disks,
# the bridge for the guest network, virtio-net for the one to the outside QEMU
mods="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback loop bridge
      dm-mod dm-snapshot virtio_pci virtio_net"
need=$mods; seen=" "
while [ -n "$(echo $need)" ]; do
  set -- $need; m=$1; shift; need="$*"
  case "$seen" in *" $m "*) continue ;; esac
  seen="$seen$m "
  f=$(modinfo -k "$kver" -n "$m" 2>/dev/null) || { echo "build.sh: no module $m" >&2; exit 1; }
  case "$f" in /*) ;; *) continue ;; esac   # built in
  mkdir -p "$root$(dirname "$f")"; cp "$f" "$root$f"
  need="$need $(modinfo -k "$kver" -F depends "$m" | tr , ' ')"
done
cp /lib/modules/"$kver"/modules.order /lib/modules/"$kver"/modules.builtin* "$root/usr/lib/modules/$kver/"
depmod -b "$root" "$kver"
# what dom0's init sets up
printf 'mods="%s"\nbridge=%s\nsubnet=%s\n' "$(echo $mods)" "$bridge" "$subnet" > "$root/etc/vtrun-lab.conf"

# --- the guest images: kept in the initramfs, dom0's init binds them read-only under the state
# tmpfs; the disk is a small raw ext4 (label vtrun, the guest's scratch), its zeros cost
# nothing in the gzip'd archive. No `mke2fs -d`: it stamps inodes with the current time. ---
g=$root/usr/lib/vtrun/images/tiny
cp "$tmp/tiny/vmlinux" "$tmp/tiny/initrd.img" "$g/"
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -t ext4 -L vtrun -U 3f2a9c4e-1b7d-4e60-a5c2-7d9e0b1f4a83 \
  -E hash_seed=9e41c7a2-3d5b-4f18-b6e0-2c8a1d7f5b39,root_owner=0:0 "$g/disk.img" 32M >/dev/null
chmod 644 "$g"/*

install -m 755 "$here/dom0-init" "$root/init"

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | gzip -n -6) \
  > "$out/dom0.img"
install -m 755 "$here/boot.sh" "$out/boot.sh"
chmod 644 "$out/xen" "$out/vmlinux" "$out/dom0.img"

cat > "$out/image.json" <<JSON
{"name": "xen-lab", "hypervisor": "xen", "xen_version": "$xen_version", "kernel_release": "$kver",
 "files": {"xen": "xen", "dom0_kernel": "vmlinux", "dom0_initrd": "dom0.img", "boot": "boot.sh"},
 "boot": "boot.sh --port PORT --key PUBKEYFILE [--log LOG] [--mem MiB] [--timeout S]",
 "ready_line": "VTRUN-DOM0-READY", "dom0_ssh_user": "root",
 "dom0": {"bridge": "$bridge", "subnet": "$subnet", "address": "$subnet.1", "state_dir": "/var/lib/vtrun",
          "hotplug_scripts": {"disk": "vtrun-block", "vif": "vtrun-vif"}},
 "guest_images": {"tiny": {"kernel": "$images/tiny/vmlinux", "initrd": "$images/tiny/initrd.img",
                           "disk": "$images/tiny/disk.img", "disk_format": "raw",
                           "kernel_params": "console=hvc0 quiet"}}}
JSON
echo "built xen lab in $out (xen $xen_version, kernel $kver)"
