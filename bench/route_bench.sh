#!/usr/bin/env bash
# Route dump benchmark: 100,000 IPv4 routes in one table of a fresh netns
# (10.a.b.c/28 via 198.18.0.2 dev vb0 table 100, as in shared/docs/peers.md),
# dumped and walked by nlpp, a hand-written C walk and libmnl in alternating
# fresh processes. Reports the minimum per walker and its ratio to the C walk.
#   bench/route_bench.sh BUILD_DIR [ROUTES] [RUNS]
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
  for w in c nlpp mnl; do
    read -r _ ms msgs attrs sum kib < <(ip netns exec "$ns" "$bin" "$w")
    if [[ -z ${best[$w]:-} ]] || (($(echo "$ms < ${best[$w]}" | bc -l))); then best[$w]=$ms; fi
    rss[$w]=$kib
  done
done
echo "route dump, $routes routes ($msgs messages, $attrs attributes), min of $runs runs:"
for w in c nlpp mnl; do
  printf "  %-5s %8.2f ms  %5.2fx C  peak RSS %6d KiB\n" "$w" "${best[$w]}" "$(echo "${best[$w]} / ${best[c]}" | bc -l)" "${rss[$w]}"
done
