#!/usr/bin/env bash
# `nlpp-ipvs apply` with --drain-timeout, --scope and --json, with real TCP
# traffic through an IPVS NAT service: a client, a director and two real
# servers (each answers a connection with its name, then echoes), each in a
# network namespace of its own, joined by veth pairs. The oracles are
# ipvsadm -Ln and the connections themselves:
#  - a destination leaving the file is set to weight 0; its open connection
#    stays up (it still echoes) while new connections go only to the other
#    server; it is deleted when that connection closes;
#  - a run killed (SIGKILL) mid-drain and started again finishes the drain;
#  - a desired destination held at weight 0 gets its weight back;
#  - a destination deleted by ipvsadm during a drain is reported, the run ends well;
#  - a second owner's services (outside the file's scope) survive every apply;
#  - a malformed or empty scope, or a desired service outside it: exit 2, nothing changed;
#  - UDP (entries are only ever inactive): a destination drains at once, or
#    with --drain-inactive once its entry expires.
#   tests/ipvs/drain_cli.sh PATH/TO/nlpp-ipvs      (needs socat)
set -u
nlpp=$(readlink -f "$1")
source "$(dirname "$0")/nat_topology.sh"
nat_enter nlpp-dr "$0" "$nlpp"
work=$(mktemp -d)
trap 'nat_cleanup; rm -rf "$work"' EXIT
nat_setup "$nlpp"
in_ns "$s1" socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo s1; exec cat' &
in_ns "$s2" socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo s2; exec cat' &
for n in $s1 $s2; do
  for _ in $(seq 50); do in_ns "$n" ss -Htln | grep -q ':8080 ' && break; sleep 0.1; done
done

