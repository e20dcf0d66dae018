#!/bin/sh
# Writes a file, reboots the testbed, and checks that it came back with a new boot and the file.
set -eu
boot1=$(vtctl exec -- sh -c 'echo kept > before-reboot.txt; cat /proc/sys/kernel/random/boot_id')
vtctl reboot
boot2=$(vtctl exec -- cat /proc/sys/kernel/random/boot_id)
[ "$boot1" != "$boot2" ] || { echo "the boot id did not change" >&2; exit 1; }
[ "$(vtctl exec -- cat before-reboot.txt)" = kept ] || { echo "the scratch file is gone" >&2; exit 1; }
echo "rebooted and carried on"
