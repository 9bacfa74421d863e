#!/usr/bin/env bash
# IPVS benchmark, run inside one VM boot:
#   scripts/ipvs-vm.sh --timeout 3000 bench/ipvs_bench.sh BUILD [SIZES...]   (default 10000)
# N services (TCP, rr) x 2 masquerading destinations:
#   load:      ipvsadm -R vs nlpp-ipvs -R (pipelined)
#   snapshot:  ipvsadm -Sn vs nlpp-ipvs -Sn (N+1 dumps), on the same state
#   reconcile: nlpp-ipvs apply with 1% of the destinations' weights changed
#   load from JSON: nlpp-ipvs apply of ipvsadm's state (-Ln --json) into a
#              fresh netns, against ipvsadm -R of the same state; the same
#              apply --dry-run (its reading and planning alone); and apply of
#              the state as -Sn --json saves it (no counters)
# and the same three through the library in one process (nlpp-bench-ipvs).
# Then a large snapshot (NLPP_BENCH_LARGE services, default 50,000; 0: none)
# in phases with user and system time (nlpp-bench-ipvs-snapshot: the service
# dump, the destination dumps one by one, a whole client::snapshot())
# and nlpp-ipvs -Sn of the same state, user and system time apart. Then a
# scrape of nlpp-ipvs-exporter against the library snapshot alone, and one
# of an exporter with --per-destination=false against the service dump alone,
# and the scrape's user-space steps on that snapshot (metric families, text
# serializer: nlpp-bench-ipvs-exporter-text) (NLPP_BENCH_EXPORTER services,
# default 10,000; 0: none).
# NLPP_BENCH_ONLY=exporter runs the exporter step alone and merges its result
# into the results file (its own date, commit and machine beside it).
# Every load starts in a fresh netns (the kernel's dest trash list slows
# reloads in a used one), flushed and deleted before the next one. Each
# measurement is repeated in NLPP_BENCH_ROUNDS rounds (default 3, at least 3),
# the order of the tools reversed on every other round; the best is reported
# and every round is kept. A command's time runs from its fork to its exit
# (nlpp-bench-time), the same for both tools. Outputs are checked: both snapshots and the state
# nlpp-ipvs -R leaves equal ipvsadm's, the reconciles plan 1% of the
# destinations. Results go to bench/results/ipvs.json (or $NLPP_BENCH_OUT);
# bench/figures.py copies them into README.md and docs/.
set -euo pipefail
export LC_ALL=C
(($# >= 1)) || { echo "usage: bench/ipvs_bench.sh BUILD_DIR [SIZES...]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(readlink -f "$1"); shift
sizes=("${@:-10000}")
rounds=${NLPP_BENCH_ROUNDS:-3}
((rounds >= 3)) || { echo "ipvs_bench.sh: NLPP_BENCH_ROUNDS must be at least 3" >&2; exit 2; }
out=${NLPP_BENCH_OUT:-$root/bench/results/ipvs.json}
py=/usr/bin/python3
large=${NLPP_BENCH_LARGE:-50000}
only=${NLPP_BENCH_ONLY:-}
case $only in
  '') ;;
  exporter) sizes=() large=0 ;;
  *) echo "ipvs_bench.sh: NLPP_BENCH_ONLY is 'exporter' or empty" >&2; exit 2 ;;
esac
nlpp=$build/tools/nlpp-ipvs lib=$build/bench/nlpp-bench-ipvs lib_snap=$build/bench/nlpp-bench-ipvs-snapshot
timer=$build/bench/nlpp-bench-time
work=$(mktemp -d)
ns=
trap 'rm -rf "$work"; [[ -z $ns ]] || ip netns del "$ns" 2>/dev/null || true' EXIT

