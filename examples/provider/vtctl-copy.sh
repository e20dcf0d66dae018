#!/bin/sh
# Copies a directory onto the testbed (trailing '/' on both sides) and a file back.
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in/sub"
echo one > "$work/in/a.txt"
echo two > "$work/in/sub/b.txt"
scratch=$(vtctl exec -- sh -c 'mktemp -d')
vtctl copy-in "$work/in/" "$scratch/data/"
vtctl exec -- sh -c "cat '$scratch/data/a.txt' '$scratch/data/sub/b.txt' > '$scratch/joined.txt'"
vtctl copy-out "$scratch/joined.txt" "$VT_OUTPUT_DIR/joined.txt"
vtctl exec -- rm -rf "$scratch"
[ "$(cat "$VT_OUTPUT_DIR/joined.txt")" = "one
two" ] || { echo "round trip lost data" >&2; exit 1; }
echo "round trip ok"
