#!/usr/bin/env bash
# Drives the bash completion functions (packaging/bash-completion/*) as bash does (COMP_WORDS,
# COMP_CWORD, COMPREPLY) against the built tools, and checks the candidates against independent
# sources: the options grep finds in each tool's --help, the "name:" of every spec file on
# NLPP_SPEC_PATH, the operations python3-yaml reads from nlctrl's spec, and iproute2's
# `genl ctrl list` for the kernel's families.
#   check.sh TOOLS_DIR COMPLETION_DIR KERNEL_SPECS
set -uo pipefail
tools=$1 completions=$2 specs=$3
export PATH=$tools:$PATH NLPP_SPEC_PATH=$specs
source /usr/share/bash-completion/bash_completion || { echo "no bash-completion (Debian bash-completion)"; exit 1; }
for f in "$completions"/*; do source "$f"; done
failed=0

# complete WORD... : the candidates for the last word, one per line, sorted.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  local fn
  fn=$(complete -p "$1" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
  "$fn" "$1" "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort -u
}
# expect WHAT EXPECTED ACTUAL MODE: MODE "all" (every expected is offered) or "same".
expect() {
  local missing extra
  missing=$(comm -23 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
  extra=$(comm -13 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
  if [[ -n ${missing// /} || ($4 == same && -n ${extra// /}) ]]; then
    echo "FAIL $1: missing [$missing] extra [$extra]"; failed=1
  else
    echo "ok   $1 ($(wc -l <<<"$3") candidates)"
  fi
}

for tool in nlpp-ipvs nlpp-ynl nlpp-genl nlpp-gen; do
  [[ -f $completions/$tool ]] || { echo "FAIL no completion for $tool"; failed=1; continue; }
  # (a subcommand's usage line, "nlpp-ipvs apply [--dry-run] ...", lists that subcommand's options)
  expect "$tool --<TAB>: every option of --help" \
    "$("$tool" --help | grep -vE "^ *(or: +)?[^ ]*$tool [a-z]" | grep -oE -- '--[a-zA-Z][a-zA-Z0-9-]*')" \
    "$(complete_words "$tool" --)" all
done

expect "nlpp-ynl --family <TAB>: every spec's family on NLPP_SPEC_PATH" \
  "$(sed -n 's/^name: *//p' "$specs"/*.yaml | tr -d "'\"")" "$(complete_words nlpp-ynl --family '')" all
nlctrl=$specs/nlctrl.yaml
ops() { python3 -c 'import sys, yaml
for op in yaml.safe_load(open(sys.argv[1]))["operations"]["list"]:
    if sys.argv[2] in op: print(op["name"])' "$nlctrl" "$1"; }
expect "nlpp-ynl --spec nlctrl.yaml --dump <TAB>" "$(ops dump)" "$(complete_words nlpp-ynl --spec "$nlctrl" --dump '')" same
expect "nlpp-ynl --spec nlctrl.yaml --do <TAB>" "$(ops do)" "$(complete_words nlpp-ynl --spec "$nlctrl" --do '')" same
expect "nlpp-ynl --family nlctrl --dump get<TAB>" "$(ops dump | grep '^get')" \
  "$(complete_words nlpp-ynl --family nlctrl --dump get)" same
expect "nlpp-ynl --family rt-link --subscribe <TAB>" "all" "$(complete_words nlpp-ynl --family rt-link --subscribe '')" same
expect "nlpp-genl show <TAB>: the kernel's families (genl ctrl list)" \
  "$(genl ctrl list | sed -n 's/^Name: //p')" "$(complete_words nlpp-genl show '')" same
expect "nlpp-genl <TAB>: subcommands" "$(printf 'show\npolicy')" "$(complete_words nlpp-genl '')" same
expect "nlpp-ipvs apply --<TAB>" "$(printf -- '--dry-run\n--partial\n--scope\n--drain-timeout')" \
  "$(complete_words nlpp-ipvs apply --)" all
expect "nlpp-ipvs -s w<TAB>" "$(printf 'wlc\nwrr')" "$(complete_words nlpp-ipvs -s w)" same
exit $failed
