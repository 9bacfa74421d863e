#!/usr/bin/env bash
# The host part of the demo (scripts/demo.sh), against a built tree; also a
# test of the test command (ctest demo.host):
#   scripts/demo-host.sh BUILD_DIR
# Lists this kernel's generic netlink families, dumps the links of a fresh
# network namespace through nlpp, drives rt-link and nftables with nlpp-ynl
# from the kernel's specs, and shows how errors name the attribute. Every step
# checks what it shows; any failure stops the demo with its message.
set -euo pipefail
build=$(cd "${1:?usage: scripts/demo-host.sh BUILD_DIR}" && pwd)
source "$(dirname "$0")/spec-path.sh"
genl=$build/tools/nlpp-genl ynl=$build/tools/nlpp-ynl
step() { echo; echo "== $*"; }
fail() { echo "demo: $*" >&2; exit 1; }

step "nlpp-genl: the generic netlink families of this kernel"
families=$("$genl" --json)
head -n 20 <<<"$families"
count=$(grep -c '^    "name": ' <<<"$families")
echo "   ... ($count families in all)"
grep -q '"name": "nlctrl"' <<<"$families" || fail "nlpp-genl did not list nlctrl"

ns=nlpp-demo-$$
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
for i in 0 1 2; do ip -n "$ns" link add "veth$i" type veth peer name "peer$i"; done

step "example_dump_links $ns: the links of a fresh namespace, dumped by nlpp"
links=$("$build/examples/example_dump_links" "$ns")
echo "$links"
[[ $(grep -c 'veth\|peer' <<<"$links") == 6 ]] || fail "expected 3 veth pairs in the dump"

step "nlpp-ynl --family rt-link: a bridge made from JSON, then read back"
"$ynl" --family rt-link --netns "$ns" --do newlink --create --excl \
  --json '{"ifname": "br0", "linkinfo": {"kind": "bridge", "data": {"stp-state": 1}}}'
bridge=$("$ynl" --family rt-link --netns "$ns" --do getlink --json '{"ifname": "br0"}')
head -n 12 <<<"$bridge"
echo "   ..."
ip -n "$ns" -d link show br0 | grep -q 'stp_state 1' || fail "ip does not see br0 with STP on"
echo "ip -d link show br0: $(ip -n "$ns" -d link show br0 | grep -o 'bridge forward_delay [0-9]* hello_time [0-9]* max_age [0-9]* ageing_time [0-9]* stp_state 1')"

step "nlpp-ynl --family nftables: a table and a chain in one batch, then nft's view"
"$ynl" --family nftables --netns "$ns" --multi batch-begin '{"res-id": 10}' \
  --multi newtable '{"nfgen-family": 2, "name": "demo"}' \
  --multi newchain '{"nfgen-family": 2, "table": "demo", "name": "out", "type": "filter", "hook": {"num": 3, "priority": 0}}' \
  --multi batch-end '{"res-id": 10}'
ruleset=$(ip netns exec "$ns" nft list ruleset)
echo "$ruleset"
grep -q 'hook output priority filter' <<<"$ruleset" || fail "nft does not see the chain"

step "nlpp-ynl errors name the attribute (kernel extack, spec checks)"
for req in '{"ifname": "a-name-far-too-long", "linkinfo": {"kind": "bridge"}}' '{"txqlen": 99999}'; do
  if err=$("$ynl" --family rt-link --netns "$ns" --do newlink --json "$req" 2>&1); then
    fail "newlink $req was accepted"
  fi
  echo "$err"
done
