#!/usr/bin/env bash
# Regenerates the figures of docs/reliability.md: the long versions of the
# load, fault and fuzz runs that CI runs briefly. Needs root and a build made
# by scripts/test.sh (build/ci-gcc, build/ci-clang with the fuzz targets).
#   scripts/reliability.sh [all|threads|routes|ipvs|exporter|byteorder|fuzz] [FUZZ_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all} fuzz_seconds=${2:-600}
source scripts/spec-path.sh
gcc=build/ci-gcc clang=build/ci-clang
step() { echo; echo "=== $* ($(date +%T))"; }

if [[ $what == all || $what == threads ]]; then
  step "8 threads, each with its own socket, on one netns for 60 s"
  NLPP_STRESS_SECONDS=60 "$gcc/tests/nlpp_kernel_tests" --gtest_filter='socket_kernel.eight_threads*' | grep -E '^8 threads|OK|FAILED'
fi

if [[ $what == all || $what == routes ]]; then
  step "one million routes dumped through nlpp-ynl: lines and peak memory"
  ns=nlpp-rel-$$
  trap 'ip netns del $ns 2>/dev/null || true' EXIT
  ip netns add "$ns"
  ip -n "$ns" link add va0 type veth peer name vb0
  ip -n "$ns" addr add 198.18.0.1/24 dev vb0
  ip -n "$ns" link set vb0 up
  batch=$(mktemp)
  python3 - >"$batch" <<'PY'
for i in range(1000000):
    a, b, c = (i >> 12) & 0xff, (i >> 4) & 0xff, (i & 0xf) << 4
    print(f"route add 10.{a}.{b}.{c}/28 via 198.18.0.2 dev vb0 table 100")
PY
  ip -n "$ns" -batch "$batch"
  rm -f "$batch"
  /usr/bin/time -f "nlpp-ynl: %e s, peak RSS %M KiB" "$gcc/tools/nlpp-ynl" --netns "$ns" --family rt-route --dump getroute \
    --json '{"rtm-family": 2}' --output-json | wc -l | sed 's/$/ lines/'
  /usr/bin/time -f "ip -j route show table 100: %e s, peak RSS %M KiB" ip -n "$ns" -j route show table 100 | wc -c | sed 's/$/ bytes/'
  ip netns del "$ns"
fi

if [[ $what == all || $what == ipvs ]]; then
  step "IPVS in the VM: 50,000 services x 4 destinations, an interrupted reconcile, ip_vs unloaded under a client"
  bash scripts/ipvs-vm.sh --timeout 3000 env NLPP_IPVS_LOAD=50000 "$gcc/tests/nlpp_ipvs_tests" \
    --gtest_filter='ipvs_vm.load*:ipvs_vm.reconcile_interrupted*:ipvs_vm.family_unloaded*' | grep -E 'ipvs load|OK \]|FAILED|Failure'
fi

if [[ $what == all || $what == exporter ]]; then
  step "IPVS in the VM: a real Prometheus server scrapes nlpp-ipvs-exporter and answers a PromQL query"
  bash scripts/ipvs-vm.sh --timeout 900 bash tests/ipvs/exporter_prometheus.sh "$gcc/tools/nlpp-ipvs-exporter" |
    grep -E 'Prometheus answered|passed|FAIL'
fi

if [[ $what == all || $what == byteorder ]]; then
  step "unit suite and fuzz corpora on s390x (big-endian) under qemu-user"
  bash scripts/big-endian.sh build/ci-s390x | tail -3
fi

if [[ $what == all || $what == fuzz ]]; then
  step "every fuzz target for $fuzz_seconds s (ASan+UBSan), one per core at a time"
  mapfile -t all < <(cd "$clang/fuzz" && ls fuzz_* | grep -v _replay | sed 's/^fuzz_//')
  jobs=$(nproc) pids=()
  for ((j = 0; j < jobs; j++)); do
    group=()
    for ((i = j; i < ${#all[@]}; i += jobs)); do group+=("${all[i]}"); done
    ((${#group[@]})) && { bash scripts/fuzz.sh "$clang" "$fuzz_seconds" "${group[@]}" & pids+=($!); }
  done
  for p in "${pids[@]}"; do wait "$p"; done
fi
