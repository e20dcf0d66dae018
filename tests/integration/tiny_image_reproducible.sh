#!/bin/sh
# images/tiny builds byte-identical outputs twice in a row (fixed time stamps, sorted archive,
# fixed file-system ids), and each output the backend reads is there.
set -eu
recipe=${1:?usage: tiny_image_reproducible.sh RECIPE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$recipe/build.sh" "$work/a" >/dev/null
sleep 1  # a clock-dependent build would differ now
"$recipe/build.sh" "$work/b" >/dev/null
status=0
for f in vmlinux vmlinuz initrd.img disk.qcow2 image.json; do
  [ -s "$work/a/$f" ] || { echo "missing or empty: $f"; status=1; continue; }
  cmp -s "$work/a/$f" "$work/b/$f" || { echo "differs between two builds: $f"; status=1; }
done
exit $status
