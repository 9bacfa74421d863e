#!/usr/bin/env bash
# Installs the Debian packages nlpp needs that are missing (run as root).
#   scripts/deps.sh [build|test|demo|vm|s390x]...   (default: build)
set -euo pipefail
build=(cmake ninja-build g++ ccache pkg-config linux-libc-dev iproute2
       libexpected-dev libfmt-dev libcli11-dev nlohmann-json3-dev libsimdjson-dev libfyaml-dev
       libncurses-dev prometheus-cpp-dev libasio-dev help2man doxygen
       xz-utils)  # xz-utils: scripts/kernel-specs.sh unpacks linux-source; help2man, doxygen: man pages, API reference
test=(libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev clang-format-14 libmnl-dev python3 python3-yaml python3-jsonschema bc time
      nftables ethtool conntrack
      groff-base man-db bash-completion systemd abigail-tools mmdebstrap dpkg-dev mount)  # packaging checks (mount: the package test's chroot)
# The demo's oracle on the host (nft shows the nftables state nlpp-ynl made).
demo=(nftables)
# The VM runs the host's programs: tmux drives `nlpp-ipvs top`, curl and
# promtool (prometheus) check the exporter, capsh (libcap2-bin) drops CAP_NET_ADMIN.
vm=(qemu-system-x86 busybox-static kmod cpio ipvsadm socat tmux curl prometheus libcap2-bin)
# Big-endian runs (scripts/big-endian.sh): Debian's cross compiler, qemu-user
# and the s390x builds of the libraries (multiarch).
s390x=(g++-s390x-linux-gnu qemu-user file libfmt-dev:s390x libgtest-dev:s390x libfyaml-dev:s390x)
want=()
for set in "${@:-build}"; do
  case $set in
    build) want+=("${build[@]}") ;;
    test) want+=("${build[@]}" "${test[@]}") ;;
    demo) want+=("${demo[@]}") ;;
    vm) want+=("${vm[@]}") ;;
    s390x)
      if ! dpkg --print-foreign-architectures | grep -qx s390x; then
        [ "$(id -u)" = 0 ] || { echo "deps.sh: run as root (dpkg --add-architecture s390x)" >&2; exit 1; }
        dpkg --add-architecture s390x
      fi
      want+=("${s390x[@]}") ;;
    *) echo "deps.sh: unknown set '$set' (build, test, demo, vm, s390x)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps.sh: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "deps.sh: run as root (apt-get install)" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
