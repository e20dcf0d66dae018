#!/bin/sh
# One script, several outcomes: the exit code is the verdict (0 PASS, 77 SKIP, else FAIL).
case "$1" in
  pass) echo "test $VT_TEST_ID passes"; exit 0 ;;
  fail) echo "expected 42, got 41" >&2; exit 1 ;;
  skip) echo "nothing to test here"; exit 77 ;;
  hang)
    # A background child too: the timeout must kill the whole tree, not just this shell.
    sleep 300 &
    echo "waiting forever (child $!)"
    sleep 300
    ;;
  *) echo "usage: $0 pass|fail|skip|hang" >&2; exit 2 ;;
esac
