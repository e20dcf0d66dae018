#!/bin/sh
# Builds the tiny test guest: Debian's kernel, a busybox initramfs with the virtio modules (and
# Xen's PV front ends), qemu-guest-agent as the command channel (dropbear as the ssh
# alternative), and a small ext4 disk for the persistent scratch.
#
#   build.sh --inputs   prints what the build depends on besides this folder (package
#                       versions, kernel release); `vtrun image build` hashes it with the
#                       folder's files to decide whether the cached image is still current
#   build.sh OUTDIR     builds into OUTDIR (which must be empty)
#
# Output: vmlinux (decompressed ELF, PVH entry: boots about 3x faster under TCG than the
# bzImage), vmlinuz, initrd.img, disk.qcow2, image.json. Reproducible: fixed mtimes, sorted
# archive members, no gzip name or time stamp.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
packages="linux-image-amd64 busybox-static qemu-guest-agent dropbear-bin bsdutils e2fsprogs qemu-utils cpio kmod xz-utils"
kver=${VTRUN_GUEST_KERNEL:-$(ls /lib/modules | sort -V | tail -n 1)}

if [ "${1:-}" = --inputs ]; then
  for p in $packages; do
    printf '%s %s\n' "$p" "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo missing)"
  done
  printf 'kernel %s\n' "$kver"
  exit 0
fi
out=${1:?usage: build.sh OUTDIR | build.sh --inputs}
for tool in busybox qemu-ga dropbear script mke2fs qemu-img cpio modinfo depmod xz; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || [ -x "/sbin/$tool" ] || {
    echo "build.sh: '$tool' is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -r "/boot/vmlinuz-$kver" ] || { echo "build.sh: /boot/vmlinuz-$kver is missing (linux-image-amd64)" >&2; exit 1; }
export PATH="$PATH:/usr/sbin:/sbin"
mkdir -p "$out"; out=$(cd "$out" && pwd)
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
epoch=${SOURCE_DATE_EPOCH:-1700000000}

# --- the root file system of the initramfs ---
for d in bin sbin usr/bin usr/sbin usr/lib/vtrun proc sys dev run tmp mnt etc root var/tmp \
         lib/modules/"$kver"; do mkdir -p "$root/$d"; done
ln -s ../run "$root/var/run"
cp /bin/busybox "$root/bin/busybox"
cp /usr/sbin/qemu-ga "$root/usr/sbin/qemu-ga"
cp /usr/bin/script "$root/usr/bin/script"
cp /usr/sbin/dropbear "$root/usr/sbin/dropbear"
# the shared libraries of the dynamically linked programs, at the paths the loader expects
for prog in /usr/sbin/qemu-ga /usr/bin/script /usr/sbin/dropbear; do
  ldd "$prog" | awk '/=>/ { print $3 } /^\t\// { print $1 }' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '/bin/sh\n' > "$root/etc/shells"
printf 'vtrun-tiny\n' > "$root/etc/hostname"
printf '127.0.0.1 localhost\n' > "$root/etc/hosts"

# kernel modules: the drivers of the devices the backend attaches, with their dependencies
# (xen-blkfront and xen-netfront: the same guest also boots as a Xen PV domU, images/xen-lab)
mods="virtio_pci virtio_mmio virtio_console virtio_net virtio_blk virtio_rng ext4 crc32c_generic 9p 9pnet_virtio unix
      xen-blkfront xen-netfront"
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
cp /lib/modules/"$kver"/modules.order /lib/modules/"$kver"/modules.builtin* "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"

install -m 755 "$here/init" "$root/init"
install -m 755 "$here/vt-exec" "$root/usr/lib/vtrun/vt-exec"
install -m 755 "$here/vt-kill" "$root/usr/lib/vtrun/vt-kill"
install -m 755 "$here/vt-ssh-exec" "$root/usr/lib/vtrun/vt-ssh-exec"
install -m 644 "$here/vt-session" "$root/usr/lib/vtrun/vt-session"

find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet | gzip -n -6) \
  > "$out/initrd.img"

# --- the kernel, also decompressed (Debian's bzImage carries an xz payload) ---
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
off=$(LC_ALL=C grep -abo -m1 -P '\xfd7zXZ\x00' "$out/vmlinuz" | head -n 1 | cut -d: -f1)
tail -c +$((off + 1)) "$out/vmlinuz" | xz -dc --single-stream > "$out/vmlinux" 2>/dev/null || true
[ -s "$out/vmlinux" ] || { echo "build.sh: cannot decompress the kernel" >&2; exit 1; }

# --- the disk: an empty ext4 for the scratch directory (the guest's init makes
# /srv/vtrun/scratch), so that it survives a reboot. No `mke2fs -d`: it stamps inodes with the
# current time, which would make every build differ.
E2FSPROGS_FAKE_TIME=$epoch mke2fs -q -t ext4 -L vtrun -U 6b8c1f0e-7a1d-4c4e-9d33-0f5c2a7e9b10 \
  -E hash_seed=0b9d4f2c-5c1e-4a8f-8e6b-1d2c3b4a5f60,root_owner=0:0 "$out/disk.raw" 256M >/dev/null
qemu-img convert -q -f raw -O qcow2 "$out/disk.raw" "$out/disk.qcow2"
rm -f "$out/disk.raw"

cat > "$out/image.json" <<JSON
{"name": "tiny", "kernel": "vmlinux", "kernel_bzimage": "vmlinuz", "initrd": "initrd.img",
 "disk": "disk.qcow2", "disk_format": "qcow2", "kernel_release": "$kver",
 "kernel_params": "console=ttyS0 quiet panic=-1", "channels": ["qemu-guest-agent", "ssh"]}
JSON
echo "built tiny guest in $out (kernel $kver)"
