#!/usr/bin/env bash
# `nlpp-ipvs apply FILE` and `apply --partial FILE` from the command line,
# when the kernel rejects one destination of the file (a multicast address:
# EINVAL). Neither mode is a transaction: every other operation of the plan
# is applied, the rejected one is printed with its cause and the exit status
# is 1. --partial leaves the services the file does not list alone; without
# it they are deleted. The result is compared, with ipvsadm -Sn, with the
# same changes made by ipvsadm in a second namespace.
#   tests/ipvs/apply_cli.sh PATH/TO/nlpp-ipvs
set -u
nlpp=$(readlink -f "$1")
p=nlpp-ap-$$
got=$p-got want=$p-want
pass=0 failn=0
ok() { pass=$((pass + 1)); }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }
work=$(mktemp -d)
trap 'ip netns del $got 2>/dev/null; ip netns del $want 2>/dev/null; rm -rf "$work"' EXIT
for n in $got $want; do
  ip netns add "$n"
  ip -n "$n" link set lo up
  ip -n "$n" link add dum0 type dummy
  ip -n "$n" addr add 192.0.2.1/24 dev dum0
  ip -n "$n" link set dum0 up
done
if ! ip netns exec "$got" "$nlpp" -Ln >/dev/null; then echo "IPVS not available: run through scripts/ipvs-vm.sh"; echo "0 passed, 1 failed"; exit 1; fi
adm() {  # NS: ipvsadm -R of stdin (one process for many commands: they start slowly in the VM)
  ip netns exec "$1" ipvsadm -R || bad "ipvsadm -R in $1"
}

# The state before, in both namespaces.
before() {
  local n
  for n in $got $want; do
    adm "$n" <<'EOF'
-C
-A -t 203.0.113.1:80 -s rr
-a -t 203.0.113.1:80 -r 192.0.2.10:80 -m
-a -t 203.0.113.1:80 -r 192.0.2.11:80 -m
-A -t 203.0.113.2:80 -s wlc
-a -t 203.0.113.2:80 -r 192.0.2.20:80 -m
EOF
  done
}
# The file: edits 203.0.113.1:80 (scheduler, a weight, one destination
# dropped, two added, one of them multicast) and adds a UDP service; it does
# not list 203.0.113.2:80.
cat >"$work/state.json" <<'JSON'
{"services": [
  {"protocol": "tcp", "address": "203.0.113.1", "port": 80, "scheduler": "wrr", "destinations": [
    {"address": "192.0.2.10", "port": 80, "forwarding": "masq", "weight": 5},
    {"address": "224.0.0.1", "port": 80, "forwarding": "masq"},
    {"address": "192.0.2.12", "port": 80, "forwarding": "masq"}]},
  {"protocol": "udp", "address": "203.0.113.3", "port": 53, "scheduler": "rr", "destinations": [
    {"address": "192.0.2.30", "port": 53, "forwarding": "masq"}]}
]}
JSON
# The same changes by ipvsadm (the multicast destination is refused there too).
changes_by_ipvsadm() {
  adm $want <<'EOF'
-E -t 203.0.113.1:80 -s wrr
-d -t 203.0.113.1:80 -r 192.0.2.11:80
-e -t 203.0.113.1:80 -r 192.0.2.10:80 -m -w 5
-a -t 203.0.113.1:80 -r 192.0.2.12:80 -m
-A -u 203.0.113.3:53 -s rr
-a -u 203.0.113.3:53 -r 192.0.2.30:53 -m
EOF
  ip netns exec $want ipvsadm -a -t 203.0.113.1:80 -r 224.0.0.1:80 -m 2>/dev/null && bad "the kernel took a multicast destination"
}
apply() {  # ARGS...: runs nlpp-ipvs apply in $got; sets rc, out (stdout), err (stderr)
  ip netns exec $got "$nlpp" apply "$@" >"$work/out" 2>"$work/err"
  rc=$?
  out=$(<"$work/out") err=$(<"$work/err")
}
check() {  # NAME OPS: exit 1, one FAILED line (the multicast destination), the summary, the state
  local name=$1 ops=$2
  [[ $rc == 1 ]] && ok || bad "$name: exit status $rc, not 1"
  [[ $(grep -c '^FAILED ' <<<"$out") == 1 && $(grep '^FAILED ' <<<"$out") == "FAILED add dest TCP 203.0.113.1:80 -> 224.0.0.1:80 (Masq, weight 1): Invalid argument"* ]] &&
    ok || bad "$name: the rejected destination is not reported alone: $out"
  [[ $err == "$ops changes applied, 1 failed" ]] && ok || bad "$name: summary '$err'"
  [[ "$(ip netns exec $got ipvsadm -Sn)" == "$(ip netns exec $want ipvsadm -Sn)" ]] && ok || {
    bad "$name: the state differs from ipvsadm's"
    diff <(ip netns exec $want ipvsadm -Sn) <(ip netns exec $got ipvsadm -Sn)
  }
}

