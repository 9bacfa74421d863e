#!/usr/bin/env bash
# The unit suites on a big-endian machine: built for s390x with Debian's
# cross compiler and run under qemu-user (views, builder, golden bytes,
# policy validation, the IPVS wire format, spec engine round trips for every
# kernel spec, the fuzz corpora). Proves that every byte order is explicit.
#   scripts/big-endian.sh [BUILD_DIR]   (default build/s390x)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build/s390x}
source scripts/spec-path.sh
bash scripts/deps.sh build s390x
export PKG_CONFIG_LIBDIR=/usr/lib/s390x-linux-gnu/pkgconfig:/usr/share/pkgconfig
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/s390x.cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBUILD_SHARED_LIBS=OFF -DNLPP_TOOLS=OFF -DNLPP_EXAMPLES=OFF -DNLPP_INSTALL=OFF -DNLPP_WERROR=ON \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
targets=(nlpp_unit_tests)
for t in message extack nlctrl ipvs spec decode encode; do targets+=("fuzz_${t}_replay"); done
echo "big-endian: building ${targets[*]} for s390x"
ninja -C "$dir" "${targets[@]}"
file "$dir/tests/nlpp_unit_tests" | grep -q "MSB" || { echo "big-endian: not a big-endian binary" >&2; exit 1; }
echo "big-endian: running under $(qemu-s390x --version | head -1)"
ctest --test-dir "$dir" -L unit -E specs.schema --output-on-failure -j2
