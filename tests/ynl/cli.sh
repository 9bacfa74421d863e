#!/usr/bin/env bash
# nlpp-ynl against the real kernel in a fresh netns: a streamed rt-link dump
# (one JSON object per line) lists the same links as `ip -j link`, and
# errors are clear.   tests/ynl/cli.sh PATH/TO/nlpp-ynl
set -u
ynl=$1 ns=nlpp-ynl-$$ pass=0 failn=0
check() { if eval "$2"; then pass=$((pass + 1)); else failn=$((failn + 1)); echo "FAIL: $1"; fi; }
trap 'ip netns del $ns 2>/dev/null' EXIT
ip netns add "$ns"
ip -n "$ns" link add va type veth peer name vb
out=$("$ynl" --family rt-link --dump getlink --output-json --netns "$ns")
check "one line per link" "[[ \$(wc -l <<<\"\$out\") == 3 ]]"
check "same names as ip" "[[ \"\$(python3 -c 'import json,sys; print(sorted(json.loads(l)[\"ifname\"] for l in sys.stdin))' <<<\"\$out\")\" == \"\$(ip -n $ns -j link | python3 -c 'import json,sys; print(sorted(l[\"ifname\"] for l in json.load(sys.stdin)))')\" ]]"
check "pretty JSON array" "\"$ynl\" --family rt-link --dump getlink --netns $ns | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 3'"
check "kernel error named" "\"$ynl\" --family nlctrl --do getfamily 2>&1 | grep -q 'getfamily do: Invalid argument'"
check "unknown family" "! \"$ynl\" --family no-such --dump x 2>/dev/null"
check "unknown op" "\"$ynl\" --family rt-link --dump nope 2>&1 | grep -q \"no operation 'nope'\""
check "bad json" "\"$ynl\" --family rt-link --dump getlink --json '{' 2>&1 | grep -q 'not valid JSON'"
tmp=$(mktemp -d) && trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT
sed '41i\  - name: [unclosed' "$(dirname "$0")/../../specs/ipvs.yaml" >"$tmp/broken.yaml"
check "YAML error names line and column" "\"$ynl\" --spec $tmp/broken.yaml --dump get-service 2>&1 | grep -qx 'nlpp-ynl: broken.yaml:43:3: not valid YAML: wrongly indented block sequence in flow mode: malformed data'"
echo "nlpp-ynl cli: $pass passed, $failn failed"
((failn == 0))
