#!/usr/bin/env bash
# nlpp-ipvs against ipvsadm 1.31 with real traffic through IPVS NAT services:
# a client, a director and two real servers, each in a network namespace of
# its own, joined by veth pairs (documentation addresses only). TCP with
# persistence, TCP with thresholds and UDP; some connections stay open, some
# are closed. Then every counter- and connection-bearing listing of both
# tools must be the same bytes, but for the connection expiry (it counts
# down while the tools run: within one second). Counters move only on the
# kernel's 2 s estimator tick and while packets flow, so a listing is taken
# while the traffic is idle and accepted when ipvsadm's output just before
# and just after ours agree with it (retried a few times otherwise; rates,
# which fall on every tick, then when each of ours lies between the two).
#   tests/ipvs/traffic_vs_ipvsadm.sh PATH/TO/nlpp-ipvs      (needs socat)
set -u
nlpp=$(readlink -f "$1")
source "$(dirname "$0")/nat_topology.sh"
nat_enter nlpp-tr "$0" "$nlpp"
trap nat_cleanup EXIT
nat_setup "$nlpp"

# The services, made by nlpp-ipvs.
"$nlpp" -R <<EOF || bad "nlpp-ipvs -R"
-A -t $vip:80 -s rr -p 60
-a -t $vip:80 -r 192.0.2.10:8080 -m
-a -t $vip:80 -r 192.0.2.130:8080 -m
-A -t $vip:81 -s wlc
-a -t $vip:81 -r 192.0.2.10:8080 -m -x 2 -y 1
-a -t $vip:81 -r 192.0.2.130:8080 -m -w 2 -x 50 -y 10
-A -u $vip:53 -s rr
-a -u $vip:53 -r 192.0.2.10:5353 -m
-a -u $vip:53 -r 192.0.2.130:5353 -m -w 3
EOF

# Echo servers on the real servers.
nat_echo_servers

# Traffic. Connections left open: each says hello, gets its echo, then idles.
open_conn() {  # SOURCE PORT
  in_ns "$cl" socat SYSTEM:'echo hello; exec sleep 600' TCP:$vip:$2,bind=$1 2>/dev/null &
}
echo_tcp() {  # SOURCE PORT: one closed connection
  [[ "$(echo "closed connection" | in_ns "$cl" socat -t 5 - TCP:$vip:$2,bind=$1 2>&1)" == "closed connection" ]] ||
    bad "no TCP echo through $vip:$2 from $1"
}
echo_udp() {  # SOURCE (in the background: its status is waited for)
  [[ "$(echo "datagram from $1" | in_ns "$cl" socat -t 1 - UDP:$vip:53,bind=$1 2>&1)" == "datagram from $1" ]]
}
open_conn 198.51.100.2 80; open_conn 198.51.100.2 80; open_conn 198.51.100.3 80  # persistence: two templates
open_conn 198.51.100.2 81; open_conn 198.51.100.2 81; open_conn 198.51.100.3 81  # s1 holds 2 (its -x), s2 the rest
echo_tcp 198.51.100.2 80; echo_tcp 198.51.100.3 81
# A megabyte each way, so that the byte rates are large and take minutes to decay to 0.
[[ $(head -c 1000000 /dev/zero | in_ns "$cl" socat -t 5 - TCP:$vip:81,bind=198.51.100.3 | wc -c) == 1000000 ]] && ok ||
  bad "a megabyte did not come back through $vip:81"
udp=()
for src in 198.51.100.2 198.51.100.3 198.51.100.2; do echo_udp $src & udp+=($!); done
for u in "${udp[@]}"; do wait "$u" && ok || bad "no UDP echo through $vip:53"; done
wait_idle() {  # until every open connection is established and the counters have stopped moving
  local want=$1 last="" now
  for _ in $(seq 10); do
    now=$(ipvsadm -Ln --stats --exact)
    if [[ $(ipvsadm -Lnc | grep -c ' ESTABLISHED ') -ge $want && $now == "$last" ]]; then return 0; fi
    last=$now
    sleep 2.1  # past the next estimator tick (2 s)
  done
  bad "the traffic did not settle"
}
wait_idle 6

# The state is the one meant: open, closed, persistent and UDP entries, non-zero counters.
conns=$(ipvsadm -Lnc)
for want in " ESTABLISHED " " TIME_WAIT " " UDP " " 198.51.100.2:0 "; do  # client port 0: a persistence template
  grep -q "$want" <<<"$conns" && ok || bad "no '$want' entry in ipvsadm -Lnc: $conns"
done
# Destination lines: -Ln "-> ADDR Masq WEIGHT ACTIVE INACTIVE", --persistent-conn "-> ADDR WEIGHT PERSIST ACTIVE INACTIVE".
ipvsadm -Ln | awk '$1 == "->" && $5 > 0 { a = 1 } $1 == "->" && $6 > 0 { i = 1 } END { exit !(a && i) }' && ok ||
  bad "no destination with active and none with inactive connections: $(ipvsadm -Ln)"
