#!/usr/bin/env bash
# The API reference builds: Doxygen over include/nlpp (BUILD/docs/Doxyfile) into a scratch directory
# with no warning other than undocumented public names, and at most ALLOWED of those (0: every
# public name documented). It lists them whatever NLPP_DOXYGEN_WARN_AS_ERROR says.
#   api_docs.sh DOXYGEN BUILD_DIR ALLOWED
set -euo pipefail
doxygen=$1 build=$2 allowed=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ cat "$build/docs/Doxyfile"; echo "OUTPUT_DIRECTORY = $tmp"; echo "WARN_LOGFILE = $tmp/warnings.log"; echo "WARN_AS_ERROR = NO"; } |
  "$doxygen" - >/dev/null
[[ -f $tmp/html/index.html ]] || { echo "FAIL: no html/index.html"; exit 1; }
other=$(grep -v 'is not documented\.$' "$tmp/warnings.log" | grep -c . || true)
undocumented=$(grep -c 'is not documented\.$' "$tmp/warnings.log" || true)
if ((other > 0)); then
  echo "FAIL: Doxygen warnings:"; grep -v 'is not documented\.$' "$tmp/warnings.log"; exit 1
fi
if ((undocumented > allowed)); then
  echo "FAIL: $undocumented undocumented public names (at most $allowed):"; grep 'is not documented\.$' "$tmp/warnings.log"; exit 1
fi
echo "API reference: $(find "$tmp/html" -name '*.html' | wc -l) pages, no warnings but $undocumented undocumented names (at most $allowed)"
