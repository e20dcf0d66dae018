#!/bin/sh
# Runs on the host and drives the testbed through vtctl: separate streams and exit codes.
set -eu
out=$(vtctl exec -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 3' 2>/dev/null) && rc=0 || rc=$?
[ "$out" = "to-stdout" ] || { echo "stdout was '$out'" >&2; exit 1; }
[ "$rc" -eq 3 ] || { echo "exit status was $rc, expected 3" >&2; exit 1; }
kernel=$(vtctl exec -- uname -sr)
echo "testbed kernel: $kernel"
printf 'abc' | vtctl exec -- sh -c 'read -r x || true; [ "$x" = abc ]'
python_params=$(cat "$VT_PARAMS")
echo "params: $python_params"