# --partial: 203.0.113.2:80 stays.
before
changes_by_ipvsadm
apply --partial "$work/state.json"
check "apply --partial" 7
# Again: only the rejected destination is left to do, and nothing else moves.
apply --partial "$work/state.json"
check "apply --partial again" 1

# The whole state: 203.0.113.2:80 goes too, and again the rest is applied.
before
changes_by_ipvsadm
adm $want <<<"-D -t 203.0.113.2:80"
apply "$work/state.json"
check "apply" 8

# A dry run changes nothing and says what it would do.
before
apply --dry-run --partial "$work/state.json"
[[ $rc == 0 && $(grep -c '^would ' <<<"$out") == 7 && $err == "7 changes planned, 0 failed" ]] && ok ||
  bad "apply --dry-run --partial: exit $rc, '$out', '$err'"
[[ "$(ip netns exec $got ipvsadm -Sn)" == "$(ip netns exec $want ipvsadm -Sn)" ]] && ok || bad "a dry run changed the state"

# A plan larger than the chunks apply sends at a time (1,024 changes): 700
# services and 1,400 destinations, one of them multicast, in the second
# chunk. Exactly that one is reported, and the state equals ipvsadm's.
{
  echo '{"services": ['
  for ((i = 0; i < 700; i++)); do
    d2="192.0.2.$((100 + i % 100))"
    ((i == 650)) && d2=224.0.0.1
    ((i)) && echo ,
    echo "{\"protocol\": \"tcp\", \"address\": \"10.1.$((i >> 8)).$((i & 255))\", \"port\": 80, \"scheduler\": \"rr\", \"destinations\": ["
    echo "{\"address\": \"192.0.2.$((2 + i % 90))\", \"port\": 80}, {\"address\": \"$d2\", \"port\": 80}]}"
  done
  echo ']}'
} >"$work/large.json"
adm $want <<<"-C"
for ((i = 0; i < 700; i++)); do
  echo "-A -t 10.1.$((i >> 8)).$((i & 255)):80 -s rr"
  echo "-a -t 10.1.$((i >> 8)).$((i & 255)):80 -r 192.0.2.$((2 + i % 90)):80 -m"
  ((i == 650)) || echo "-a -t 10.1.$((i >> 8)).$((i & 255)):80 -r 192.0.2.$((100 + i % 100)):80 -m"
done | adm $want
ip netns exec $got ipvsadm -C
apply "$work/large.json"
[[ $rc == 1 && $(grep -c '^FAILED ' <<<"$out") == 1 &&
  $(grep '^FAILED ' <<<"$out") == "FAILED add dest TCP 10.1.2.138:80 -> 224.0.0.1:80 (Masq, weight 1): Invalid argument"* &&
  $err == "2100 changes applied, 1 failed" ]] && ok ||
  bad "apply of 2,100 changes: exit $rc, $(grep '^FAILED ' <<<"$out"), '$err'"
[[ $(grep -c . <<<"$out") == 2100 ]] && ok || bad "apply of 2,100 changes printed $(grep -c . <<<"$out") lines"
[[ "$(ip netns exec $got ipvsadm -Sn)" == "$(ip netns exec $want ipvsadm -Sn)" ]] && ok ||
  bad "apply of 2,100 changes left another state than ipvsadm"

# -S --json saves the state without counters; apply of it into another
# namespace makes the same state, as ipvsadm -R of ipvsadm -S does.
ip netns exec $got "$nlpp" -Sn --json >"$work/saved.json"
grep -q '"stats"\|"active_conns"\|"hashed"' "$work/saved.json" && bad "-S --json saved counters or the kernel's hashed flag" || ok
ip netns exec $want ipvsadm -C
ip netns exec $want "$nlpp" apply "$work/saved.json" >/dev/null 2>&1 && ok || bad "apply of the state -S --json saved failed"
[[ "$(ip netns exec $got ipvsadm -Sn)" == "$(ip netns exec $want ipvsadm -Sn)" ]] && ok ||
  bad "apply of the state -S --json saved left another state"

echo "apply_cli: $pass passed, $failn failed"
((failn == 0))
