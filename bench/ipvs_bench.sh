#!/usr/bin/env bash
# IPVS benchmark, run inside one VM boot (scripts/ipvs-vm.sh bench/ipvs_bench.sh BUILD [SIZES...]):
# N services (TCP, rr) x 2 masquerading destinations, each measurement in a
# fresh netns (the kernel's dest trash list slows reloads in a used one):
#   load:      ipvsadm -R vs nlpp-ipvs -R (pipelined)
#   snapshot:  ipvsadm -Sn vs nlpp-ipvs -Sn (one socket, N+1 dumps)
#   reconcile: nlpp-ipvs apply with 1% of the destinations' weights changed
# and the same three through the library in one process (nlpp-bench-ipvs).
# Prints times, ratios and peak RSS (KiB).
set -euo pipefail
build=$(readlink -f "$1"); shift
sizes=("${@:-10000 30000}")
read -r -a sizes <<<"${sizes[*]}"
nlpp=$build/tools/nlpp-ipvs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
fresh_ns() {
  ns=nlpp-bench-$RANDOM$RANDOM
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add dum0 type dummy
  ip -n "$ns" addr add 192.0.2.1/24 dev dum0
  ip -n "$ns" link set dum0 up
}
# timed NAME CMD...: runs CMD in $ns, sets $secs and $rss
timed() {
  local t0 t1
  t0=$(now)
  ip netns exec "$ns" /usr/bin/time -f %M -o "$work/rss" "$@"
  t1=$(now)
  secs=$(echo "$t1 - $t0" | bc -l)
  rss=$(cat "$work/rss")
}

for n in "${sizes[@]}"; do
  python3 - "$n" >"$work/rules" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    vip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:80"
    print(f"-A -t {vip} -s rr")
    for d in (2, 3):
        print(f"-a -t {vip} -r 192.0.2.{(i % 250) + d}:80 -m -w 1")
PY
  fresh_ns; timed ipvsadm -R <"$work/rules"; load_ipvsadm=$secs
  timed ipvsadm -Sn >"$work/a.txt"; snap_ipvsadm=$secs; rss_ipvsadm=$rss
  timed "$nlpp" -Sn >"$work/b.txt"; snap_nlpp=$secs; rss_nlpp=$rss
  cmp -s "$work/a.txt" "$work/b.txt" || { echo "nlpp-ipvs -Sn differs from ipvsadm -Sn"; exit 1; }
  ip netns exec "$ns" "$nlpp" -Ln --json >"$work/state.json"
  ip netns del "$ns"

  fresh_ns; timed "$nlpp" -R <"$work/rules"; load_nlpp=$secs; rss_load=$rss
  [[ $(ip netns exec "$ns" ipvsadm -Sn | wc -l) == $((3 * n)) ]] || { echo "nlpp-ipvs -R lost rules"; exit 1; }
  python3 - "$work/state.json" "$work/desired.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dests = [d for svc in s["services"] for d in svc["destinations"]]
for d in dests[: max(1, len(dests) // 100)]:
    d["weight"] = 5
json.dump(s, open(sys.argv[2], "w"))
PY
  timed "$nlpp" apply "$work/desired.json" >"$work/plan.txt" 2>/dev/null; rec_nlpp=$secs; rss_rec=$rss
  ops=$(wc -l <"$work/plan.txt")
  ip netns del "$ns"

  fresh_ns
  read -r _ lib_load lib_snap lib_rec lib_ops lib_rss < <(ip netns exec "$ns" "$build/bench/nlpp-bench-ipvs" "$n" 2>/dev/null)
  ip netns del "$ns"

  printf "%d services x 2 destinations\n" "$n"
  printf "  load      ipvsadm -R  %7.2f s   nlpp-ipvs -R  %6.2f s   %5.1fx faster\n" "$load_ipvsadm" "$load_nlpp" "$(echo "$load_ipvsadm / $load_nlpp" | bc -l)"
  printf "  snapshot  ipvsadm -Sn %7.2f s   nlpp-ipvs -Sn %6.2f s   %5.1fx faster   peak RSS %d vs %d KiB\n" "$snap_ipvsadm" "$snap_nlpp" "$(echo "$snap_ipvsadm / $snap_nlpp" | bc -l)" "$rss_ipvsadm" "$rss_nlpp"
  printf "  reconcile 1%%: %d operations in %.2f s = %.2fx one nlpp snapshot (peak RSS %d KiB; load peak RSS %d KiB)\n" "$ops" "$rec_nlpp" "$(echo "$rec_nlpp / $snap_nlpp" | bc -l)" "$rss_rec" "$rss_load"
  printf "  library:  load %.2f s (%.1fx ipvsadm -R), snapshot %.2f s (%.1fx ipvsadm -Sn), reconcile 1%% %d ops %.2f s (%.2fx snapshot), peak RSS %d KiB\n" \
    "$lib_load" "$(echo "$load_ipvsadm / $lib_load" | bc -l)" "$lib_snap" "$(echo "$snap_ipvsadm / $lib_snap" | bc -l)" \
    "$lib_ops" "$lib_rec" "$(echo "$lib_rec / $lib_snap" | bc -l)" "$lib_rss"
done
