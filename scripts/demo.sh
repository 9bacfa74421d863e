#!/usr/bin/env bash
# The main job: install what is missing, build, and demonstrate nlpp on this
# kernel: every generic netlink family, the links of a fresh network
# namespace with veth pairs dumped through nlpp, nlpp-ynl speaking rt-link
# and nftables from the kernel's own specs (installed by kernel-specs.sh), and
# nlpp-ipvs managing IPVS inside a QEMU VM with Debian's kernel (this host
# kernel has no IPVS).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build vm
bash scripts/kernel-specs.sh   # the kernel's YNL specs into /usr/local/share/ynl/specs
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
ynl=build/release/tools/nlpp-ynl
echo
echo "== nlpp-ynl --family rt-link: a bridge made from JSON, then read back"
"$ynl" --family rt-link --netns "$ns" --do newlink --create --excl \
  --json '{"ifname": "br0", "linkinfo": {"kind": "bridge", "data": {"stp-state": 1}}}'
"$ynl" --family rt-link --netns "$ns" --do getlink --json '{"ifname": "br0"}' | head -n 12
echo "   ..."
echo
echo "== nlpp-ynl --family nftables: a table and a chain in one batch, then nft's view"
"$ynl" --family nftables --netns "$ns" --multi batch-begin '{"res-id": 10}' \
  --multi newtable '{"nfgen-family": 2, "name": "demo"}' \
  --multi newchain '{"nfgen-family": 2, "table": "demo", "name": "out", "type": "filter", "hook": {"num": 3, "priority": 0}}' \
  --multi batch-end '{"res-id": 10}'
ip netns exec "$ns" nft list ruleset 2>/dev/null || "$ynl" --family nftables --netns "$ns" --dump getchain --json '{"nfgen-family": 2}'
echo
echo "== nlpp-ynl errors name the attribute (kernel extack, spec checks)"
"$ynl" --family rt-link --netns "$ns" --do newlink --json '{"ifname": "a-name-far-too-long", "linkinfo": {"kind": "bridge"}}' || true
"$ynl" --family rt-link --netns "$ns" --do newlink --json '{"txqlen": 99999}' || true
echo
echo "== nlpp-ipvs in a VM booting Debian's kernel with IPVS (first run downloads and caches the kernel)"
bash scripts/ipvs-vm.sh --timeout 600 bash scripts/demo-ipvs.sh build/release/tools/nlpp-ipvs