fresh_ns() {
  ns=nlpp-bench-$RANDOM$RANDOM
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add dum0 type dummy
  ip -n "$ns" addr add 192.0.2.1/24 dev dum0
  ip -n "$ns" link set dum0 up
}
# The kernel cleans a deleted netns asynchronously: flush it first, so that no
# cleanup of 2N destinations runs beside the next measurement.
drop_ns() {
  ip netns exec "$ns" ipvsadm -C
  ip netns del "$ns"
  ns=
  sleep 1
}
inns() { nsenter --net="/run/netns/$ns" "$@"; }
# timed NAME CMD...: runs CMD in $ns; keeps its seconds in t[NAME] (list over
# rounds), its peak RSS in rss[NAME] and its user and system CPU seconds in
# cpu[NAME] ("[user, sys]" per round): where the time goes. The clock runs
# from CMD's fork to its exit (nlpp-bench-time), not from nsenter's: starting
# nsenter takes about 75 ms in the VM, which is neither tool's time.
declare -A t rss cpu
timed() {
  local name=$1 wall kib user sys; shift
  inns "$timer" "$work/rss" "$@"
  read -r wall user sys kib <"$work/rss"
  t[$name]+="$(printf '%.3f' "$wall") "
  rss[$name]+="$kib "
  cpu[$name]+="[$user,$sys] "
}
fail() { echo "ipvs_bench.sh: $*" >&2; exit 1; }

# Block: ipvsadm -R, then both snapshots of that state (order alternating).
ipvsadm_block() {
  local r=$1 n=$2
  fresh_ns
  timed load-ipvsadm ipvsadm -R <"$work/rules"
  local snaps=(ipvsadm nlpp-ipvs)
  ((r % 2)) && snaps=(nlpp-ipvs ipvsadm)
  for s in "${snaps[@]}"; do
    if [[ $s == ipvsadm ]]; then timed snap-ipvsadm ipvsadm -Sn >"$work/a.txt"
    else timed snap-nlpp-ipvs "$nlpp" -Sn >"$work/b.txt"; fi
  done
  cmp -s "$work/a.txt" "$work/b.txt" || fail "nlpp-ipvs -Sn differs from ipvsadm -Sn"
  [[ $(wc -l <"$work/a.txt") == $((3 * n)) ]] || fail "ipvsadm -R loaded $(wc -l <"$work/a.txt") lines, not $((3 * n))"
  sort "$work/a.txt" >"$work/want.txt"
  inns "$nlpp" -Ln --json >"$work/state.json"
  inns "$nlpp" -Sn --json >"$work/saved.json"
  drop_ns
}
# Block: nlpp-ipvs -R, its state checked, then apply with 1% of the weights changed.
nlpp_block() {
  local n=$1 plan
  fresh_ns
  timed load-nlpp-ipvs "$nlpp" -R <"$work/rules"
  inns ipvsadm -Sn | sort | cmp -s - "$work/want.txt" || fail "nlpp-ipvs -R left another state than ipvsadm -R"
  timed apply-nlpp-ipvs "$nlpp" apply "$work/desired.json" >"$work/plan.txt" 2>/dev/null
  plan=$(wc -l <"$work/plan.txt")
  [[ $plan == "$changed" ]] || fail "nlpp-ipvs apply made $plan changes, not $changed"
  drop_ns
  # The state ipvsadm -R made, loaded from its JSON listing; first the same
  # apply with --dry-run (reading the file, the empty snapshot, the plan).
  fresh_ns
  timed planjson-nlpp-ipvs "$nlpp" apply --dry-run "$work/state.json" >/dev/null 2>&1
  timed loadjson-nlpp-ipvs "$nlpp" apply "$work/state.json" >/dev/null 2>&1
  inns ipvsadm -Sn | sort | cmp -s - "$work/want.txt" || fail "nlpp-ipvs apply of the JSON state left another state than ipvsadm -R"
  drop_ns
  # The same state as -Sn --json saves it (no counters): the JSON form of
  # what ipvsadm -R reads.
  fresh_ns
  timed loadsaved-nlpp-ipvs "$nlpp" apply "$work/saved.json" >/dev/null 2>&1
  inns ipvsadm -Sn | sort | cmp -s - "$work/want.txt" || fail "nlpp-ipvs apply of the saved JSON state left another state than ipvsadm -R"
  drop_ns
}
library_block() {
  local n=$1 line _ load snap rec ops kib
  fresh_ns
  line=$(inns "$lib" "$n" 2>/dev/null)
  read -r _ load snap rec ops kib <<<"$line"
  [[ $ops == "$changed" ]] || fail "nlpp-bench-ipvs made $ops changes, not $changed"
  t[load-library]+="$load " t[snap-library]+="$snap " t[apply-library]+="$rec " rss[library]+="$kib "
  drop_ns
}

