#!/usr/bin/env bash
# The typed examples (C++ generated from rt-link, rt-route, tc) against the
# real kernel in a fresh netns, checked with ip and tc.   examples.sh DIR
set -u
dir=$1 ns=nlpp-gen-$$ pass=0 failn=0
check() { if eval "$2"; then pass=$((pass + 1)); else failn=$((failn + 1)); echo "FAIL: $1"; fi; }
trap 'ip netns del $ns 2>/dev/null' EXIT
ip netns add "$ns"
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
idx=$(cat /sys/class/net/lo/ifindex >/dev/null; ip -n "$ns" -o link show va | cut -d: -f1)
links=$("$dir/example_typed_links" "$ns")
check "typed link dump: every link" "[[ \$(wc -l <<<\"\$links\") == \$(ip -n $ns -o link | wc -l) ]]"
check "typed link dump: veth kind" "grep -q ' va mtu 1500 kind veth' <<<\"\$links\""
# Built only with upstream rt-route's names (examples/CMakeLists.txt says why and counts it).
if [[ -x $dir/example_typed_route_add ]]; then
  routes=$("$dir/example_typed_route_add" "$ns" "$idx")
  check "typed route add" "ip -n $ns route show 192.0.2.0/24 | grep -q 'dev va'"
  check "typed route dump lists it" "grep -q '192.0.2.0/24 dev $idx' <<<\"\$routes\""
fi
qd=$("$dir/example_typed_qdisc_add" "$ns" "$idx")
check "typed tbf add" "tc -n $ns qdisc show dev va | grep -q 'tbf 1: root .*rate 1Mbit'"
check "typed qdisc dump decodes the nested ratespec" "grep -q 'tbf handle 1 rate 125000 limit 10000' <<<\"\$qd\""
echo "typed examples: $pass passed, $failn failed"
((failn == 0))
