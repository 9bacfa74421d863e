#!/usr/bin/env bash
# nlpp-ipvs against ipvsadm 1.31 in a fresh netns of an IPVS kernel: the same
# state listed by both (every listing flavour) must be byte-identical; state
# made by either is read by the other; -R reads -S; apply converges and is
# idempotent; errors and exit codes match.
#   tests/ipvs/cli_vs_ipvsadm.sh PATH/TO/nlpp-ipvs
set -u
nlpp=$(readlink -f "$1")
ns=nlpp-cli-$$
pass=0 failn=0
ok() { pass=$((pass + 1)); }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }
in_ns() { ip netns exec "$ns" "$@"; }
trap 'ip netns del $ns 2>/dev/null' EXIT
if ! command -v ipvsadm >/dev/null || ! in_ns true 2>/dev/null && ! ip netns add "$ns"; then :; fi
ip netns add "$ns" 2>/dev/null || true
in_ns ip link set lo up
in_ns ip link add dum0 type dummy
in_ns ip addr add 192.0.2.1/24 dev dum0
in_ns ip addr add 200.1.1.1/24 dev dum0
in_ns ip addr add 2001:db8::1/64 dev dum0 nodad
in_ns ip link set dum0 up
if ! in_ns "$nlpp" -Ln >/dev/null; then echo "IPVS not available: run through scripts/ipvs-vm.sh"; echo "0 passed, 1 failed"; exit 1; fi

same() {  # same OUTPUT and exit status for the same arguments
  local a b ra rb
  a=$(in_ns ipvsadm "$@" 2>&1); ra=$?
  b=$(in_ns "$nlpp" "$@" 2>&1); rb=$?
  if [[ "$a" == "$b" && $ra == $rb ]]; then ok; else bad "ipvsadm $* (exit $ra) vs nlpp-ipvs (exit $rb)"; diff <(echo "$a") <(echo "$b") | head -20; fi
}
listings() {
  for args in "-Ln" "-L" "-Ln --stats" "-Ln --rate" "-Ln --thresholds" "-Ln --persistent-conn" "-Ln --tun-info" \
              "-Ln --stats --exact" "-Ln --rate --exact" "-Ln --nosort" "-Sn" "-S" "-Ln -t 10.0.0.1:80" \
              "-Ln -u 10.0.0.2:53 --stats" "-Ln -f 5" "-L --timeout" "-L --daemon" "-Lnc" "-Lnc --persistent-conn"; do
    # shellcheck disable=SC2086
    same $args
  done
}

# State made by nlpp-ipvs, every kind of service and destination.
mk() { in_ns "$nlpp" "$@" || bad "nlpp-ipvs $*"; }
mk -A -t 10.0.0.1:80 -s rr
mk -a -t 10.0.0.1:80 -r 192.0.2.10:8080 -m -w 3
mk -a -t 10.0.0.1:80 -r 192.0.2.11 -g -w 2 -x 100 -y 10
mk -a -t 10.0.0.1:80 -r 192.0.2.60 -i --tun-type gue --tun-port 6080 --tun-csum
mk -a -t 10.0.0.1:80 -r 192.0.2.61 -i --tun-type gre --tun-csum
mk -a -t 10.0.0.1:80 -r 192.0.2.62 -i
mk -A -u 10.0.0.2:53 -s sh -b sh-port,sh-fallback -p 60 -M 255.255.255.0 -o
mk -a -u 10.0.0.2:53 -r 192.0.2.20 -m
mk -A -t 200.1.1.200:443 -s wlc -p
mk -a -t 200.1.1.200:443 -r 200.1.1.5 -m
mk -A -t 10.0.0.3:0 -s lc -p 600
mk -A --sctp-service 10.0.0.4:3868 -s wrr
mk -A -f 5 -s wlc
mk -a -f 5 -r 192.0.2.30 -g
mk -A -f 6 -6 -s mh -b mh-port
mk -A -t [2001:db8::100]:443 -s wrr -p 120 -M 64
mk -a -t [2001:db8::100]:443 -r [2001:db8::20]:443 -m -w 7
mk -A -u 10.0.0.9:5060 -s rr -p 30 --pe sip
mk --set 900 120 300
mk --start-daemon master --mcast-interface dum0 --syncid 9 --mcast-group 239.1.1.1 --mcast-port 8850 --mcast-ttl 2 --sync-maxlen 1400
listings

# -S from nlpp-ipvs read back by -R (and by ipvsadm -R): the same state.
saved=$(in_ns "$nlpp" -Sn)
in_ns "$nlpp" -C
echo "$saved" | in_ns "$nlpp" -R && ok || bad "nlpp-ipvs -R"
[[ "$(in_ns ipvsadm -Sn)" == "$saved" ]] && ok || bad "-R did not restore -Sn"
in_ns ipvsadm -C
echo "$saved" | in_ns ipvsadm -R
[[ "$(in_ns "$nlpp" -Sn)" == "$saved" ]] && ok || bad "state made by ipvsadm -R reads back differently"

