#!/usr/bin/env bash
# nlpp-ipvs-exporter against ipvsadm with real traffic (nat_topology.sh):
# services made by ipvsadm (TCP with persistence, TCP, UDP, a firewall
# mark), connections open and closed, datagrams. Then, scraped with curl:
# every counter, gauge and info sample equals ipvsadm's (-Ln and -Ln --stats
# --exact read just before and just after the scrape, retried until both
# reads agree: counters move on the 2 s estimator tick); the exposition passes
# promtool check metrics; --per-destination=false and --scope; a deleted
# service leaves the next scrape. Bad input: a port in use, a malformed
# --listen, no CAP_NET_ADMIN, no ip_vs module: one line, non-zero exit
# (each exporter start costs seconds in the VM: one case of each).
#   tests/ipvs/exporter_cli.sh PATH/TO/nlpp-ipvs-exporter      (needs socat, curl, promtool)
set -u
exporter=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/nat_topology.sh"
for tool in curl promtool; do
  command -v $tool >/dev/null || { echo "$tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
nat_enter nlpp-ex "$0" "$exporter"
work=$(mktemp -d)
trap 'nat_cleanup; rm -rf "$work"' EXIT
nat_setup ipvsadm

# One line on stderr and a non-zero exit. NAME EXPECTED-TEXT CMD...
one_line_failure() {
  local name=$1 text=$2 rc err; shift 2
  "$@" >"$work/out" 2>"$work/err" </dev/null
  rc=$?
  mapfile -t err <"$work/err"
  if ((rc != 0 && ${#err[@]} == 1)) && [[ ! -s $work/out && ${err[0]} == *"$text"* ]]; then ok
  else bad "$name: exit $rc, stderr: ${err[*]}, stdout: $(head -c 300 "$work/out")"; fi
}
scrape() {  # PORT: the exposition text on stdout
  curl -sf --max-time 20 "http://127.0.0.1:$1/metrics"
}
start() {  # PORT ARGS...: an exporter in the background, up when its port takes connections
  local port=$1; shift
  "$exporter" --listen "127.0.0.1:$port" "$@" &
  for _ in $(seq 100); do (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0; sleep 0.1; done
  bad "the exporter on port $port did not start"
}

# No ip_vs module (autoloading off, so that it stays away), first, while no service holds it.
helper=$(</proc/sys/kernel/modprobe)
echo /bin/false >/proc/sys/kernel/modprobe
for _ in $(seq 50); do
  mods=()
  while read -r m _; do [[ $m == ip_vs_* ]] && mods+=("$m"); done </proc/modules
  rmmod "${mods[@]}" ip_vs 2>/dev/null && break  # the schedulers first; a namespace's cleanup may hold ip_vs a moment
  sleep 0.2
done
echo "$SECONDS s: ip_vs unloaded"
if [[ -d /sys/module/ip_vs ]]; then bad "rmmod ip_vs failed"
else one_line_failure "no ip_vs module" "ip_vs module not loaded" "$exporter" --listen 127.0.0.1:9100; fi
echo "$helper" >/proc/sys/kernel/modprobe
ipvsadm -Ln >/dev/null 2>&1  # the kernel loads ip_vs again (asked for the family; modprobe in the guest's tree cannot)
[[ -d /sys/module/ip_vs ]] && ok || bad "ip_vs did not come back"

one_line_failure "malformed --listen" "--listen '127.0.0.1': not ADDR:PORT" "$exporter" --listen 127.0.0.1
one_line_failure "no CAP_NET_ADMIN" "CAP_NET_ADMIN" capsh --drop=cap_net_admin -- -c "exec $exporter --listen 127.0.0.1:9100"
echo "$SECONDS s: bad input done"

ipvsadm -R <<EOF || bad "ipvsadm -R"
-A -t $vip:80 -s rr -p 60
-a -t $vip:80 -r 192.0.2.10:8080 -m
-a -t $vip:80 -r 192.0.2.130:8080 -m -w 2
-A -t $vip:81 -s wlc
-a -t $vip:81 -r 192.0.2.10:8080 -m -w 3
-a -t $vip:81 -r 192.0.2.130:8080 -m
-A -u $vip:53 -s rr
-a -u $vip:53 -r 192.0.2.10:5353 -m
-a -u $vip:53 -r 192.0.2.130:5353 -m
-A -f 5 -s sh
-a -f 5 -r 192.0.2.10:0 -m
EOF
nat_echo_servers
start 9100
one_line_failure "port in use" "cannot listen on 127.0.0.1:9100" "$exporter" --listen 127.0.0.1:9100

# Traffic, all at once: connections left open (each says hello, then idles), closed ones, datagrams.
for a in "198.51.100.2 80" "198.51.100.2 81" "198.51.100.3 81"; do
  read -r src port <<<"$a"
  in_ns "$cl" socat SYSTEM:'echo hello; exec sleep 600' TCP:$vip:$port,bind=$src 2>/dev/null &
done
echo_tcp() {  # SOURCE PORT: one closed connection
  [[ $(echo "closed connection" | in_ns "$cl" socat -t 5 - TCP:$vip:$2,bind=$1 2>&1) == "closed connection" ]]
}
echo_udp() {  # SOURCE
  [[ $(echo "datagram" | in_ns "$cl" socat -t 1 - UDP:$vip:53,bind=$1 2>&1) == datagram ]]
}
echo_tcp 198.51.100.3 80 & t1=$!
echo_tcp 198.51.100.3 81 & t2=$!
echo_udp 198.51.100.2 & u=$!
wait $t1 && wait $t2 && ok || bad "no TCP echo through $vip"
wait $u && ok || bad "no UDP echo through $vip:53"

# Every sample against ipvsadm read just before and just after the scrape. The
# counters reach ipvsadm and us alike only on the estimator's 2 s tick, so a
# window may see them move: retried until both reads agree.
compare() {  # PORT [--totals-only]: one agreeing window, compared
  local port=$1 totals=${2:-}
  for _ in $(seq 10); do
    { ipvsadm -Ln; ipvsadm -Ln --stats --exact; } >"$work/a1"
    scrape "$port" >"$work/expo" || { bad "scrape of port $port failed"; return; }
    { ipvsadm -Ln; ipvsadm -Ln --stats --exact; } >"$work/a2"
    if cmp -s "$work/a1" "$work/a2"; then
      /usr/bin/python3 "$here/exporter_check.py" "$work/a1" "$work/expo" $totals >"$work/check" && ok ||
        { bad "port $port: exporter vs ipvsadm"; cat "$work/check"; }
      return
    fi
    sleep 0.5
  done
  bad "port $port: ipvsadm's counters never held still around a scrape"
}
echo "$SECONDS s: traffic done"
sleep 2.1  # the estimator's tick: the counters of the traffic above reach the kernel's stats
compare 9100
echo "$SECONDS s: compared"
grep -q 'ipvs_service_connections_total{.*port="81".*} [1-9]' "$work/expo" && grep -q 'ipvs_destination_active_connections{.*} [1-9]' "$work/expo" &&
  grep -q 'ipvs_destination_inactive_connections{.*} [1-9]' "$work/expo" && ok ||
  bad "no traffic in the exposition: $(grep -v '^#' "$work/expo" | head -20)"
cp "$work/expo" "$work/checked"
promtool check metrics <"$work/checked" >"$work/promtool" 2>&1 &  # a large Go binary, slow to start in the VM: meanwhile, the rest
promtool_pid=$!
[[ -n ${NLPP_EXPORTER_SAMPLE:-} ]] && cp "$work/expo" "$NLPP_EXPORTER_SAMPLE"

# --per-destination=false (the service dump alone): every service of ipvsadm's with its totals, no destination.
start 9101 --per-destination=false
compare 9101 --totals-only
# --scope, with and without destinations: the two services of the scope.
start 9102 --scope "tcp:$vip/32:81,fwmark:5"
start 9103 --scope "tcp:$vip/32:81,fwmark:5" --per-destination=false
for port in 9102 9103; do
  scrape $port >"$work/scoped"
  [[ $(grep -c '^ipvs_service_info{' "$work/scoped") == 2 ]] && grep -q '^ipvs_service_info{.*port="81"' "$work/scoped" &&
    grep -q '^ipvs_service_info{fwmark="5"' "$work/scoped" && ok || bad "--scope (port $port): $(grep '^ipvs_service_info' "$work/scoped")"
done
! grep -q '^ipvs_destination' "$work/scoped" && ok || bad "--scope --per-destination=false lists destinations"

# A service deleted between two scrapes leaves the second.
ipvsadm -D -u $vip:53 || bad "ipvsadm -D"
scrape 9100 >"$work/expo"
! grep -q 'port="53"' "$work/expo" && grep -q '^ipvs_service_info{.*port="80"' "$work/expo" && ok ||
  bad "the deleted UDP service is still exported, or the others are not: $(grep '^ipvs_service_info' "$work/expo")"
echo "$SECONDS s: flags and deletion done"
wait $promtool_pid && ok || { bad "promtool check metrics"; cat "$work/promtool"; }
echo "$SECONDS s: promtool done"
kill $(jobs -p) 2>/dev/null  # the exporters (they stop on SIGTERM)
wait
echo "exporter_cli: $pass passed, $failn failed"
((failn == 0))