# The second owner's services, made by ipvsadm, and what they must stay.
ipvsadm -A -t 198.51.100.200:80 -s wlc
ipvsadm -a -t 198.51.100.200:80 -r 192.0.2.20:8080 -m -w 2
ipvsadm -A -t $vip:443 -s rr
ipvsadm -A -f 5 -s rr
theirs=$(ipvsadm -Sn)
theirs_survive() {  # WHEN
  local now line
  now=$(ipvsadm -Sn)
  while read -r line; do
    grep -qxF -- "$line" <<<"$now" || { bad "$1: the second owner's '$line' is gone"; return; }
  done <<<"$theirs"
  ok
}
state() {  # FILE BACKEND...: the first owner's state, scoped to TCP port 80 of the VIP's /24
  local f=$1 d sep=""
  shift
  { echo '{"scope": ["tcp:203.0.113.0/24:80"], "services": ['
    if (($#)); then
      echo "{\"protocol\": \"tcp\", \"address\": \"$vip\", \"port\": 80, \"scheduler\": \"rr\", \"destinations\": ["
      for d in "$@"; do
        echo "$sep{\"address\": \"${d%=*}\", \"port\": 8080, \"forwarding\": \"masq\", \"weight\": ${d#*=}}"
        sep=","
      done
      echo ']}'
    fi
    echo ']}'; } >"$work/$f"
}
state both.json 192.0.2.10=1 192.0.2.130=1
state s2.json 192.0.2.130=1
state none.json
field() {  # ADDR N: field N of ADDR's -Ln line (3 weight, 4 active, 5 inactive); empty when it is not there
  ipvsadm -Ln | awk -v a="$1:8080" -v n="$2" '$1 == "->" && $2 == a { print $(n + 1) }'
}
wait_for() {  # SECONDS CMD...: until CMD succeeds
  local t=$1
  shift
  for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
  return 1
}
is() { [[ $("${@:3}") == "$2" ]]; }  # NAME WANT CMD...

# Connections: each says which server answered, waits for its go, sends a
# line, reads the echo and closes.
n_conn=0
open_conn() {  # sets conn (its number) and server (who answered)
  n_conn=$((n_conn + 1))
  conn=$n_conn
  mkfifo "$work/go$conn"
  in_ns "$cl" bash -c "exec 3<>/dev/tcp/$vip/80 || exit 1; read -r s <&3; echo \"\$s\" >'$work/name$conn'
                       read -r _ <'$work/go$conn'; echo ping$conn >&3; read -r r <&3; echo \"\$r\" >'$work/reply$conn'" &
  wait_for 10 test -s "$work/name$conn" || bad "connection $conn: no answer"
  server=$(<"$work/name$conn")
}
release() {  # N: lets connection N send its line (never waits long for a reader)
  timeout 10 bash -c "echo go >'$work/go$1'" || bad "connection $1 was not waiting any more"
}
close_conn() {  # N: the connection still echoes, then closes
  release "$1"
  wait_for 10 test -s "$work/reply$1" && [[ $(<"$work/reply$1") == "ping$1" ]] && ok ||
    bad "connection $1 did not echo after the drain began"
}
conn_to_s1() {  # opens connections until one lands on s1: sets s1conn; the others stay open
  local i
  for i in 1 2 3; do
    open_conn
    [[ $server == s1 ]] && { s1conn=$conn; return; }
  done
  bad "no connection reached s1"
}
new_conns_go_to_s2() {
  local i got
  for i in 1 2 3 4; do
    got=$(echo hi | in_ns "$cl" socat -t 10 - TCP:$vip:80 2>/dev/null | head -n 1)
    [[ $got == s2 ]] || { bad "a new connection went to '$got' during the drain"; return; }
  done
  ok
}
finish() {  # PID: its exit status in rc, waiting at most 60 s
  wait_for 60 eval "! kill -0 $1 2>/dev/null" || { bad "apply did not end"; kill "$1"; }
  wait "$1"
  rc=$?
}
apply() {  # OUT ARGS...: nlpp-ipvs apply; sets rc
  local out=$1
  shift
  "$nlpp" apply "$@" >"$work/$out" 2>"$work/$out.err"
  rc=$?
}

# 1. A drain held by an open connection.
echo "drain_cli: step 1 ($(date +%T))"
apply a1 "$work/both.json"
[[ $rc == 0 && $(field 192.0.2.10 3) == 1 && $(field 192.0.2.130 3) == 1 ]] && ok || bad "apply both: $rc $(ipvsadm -Ln)"
theirs_survive "apply both"
conn_to_s1
"$nlpp" apply --drain-timeout 60 "$work/s2.json" >"$work/drain1" 2>"$work/drain1.err" &
drainer=$!
wait_for 20 is w 0 field 192.0.2.10 3 && ok || bad "s1 not at weight 0 during its drain: $(ipvsadm -Ln)"
[[ $(field 192.0.2.10 4) == 1 ]] && ok || bad "s1's open connection is not counted: $(ipvsadm -Ln)"
new_conns_go_to_s2
sleep 1
kill -0 $drainer 2>/dev/null && [[ -n $(field 192.0.2.10 3) ]] && ok || bad "the drain ended while a connection was open"
close_conn $s1conn
finish $drainer
[[ $rc == 0 ]] && ok || bad "drain: exit status $rc: $(<"$work/drain1.err")"
[[ -z $(field 192.0.2.10 3) && $(field 192.0.2.130 3) == 1 ]] && ok || bad "s1 not deleted after its last connection: $(ipvsadm -Ln)"
grep -qxF "del dest TCP $vip:80 -> 192.0.2.10:8080 (drained)" "$work/drain1" && ok || bad "drain output: $(<"$work/drain1")"
[[ $(<"$work/drain1.err") == "2 changes applied, 0 failed" ]] && ok || bad "drain summary (and no progress when not a terminal): '$(<"$work/drain1.err")'"
theirs_survive "drain"

# 2. Killed mid-drain (SIGKILL), started again: the drain is finished; --json.
echo "drain_cli: step 2 ($(date +%T))"
apply a2 "$work/both.json"
conn_to_s1
"$nlpp" apply --drain-timeout 60 "$work/s2.json" >/dev/null 2>&1 &
drainer=$!
wait_for 20 is w 0 field 192.0.2.10 3 || bad "s1 not at weight 0 before the kill"
kill -9 $drainer
wait $drainer 2>/dev/null
[[ $(field 192.0.2.10 3) == 0 ]] && ok || bad "after SIGKILL s1 is not left at weight 0: $(ipvsadm -Ln)"
"$nlpp" apply --json --drain-timeout 60 "$work/s2.json" >"$work/drain2" 2>"$work/drain2.err" &
drainer=$!
wait_for 20 grep -q '"type":"progress"' "$work/drain2" || bad "the restarted run shows no progress"
close_conn $s1conn
finish $drainer
[[ $rc == 0 && -z $(field 192.0.2.10 3) ]] && ok || bad "restarted drain: exit $rc, $(ipvsadm -Ln)"
python3 - "$work/drain2" <<'PY' && ok || bad "restarted run's JSON lines: $(<"$work/drain2")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
plan = [l for l in lines if l["type"] == "plan"]
outcomes = [l for l in lines if l["type"] == "outcome"]
assert [(l["phase"], l["action"], l["destination"]["address"]) for l in plan] == [("drain", "del_dest", "192.0.2.10")], plan
assert [(l["result"], l["text"]) for l in outcomes] == [("drained", "del dest TCP 203.0.113.1:80 -> 192.0.2.10:8080")], outcomes
assert plan[0]["service"] == {"protocol": "tcp", "address": "203.0.113.1", "port": 80}, plan[0]
assert all(set(l) == {"type", "draining", "active_conns", "inactive_conns", "seconds_left"} for l in lines if l["type"] == "progress")
assert lines[-1] == {"type": "summary", "applied": 1, "failed": 0, "gone": 0}, lines[-1]
PY
theirs_survive "restart"

# 3. A desired destination held at weight 0 is restored.
echo "drain_cli: step 3 ($(date +%T))"
ipvsadm -e -t $vip:80 -r 192.0.2.130:8080 -m -w 0
apply a3 --drain-timeout 60 "$work/s2.json"
[[ $rc == 0 && $(field 192.0.2.130 3) == 1 ]] && ok || bad "s2 not restored to weight 1: $(ipvsadm -Ln)"

# 4. Deleted by ipvsadm during the drain: reported, the run ends well.
echo "drain_cli: step 4 ($(date +%T))"
apply a4 "$work/both.json"
conn_to_s1
# On a terminal (script(1) gives it one; stdout and stderr both go there): progress.
script -qec "'$nlpp' apply --drain-timeout 60 '$work/s2.json'" /dev/null >"$work/drain4" 2>&1 &
drainer=$!
wait_for 20 grep -q "draining 1 destination: 1 active, [0-9]* inactive connections, [0-9]* s left" "$work/drain4" && ok ||
  bad "no progress on a terminal: $(cat -v "$work/drain4")"
ipvsadm -d -t $vip:80 -r 192.0.2.10:8080
finish $drainer
[[ $rc == 0 ]] && ok || bad "drain after ipvsadm -d: exit $rc"
tr '\r' '\n' <"$work/drain4" | sed 's/\x1b\[K//g' >"$work/drain4.lines"
grep -qxF "del dest TCP $vip:80 -> 192.0.2.10:8080: already gone (deleted by someone else during the drain)" "$work/drain4.lines" && ok ||
  bad "the deletion is not reported: $(cat -v "$work/drain4")"
grep -qxF "1 changes applied, 0 failed, 1 already gone" "$work/drain4.lines" && ok || bad "summary: $(cat -v "$work/drain4")"
# Its connection now stalls (expire_nodest_conn = 0: packets to a deleted destination are dropped).
release $s1conn
echo stalled >"$work/reply$s1conn"

# 5. Scopes: errors change nothing; the empty state removes exactly the first owner's services.
echo "drain_cli: step 5 ($(date +%T))"
before=$(ipvsadm -Sn)
for args in "--scope ''" "--scope 203.0.113.1/24" "--scope tcp:203.0.113.0/24:80,,fwmark:1" "--scope udp:203.0.113.0/24:x"; do
  eval "apply a5 $args \"\$work/none.json\""
  [[ $rc == 2 ]] && ok || bad "apply $args: exit $rc, not 2"
done
eval "apply a5 --scope 10.0.0.0/8 \"\$work/s2.json\""
[[ $rc == 2 && $(<"$work/a5.err") == "apply: desired service TCP $vip:80 is outside the scope 10.0.0.0/8"* ]] && ok ||
  bad "a service outside the scope: $rc '$(<"$work/a5.err")'"
eval "apply a5 --scope 203.0.113.1/24 \"\$work/none.json\""
[[ $(<"$work/a5.err") == "apply: --scope: scope item '203.0.113.1/24': host bits are set (the prefix is 203.0.113.0/24)"* ]] && ok ||
  bad "host bits: '$(<"$work/a5.err")'"
[[ $(ipvsadm -Sn) == "$before" ]] && ok || bad "a refused apply changed the state"
for ((i = 1; i <= n_conn; i++)); do [[ -s $work/reply$i ]] || close_conn $i; done  # nothing holds the last drain
apply a6 --drain-timeout 60 "$work/none.json"
[[ $rc == 0 && $(ipvsadm -Sn) == "$theirs" ]] && ok || bad "the empty state: exit $rc, left $(ipvsadm -Sn)"
# 6. UDP: IPVS keeps UDP entries as inactive only, so a UDP destination drains
#    at once unless --drain-inactive waits for InActConn = 0 (its entry
#    expires after the UDP timeout, set short here).
echo "drain_cli: step 6 ($(date +%T))"
in_ns "$s1" socat UDP-RECVFROM:5353,fork SYSTEM:'echo s1' &
in_ns "$s2" socat UDP-RECVFROM:5353,fork SYSTEM:'echo s2' &
ipvsadm --set 0 0 4
udp_state() {  # FILE BACKEND...: the UDP service on port 53 of the VIP, scoped to it
  local f=$1 d sep=""
  shift
  { echo "{\"scope\": [\"udp:203.0.113.0/24:53\"], \"services\": ["
    if (($#)); then
      echo "{\"protocol\": \"udp\", \"address\": \"$vip\", \"port\": 53, \"scheduler\": \"rr\", \"destinations\": ["
      for d in "$@"; do
        echo "$sep{\"address\": \"$d\", \"port\": 5353, \"forwarding\": \"masq\", \"weight\": 1}"
        sep=","
      done
      echo ']}'
    fi
    echo ']}'; } >"$work/$f"
}
udp_state u_both.json 192.0.2.10 192.0.2.130
udp_state u_s2.json 192.0.2.130
udp_state u_none.json
ufield() {  # ADDR N: as field, for the UDP destinations
  ipvsadm -Ln | awk -v a="$1:5353" -v n="$2" '$1 == "->" && $2 == a { print $(n + 1) }'
}
udp_to_s1() {  # datagrams from new source ports until s1 answers one
  local i
  for i in 1 2 3 4 5 6; do
    [[ $(echo q | in_ns "$cl" socat -T 2 - UDP:$vip:53 2>/dev/null | head -n 1) == s1 ]] && return 0
  done
  return 1
}
for inactive in no yes; do
  apply u1 "$work/u_both.json"
  [[ $rc == 0 && $(ufield 192.0.2.10 3) == 1 ]] && ok || bad "UDP service: exit $rc, $(ipvsadm -Ln)"
  udp_to_s1 || bad "no UDP datagram reached s1"
  [[ $(ufield 192.0.2.10 4) == 0 && $(ufield 192.0.2.10 5) -ge 1 ]] && ok || bad "s1's UDP entry is not counted as inactive: $(ipvsadm -Ln)"
  t0=$SECONDS
  if [[ $inactive == yes ]]; then
    apply u2 --drain-timeout 60 --drain-inactive "$work/u_s2.json"
    ((SECONDS - t0 >= 2)) && ok || bad "--drain-inactive did not wait for s1's UDP entry ($((SECONDS - t0)) s)"
  else
    apply u2 --drain-timeout 60 "$work/u_s2.json"
    ((SECONDS - t0 < 3)) && ok || bad "without --drain-inactive the UDP drain waited ($((SECONDS - t0)) s)"
  fi
  [[ $rc == 0 && -z $(ufield 192.0.2.10 3) && $(ufield 192.0.2.130 3) == 1 ]] && ok || bad "UDP drain (inactive: $inactive): exit $rc, $(ipvsadm -Ln)"
  grep -qxF "del dest UDP $vip:53 -> 192.0.2.10:5353 (drained)" "$work/u2" && ok || bad "UDP drain output: $(<"$work/u2")"
done
apply u3 "$work/u_none.json"
ipvsadm --set 0 0 300
[[ $rc == 0 && $(ipvsadm -Sn) == "$theirs" ]] && ok || bad "the empty UDP state: exit $rc, left $(ipvsadm -Sn)"
echo "drain_cli: $pass passed, $failn failed"
((failn == 0))
