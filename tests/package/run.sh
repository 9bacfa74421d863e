#!/usr/bin/env bash
# The Debian packages end to end: `cpack -G DEB` in this build, the packages' contents (every
# tool with its man page and bash completion, a copyright file each), then `apt-get install
# ./*.deb` into a fresh minimal Debian 12 root (mmdebstrap) and, in it (chroot): each tool's
# --version, nlpp-genl, nlpp-ynl --dump getfamily on nlctrl from a kernel spec copied in,
# `man nlpp-ipvs`, the completion from the installed files, and tests/consumer (find_package,
# nlpp_generate, pkg-config) built against the installed packages only.
# The minimal root (with the compilers the consumer needs) is made once and cached in
# $NLPP_PKG_CACHE (default /var/cache/nlpp-deb-root) as a tarball named by a hash of its recipe;
# each run unpacks a new copy under /var/tmp and removes it. Needs root (chroot, mounts) and the
# network (apt); exits 77 (skipped) without root unless CI=true.
#   run.sh BUILD_DIR SOURCE_DIR NLCTRL_SPEC NETDEV_SPEC   (the kernel's nlctrl.yaml and netdev.yaml)
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) nlctrl_spec=$3 netdev_spec=$4
start=$SECONDS
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "package: $1 ($((SECONDS - start)) s)"; }
if [[ $(id -u) != 0 ]]; then
  [[ ${CI:-} == true ]] && fail "needs root (chroot, mounts)"
  echo "SKIP: needs root (chroot, mounts)"; exit 77
fi
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[[ $prefix == /usr ]] || fail "the build's CMAKE_INSTALL_PREFIX is $prefix: Debian packages want -DCMAKE_INSTALL_PREFIX=/usr"

