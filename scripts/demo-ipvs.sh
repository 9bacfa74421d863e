#!/usr/bin/env bash
# The IPVS part of the demo, run inside the IPVS VM by scripts/demo.sh:
# nlpp-ipvs drives a fresh namespace the way ipvsadm would, then lists it as
# ipvsadm text and as JSON, plans a declarative change, watches changes made
# by ipvsadm, shows them in top (in tmux) and serves the state to Prometheus. Also a test
# (ctest demo.ipvs, in the VM): each step checks what it shows.
#   scripts/demo-ipvs.sh PATH/TO/nlpp-ipvs
set -euo pipefail
nlpp=$(readlink -f "${1:?usage: scripts/demo-ipvs.sh PATH/TO/nlpp-ipvs}")
ns=nlpp-demo-ipvs-$$
work=$(mktemp -d)
export TMUX_TMPDIR=$work  # top's tmux server, its own
trap 'tmux kill-server 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "demo: $*" >&2; exit 1; }
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
[[ $(ip netns exec $ns "$nlpp" -Ln) == "$(ip netns exec $ns ipvsadm -Ln)" ]] || fail "nlpp-ipvs -Ln differs from ipvsadm -Ln"
echo "\$ nlpp-ipvs -Sn --json > state.json   # save the state; then drain 192.0.2.10 (weight 0) in the file"
ip netns exec $ns "$nlpp" -Sn --json >"$work/state.json"
head -n 12 "$work/state.json"
echo "  ..."
sed -i 's/"weight": 3/"weight": 0/' "$work/state.json"
run apply --dry-run "$work/state.json"
run apply "$work/state.json"
run -Ln -t 10.0.0.1:80
ip netns exec $ns ipvsadm -Ln -t 10.0.0.1:80 | grep -q '192.0.2.10:8080 *Masq *0 ' || fail "ipvsadm does not see weight 0"
echo "\$ nlpp-ipvs watch --json --interval 0.3 &   # then two changes made with ipvsadm"
ip netns exec $ns "$nlpp" watch --json --interval 0.3 >"$work/watch" &
watcher=$!
sleep 1
ip netns exec $ns ipvsadm -a -t 10.0.0.1:80 -r 192.0.2.12:8080 -m -w 2
sleep 1
ip netns exec $ns ipvsadm -e -t 10.0.0.1:80 -r 192.0.2.12:8080 -m -w 4
sleep 1
kill -INT $watcher
wait $watcher || fail "watch did not end cleanly on SIGINT"
cat "$work/watch"
[[ $(grep -c '"event"' "$work/watch") == 2 ]] || fail "watch did not print the two changes"
echo "\$ nlpp-ipvs top   # in tmux: the pane captured after 2 s, then the key q"
tmux -f /dev/null new-session -d -s top -x 132 -y 12 "ip netns exec $ns '$nlpp' top; echo \$? >'$work/top-rc'"
sleep 2
tmux capture-pane -p -t top | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$work/pane"  # without the blank lines at the end
tmux send-keys -t top q
for _ in $(seq 50); do [[ -s $work/top-rc ]] && break; sleep 0.1; done
cat "$work/pane"
grep -q '^nlpp-ipvs top: 3 services' "$work/pane" || fail "top does not show the 3 services"
grep -qE '^ +-> 192\.0\.2\.12:8080 +Masq +4 ' "$work/pane" || fail "top does not show 192.0.2.12's weight 4"
[[ $(cat "$work/top-rc" 2>/dev/null) == 0 ]] || fail "top did not quit on q with status 0"
exporter=$(dirname "$nlpp")/nlpp-ipvs-exporter
[[ -x $exporter ]] || fail "no $exporter (built with prometheus-cpp-dev)"
echo "\$ nlpp-ipvs-exporter --listen 127.0.0.1:9190 &   # then what Prometheus would scrape"
ip netns exec $ns "$exporter" --listen 127.0.0.1:9190 &
exporter_pid=$!
for _ in $(seq 100); do
  ip netns exec $ns curl -sf http://127.0.0.1:9190/metrics >"$work/metrics" && break
  sleep 0.2
done
grep -E '^ipvs_(destination_weight|service_info)' "$work/metrics"
kill $exporter_pid
wait $exporter_pid || true
grep -qE '^ipvs_destination_weight\{.*destination_address="192.0.2.12".*\} 4$' "$work/metrics" ||
  fail "the exporter does not show 192.0.2.12's weight 4"
