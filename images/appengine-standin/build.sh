#!/bin/sh
# Builds the STAND-IN Pantavisor device image of the appengine backend's tests: a small root
# file system from Debian packages (busybox-static for the basic tools and httpd; the real
# bash, jq and curl with their shared libraries) plus this folder's scripts, which FAKE
# Pantavisor's launcher and runtime (pv-appengine, pantavisor, pvcontrol, pventer; see
# README.md). It is not Pantavisor: real users point vtrun at the real tester image
# (pantavisor-appengine-tester, loaded with `docker load`).
#
#   build.sh --inputs   prints what the build depends on besides this folder (the versions
#                       of the packages it copies from, and of the tar that packs it);
#                       `vtrun image build` hashes it with the folder's files
#   build.sh OUTDIR     builds into OUTDIR (which must be empty)
#
# Output: rootfs.tar (for `docker import` / `podman import`; loading it into an engine is the
# backend's job, this script needs no engine) and image.json. Reproducible: fixed mtimes
# ($SOURCE_DATE_EPOCH, default 1700000000), sorted members, numeric owner 0.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
progs="/usr/bin/bash /usr/bin/jq /usr/bin/curl"
packages="busybox-static bash jq curl"

# the shared libraries of $progs, at the paths the loader asks for
libs() {
  for prog in $progs; do
    ldd "$prog" | awk '/=>/ { print $3 } /^\t\// { print $1 }'
  done | LC_ALL=C sort -u
}

if [ "${1:-}" = --inputs ]; then
  # the packages of the libraries: dpkg knows a file under one of its merged-/usr names
  libpkgs=$(for lib in $(libs); do
      real=$(readlink -f "$lib")
      for p in "$lib" "$real" "/usr$lib" "/usr$real" "${real#/usr}"; do echo "$p"; done
    done | xargs dpkg-query -S 2>/dev/null | sed 's/[:,].*//' | LC_ALL=C sort -u)
  for p in $packages $libpkgs; do
    printf '%s %s\n' "$p" "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo missing)"
  done
  printf 'tar %s\n' "$(tar --version | head -n 1)"
  exit 0
fi
out=${1:?usage: build.sh OUTDIR | build.sh --inputs}
for tool in $progs /bin/busybox; do
  [ -x "$tool" ] || { echo "build.sh: '$tool' is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "build.sh: /bin/busybox is dynamically linked; install busybox-static" >&2; exit 1
fi
tar --version 2>/dev/null | grep -q 'GNU tar' || { echo "build.sh: GNU tar is needed" >&2; exit 1; }
umask 022
mkdir -p "$out"; out=$(cd "$out" && pwd)
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
chmod 755 "$root"   # mktemp's 700 would become the container's /
epoch=${SOURCE_DATE_EPOCH:-1700000000}
lib=usr/lib/pantavisor-standin

# --- the root file system: a merged-/usr layout, as Debian's ---
for d in usr/bin usr/sbin usr/lib usr/lib64 usr/share/doc/pantavisor-standin "$lib" \
         etc/pantavisor/pvs/trust var/pantavisor/storage var/pantavisor/pvtx \
         proc sys dev run tmp root var/tmp; do
  mkdir -p "$root/$d"
done
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
ln -s ../run "$root/var/run"
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"

# Debian's real bash, jq and curl with their libraries, then busybox for every other tool
cp /bin/busybox "$root/usr/bin/busybox"
for prog in $progs; do cp "$prog" "$root$prog"; done
for l in $(libs); do
  [ -e "$l" ] || continue
  mkdir -p "$root$(dirname "$l")"
  cp -L "$l" "$root$l"
done
"$root/usr/bin/busybox" --list-full | while read -r applet; do
  case "$applet" in */*) ;; *) continue ;; esac
  [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
done

# the stand-in's launcher, runtime and control commands
install -m 755 "$here/pv-appengine" "$root/usr/bin/pv-appengine"
install -m 755 "$here/pantavisor" "$root/usr/bin/pantavisor"
install -m 755 "$here/pvcontrol" "$root/usr/bin/pvcontrol"
install -m 755 "$here/pventer" "$root/usr/bin/pventer"
install -m 644 "$here/common.sh" "$root/$lib/common.sh"
install -m 644 "$here/pantavisor-main.sh" "$root/$lib/pantavisor-main.sh"
install -m 755 "$here/idle" "$root/$lib/idle"
ln -s /usr/bin/bash "$root/$lib/pantavisor"   # the daemon's executable name: see pantavisor
mkdir -p "$root/$lib/www/cgi-bin"
install -m 755 "$here/www/cgi-bin/pvtx" "$root/$lib/www/cgi-bin/pvtx"
install -m 755 "$here/www/cgi-bin/pvr" "$root/$lib/www/cgi-bin/pvr"
install -m 644 "$here/README.md" "$root/usr/share/doc/pantavisor-standin/README.md"
install -m 644 "$here/pantavisor-appengine.config" "$root/etc/pantavisor-appengine.config"
# the storage skeleton copied on first boot
for d in trails objects logs config boot cache/usrmeta cache/devmeta; do
  mkdir -p "$root/usr/share/pantavisor/skel/$d"
done

printf 'root:x:0:0:root:/root:/bin/bash\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf '/bin/sh\n/bin/bash\n' > "$root/etc/shells"
printf 'pantavisor-standin\n' > "$root/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf 'vtrun stand-in Pantavisor device image (not Pantavisor); see /usr/share/doc/pantavisor-standin/README.md\n' \
  > "$root/etc/pantavisor-standin-release"

tar -C "$root" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner \
  --format=gnu -cf "$out/rootfs.tar" .

cat > "$out/image.json" <<JSON
{"name": "appengine-standin", "rootfs": "rootfs.tar", "rootfs_format": "tar",
 "import_as": "vtrun/appengine-standin:latest", "entrypoint": ["/$lib/idle"],
 "launcher": "/usr/bin/pv-appengine", "config": "/etc/pantavisor-appengine.config",
 "storage": "/var/pantavisor/storage", "pvtx_dir": "/var/pantavisor/pvtx", "pvr_port": 12368,
 "stand_in": true, "real_image": "pantavisor-appengine-tester"}
JSON
echo "built the appengine stand-in image in $out ($(du -k "$out/rootfs.tar" | cut -f1) KiB rootfs.tar)"
