#!/usr/bin/env bash
# Route dump benchmark: 100,000 IPv4 routes in one table of a fresh netns
# (10.a.b.c/28 via 198.18.0.2 dev vb0 table 100, as in shared/docs/peers.md),
# dumped and walked by nlpp, a hand-written C walk and libmnl in alternating
# fresh processes; the spec engine (rt-route.yaml) decoding every route; then
# whole CLIs writing JSON: nlpp-ynl --output-json against `ip -j route` (and
# the kernel's pyynl once, when scripts/kernel-specs.sh installed it).
# Reports the minimum per walker and its ratio to the C walk.
#   bench/route_bench.sh BUILD_DIR [ROUTES] [RUNS]   (NLPP_SPEC_PATH finds rt-route.yaml)
set -euo pipefail
build=$1 routes=${2:-100000} runs=${3:-9}
bin=$build/bench/nlpp-bench-routes
ns=nlpp-bench-$$
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add va0 type veth peer name vb0
ip -n "$ns" addr add 198.18.0.1/24 dev vb0
ip -n "$ns" link set vb0 up
ip -n "$ns" link set va0 up
batch=$(mktemp)
python3 - "$routes" >"$batch" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    a, b, c = (i >> 12) & 0xff, (i >> 4) & 0xff, (i & 0xf) << 4
    print(f"route add 10.{a}.{b}.{c}/28 via 198.18.0.2 dev vb0 table 100")
PY
ip -n "$ns" -batch "$batch"
rm -f "$batch"
declare -A best rss
for ((r = 0; r < runs; r++)); do
  for w in c nlpp mnl ynl ynl-tree; do
    read -r _ ms msgs attrs sum kib < <(ip netns exec "$ns" "$bin" "$w")
    if [[ -z ${best[$w]:-} ]] || (($(echo "$ms < ${best[$w]}" | bc -l))); then best[$w]=$ms; fi
    rss[$w]=$kib
  done
done
echo "route dump, $routes routes ($msgs messages, $attrs attributes), min of $runs runs:"
for w in c nlpp mnl ynl ynl-tree; do
  printf "  %-8s %8.2f ms  %5.2fx C  peak RSS %6d KiB\n" "$w" "${best[$w]}" "$(echo "${best[$w]} / ${best[c]}" | bc -l)" "${rss[$w]}"
done

# Whole processes writing JSON to /dev/null (wall time, min of runs).
wall() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000)); }
ynl=$build/tools/nlpp-ynl
declare -A cli
for ((r = 0; r < runs; r++)); do
  us=$(wall "$ynl" --netns "$ns" --family rt-route --dump getroute --json '{"rtm-family": 2}' --output-json)
  ((${cli[ynl]:-999999999} > us)) && cli[ynl]=$us
  us=$(wall ip -n "$ns" -j route show table 100)
  ((${cli[ip]:-999999999} > us)) && cli[ip]=$us
done
lines=$("$ynl" --netns "$ns" --family rt-route --dump getroute --json '{"rtm-family": 2}' --output-json | wc -l)
echo "CLI, JSON to /dev/null, whole process, min of $runs runs ($lines lines from nlpp-ynl):"
printf "  nlpp-ynl --output-json  %8.1f ms\n" "$(echo "${cli[ynl]} / 1000" | bc -l)"
printf "  ip -j route show        %8.1f ms  (nlpp-ynl is %.2fx faster)\n" "$(echo "${cli[ip]} / 1000" | bc -l)" "$(echo "${cli[ip]} / ${cli[ynl]}" | bc -l)"
pyynl=/usr/local/share/ynl/pyynl/cli.py spec=${NLPP_SPEC_PATH%%:*}/rt-route.yaml
if [[ -f $pyynl && -f $spec ]]; then
  read -r _ ms < <(ip netns exec "$ns" python3 "$(dirname "$0")/pyynl_routes.py" "$(dirname "$pyynl")" "$spec")
  printf "  pyynl library dump (1 run) %8.1f ms  (nlpp-bench-routes ynl is %.0fx faster)\n" "$ms" "$(echo "$ms / ${best[ynl]}" | bc -l)"
  us=$(wall ip netns exec "$ns" python3 "$pyynl" --spec "$spec" --no-schema --dump getroute --json '{"rtm-family": 2}' --output-json)
  printf "  pyynl cli.py (1 run)    %8.1f ms  (nlpp-ynl is %.0fx faster)\n" "$(echo "$us / 1000" | bc -l)" "$(echo "$us / ${cli[ynl]}" | bc -l)"
fi
# Start to first output: --dump getlink on a fresh netns (lo only).
first=999999999
for ((r = 0; r < runs; r++)); do
  ns2=nlpp-bench-first-$$
  ip netns add "$ns2"
  us=$(wall "$ynl" --netns "$ns2" --family rt-link --dump getlink --output-json)
  ((first > us)) && first=$us
  ip netns del "$ns2"
done
printf "nlpp-ynl --family rt-link --dump getlink on lo, whole process: %.1f ms\n" "$(echo "$first / 1000" | bc -l)"
