#!/usr/bin/env bash
# A generated man page renders without warnings (groff -ww, man -l) and names every long option
# the tool's --help lists.
#   check.sh BINARY PAGE
set -euo pipefail
bin=$1 page=$2
warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
[[ -z $warnings ]] || { echo "$page: groff warnings:"; echo "$warnings"; exit 1; }
rendered=$(MANWIDTH=80 man -l -P cat "$page" 2>&1) || { echo "$page: man -l failed: $rendered"; exit 1; }
[[ $rendered == *NAME*SYNOPSIS*DESCRIPTION* ]] || { echo "$page: no NAME, SYNOPSIS and DESCRIPTION"; exit 1; }
# The page's text with roff's escapes undone: \- is -, font changes go.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g' "$page")
help=$("$bin" --help)
options=$(grep -oE -- '--[a-zA-Z][a-zA-Z0-9-]*' <<<"$help" | sort -u)
missing=0
for o in $options; do
  grep -qF -- "$o" <<<"$text" || { echo "$page: --help lists $o, the page does not"; missing=1; }
done
n=$(wc -w <<<"$options")
((n > 0)) || { echo "$bin --help lists no options"; exit 1; }
((missing == 0)) || exit 1
echo "$page: renders without warnings, names all $n options of --help"
