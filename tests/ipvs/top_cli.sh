#!/usr/bin/env bash
# `nlpp-ipvs top` as a person uses it: in tmux, against two NAT services
# with TCP connections flowing through one of them (nat_topology.sh). The
# captured pane must show every service and destination with the rates of
# `ipvsadm -Ln --rate --exact` taken just before or just after it (the
# kernel's estimator moves every 2 s; top refreshes every 1 s), the weights
# of `ipvsadm -Ln`, rows sorted by the column marked on screen; the key `w`
# sorts by weight, and `q` quits with status 0. Without a terminal: one
# clear line, status 2.
#   tests/ipvs/top_cli.sh PATH/TO/nlpp-ipvs      (needs socat and tmux)
set -u
nlpp=$(readlink -f "$1")
source "$(dirname "$0")/nat_topology.sh"
nat_enter nlpp-tp "$0" "$nlpp"
work=$(mktemp -d)
export TMUX_TMPDIR=$work
trap 'tmux kill-server 2>/dev/null; nat_cleanup; rm -rf "$work"' EXIT
nat_setup "$nlpp"
command -v tmux >/dev/null || { bad "tmux is missing"; echo "top_cli: $pass passed, $failn failed"; exit 1; }

ipvsadm -R <<ADM || bad "ipvsadm -R"
-C
-A -t $vip:80 -s wrr
-a -t $vip:80 -r 192.0.2.10:80 -m -w 1
-a -t $vip:80 -r 192.0.2.130:80 -m -w 3
-A -t $vip:81 -s rr
-a -t $vip:81 -r 192.0.2.10:80 -m -w 2
ADM
for n in $s1 $s2; do in_ns "$n" socat TCP-LISTEN:80,fork,reuseaddr PIPE & done
for n in $s1 $s2; do
  for _ in $(seq 50); do in_ns "$n" ss -Htln | grep -q ':80 ' && break; sleep 0.1; done
done
# Traffic through $vip:80 only, about a connection a second (processes start slowly in the VM), until the end.
in_ns "$cl" bash -c "while :; do echo hello | socat -t 1 - TCP:$vip:80 >/dev/null 2>&1; sleep 0.5; done" &

m=$("$nlpp" top </dev/null 2>&1); rc=$?
[[ $rc == 2 && $m == "top: needs a terminal"* ]] && ok || bad "top without a terminal: $rc '$m'"
m=$("$nlpp" top --sort speed 2>&1); rc=$?
[[ $rc == 2 && $m == "top: --sort needs one of cps, packets, bytes, weight, active, got 'speed'" ]] && ok ||
  bad "top --sort speed: $rc '$m'"

tmux -f /dev/null new-session -d -s top -x 140 -y 20 "'$nlpp' top; echo \$? >'$work/rc'" || bad "tmux"
ipvsadm -Ln >"$work/weights"

# PANE BEFORE AFTER SORT: each row's rates as in BEFORE or in AFTER, the
# weights of ipvsadm -Ln, the services in the order of SORT.
check() {
  python3 - "$@" "$work/weights" <<'PY'
import re, sys
pane, before, after, sort, weights = sys.argv[1:6]
def adm(path):  # {"TCP 203.0.113.1:80": [cps, inpps, outpps, inbps, outbps] or scheduler, "... -> 192.0.2.10:80": [...] or weight}
    out, svc = {}, None
    for line in open(path):
        if m := re.match(r"(TCP|UDP|SCTP)\s+(\S+)(?:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)|\s+(\S+))", line):
            svc = f"{m[1]} {m[2]}"
            out[svc] = [int(x) for x in m.groups()[2:7]] if m[3] else m[8]
        elif m := re.match(r"\s+-> (\d\S+)(?:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$|\s+\w+\s+(\d+))", line):
            out[f"{svc} -> {m[1]}"] = [int(x) for x in m.groups()[1:6]] if m[2] else int(m[7])
    return out
b, a, w = adm(before), adm(after), adm(weights)
rows, svc, order = {}, None, []
num = r"\s+(\d+)" * 8 + r"\s*$"
for line in open(pane):
    if m := re.match(r"(TCP|UDP|SCTP) (\S+)\s+(\S+)" + num, line):
        svc = key = f"{m[1]} {m[2]}"
        rows[key] = [int(x) for x in m.groups()[3:]]
    elif m := re.match(r"\s+-> (\S+)\s+\w+" + num, line):
        key = f"{svc} -> {m[1]}"
        rows[key] = [int(x) for x in m.groups()[1:]]
    else:
        continue
    order.append(key)
assert set(rows) == set(b) == set(a), f"rows {sorted(rows)}, ipvsadm {sorted(b)}"
assert any(v[3] > 0 for v in rows.values()), "no rate above 0: no traffic seen"
for k, v in rows.items():  # weight, active, inactive, cps, inpps, outpps, inbps, outbps
    assert v[3:] in (b[k], a[k]), f"{k}: rates {v[3:]}, ipvsadm {b[k]} then {a[k]}"
    if "->" in k:
        assert v[0] == w[k], f"{k}: weight {v[0]}, ipvsadm {w[k]}"
col = {"cps": 3, "weight": 0}[sort]
assert f"*{sort[0]} {sort}" in open(pane).read(), "the sort column is not marked on screen"
svcs = [rows[k][col] for k in order if "->" not in k]
assert svcs == sorted(svcs, reverse=True), f"services not sorted by {sort}: {svcs}"
PY
}
sleep 5  # the estimator's first ticks: rates above zero
for sort in cps weight; do
  if [[ $sort == weight ]]; then tmux send-keys -t top w; sleep 0.5; fi
  for _ in 1 2 3 4 5; do
    ipvsadm -Ln --rate --exact >"$work/before"
    sleep 1.2  # top refreshes at least once
    tmux capture-pane -p -t top >"$work/pane"
    ipvsadm -Ln --rate --exact >"$work/after"
    if out=$(check "$work/pane" "$work/before" "$work/after" $sort 2>&1); then break; fi
  done
  [[ -z $out ]] && ok || { bad "top's pane ($sort) against ipvsadm: $out"; cat "$work/pane" "$work/before" "$work/after"; }
done
echo "the pane, sorted by weight:"; cat "$work/pane"  # what docs/ipvs.md shows
tmux send-keys -t top q
for _ in $(seq 50); do [[ -s $work/rc ]] && break; sleep 0.1; done
[[ "$(cat "$work/rc" 2>/dev/null)" == 0 ]] && ok || bad "top did not quit on q with status 0: '$(cat "$work/rc" 2>/dev/null)'"

echo "top_cli: $pass passed, $failn failed ($SECONDS s)"
((failn == 0))
