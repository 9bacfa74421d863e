#!/usr/bin/env bash
# Installs what is missing, builds every configuration and runs every test:
#   1. g++ with -Werror: unit, golden-byte, fake-kernel and real-kernel tests,
#      fuzz corpora, examples, install + find_package consumer; then the
#      IPVS suite inside one boot of a QEMU VM with an IPVS kernel
#   2. g++ with ASan+UBSan, static libraries: the unit suite and fuzz corpora
#   3. s390x (big-endian) cross build under qemu-user: the unit suite and
#      fuzz corpora (scripts/big-endian.sh)
#   4. clang 14 with -Werror and libFuzzer: the unit suite, and a short run
#      of each fuzz target
# Real-kernel tests need root; under CI=true nothing may skip.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test vm s390x
# The kernel's own specs and pyynl (the oracle of the spec engine's tests).
bash scripts/kernel-specs.sh
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/nlpp-ccache}
# The upstream kernel specs are test data beside the project, never copied into it.
export NLPP_SPEC_PATH=${NLPP_SPEC_PATH:-$(cd .. && pwd)/shared/specs/kernel}
jobs=$(nproc)
common=(-G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache -DNLPP_WERROR=ON)
step() { echo; echo "=== $* ($(date +%T))"; }

step "gcc build"
cmake -S . -B build/ci-gcc "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNLPP_BENCH=ON >/dev/null
cmake --build build/ci-gcc -j "$jobs"
step "gcc tests"
(cd build/ci-gcc && ctest --output-on-failure -j 1 -LE ipvs)
step "IPVS tests in the QEMU VM (one boot)"
bash scripts/ipvs-vm.sh --timeout 2400 ctest --test-dir build/ci-gcc -L ipvs --output-on-failure

step "gcc ASan+UBSan build"
cmake -S . -B build/ci-asan "${common[@]}" -DCMAKE_BUILD_TYPE=Debug -DNLPP_SANITIZE=ON -DBUILD_SHARED_LIBS=OFF -DNLPP_TOOLS=OFF \
  -DNLPP_EXAMPLES=OFF -DNLPP_INSTALL=OFF >/dev/null
cmake --build build/ci-asan -j "$jobs" --target nlpp_unit_tests fuzz_message_replay fuzz_extack_replay fuzz_nlctrl_replay fuzz_ipvs_replay fuzz_spec_replay fuzz_decode_replay fuzz_encode_replay
step "ASan+UBSan unit tests"
(cd build/ci-asan && ctest --output-on-failure -L unit)

step "big-endian: s390x under qemu-user"
bash scripts/big-endian.sh build/ci-s390x

step "clang 14 build (with libFuzzer targets)"
cmake -S . -B build/ci-clang "${common[@]}" -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNLPP_FUZZ=ON -DNLPP_INSTALL=OFF >/dev/null
cmake --build build/ci-clang -j "$jobs"
step "clang unit tests"
(cd build/ci-clang && ctest --output-on-failure -L unit)
step "short fuzz runs (long runs: scripts/fuzz.sh)"
bash scripts/fuzz.sh build/ci-clang 10
echo
echo "all configurations passed"
