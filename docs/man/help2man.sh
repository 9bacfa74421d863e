#!/usr/bin/env bash
# Makes a tool's man page with help2man from its --help and --version and the written sections
# in docs/man/TOOL.h2m. The tool runs under its own name (argv[0]), and an ipvsadm-style help
# (a version line, then "Usage:" on its own line and one line per command form) is reshaped into
# the GNU form help2man reads ("Usage: tool ..." then "  or:  tool ...").
#   help2man.sh BINARY SECTION INCLUDE OUTPUT
set -euo pipefail
bin=$1 section=$2 include=$3 out=$4
name=$(basename "$bin")
tmp=$(mktemp -d)
mkdir -p "$(dirname "$out")"
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/$name" <<WRAP
#!/usr/bin/env bash
[[ \${1:-} == --help ]] || exec -a "$name" "$bin" "\$@"
version=\$("$bin" --version | head -n 1)
(exec -a "$name" "$bin" --help) | awk -v name="$name" -v version="\$version" '
  NR == 1 && \$0 == version { next }
  /^Usage:\$/ { usage = 1; first = 1; next }
  usage && \$1 == name { sub(/^ +/, ""); print (first ? "Usage: " : "  or:  ") \$0; first = 0; next }
  usage && /^ +/ { next }  # a command form'"'"'s explanation: the written DESCRIPTION says it
  { usage = 0; print }'
WRAP
chmod +x "$tmp/$name"
PATH="$tmp:$PATH" help2man --no-info --section="$section" --include="$include" \
  --source="nlpp" --output="$out.tmp" "$name"
mv "$out.tmp" "$out"