# -R stops at a -h line as ipvsadm does, the lines before it applied (-R sends batches while it
# parses: the batch before the -h line must still go out).
rin=$'-A -t 10.0.0.50:80 -s rr\n-a -t 10.0.0.50:80 -r 192.0.2.50 -m\n-h\n-A -t 10.0.0.51:80 -s rr'
in_ns ipvsadm -C
echo "$rin" | in_ns ipvsadm -R >/dev/null 2>&1
a=$(in_ns ipvsadm -Sn)
in_ns ipvsadm -C
echo "$rin" | in_ns "$nlpp" -R >/dev/null 2>&1
b=$(in_ns ipvsadm -Sn)
[[ -n $a && "$a" == "$b" ]] && ok || bad "-R with -h inside: ipvsadm left [$a], nlpp-ipvs [$b]"
in_ns ipvsadm -C
echo "$saved" | in_ns ipvsadm -R

# Declarative: the -Ln --json listing applied to an empty table restores it; again changes nothing.
in_ns "$nlpp" -Ln --json >/tmp/$ns.json
in_ns "$nlpp" -C
in_ns "$nlpp" apply /tmp/$ns.json >/dev/null 2>&1 && ok || bad "apply"
[[ "$(in_ns ipvsadm -Sn)" == "$saved" ]] && ok || bad "apply did not restore the state"
out=$(in_ns "$nlpp" apply /tmp/$ns.json 2>&1)
[[ "$out" == "0 changes applied, 0 failed" ]] && ok || bad "apply is not idempotent: $out"
python3 - /tmp/$ns.json <<'PY'
import json, sys
p = sys.argv[1]; s = json.load(open(p))
s["services"][0]["destinations"][0]["weight"] = 0
json.dump(s, open(p, "w"))
PY
out=$(in_ns "$nlpp" apply --dry-run /tmp/$ns.json 2>/dev/null)
[[ $(echo "$out" | wc -l) == 1 && "$out" == "would edit dest"* ]] && ok || bad "dry run: $out"
rm -f /tmp/$ns.json

# Errors and exit codes as ipvsadm's.
same -A -t 10.0.0.1:80 -s rr
same -D -t 10.9.9.9:80
same -a -t 10.9.9.9:80 -r 192.0.2.1
same -d -t 10.0.0.1:80 -r 192.0.2.99
same -A -t 10.0.0.7:80 -s nosuchsched
same -A -t 10.0.0.7:0
same -a -t 10.0.0.1:80 -r 192.0.2.1 -m --tun-type gue
same -a -t 10.0.0.1:80 -r 192.0.2.1 -i --tun-type gue
same -e -t 10.0.0.1:80 -r 192.0.2.10:8080 -m -w 70000
same -a -t 10.0.0.1:80 -r 192.0.2.1 -w -1
same -a -t 10.0.0.1:80 -r 192.0.2.62 -i --tun-type gre --tun-remcsum
same -L -s rr
same -A -t 10.0.0.1:80 -s rr -r 1.1.1.1
same --start-daemon master --mcast-interface dum0 --syncid 9
same --stop-daemon backup
same -Z -t 10.9.9.9:80
same --set 1 2
same -Ln -t 10.9.9.9:80
# Usage errors (the parser's unit tests, tests/ipvs/command_line_test.cpp, hold more).
same -L -c --stats
same -L -t 10.0.0.1:80 -c
same -A -f 0
same -A -6
same --set 1 2 x
same -A -u 10.0.0.8:80 -s sh -b sh-port,mh-port
same --start-daemon master --mcast-group 1.2.3.4
same -a -t 10.0.0.1:80 -r [2001:db8::20]:80 -m
# Without CAP_NET_ADMIN: the same refusal as ipvsadm, and the library names the capability.
noadmin() { in_ns setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$@"; }
a=$(noadmin ipvsadm -A -t 10.0.0.77:80 2>&1); ra=$?
a=$(grep -v '^modprobe:' <<<"$a")  # ipvsadm tries to load the module first
b=$(noadmin "$nlpp" -A -t 10.0.0.77:80 2>&1); rb=$?
[[ "$a" == "$b" && $ra == $rb ]] && ok || bad "EPERM: ipvsadm '$a' ($ra) vs nlpp-ipvs '$b' ($rb)"
c=$(noadmin "$nlpp" apply --dry-run - <<<'{"services": []}' 2>&1)
[[ "$c" == *"needs CAP_NET_ADMIN"* ]] && ok || bad "apply without CAP_NET_ADMIN: $c"
[[ "$(in_ns ipvsadm -Ln | grep -c 10.0.0.77)" == 0 ]] && ok || bad "a refused change was applied"
echo "cli_vs_ipvsadm: $pass passed, $failn failed"
((failn == 0))
