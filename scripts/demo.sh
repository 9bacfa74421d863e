#!/usr/bin/env bash
# The main job: install what is missing, build, and demonstrate nlpp on this
# kernel: every generic netlink family, the links of a fresh network
# namespace with veth pairs dumped through nlpp, and nlpp-ipvs managing IPVS
# inside a QEMU VM with Debian's kernel (this host kernel has no IPVS).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build vm
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DNLPP_TEST=OFF >/dev/null
cmake --build build/release
echo
echo "== nlpp-genl: the generic netlink families of this kernel"
families=$(build/release/tools/nlpp-genl --json)
head -n 40 <<<"$families"
echo "   ... ($(grep -c '^    "name": ' <<<"$families") families in all)"
ns=nlpp-demo-$$
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
for i in 0 1 2; do ip -n "$ns" link add "veth$i" type veth peer name "peer$i"; done
echo
echo "== example_dump_links $ns: the links of a fresh namespace, dumped by nlpp"
build/release/examples/example_dump_links "$ns"
echo
echo "== nlpp-ipvs in a VM booting Debian's kernel with IPVS (first run downloads and caches the kernel)"
bash scripts/ipvs-vm.sh --timeout 600 bash scripts/demo-ipvs.sh build/release/tools/nlpp-ipvs
