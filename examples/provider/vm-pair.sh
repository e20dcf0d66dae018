#!/bin/sh
# Two VMs on a socket network (nettype = socket): on the qemu backend the nic of the VM at
# position N in `vms` gets 192.168.100.N. vm2 listens, vm1 connects.
set -eu
vtctl -m vm1 exec -- ping -c 1 -W 10 192.168.100.2
# setsid: the listener must outlive the command that starts it (a command's session is
# cleaned up when it returns).
vtctl -m vm2 exec -- sh -c 'setsid sh -c "nc -l -p 5000 > /tmp/received" < /dev/null > /dev/null 2>&1 &'
i=0
until echo "hello from vm1" | vtctl -m vm1 exec -- nc -w 5 192.168.100.2 5000; do
  i=$((i + 1)); [ $i -lt 20 ] || { echo "vm2:5000 never accepted" >&2; exit 1; }
  sleep 0.2
done
i=0
until [ "$(vtctl -m vm2 exec -- cat /tmp/received)" = "hello from vm1" ]; do
  i=$((i + 1)); [ $i -lt 50 ] || { echo "vm2 did not receive the message" >&2; exit 1; }
  sleep 0.1
done
echo "vm1 reached vm2"
