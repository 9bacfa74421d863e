#!/usr/bin/env bash
# The IPVS part of the demo, run inside the IPVS VM by scripts/demo.sh:
# nlpp-ipvs drives a fresh namespace the way ipvsadm would, then lists it as
# ipvsadm text and as JSON, and plans a declarative change.
set -euo pipefail
nlpp=$1
ns=nlpp-demo-ipvs
ip netns add $ns
ip -n $ns link set lo up
ip -n $ns link add dum0 type dummy
ip -n $ns addr add 192.0.2.1/24 dev dum0
ip -n $ns link set dum0 up
run() { echo "\$ nlpp-ipvs $*"; ip netns exec $ns "$nlpp" "$@"; }
run -A -t 10.0.0.1:80 -s rr
run -a -t 10.0.0.1:80 -r 192.0.2.10:8080 -m -w 3
run -a -t 10.0.0.1:80 -r 192.0.2.11:8080 -m
run -A -u [2001:db8::1]:53 -s sh -b sh-port
run -A -f 7 -s wlc -p 300
run -Ln
echo "\$ ipvsadm -Ln   # the incumbent reads the same state"
ip netns exec $ns ipvsadm -Ln
echo "\$ nlpp-ipvs -Ln --json > state.json   # then drain 192.0.2.10 (weight 0) in the file"
ip netns exec $ns "$nlpp" -Ln --json >/tmp/state.json
head -n 12 /tmp/state.json
echo "  ..."
sed -i 's/"weight": 3/"weight": 0/' /tmp/state.json
run apply --dry-run /tmp/state.json
run apply /tmp/state.json
run -Ln -t 10.0.0.1:80