sizes_json=()
for n in ${sizes[@]+"${sizes[@]}"}; do
  t=() rss=() cpu=()
  changed=$((2 * n / 100))
  $py - "$n" >"$work/rules" <<'PY'
import sys
n = int(sys.argv[1])
for i in range(n):
    vip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}:80"
    print(f"-A -t {vip} -s rr")
    for d in (2, 3):
        print(f"-a -t {vip} -r 192.0.2.{(i % 250) + d}:80 -m -w 1")
PY
  for ((r = 0; r < rounds; r++)); do
    blocks=(ipvsadm nlpp library)
    ((r % 2)) && blocks=(library nlpp ipvsadm)
    for b in "${blocks[@]}"; do
      case $b in
        ipvsadm) ipvsadm_block "$r" "$n" ;;
        nlpp)
          if [[ ! -f $work/desired.json ]]; then  # the first round's ipvsadm block wrote state.json
            $py - "$work/state.json" "$work/desired.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
dests = [d for svc in s["services"] for d in svc["destinations"]]
for d in dests[: len(dests) // 100]:
    d["weight"] = 5
json.dump(s, open(sys.argv[2], "w"))
PY
          fi
          nlpp_block "$n" ;;
        library) library_block "$n" ;;
      esac
    done
  done
  rm -f "$work/desired.json"
  # Best per measurement, with every round kept.
  sizes_json+=("$($py - "$n" "$rounds" "$changed" <<PY
import json, sys
n, rounds, changed = map(int, sys.argv[1:])
t = {$(for k in "${!t[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${t[$k]} | tr ' ' ,)"; done)}
rss = {$(for k in "${!rss[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${rss[$k]} | tr ' ' ,)"; done)}
cpu = {$(for k in "${!cpu[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${cpu[$k]} | tr ' ' ,)"; done)}
def best(k):
    return min(t[k])
def rss_of(k, r):  # the peak RSS of the best round
    return rss[r][t[k].index(min(t[k]))]
def cpu_of(k):  # user and system seconds of the best round
    u, s = cpu[k][t[k].index(min(t[k]))]
    return {"user": u, "sys": s}
print(json.dumps({
    "services": n,
    "load": {"ipvsadm": best("load-ipvsadm"), "nlpp-ipvs": best("load-nlpp-ipvs"), "library": best("load-library")},
    "snapshot": {"ipvsadm": best("snap-ipvsadm"), "nlpp-ipvs": best("snap-nlpp-ipvs"), "library": best("snap-library")},
    "load_json": {"ipvsadm": best("load-ipvsadm"), "nlpp-ipvs": best("loadjson-nlpp-ipvs"),
                  "nlpp-ipvs_dry_run": best("planjson-nlpp-ipvs"), "nlpp-ipvs_saved": best("loadsaved-nlpp-ipvs")},
    "reconcile": {"nlpp-ipvs": best("apply-nlpp-ipvs"), "nlpp-ipvs_ops": changed,
                  "library": best("apply-library"), "library_ops": changed},
    "rss_kib": {"ipvsadm-snapshot": rss_of("snap-ipvsadm", "snap-ipvsadm"),
                "nlpp-ipvs-snapshot": rss_of("snap-nlpp-ipvs", "snap-nlpp-ipvs"),
                "nlpp-ipvs-load": rss_of("load-nlpp-ipvs", "load-nlpp-ipvs"),
                "nlpp-ipvs-apply": rss_of("apply-nlpp-ipvs", "apply-nlpp-ipvs"),
                "library": rss_of("load-library", "library")},
    "cpu_s": {k: cpu_of(k) for k in cpu},
    "rounds_s": t,
}))
PY
)")
  $py - "${sizes_json[-1]}" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
