# Sourced by the IPVS tests with real traffic: a client, a director and two
# real servers, each in a network namespace of its own, joined by veth pairs
# (documentation addresses only). The test script runs inside the director's
# namespace, so that each ipvsadm or nlpp-ipvs run costs one process
# (processes start slowly in the VM).
#   client 198.51.100.2 and .3 -- 198.51.100.1 director (VIP 203.0.113.1 on lo) 192.0.2.1 -- 192.0.2.10 s1
#                                                                               192.0.2.129 -- 192.0.2.130 s2
# Usage, at the top of a test (the check tally pass/failn with ok and bad,
# and in_ns, come from here):
#   source "$(dirname "$0")/nat_topology.sh"
#   nat_enter PREFIX "$0" ARGS...   # re-runs the script in a new director namespace, exits with its status
#   nat_setup NLPP                  # sets dir cl s1 s2 vip; fails the test when IPVS is missing
#   nat_echo_servers                # echo servers on s1 and s2: TCP 8080, UDP 5353
#   trap nat_cleanup EXIT
pass=0 failn=0
ok() { pass=$((pass + 1)); }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }
in_ns() { local n=$1; shift; ip netns exec "$n" "$@"; }

nat_enter() {  # PREFIX SCRIPT ARGS...
  [[ -n ${NLPP_NAT_DIRECTOR:-} ]] && return 0
  local prefix=$1 rc
  shift
  command -v socat >/dev/null || { echo "socat is missing (scripts/deps.sh vm installs it)"; echo "0 passed, 1 failed"; exit 1; }
  ip netns add "$prefix-$$-d" || exit 1
  NLPP_NAT_DIRECTOR=$prefix-$$-d ip netns exec "$prefix-$$-d" bash "$@"
  rc=$?
  ip netns del "$prefix-$$-d"
  exit $rc
}

nat_setup() {  # NLPP
  dir=$NLPP_NAT_DIRECTOR
  local p=${NLPP_NAT_DIRECTOR%-d} n l dev
  cl=$p-c s1=$p-s1 s2=$p-s2
  vip=203.0.113.1
  ip link set lo up
  for n in $cl $s1 $s2; do ip netns add "$n" && ip -n "$n" link set lo up; done
  ip -n "$cl" link add eth0 type veth peer name c0 netns "$dir"
  ip -n "$s1" link add eth0 type veth peer name s1 netns "$dir"
  ip -n "$s2" link add eth0 type veth peer name s2 netns "$dir"
  ip -n "$cl" addr add 198.51.100.2/24 dev eth0
  ip -n "$cl" addr add 198.51.100.3/24 dev eth0
  ip -n "$dir" addr add 198.51.100.1/24 dev c0
  ip -n "$dir" addr add $vip/32 dev lo
  ip -n "$dir" addr add 192.0.2.1/25 dev s1
  ip -n "$dir" addr add 192.0.2.129/25 dev s2
  ip -n "$s1" addr add 192.0.2.10/25 dev eth0
  ip -n "$s2" addr add 192.0.2.130/25 dev eth0
  for l in "$cl eth0" "$s1 eth0" "$s2 eth0" "$dir c0" "$dir s1" "$dir s2"; do
    read -r n dev <<<"$l"
    ip -n "$n" link set "$dev" up
  done
  ip -n "$cl" route add default via 198.51.100.1
  ip -n "$s1" route add default via 192.0.2.1
  ip -n "$s2" route add default via 192.0.2.129
  sysctl -qw net.ipv4.ip_forward=1  # the real servers' replies pass the director
  if ! "$1" -Ln >/dev/null; then echo "IPVS not available: run through scripts/ipvs-vm.sh"; echo "0 passed, 1 failed"; exit 1; fi
}

nat_echo_servers() {  # in the background; returns when both TCP servers listen
  local n
  for n in $s1 $s2; do
    in_ns "$n" socat TCP-LISTEN:8080,fork,reuseaddr PIPE &
    in_ns "$n" socat UDP-RECVFROM:5353,fork PIPE &
  done
  for n in $s1 $s2; do
    for _ in $(seq 50); do in_ns "$n" ss -Htln | grep -q ':8080 ' && break; sleep 0.1; done
  done
}

nat_cleanup() {  # stops every process in the client and server namespaces, deletes them
  local n pids
  for n in $cl $s1 $s2; do
    pids=$(ip netns pids "$n" 2>/dev/null)
    [[ -n $pids ]] && kill $pids 2>/dev/null
  done
  wait 2>/dev/null
  for n in $cl $s1 $s2; do ip netns del "$n" 2>/dev/null; done
}