# 1. The packages and what is in them.
out=$build/packages
rm -rf "$out"
(cd "$build" && cpack -G DEB -B "$out" >"$build/cpack.log" 2>&1) || { cat "$build/cpack.log"; fail "cpack"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
for p in libnlpp0 libnlpp-dev nlpp-tools; do
  [[ -f $out/${p}_${version}_$arch.deb ]] || fail "no ${p}_${version}_$arch.deb"
done
step "cpack made $(cd "$out" && echo *.deb)"
contents() { dpkg-deb -c "$out/${1}_${version}_$arch.deb" | awk '{print $6}' | sed 's|^\./|/|'; }
has() { grep -qx -- "$2" <<<"$(contents "$1")" || fail "$1 lacks $2"; }
for p in libnlpp0 libnlpp-dev nlpp-tools; do has $p /usr/share/doc/$p/copyright; done
has libnlpp0 "/usr/lib/$(gcc -print-multiarch)/libnlpp_core.so.0"
has libnlpp-dev /usr/include/nlpp/core/error.hpp
has libnlpp-dev "/usr/lib/$(gcc -print-multiarch)/cmake/nlpp/NlppGenerate.cmake"
has libnlpp-dev "/usr/lib/$(gcc -print-multiarch)/pkgconfig/nlpp.pc"
has libnlpp-dev /usr/share/doc/libnlpp-dev/html/index.html
has nlpp-tools /usr/share/nlpp/specs/ipvs.yaml
tools=()
for p in libnlpp-dev nlpp-tools; do
  for bin in $(contents $p | sed -n 's|^/usr/bin/||p'); do
    tools+=("$bin")
    grep -qE "^/usr/share/man/man[18]/$bin\.[18]$" <<<"$(contents $p)" || fail "$p lacks the man page of $bin"
    has $p /usr/share/bash-completion/completions/$bin
  done
done
for t in nlpp-ipvs nlpp-ynl nlpp-genl nlpp-gen; do [[ " ${tools[*]} " == *" $t "* ]] || fail "no $t: ${tools[*]}"; done
exporter=0
if [[ " ${tools[*]} " == *" nlpp-ipvs-exporter "* ]]; then
  exporter=1
  has nlpp-tools /usr/lib/systemd/system/nlpp-ipvs-exporter.service
  has nlpp-tools /etc/default/nlpp-ipvs-exporter
fi
grep -q "libnlpp0 (= $version)" <<<"$(dpkg-deb -f "$out/nlpp-tools_${version}_$arch.deb" Depends)" || fail "nlpp-tools does not depend on libnlpp0 (= $version)"
grep -q "libfyaml0" <<<"$(dpkg-deb -f "$out/libnlpp0_${version}_$arch.deb" Depends)" || fail "libnlpp0's Depends lack libfyaml0 (dpkg-shlibdeps)"
step "contents: ${tools[*]}, each with its man page and completion"

# 2. A fresh minimal Debian 12 root, cached by its recipe.
recipe=(mmdebstrap --variant=apt --format=tar --include=ca-certificates,g++,cmake,ninja-build,pkg-config,man-db,bash-completion bookworm)
cache=${NLPP_PKG_CACHE:-/var/cache/nlpp-deb-root}
tarball=$cache/bookworm-$(printf '%s\n' "${recipe[@]}" | sha256sum | cut -c1-16).tar
if [[ ! -s $tarball ]]; then
  command -v mmdebstrap >/dev/null || fail "no mmdebstrap (Debian mmdebstrap)"
  mkdir -p "$cache"
  "${recipe[@]}" "$tarball.part" >"$build/mmdebstrap.log" 2>&1 || { tail -20 "$build/mmdebstrap.log"; fail "mmdebstrap"; }
  mv "$tarball.part" "$tarball"
  step "made the minimal root $tarball"
fi
root=$(mktemp -d /var/tmp/nlpp-deb-root.XXXXXX)
cleanup() {
  for m in var/cache/apt/archives dev/pts dev sys proc run; do umount -l "$root/$m" 2>/dev/null || true; done
  umount -l "$root" 2>/dev/null || true
  if [[ -n ${NLPP_PKG_KEEP:-} ]]; then echo "package: kept $root"; else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
tar -xf "$tarball" -C "$root"
mount --bind "$root" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount --bind /proc "$root/proc"; mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"; mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/run"
mkdir -p "$cache/apt-archives/partial"  # downloaded .debs kept between runs
mount --bind "$cache/apt-archives" "$root/var/cache/apt/archives"
mkdir -p "$root/tmp/debs" "$root/tmp/specs"
cp "$out"/*.deb "$root/tmp/debs/"
cp -r "$src/tests/consumer" "$root/tmp/consumer"
cp "$nlctrl_spec" "$root/tmp/specs/nlctrl.yaml"
cp "$netdev_spec" "$root/tmp/specs/netdev.yaml"
in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive bash -euo pipefail -c "$1"
}
step "unpacked the root"

# 3. Install, then use what was installed. (No `grep -q` after a pipe: under pipefail the writer's
# SIGPIPE would fail the check.)
in_root 'apt-get update -qq && apt-get install -y -qq /tmp/debs/*.deb >/tmp/apt.log 2>&1 || { tail -20 /tmp/apt.log; exit 1; }' ||
  fail "apt-get install ./*.deb"
step "apt-get install ./*.deb"
for t in "${tools[@]}"; do
  in_root "$t --version | head -n 1 | grep '^$t $version' >/dev/null" || fail "$t --version does not say $version"
done
in_root 'nlpp-genl | grep -x "Name: nlctrl" >/dev/null' || fail "nlpp-genl does not list nlctrl"
in_root 'nlpp-ynl --spec /tmp/specs/nlctrl.yaml --dump getfamily --output-json | grep "\"family-name\": *\"nlctrl\"" >/dev/null' ||
  fail "nlpp-ynl --dump getfamily does not show nlctrl"
in_root 'MANWIDTH=120 man -P cat nlpp-ipvs 2>/dev/null | grep "nlpp-ipvs - administer the Linux IP Virtual Server" >/dev/null' ||
  fail "man nlpp-ipvs"
# The completion bash loads on demand from /usr/share/bash-completion/completions: nlpp-ynl's
# families include the packaged spec (IPVS, from /usr/share/nlpp/specs) and NLPP_SPEC_PATH's.
in_root 'set +eu +o pipefail  # bash-completion is not written for errexit
  source /usr/share/bash-completion/bash_completion
  _completion_loader nlpp-ynl
  COMP_WORDS=(nlpp-ynl --family ""); COMP_CWORD=2; COMP_LINE="nlpp-ynl --family "; COMP_POINT=${#COMP_LINE}
  NLPP_SPEC_PATH=/tmp/specs _nlpp_ynl nlpp-ynl "" --family
  printf "%s\n" "${COMPREPLY[@]}" >/tmp/families
  grep -qx IPVS /tmp/families && grep -qx nlctrl /tmp/families' || fail "completion of nlpp-ynl --family from the installed package"
if ((exporter)); then
  in_root 'dpkg-query -W -f="\${Conffiles}" nlpp-tools | grep /etc/default/nlpp-ipvs-exporter >/dev/null' ||
    fail "/etc/default/nlpp-ipvs-exporter is not a conffile"
  in_root '! ls /etc/systemd/system/*.wants/nlpp-ipvs-exporter.service 2>/dev/null' || fail "the exporter's unit is enabled"
fi
step "tools, man page and completion work"
in_root 'cmake -S /tmp/consumer -B /tmp/build -G Ninja -DNETDEV_SPEC=/tmp/specs/netdev.yaml >/dev/null
  cmake --build /tmp/build >/dev/null
  /tmp/build/consumer && /tmp/build/consumer_gen && /tmp/build/consumer_ynl /tmp/specs/netdev.yaml
  c++ /tmp/consumer/main.cpp -o /tmp/pc-consumer $(pkg-config --cflags --libs nlpp) && /tmp/pc-consumer' ||
  fail "tests/consumer against the installed packages"
step "tests/consumer built and ran against the installed packages"
echo "package: passed in $((SECONDS - start)) s"