ld, sn, rc, rss = s["load"], s["snapshot"], s["reconcile"], s["rss_kib"]
print(f"{s['services']} services x 2 destinations, best of {len(s['rounds_s']['load-ipvsadm'])} rounds:")
print(f"  load      ipvsadm -R  {ld['ipvsadm']:7.2f} s   nlpp-ipvs -R  {ld['nlpp-ipvs']:6.2f} s   {ld['ipvsadm'] / ld['nlpp-ipvs']:5.1f}x faster")
print(f"  snapshot  ipvsadm -Sn {sn['ipvsadm']:7.2f} s   nlpp-ipvs -Sn {sn['nlpp-ipvs']:6.2f} s   {sn['ipvsadm'] / sn['nlpp-ipvs']:5.1f}x faster"
      f"   peak RSS {rss['ipvsadm-snapshot']} vs {rss['nlpp-ipvs-snapshot']} KiB")
lj = s["load_json"]
print(f"  from JSON ipvsadm -R  {lj['ipvsadm']:7.2f} s   nlpp-ipvs apply {lj['nlpp-ipvs']:5.2f} s   {lj['ipvsadm'] / lj['nlpp-ipvs']:5.1f}x faster"
      f"   (apply --dry-run: read and plan {lj['nlpp-ipvs_dry_run']:.2f} s)")
print(f"  from the saved JSON (-Sn --json, no counters): nlpp-ipvs apply {lj['nlpp-ipvs_saved']:5.2f} s   {lj['ipvsadm'] / lj['nlpp-ipvs_saved']:5.1f}x faster")
print(f"  reconcile 1%: {rc['nlpp-ipvs_ops']} operations in {rc['nlpp-ipvs']:.2f} s = {rc['nlpp-ipvs'] / sn['nlpp-ipvs']:.2f}x one nlpp snapshot"
      f" (peak RSS {rss['nlpp-ipvs-apply']} KiB; load peak RSS {rss['nlpp-ipvs-load']} KiB)")
print(f"  library:  load {ld['library']:.2f} s ({ld['ipvsadm'] / ld['library']:.1f}x ipvsadm -R), snapshot {sn['library']:.2f} s"
      f" ({sn['ipvsadm'] / sn['library']:.1f}x ipvsadm -Sn), reconcile 1% {rc['library_ops']} ops {rc['library']:.2f} s"
      f" ({rc['library'] / sn['library']:.2f}x snapshot), peak RSS {rss['library']} KiB")
for k, v in sorted(s["rounds_s"].items()):
    c = s["cpu_s"].get(k)
    print(f"    {k:18} " + "  ".join(f"{x:.2f}" for x in v) + " s"
          + (f"   best round: user {c['user']:.2f} s, system {c['sys']:.2f} s" if c else ""))
