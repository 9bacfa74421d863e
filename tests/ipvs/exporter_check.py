#!/usr/bin/env python3
"""Compares nlpp-ipvs-exporter's exposition text with ipvsadm, the oracle.
  exporter_check.py IPVSADM EXPOSITION [--totals-only]
IPVSADM is `ipvsadm -Ln` followed by `ipvsadm -Ln --stats --exact`, taken
just before and just after the scrape (the caller retries until they agree).
Every ipvs_service_* and ipvs_destination_* sample must be ipvsadm's value
with ipvsadm's labels, and every service and destination ipvsadm lists must
be there once (prometheus-cpp's own exposer_* samples aside); with
--totals-only (an exporter run with --per-destination=false), no
ipvs_destination_* sample. Prints the differences and exits 1 when there
are any."""
import re
import sys

ipvsadm, expo = (open(p).read() for p in sys.argv[1:3])
totals_only = sys.argv[3:] == ["--totals-only"]
cut = ipvsadm.index("IP Virtual Server", 1)
listing, stats = ipvsadm[:cut], ipvsadm[cut:]

def svc_labels(words):  # "TCP 203.0.113.1:80" / "FWM 5" (/ "FWM 5 IPv6")
    if words[0] == "FWM":
        return {"fwmark": words[1], "family": "ipv6" if "IPv6" in words else "ipv4"}
    host, port = words[1].rsplit(":", 1)
    return {"protocol": words[0].lower(), "address": host.strip("[]"), "port": port}

def dest_labels(svc, addr):
    host, port = addr.rsplit(":", 1)
    return dict(svc, destination_address=host.strip("[]"), destination_port=port)

want = {}  # (name, frozenset(labels)) -> value
def put(name, labels, value):
    if not (totals_only and name.startswith("ipvs_destination_")):
        want[(name, frozenset(labels.items()))] = float(value)

counters = ["connections", "in_packets", "out_packets", "in_bytes", "out_bytes"]
svc = None
for line in stats.splitlines()[3:]:
    w = line.split()
    if w[0] == "->":
        for c, v in zip(counters, w[2:7]):
            put(f"ipvs_destination_{c}_total", dest_labels(svc, w[1]), v)
        continue
    svc = svc_labels(w)
    for c, v in zip(counters, w[-5:]):
        put(f"ipvs_service_{c}_total", svc, v)

m = re.match(r"IP Virtual Server version (\S+) \(size=(\d+)\)", listing)
put("ipvs_info", {"version": m.group(1), "connection_table_size": m.group(2)}, 1)
for line in listing.splitlines()[3:]:
    w = line.split()
    if w[0] == "->":  # -> ADDR Forward Weight ActiveConn InActConn
        d = dest_labels(svc, w[1])
        put("ipvs_destination_weight", d, w[3])
        put("ipvs_destination_active_connections", d, w[4])
        put("ipvs_destination_inactive_connections", d, w[5])
        continue
    # TCP  ADDR:PORT SCHED [persistent N] [ops]   /   FWM  MARK [IPv6] SCHED ...
    key = w[:3] if w[0] == "FWM" and w[2] == "IPv6" else w[:2]
    svc = svc_labels(key)
    rest = w[len(key):]
    flags = [f for f in ("persistent", "ops") if f in rest]
    put("ipvs_service_info", dict(svc, scheduler=rest[0],
                                  flags=",".join("one-packet" if f == "ops" else f for f in flags)), 1)

sample = re.compile(r'^(\w+)(?:\{(.*)\})? (\S+)$')
label = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)",?')
got, errors = {}, []
for line in expo.splitlines():
    if not line or line.startswith("#"):
        continue
    s = sample.match(line)
    if not s:
        errors.append(f"not a sample line: {line!r}")
        continue
    name, labels, value = s.group(1), dict(label.findall(s.group(2) or "")), float(s.group(3))
    if name.startswith("exposer_"):  # prometheus-cpp's own: the scrapes it served
        continue
    if name == "ipvs_scrape_duration_seconds":
        if not 0 < value < 60:
            errors.append(f"scrape duration {value}")
        continue
    k = (name, frozenset(labels.items()))
    if k in got:
        errors.append(f"twice: {line}")
    got[k] = value
if "ipvs_scrape_duration_seconds" not in expo:
    errors.append("no ipvs_scrape_duration_seconds")

def show(k):
    return k[0] + "{" + ",".join(f'{a}="{b}"' for a, b in sorted(k[1])) + "}"
for k in sorted(set(want) | set(got), key=show):
    if k not in got:
        errors.append(f"missing {show(k)} {want[k]:.0f} (ipvsadm)")
    elif k not in want:
        errors.append(f"unexpected {show(k)} {got[k]:.0f}")
    elif got[k] != want[k]:
        errors.append(f"{show(k)}: exporter {got[k]:.0f}, ipvsadm {want[k]:.0f}")
for e in errors:
    print(e)
print(f"{len(want)} samples from ipvsadm, {len(got)} from the exporter, {len(errors)} differences")
sys.exit(1 if errors else 0)
