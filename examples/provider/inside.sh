#!/bin/sh
# Runs on the testbed itself; VT_PARAMS and VT_OUTPUT_DIR are testbed paths here.
set -eu
grep -q '"greeting": "hello from the testbed"' "$VT_PARAMS"
uname -a > "$VT_OUTPUT_DIR/uname.txt"
echo "ran inside the testbed as $(id -un)"