PY
done
# The large snapshot: each round in a fresh netns, phases with user/system time.
large_json=null
if ((large > 0)); then
  rounds_json=()
  for ((r = 0; r < rounds; r++)); do
    fresh_ns
    lib_line=$(inns "$lib_snap" "$large")
    inns "$timer" "$work/cli" "$nlpp" -Sn >"$work/large.txt"
    [[ $(wc -l <"$work/large.txt") == $((3 * large)) ]] || fail "nlpp-ipvs -Sn listed $(wc -l <"$work/large.txt") lines, not $((3 * large))"
    read -r wall user sys kib <"$work/cli"
    rounds_json+=("{\"library\": $lib_line, \"nlpp-ipvs\": {\"wall\": $wall, \"user\": $user, \"sys\": $sys, \"rss_kib\": $kib}}")
    drop_ns
  done
  large_json=$($py - "$large" "${rounds_json[@]}" <<'PY'
import json, sys
n, rounds = int(sys.argv[1]), [json.loads(a) for a in sys.argv[2:]]
best = min(rounds, key=lambda r: r["library"]["snapshot"]["wall"])
cli = min(rounds, key=lambda r: r["nlpp-ipvs"]["wall"])["nlpp-ipvs"]
lib = best["library"]
print(json.dumps({"services": n, "library": {k: lib[k] for k in ("load", "service_dump", "dest_dumps", "snapshot")},
                  "nlpp-ipvs": cli, "rounds": rounds}))
s = {"library": lib, "nlpp-ipvs": cli}
def ph(p): return f"{p['wall']:.2f} s (user {p['user']:.2f}, system {p['sys']:.2f})"
print(f"{n} services x 2 destinations, snapshot phases (best of {len(rounds)} rounds):", file=sys.stderr)
print(f"  service dump {ph(lib['service_dump'])}; {n} destination dumps one by one {ph(lib['dest_dumps'])}"
      f" = {lib['dest_dumps']['wall'] / n * 1e6:.0f} us each", file=sys.stderr)
print(f"  client::snapshot() {ph(lib['snapshot'])}", file=sys.stderr)
print(f"  nlpp-ipvs -Sn {ph(cli)}, peak RSS {cli['rss_kib']} KiB", file=sys.stderr)
PY
)
fi
# The exporter: a scrape of nlpp-ipvs-exporter over NLPP_BENCH_EXPORTER services (default 10,000; 0:
# none) x 2 destinations against client::snapshot() alone, alternating, in rounds (nlpp-bench-ipvs-exporter),
# on the state nlpp-bench-ipvs-snapshot loads.
exporter_json=null
exporter_n=${NLPP_BENCH_EXPORTER:-10000}
if ((exporter_n > 0)); then
  fresh_ns
  inns "$build/tools/nlpp-ipvs-exporter" --listen 127.0.0.1:9100 &
  exporter_pids=($!)
  inns "$build/tools/nlpp-ipvs-exporter" --listen 127.0.0.1:9101 --per-destination=false &
  exporter_pids+=($!)
  for port in 9100 9101; do
    for _ in $(seq 100); do inns ss -Htln | grep -q "127.0.0.1:$port " && break; sleep 0.1; done
  done
  inns "$lib_snap" "$exporter_n" >/dev/null  # loads the services
  exporter_json=$(inns "$build/bench/nlpp-bench-ipvs-exporter" "$rounds" http://127.0.0.1:9100/metrics \
    http://127.0.0.1:9101/metrics) || fail "nlpp-bench-ipvs-exporter"
  kill "${exporter_pids[@]}"
  wait "${exporter_pids[@]}" || true
  # Where the scrape's user-space time goes: the metric families and prometheus-cpp's text serializer.
  text_json=$(inns "$build/bench/nlpp-bench-ipvs-exporter-text" "$rounds") || fail "nlpp-bench-ipvs-exporter-text"
  exporter_json=$($py -c 'import json, sys; e = json.loads(sys.argv[1]); e["text"] = json.loads(sys.argv[2]); print(json.dumps(e))' \
    "$exporter_json" "$text_json")
  drop_ns
  $py - "$exporter_json" <<'PY'
import json, sys
e = json.loads(sys.argv[1])
print(f"{e['services']} services x 2 destinations: scrape of nlpp-ipvs-exporter {e['scrape']:.2f} s"
      f" ({e['bytes'] / 1e6:.1f} MB) = {e['ratio']:.2f}x client::snapshot() {e['snapshot']:.2f} s (best of {len(e['rounds_s']['scrape'])})")
x = e["text"]
print(f"  of which (in process, on the same snapshot): metric families {x['families']:.2f} s,"
      f" prometheus-cpp's TextSerializer {x['serialize']:.2f} s")
t = e["totals_only"]
print(f"  --per-destination=false: scrape {t['scrape']:.2f} s ({t['bytes'] / 1e6:.1f} MB)"
      f" = {t['ratio']:.2f}x client::services() {t['service_dump']:.2f} s")
PY
fi
if [[ $only == exporter ]]; then
  [[ -f $out ]] || fail "no $out to merge the exporter's result into (run the whole bench once)"
  echo "$exporter_json" | $py "$root/bench/figures.py" record "$out" exporter
  echo "results: the exporter's in $out (bench/figures.py copies them into docs/)"
  exit 0
fi
{
  printf '{"rounds": %d, "vm": "scripts/ipvs-vm.sh: QEMU without KVM (TCG)", "large_snapshot": %s, "exporter": %s, "sizes": [' "$rounds" "$large_json" "$exporter_json"
  sep=''
  for s in "${sizes_json[@]}"; do printf '%s%s' "$sep" "$s"; sep=', '; done
  printf ']}\n'
} | $py "$root/bench/figures.py" record "$out"
echo "results: $out (bench/figures.py copies them into README.md and docs/)"
