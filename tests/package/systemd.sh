#!/usr/bin/env bash
# packaging/systemd/nlpp-ipvs-exporter.service passes `systemd-analyze verify` (these machines do
# not run systemd as PID 1, so verify is the test) with its ExecStart pointed at the built exporter,
# and keeps its hardening. Without an exporter in this build (no prometheus-cpp) a stand-in binary
# takes its place and the man page check is off; the test says so.
#   systemd.sh UNIT DEFAULTS EXPORTER_BINARY|- MAN_DIR
set -euo pipefail
unit=$1 defaults=$2 bin=$3 man=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
man_check=--man=yes
if [[ $bin == - ]]; then
  echo "note: no nlpp-ipvs-exporter in this build: /bin/true stands in, man page not checked"
  bin=/bin/true man_check=--man=no
elif [[ -f $man/man8/nlpp-ipvs-exporter.8 ]]; then
  export MANPATH=$man
else
  echo "note: no nlpp-ipvs-exporter(8) in $man: man page not checked"
  man_check=--man=no
fi
sed "s|^ExecStart=/usr/bin/nlpp-ipvs-exporter |ExecStart=$bin |" "$unit" >"$tmp/nlpp-ipvs-exporter.service"
grep -q "^ExecStart=$bin --listen" "$tmp/nlpp-ipvs-exporter.service" || { echo "FAIL: ExecStart is not /usr/bin/nlpp-ipvs-exporter --listen ..."; exit 1; }
out=$(systemd-analyze verify "$man_check" "$tmp/nlpp-ipvs-exporter.service" 2>&1) || { echo "FAIL: systemd-analyze verify: $out"; exit 1; }
[[ -z $out ]] || { echo "FAIL: systemd-analyze verify warns: $out"; exit 1; }
for setting in DynamicUser=yes AmbientCapabilities=CAP_NET_ADMIN CapabilityBoundingSet=CAP_NET_ADMIN \
  NoNewPrivileges=yes ProtectSystem=strict EnvironmentFile=-/etc/default/nlpp-ipvs-exporter; do
  grep -qx "$setting" "$unit" || { echo "FAIL: $unit lacks $setting"; exit 1; }
done
# The defaults file sets what ExecStart uses, in the shell syntax EnvironmentFile reads.
(set -u; source "$defaults"; [[ -n $LISTEN ]] && : "$ARGS") || { echo "FAIL: $defaults does not set LISTEN and ARGS"; exit 1; }
echo "nlpp-ipvs-exporter.service: systemd-analyze verify $man_check passes, hardened"
