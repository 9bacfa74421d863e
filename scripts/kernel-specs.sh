#!/usr/bin/env bash
# Installs the kernel's own YNL specs (and its pyynl tool, the test oracle)
# from the distribution's kernel source package, so that
# `nlpp-ynl --family rt-link` finds every upstream family:
#   specs   -> /usr/local/share/ynl/specs   (schemas in /usr/local/share/ynl)
#   pyynl   -> /usr/local/share/ynl/pyynl   (tools/net/ynl: cli.py, lib/)
# On Debian bookworm the package is linux-source-6.12 (bookworm-security).
# Idempotent: does nothing when the same version is installed.
#   scripts/kernel-specs.sh [PACKAGE]
set -euo pipefail
pkg=${1:-linux-source-6.12}
dest=/usr/local/share/ynl
cache=/var/cache/nlpp-src
version=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
if [[ -z $version || $version == "(none)" ]]; then
  echo "kernel-specs.sh: no package $pkg in the apt sources (on bookworm add bookworm-security)" >&2
  exit 1
fi
if [[ -f $dest/.version && $(cat "$dest/.version") == "$pkg $version" ]]; then
  echo "kernel specs: $pkg $version already in $dest"
  exit 0
fi
mkdir -p "$cache"
cd "$cache"
deb=$(ls "${pkg}_"*.deb 2>/dev/null | grep -F "$version" | head -1 || true)
if [[ -z $deb ]]; then
  echo "kernel specs: downloading $pkg $version"
  rm -f "${pkg}"_*.deb
  apt-get download "$pkg" >/dev/null
  deb=$(ls "${pkg}_"*.deb | head -1)
fi
rm -rf x src && mkdir -p src
dpkg-deb -x "$deb" x
tarball=$(ls x/usr/src/*.tar.xz | head -1)
top=$(basename "$tarball" .tar.xz)
tar -xJf "$tarball" -C src "$top/Documentation/netlink" "$top/tools/net/ynl"
rm -rf x "$dest/specs" "$dest/pyynl"
mkdir -p "$dest"
cp -r "src/$top/Documentation/netlink/specs" "$dest/specs"
cp "src/$top"/Documentation/netlink/*.yaml "$dest/"
cp -r "src/$top/tools/net/ynl" "$dest/pyynl"
rm -rf src
echo "$pkg $version" > "$dest/.version"
echo "kernel specs: $(ls "$dest/specs" | wc -l) specs of $pkg $version in $dest/specs, pyynl in $dest/pyynl"
