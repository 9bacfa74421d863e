#!/usr/bin/env bash
# Runs the IPVS examples against an IPVS kernel in a fresh netns and checks
# their effect with ipvsadm.   tests/ipvs/examples.sh EXAMPLES_DIR
set -u
dir=$(readlink -f "$1")
ns=nlpp-ex-$$
pass=0 failn=0
check() { if eval "$2"; then pass=$((pass + 1)); else failn=$((failn + 1)); echo "FAIL: $1"; fi; }
trap 'ip netns del $ns 2>/dev/null' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add dum0 type dummy
ip -n "$ns" addr add 192.0.2.1/24 dev dum0
ip -n "$ns" link set dum0 up
check "add" "$dir/example_ipvs_add_service 10.0.0.1 80 192.0.2.10 192.0.2.11 $ns >/dev/null"
check "ipvsadm sees it" "[[ \$(ip netns exec $ns ipvsadm -Ln | grep -c -- '->.*Masq') == 2 ]]"
check "list" "$dir/example_ipvs_list_services $ns | grep -q 'TCP 10.0.0.1:80 rr'"
check "drain" "$dir/example_ipvs_drain_destination 10.0.0.1 80 192.0.2.10 $ns >/dev/null"
check "drained" "ip netns exec $ns ipvsadm -Ln | grep -q '192.0.2.10:80 *Masq *0 '"
check "stats" "$dir/example_ipvs_read_stats $ns | grep -q '0 conns'"
check "missing backend" "! $dir/example_ipvs_drain_destination 10.0.0.1 80 192.0.2.99 $ns 2>/dev/null"
echo "ipvs examples: $pass passed, $failn failed"
((failn == 0))
