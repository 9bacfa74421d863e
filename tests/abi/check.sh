#!/usr/bin/env bash
# ABI check with libabigail: each library of this build (BUILD/src/libnlpp_<layer>.so.N) against
# its committed abidw baseline (abi/libnlpp_<layer>.abi.xz, made from the release's build). A
# change the baseline's users would not survive (abidiff: incompatible) fails unless the SONAME
# changed too: a removed symbol, or a changed type or signature behind an exported function
# (abidiff's status without --no-added-syms' additions). Added functions pass and are listed.
# Only NLPP_API symbols are exported, so the exported functions are the API.
#   check.sh BUILD_DIR SOURCE_DIR            compare
#   check.sh --update BUILD_DIR SOURCE_DIR   write the baselines (at a release, or with a SONAME bump)
set -euo pipefail
update=0
if [[ $1 == --update ]]; then update=1; shift; fi
build=$1 src=$2
libs=("$build"/src/libnlpp_*.so.[0-9]*)
libs=($(printf '%s\n' "${libs[@]}" | grep -E '\.so\.[0-9]+$'))  # the SONAME links, one per library
((${#libs[@]})) || { echo "FAIL: no shared libraries in $build/src"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for lib in "${libs[@]}"; do
  name=$(basename "$lib"); name=${name%%.so*}
  if ! grep -q '\.debug_info' <<<"$(readelf -S "$lib")"; then
    [[ ${CI:-} == true ]] && { echo "FAIL: $lib has no debug info (build with -g)"; exit 1; }
    echo "SKIP: $lib has no debug info (build with -g)"; exit 77
  fi
  if ((update)); then
    abidw --no-corpus-path --no-comp-dir-path --no-show-locs --type-id-style hash "$lib" |
      xz -9 >"$src/abi/$name.abi.xz"
    echo "wrote abi/$name.abi.xz"
    continue
  fi
  baseline=$src/abi/$name.abi.xz
  [[ -f $baseline ]] || { echo "FAIL $name: no baseline abi/$name.abi.xz (a new library: tests/abi/check.sh --update)"; failed=1; continue; }
  xz -dc "$baseline" >"$tmp/$name.abi"
  old_soname=$(sed -n "1s/.*soname='\([^']*\)'.*/\1/p" "$tmp/$name.abi")
  new_soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
  status=0
  abidiff --no-added-syms "$tmp/$name.abi" "$lib" >"$tmp/$name.diff" 2>&1 || status=$?
  if ((status & 3)); then
    echo "FAIL $name: abidiff could not compare (status $status)"; cat "$tmp/$name.diff"; failed=1
  elif ((status & 12)); then
    if [[ $old_soname == "$new_soname" ]]; then
      echo "FAIL $name: the ABI of $old_soname breaks without a new SONAME:"; cat "$tmp/$name.diff"; failed=1
    else
      echo "ok   $name: incompatible with $old_soname, and the SONAME is now $new_soname (update the baseline)"
    fi
  else
    added=$( (abidiff "$tmp/$name.abi" "$lib" || true) | sed -n 's/.* \([0-9]\+\) Added functions.*/\1/p' | head -n 1)
    echo "ok   $name: the ABI of $new_soname is the baseline's${added:+ ($added functions added)}"
  fi
done
exit $failed
