#!/usr/bin/env bash
# A real Prometheus server (Debian's prometheus, scrape interval 1 s, its
# storage in a temporary directory) scrapes nlpp-ipvs-exporter, and its HTTP
# API (/api/v1/query) answers a PromQL query with a destination's active
# connection count: the number ipvsadm -Ln shows, with connections held open
# through IPVS (nat_topology.sh). Also: the target is up.
#   tests/ipvs/exporter_prometheus.sh PATH/TO/nlpp-ipvs-exporter      (needs socat, curl, prometheus)
set -u
exporter=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
source "$here/nat_topology.sh"
for tool in curl prometheus; do
  command -v $tool >/dev/null || { echo "$tool is missing"; echo "0 passed, 1 failed"; exit 1; }
done
nat_enter nlpp-pr "$0" "$exporter"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait; nat_cleanup; rm -rf "$work"' EXIT
nat_setup ipvsadm
t0=$SECONDS

ipvsadm -A -t $vip:80 -s rr && ipvsadm -a -t $vip:80 -r 192.0.2.10:8080 -m && ipvsadm -a -t $vip:80 -r 192.0.2.130:8080 -m ||
  bad "ipvsadm"
nat_echo_servers
for src in 198.51.100.2 198.51.100.3 198.51.100.2 198.51.100.3 198.51.100.2; do  # rr: 3 on one, 2 on the other
  in_ns "$cl" socat SYSTEM:'echo hello; exec sleep 600' TCP:$vip:80,bind=$src 2>/dev/null &
done

"$exporter" --listen 127.0.0.1:9100 &
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ipvs
    static_configs:
      - targets: ["127.0.0.1:9100"]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" --web.listen-address=127.0.0.1:9090 \
  >"$work/prometheus.log" 2>&1 &

# query PROMQL: the value of its one result ("" while there is none)
query() {
  curl -sf --max-time 10 -G http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$1" |
    /usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")' 2>/dev/null
}
q='ipvs_destination_active_connections{job="ipvs",protocol="tcp",address="'$vip'",port="80",destination_address="192.0.2.10",destination_port="8080"}'
got= want=
for _ in $(seq 120); do
  want=$(ipvsadm -Ln -t $vip:80 | awk '$2 == "192.0.2.10:8080" { print $5 }')
  got=$(query "$q")
  [[ -n $got && $got == "$want" && $want -gt 0 ]] && break
  sleep 1
done
[[ $got == "$want" && $want -gt 0 ]] && ok || { bad "Prometheus answered '$got' for $q, ipvsadm says '$want'"; tail -5 "$work/prometheus.log"; }
[[ $(query 'up{job="ipvs"}') == 1 ]] && ok || bad "the exporter's target is not up"
echo "Prometheus answered after $((SECONDS - t0)) s"
echo "exporter_prometheus: $pass passed, $failn failed"
((failn == 0))