ipvsadm -Ln --persistent-conn | awk '$1 == "->" && $4 > 0 { p++ } END { exit p != 2 }' && ok ||
  bad "not two destinations with a persistent connection: $(ipvsadm -Ln --persistent-conn)"
ipvsadm -Ln --thresholds | awk '$1 == "->" && $3 > 0 && $5 > 0 { f = 1 } END { exit !f }' && ok ||
  bad "no destination with thresholds has active connections: $(ipvsadm -Ln --thresholds)"
[[ $(ipvsadm -Ln --stats | awk '$1 == "TCP" && $3 > 0' | wc -l) == 2 ]] && ok || bad "TCP services counted no connection"

# Listings. Byte for byte; ipvsadm before and after ours agree with ours.
same() {
  local a1 b a2
  for _ in $(seq 6); do
    a1=$(ipvsadm "$@" 2>&1)
    b=$("$nlpp" "$@" 2>&1)
    a2=$(ipvsadm "$@" 2>&1)
    if [[ "$a1" == "$b" && "$b" == "$a2" ]]; then ok; return; fi
    [[ "$a1" == "$a2" ]] && break  # a stable difference: no point in waiting
  done
  # Rates fall on every estimator tick once the traffic has stopped, and a
  # slow VM may not run three processes between two ticks: then ours must
  # lie between ipvsadm's before and after, number by number, every other
  # word the same.
  if [[ "$*" == *--rate* && "$a1" != "$a2" ]] && awk '
      FILENAME == ARGV[1] { a[FNR] = $0; na = FNR; next }
      FILENAME == ARGV[2] { b[FNR] = $0; nb = FNR; next }
      { c[FNR] = $0; nc = FNR }
      END {
        if (na != nb || nb != nc) exit 1
        for (i = 1; i <= na; i++) {
          n = split(a[i], x)
          if (split(b[i], y) != n || split(c[i], z) != n) exit 1
          for (k = 1; k <= n; k++) {
            if (x[k] ~ /^[0-9]+$/ && y[k] ~ /^[0-9]+$/ && z[k] ~ /^[0-9]+$/) {
              lo = x[k] + 0; hi = z[k] + 0
              if (lo > hi) { t = lo; lo = hi; hi = t }
              if (y[k] + 0 < lo || y[k] + 0 > hi) exit 1
            } else if (x[k] != y[k] || y[k] != z[k]) exit 1
          }
        }
      }' <(echo "$a1") <(echo "$b") <(echo "$a2"); then
    echo "note: ipvsadm $*: ours lies between ipvsadm's before and after (a tick came between)"
    ok
    return
  fi
  bad "ipvsadm $* vs nlpp-ipvs"
  diff <(echo "$a1") <(echo "$b") | head -20
  diff <(echo "$b") <(echo "$a2") | head -20
}
# The connection table: expiry (field 2, mm:ss) within one second, every other byte the same.
same_conns() {
  local a b
  for _ in $(seq 10); do
    a=$(ipvsadm "$@" 2>&1)
    b=$("$nlpp" "$@" 2>&1)
    if awk 'function secs(t, parts) { split(t, parts, ":"); return parts[1] * 60 + parts[2] }
            NR == FNR { a[FNR] = $0; n = FNR; next }
            { x = a[FNR]; y = $0
              if (FNR > 2) {
                d = secs(substr(x, 5, 5)) - secs(substr(y, 5, 5))
                if (d < 0 || d > 1) differ = 1
                x = substr(x, 1, 4) substr(x, 10); y = substr(y, 1, 4) substr(y, 10)
              }
              if (FNR > n || x != y) differ = 1
              m = FNR }
            END { exit differ || m != n }' <(echo "$a") <(echo "$b"); then
      ok
      return
    fi
  done
  bad "ipvsadm $* vs nlpp-ipvs (expiry within 1 s)"
  diff <(echo "$a") <(echo "$b") | head -20
}
# The rates are not all zero (they decay from here on, tick by tick).
ipvsadm -Ln --rate --exact | awk '$1 == "TCP" && $6 > 0 { f = 1 } END { exit !f }' && ok ||
  bad "the rate listing shows no traffic"
for args in "-Ln --rate" "-Ln --rate --exact" "-Ln -t $vip:81 --rate" "-Ln" "-Ln --stats" "-Ln --stats --exact" "-Ln --thresholds" \
            "-Ln --persistent-conn" "-Ln --tun-info" "-Ln -t $vip:80 --stats" "-Ln -u $vip:53 --stats --exact" \
            "-Sn"; do
  # shellcheck disable=SC2086
  same $args
done
for args in "-Lnc" "-Lnc --exact" "-Lnc --persistent-conn"; do
  # shellcheck disable=SC2086
  same_conns $args
done
echo "traffic_vs_ipvsadm: $pass passed, $failn failed"
((failn == 0))
