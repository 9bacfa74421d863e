#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a consumer
# project with find_package(nlpp) and with pkg-config.
set -euo pipefail
build=$1 src=$2 netdev_spec=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src" -B "$prefix/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DNETDEV_SPEC="$netdev_spec" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$prefix/consumer/consumer"
LD_LIBRARY_PATH="$prefix/lib" "$prefix/consumer/consumer_gen"
# pkg-config: compile the same program by hand.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" c++ "$src/main.cpp" -o "$prefix/pc-consumer" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs nlpp)
LD_LIBRARY_PATH="$prefix/lib" "$prefix/pc-consumer"
echo "consumer: 3 passed, 0 failed"
