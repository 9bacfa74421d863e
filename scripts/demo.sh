#!/usr/bin/env bash
# The main job: install what is missing, build, and demonstrate nlpp on this
# kernel: every generic netlink family, the links of a fresh network
# namespace with veth pairs dumped through nlpp, nlpp-ynl speaking rt-link
# and nftables from the kernel's own specs (installed by kernel-specs.sh), and
# nlpp-ipvs managing IPVS inside a QEMU VM with Debian's kernel (this host
# kernel has no IPVS).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build vm demo
bash scripts/kernel-specs.sh   # the kernel's YNL specs into /usr/local/share/ynl/specs
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DNLPP_TEST=OFF >/dev/null
cmake --build build/release
bash scripts/demo-host.sh build/release
echo
echo "== nlpp-ipvs in a VM booting Debian's kernel with IPVS (first run downloads and caches the kernel)"
bash scripts/ipvs-vm.sh --timeout 600 bash scripts/demo-ipvs.sh build/release/tools/nlpp-ipvs
