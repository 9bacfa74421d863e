#!/usr/bin/env bash
# Installs what is missing, builds every configuration and runs every test:
#   0. the style check (clang-format-14, .clang-format: 100 columns)
#   1. g++ -O3 -g with -Werror (the demo's optimisation, so its warnings fail
#      here): unit, golden-byte, fake-kernel and real-kernel tests, the demo's
#      host steps, fuzz corpora, examples, install + find_package consumer;
#      then the IPVS suite and the demo's IPVS steps inside one boot of a QEMU
#      VM with an IPVS kernel
#   2. g++ with ASan+UBSan, static libraries: the unit suite, fuzz corpora and
#      the real-kernel and CLI tests; g++ with TSan: the thread tests and the
#      Asio layer's tests
#   3. s390x (big-endian) cross build under qemu-user: the unit suite and
#      fuzz corpora (scripts/big-endian.sh)
#   4. clang 14 with -Werror and libFuzzer: the unit suite, and a short run
#      of each fuzz target
# Real-kernel tests need root; under CI=true nothing may skip. The upstream
# kernel specs are ../shared/specs/kernel when it is beside the project (CI),
# else Debian's older set from scripts/kernel-specs.sh: the checks that need
# what that set lacks are counted and printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test vm s390x
# The kernel's own specs and pyynl (the oracle of the spec engine's tests).
bash scripts/kernel-specs.sh
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/nlpp-ccache}
# Paths below the clone's parent are hashed relative, so another clone (CI's) hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)}
source scripts/spec-path.sh
# Checks that cannot run with this spec set append a line here (tests/support/specs.hpp).
export NLPP_NOT_RUN=$PWD/build/not-run.txt
mkdir -p build && : >"$NLPP_NOT_RUN"
jobs=$(nproc)
common=(-G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache -DNLPP_WERROR=ON)
step() { echo; echo "=== $* ($(date +%T))"; }

step "style: clang-format-14 over src/ include/ tools/ (scripts/format.sh rewrites)"
bash scripts/format.sh --check

step "gcc build"
cmake -S . -B build/ci-gcc "${common[@]}" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-g -DCMAKE_C_FLAGS=-g -DNLPP_BENCH=ON >/dev/null
cmake --build build/ci-gcc -j "$jobs"
step "gcc tests"
(cd build/ci-gcc && ctest --output-on-failure -j 1 -LE ipvs)
step "IPVS tests in the QEMU VM (one boot)"
bash scripts/ipvs-vm.sh --timeout 2400 ctest --test-dir build/ci-gcc -L ipvs --output-on-failure

step "gcc ASan+UBSan build"
cmake -S . -B build/ci-asan "${common[@]}" -DCMAKE_BUILD_TYPE=Debug -DNLPP_SANITIZE=address -DBUILD_SHARED_LIBS=OFF \
  -DNLPP_INSTALL=OFF >/dev/null
cmake --build build/ci-asan -j "$jobs"
step "ASan+UBSan: unit tests, real-kernel and CLI tests"
(cd build/ci-asan && ctest --output-on-failure -j 1 -L 'unit|kernel')

step "gcc TSan build of the thread tests"
cmake -S . -B build/ci-tsan "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNLPP_SANITIZE=thread -DBUILD_SHARED_LIBS=OFF \
  -DNLPP_TOOLS=OFF -DNLPP_EXAMPLES=OFF -DNLPP_INSTALL=OFF >/dev/null
cmake --build build/ci-tsan -j "$jobs" --target nlpp_kernel_tests nlpp_asio_tests
step "TSan: the thread tests and the Asio layer's tests"
TSAN_OPTIONS=halt_on_error=1 build/ci-tsan/tests/nlpp_kernel_tests --gtest_filter='socket_kernel.eight_threads*'
TSAN_OPTIONS=halt_on_error=1 build/ci-tsan/tests/nlpp_asio_tests

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
if [[ -s $NLPP_NOT_RUN ]]; then
  echo "not run with the kernel specs in $NLPP_SPEC_PATH (../shared/specs/kernel has them):"
  sort -u "$NLPP_NOT_RUN" | sed 's/^/  /'
  echo "$(sort -u "$NLPP_NOT_RUN" | wc -l) tests could not run every check (each listed once, whichever configurations ran it)"
  [[ ${CI:-} != true ]] || { echo "under CI=true every check must run" >&2; exit 1; }
fi
echo "all configurations passed"
