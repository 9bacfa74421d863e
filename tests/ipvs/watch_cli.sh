#!/usr/bin/env bash
# `nlpp-ipvs watch --json --interval 0.5` while ipvsadm changes IPVS, each
# step more than one interval after the one before (1.5 s): add a service,
# add a destination, edit its weight, edit the scheduler, a TCP connection
# through the VIP opened and closed (its active count back to zero), delete
# the destination, delete the service. The JSON lines must be exactly those
# events, in that order, with the values ipvsadm -Ln showed after each step
# (the oracle). Then watch's bad input and its start without CAP_NET_ADMIN.
#   tests/ipvs/watch_cli.sh PATH/TO/nlpp-ipvs      (needs socat)
set -u
nlpp=$(readlink -f "$1")
source "$(dirname "$0")/nat_topology.sh"
nat_enter nlpp-wa "$0" "$nlpp"
work=$(mktemp -d)
trap 'nat_cleanup; rm -rf "$work"' EXIT
nat_setup "$nlpp"
ipvsadm -C

in_ns "$s1" socat TCP-LISTEN:80,fork,reuseaddr PIPE &
for _ in $(seq 50); do in_ns "$s1" ss -Htln | grep -q ':80 ' && break; sleep 0.1; done

"$nlpp" watch --json --interval 0.5 >"$work/events" 2>"$work/stderr" &
watcher=$!
"$nlpp" watch --interval 0.5 >"$work/text" 2>&1 &  # the same in words
texter=$!
sleep 1.5  # its first snapshot: nothing printed
step=0
state() { step=$((step + 1)); ipvsadm -Ln >"$work/state$step"; }
change() { ipvsadm "$@" || bad "ipvsadm $*"; sleep 1.5; state; }
change -A -t $vip:80 -s rr
change -a -t $vip:80 -r 192.0.2.10:80 -m -w 1
change -e -t $vip:80 -r 192.0.2.10:80 -m -w 5
change -E -t $vip:80 -s wrr
# A connection: open (once ipvsadm shows it active, for 1.5 s), then closed
# (once ipvsadm shows no active one, 1.5 s more).
active() {  # N: waits up to 10 s for the destination's ActiveConn to be N
  for _ in $(seq 50); do
    [[ $(ipvsadm -Ln | awk '$1 == "->" && $2 == "192.0.2.10:80" {print $5}') == "$1" ]] && return 0
    sleep 0.2
  done
  bad "ActiveConn did not become $1: $(ipvsadm -Ln)"
}
fifo=$work/conn; mkfifo "$fifo"
in_ns "$cl" socat -u - TCP:$vip:80 <"$fifo" &
conn=$!
exec 3>"$fifo"
active 1
sleep 1.5
ipvsadm -Ln >"$work/open"
exec 3>&-
wait $conn
active 0
sleep 1.5; state
change -d -t $vip:80 -r 192.0.2.10:80
change -D -t $vip:80
kill -INT $watcher
kill -TERM $texter
wait $watcher; rc=$?
wait $texter; rt=$?
[[ $rt == 0 ]] && ok || bad "watch exited with $rt after SIGTERM"
[[ $(<"$work/text") == "+ service TCP $vip:80 rr
+ dest TCP $vip:80 -> 192.0.2.10:80 Masq weight 1
~ dest TCP $vip:80 -> 192.0.2.10:80 weight 1 -> 5
~ service TCP $vip:80 scheduler rr -> wrr
= dest TCP $vip:80 -> 192.0.2.10:80 active connections 1 -> 0
- dest TCP $vip:80 -> 192.0.2.10:80
- service TCP $vip:80" ]] && ok || bad "watch's text lines: $(<"$work/text")"
[[ $rc == 0 ]] && ok || bad "watch exited with $rc after SIGINT: $(<"$work/stderr")"
[[ ! -s $work/stderr ]] && ok || bad "watch wrote on stderr: $(<"$work/stderr")"

python3 - "$work" <<'PY' && ok || bad "watch's JSON lines: $(<"$work/events")"
import json, re, sys
work = sys.argv[1]
events = [json.loads(l) for l in open(f"{work}/events")]
def ipvsadm(name):  # {"TCP 203.0.113.1:80": (scheduler, {"192.0.2.10:80": (fwd, weight, active, inactive)})}
    out, svc = {}, None
    for line in open(f"{work}/{name}"):
        if m := re.match(r"(TCP|UDP|SCTP)\s+(\S+)\s+(\S+)", line):
            svc = m[1] + " " + m[2]; out[svc] = (m[3], {})
        elif (m := re.match(r"\s+-> (\d\S+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)", line)) and svc:
            out[svc][1][m[1]] = (m[2], int(m[3]), int(m[4]), int(m[5]))
    return out
s = [None] + [ipvsadm(f"state{i}") for i in range(1, 8)]
opened = ipvsadm("open")
svc, dst = "TCP 203.0.113.1:80", "192.0.2.10:80"
def key(e): return f'{e["service"]["protocol"].upper()} {e["service"]["address"]}:{e["service"]["port"]}'
def dest(j): return f'{j["address"]}:{j["port"]}'
fwd = {"Masq": "masq", "Route": "route", "Tunnel": "tunnel", "Local": "local"}
want = ["service-added", "dest-added", "dest-edited", "service-edited", "dest-idle", "dest-removed", "service-removed"]
got = [e["event"] for e in events]
assert got == want, f"events {got}, want {want}"
assert all(key(e) == svc for e in events), "another service"
assert all(dest(e["dest"]) == dst for e in events if "dest" in e), "another destination"
assert [i for i, e in enumerate(events) if "dest" in e] == [1, 2, 4, 5], "a destination where none belongs"
add, dadd, dedit, sedit, idle, drem, srem = events
assert add["service"]["scheduler"] == s[1][svc][0] == "rr"
w, f = s[2][svc][1][dst][1], s[2][svc][1][dst][0]
assert (dadd["dest"]["weight"], dadd["dest"]["forwarding"]) == (w, fwd[f]) == (1, "masq"), dadd
assert (dedit["before"]["weight"], dedit["dest"]["weight"]) == (w, s[3][svc][1][dst][1]) == (1, 5), dedit
assert (sedit["before"]["scheduler"], sedit["service"]["scheduler"]) == (s[3][svc][0], s[4][svc][0]) == ("rr", "wrr"), sedit
assert opened[svc][1][dst][2] == 1 and s[5][svc][1][dst][2] == 0, (opened, s[5])
assert (idle["before"]["active_conns"], idle["dest"]["active_conns"]) == (1, 0), idle
assert svc in s[5] and dst not in s[6][svc][1] and svc not in s[7]
PY

# Bad input: one line, status 2, before touching the kernel.
for arg in 0 x -1 ""; do
  m=$("$nlpp" watch --interval "$arg" 2>&1); rc=$?
  [[ $rc == 2 && $m == "watch: --interval needs a number of seconds from 0.01 to 86400, got '$arg'" ]] && ok ||
    bad "watch --interval '$arg': $rc '$m'"
done
m=$("$nlpp" watch --count 2 --interval 0.2 --initial 2>&1); rc=$?
[[ $rc == 0 && -z $m ]] && ok || bad "watch --count 2 on an empty table: $rc '$m'"
# Without CAP_NET_ADMIN: the same message and status as the listing.
noadmin() { setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$@"; }
a=$(noadmin "$nlpp" -Ln 2>&1); ra=$?
b=$(noadmin "$nlpp" watch 2>&1); rb=$?
[[ $a == "$b" && $ra == "$rb" && $rb == 2 && $b == *"Permission denied"* ]] && ok || bad "watch without CAP_NET_ADMIN: '$b' ($rb) vs -Ln '$a' ($ra)"

echo "watch_cli: $pass passed, $failn failed ($SECONDS s)"
((failn == 0))
