#!/usr/bin/env bash
# Installs a build into a scratch prefix, then builds and runs a consumer
# project with find_package(nlpp) and with pkg-config.
#   run.sh BUILD_DIR CONSUMER_SRC NETDEV_SPEC            the build as it is
#   run.sh --static BUILD_DIR CONSUMER_SRC NETDEV_SPEC   a static build (BUILD_SHARED_LIBS=OFF) of the
#                                                        same sources, kept in BUILD_DIR/static-install
set -euo pipefail
static=0
if [[ $1 == --static ]]; then static=1; shift; fi
build=$1 src=$2 netdev_spec=$3
if ((static)); then
  # Unoptimised and through ccache when there is one: the point is the link, not the code.
  launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
  build=$build/static-install
  cmake -S "$src/../.." -B "$build" -G Ninja "${launcher[@]}" -DBUILD_SHARED_LIBS=OFF -DCMAKE_BUILD_TYPE= \
    -DNLPP_TEST=OFF -DNLPP_EXAMPLES=OFF -DNLPP_BENCH=OFF -DNLPP_INSTALL=ON >/dev/null
  cmake --build "$build" -j "$(nproc)" >/dev/null
fi
prefix=$(mktemp -d)
# lib, or lib/<multiarch> when the build was configured for /usr (Debian's layout).
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src" -B "$prefix/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DNETDEV_SPEC="$netdev_spec" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/consumer/consumer"
LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/consumer/consumer_gen"
LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/consumer/consumer_ynl" "$netdev_spec"
passed=5
if [[ -x $prefix/consumer/consumer_asio ]]; then  # nlpp::asio, when the build has it
  LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/consumer/consumer_asio"
  LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/consumer/consumer_asio_ynl" "$netdev_spec"
  # nlpp::asio alone does not bring the spec engine (nlpp::asio_ynl does).
  if LD_LIBRARY_PATH="$prefix/$libdir" ldd "$prefix/consumer/consumer_asio" | grep -e libnlpp_ynl -e libfyaml; then
    echo "FAIL: consumer_asio loads the spec engine"; exit 1
  fi
  passed=8
fi
# pkg-config: compile the same program by hand.
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" c++ "$src/main.cpp" -o "$prefix/pc-consumer" \
  $(PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" pkg-config --cflags --libs nlpp)
LD_LIBRARY_PATH="$prefix/$libdir" "$prefix/pc-consumer"
# Typed code needs neither the spec engine nor libfyaml at run time (ldd lists what is loaded).
if LD_LIBRARY_PATH="$prefix/$libdir" ldd "$prefix/consumer/consumer_gen" | grep -e libnlpp_ynl -e libfyaml; then
  echo "FAIL: consumer_gen loads the spec engine"; exit 1
fi
echo "consumer$( ((static)) && echo " (static)"): $passed passed, 0 failed"
