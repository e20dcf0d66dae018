#!/bin/sh
# images/appengine-standin builds a byte-identical rootfs.tar twice in a row (fixed mtimes,
# sorted members, numeric owner), its image.json is valid and names it, and the rootfs holds
# the stand-in's commands, the tools they need and the default config. No engine is needed.
set -eu
recipe=${1:?usage: appengine_standin_build.sh RECIPE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$recipe/build.sh" "$work/a" >/dev/null
sleep 1  # a clock-dependent build would differ now
"$recipe/build.sh" "$work/b" >/dev/null
status=0
for f in rootfs.tar image.json; do
  [ -s "$work/a/$f" ] || { echo "missing or empty: $f"; status=1; continue; }
  cmp -s "$work/a/$f" "$work/b/$f" || { echo "differs between two builds: $f"; status=1; }
done
[ $status -eq 0 ] || exit $status
echo "rootfs.tar sha256: $(sha256sum "$work/a/rootfs.tar" | cut -d' ' -f1)"

jq -e '.name == "appengine-standin" and .rootfs == "rootfs.tar"
       and .import_as == "vtrun/appengine-standin:latest" and (.entrypoint | length > 0)' \
  "$work/a/image.json" >/dev/null || { echo "image.json lacks name/rootfs/import_as/entrypoint"; exit 1; }

tar -tvf "$work/a/rootfs.tar" > "$work/list"
for p in usr/bin/pv-appengine usr/bin/pantavisor usr/bin/pvcontrol usr/bin/pventer \
         usr/bin/bash usr/bin/jq usr/bin/curl usr/bin/busybox usr/bin/sh usr/bin/ps \
         usr/sbin/httpd usr/lib/pantavisor-standin/pantavisor-main.sh \
         usr/lib/pantavisor-standin/pantavisor usr/lib/pantavisor-standin/idle \
         usr/lib/pantavisor-standin/www/cgi-bin/pvtx etc/pantavisor-appengine.config \
         usr/lib64/ld-linux-x86-64.so.2 var/pantavisor/storage/ var/pantavisor/pvtx/ \
         usr/share/pantavisor/skel/trails/ usr/share/doc/pantavisor-standin/README.md; do
  grep -q " \./$p\( ->.*\)\?$" "$work/list" || { echo "not in rootfs.tar: /$p"; status=1; }
done
# the libraries of the dynamically linked programs came along
for l in libjq.so.1 libonig.so.5 libcurl.so.4 libtinfo.so.6 libc.so.6; do
  grep -q "/$l\$" "$work/list" || { echo "library not in rootfs.tar: $l"; status=1; }
done
grep -q '^drwxr-xr-x .* \./$' "$work/list" || { echo "the root directory is not 755"; status=1; }
# reproducible metadata: owner 0/0 and the fixed mtime everywhere
if awk '$2 != "0/0"' "$work/list" | grep -q .; then echo "a member not owned by 0/0"; status=1; fi
epoch=${SOURCE_DATE_EPOCH:-1700000000}
stamp=$(TZ=UTC date -d "@$epoch" '+%Y-%m-%d %H:%M')
if TZ=UTC tar -tvf "$work/a/rootfs.tar" | grep -v -F " $stamp " | grep -q .; then
  echo "a member without the fixed mtime $stamp"; status=1
fi
exit $status
