#!/usr/bin/env bash
# Installs everything vtrun needs to build and test, from Debian packages only.
# Idempotent: packages already present are skipped, so a second run does no network access.
# Works as root on a fresh Debian 12 (bookworm); uses sudo when run as another user.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang-format
  # libraries (header-only Boost.DLL / Boost.Process ship in libboost-dev)
  libboost-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev
  nlohmann-json3-dev libarchive-dev libxml2-dev libgtest-dev libgmock-dev
  # SHA-256 of image recipes (libcrypto)
  libssl-dev
  # downloading http(s) provider archives
  libcurl4-openssl-dev
  # the Cartesian engine: Unicode classes and Python-style regular expressions
  libicu-dev libpcre2-dev zlib1g-dev
  # test tools: xmllint validates JUnit output; procps for the process-leak checks
  libxml2-utils procps
  # fuzzing (scripts/fuzz-cartesian.sh): clang with libFuzzer's runtime (libclang_rt.fuzzer)
  clang-14 libclang-rt-14-dev
  # benchmarks: GNU time's -v reports peak RSS; bc for ratios
  time bc
  # the qemu backend: QEMU, qemu-img, and what images/tiny/build.sh makes the test guest of
  # (the Debian kernel, busybox, qemu-guest-agent, util-linux script, an ext4 disk)
  qemu-system-x86 qemu-utils linux-image-amd64 busybox-static qemu-guest-agent dropbear-bin bsdutils
  e2fsprogs cpio kmod xz-utils tar
  jq curl bash  # copied into the appengine stand-in image (images/appengine-standin)
  # the appengine backend's container engines (its tests start their own dockerd, which the
  # packages must not start as a service: see policy-rc.d below); iptables for dockerd; podman,
  # which its tests run rootful with private storage (tests/integration/appengine_testbed_test.cpp)
  docker.io iptables podman
  # the qemu backend's ssh channel: the host's client and key generator
  openssh-client
  # git providers (fetching, signed tags checked by GnuPG; gpg-agent signs in the tests) and the
  # loopback servers of their tests: git daemon, Python's http.server
  git gnupg gpg-agent python3
  # ssh:// git providers are tested against a real sshd on 127.0.0.1 (started by the test)
  openssh-server
  # the Xen lab (images/xen-lab): its dom0's toolstack (xl, xenstored, xenconsoled, hotplug
  # scripts) and the device-mapper tool for the guests' copy-on-write disks, both copied into
  # the lab's initramfs; the hypervisor itself comes as an unpacked .deb, below
  xen-utils-4.17 dmsetup
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Servers installed here (sshd) are for tests, which start their own on 127.0.0.1: Debian's
  # policy-rc.d convention keeps the packages from starting them as system services.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The Xen lab's hypervisor (images/xen-lab/build.sh): the Debian package is only downloaded,
# here at setup time, into vtrun's cache; build.sh unpacks it with dpkg-deb -x. It is never
# installed, so the host's /boot and boot loader configuration stay untouched. Kept once
# downloaded, so later runs need no network.
if [ -n "${VTRUN_CACHE_DIR:-}" ]; then cache=$VTRUN_CACHE_DIR
elif [[ ${XDG_CACHE_HOME:-} == /* ]]; then cache=$XDG_CACHE_HOME/vtrun
else cache=${HOME:-/tmp}/.cache/vtrun
fi
debs=$cache/debs
if ! compgen -G "$debs/xen-hypervisor-4.17-amd64_*.deb" >/dev/null; then
  echo "install-deps: downloading xen-hypervisor-4.17-amd64 into $debs" >&2
  mkdir -p "$debs"
  # apt-get download needs the package lists, which a fresh system may not have yet
  (cd "$debs" && apt-get download -q xen-hypervisor-4.17-amd64 >&2) ||
    { $sudo apt-get update -qq && (cd "$debs" && apt-get download -q xen-hypervisor-4.17-amd64 >&2); }
fi
