#!/usr/bin/env python3
"""The spec engine's encoder against an independent oracle: each request is
sent with nlpp-ynl in one fresh network namespace, the same change is made
with ip/tc/nft in another (prepared the same way), and the two kernel states
are compared (ip -j -d link/addr/route, tc -j -d qdisc/class/filter, nft -j list
ruleset), normalising only what legitimately differs between namespaces
(indexes, nft handles, running timers, counters, lifetimes counting down).
Binary attributes are sent both as pyynl's hex strings and as address/MAC
text where the spec gives a display hint.

    encode_oracle_test.py PATH/TO/nlpp-ynl
Needs root. Specs are read where nlpp-ynl finds them (NLPP_SPEC_PATH, then
the installed kernel specs): a request that spec set cannot express is
counted and printed as not run; under CI=true every request must run.
"""
import json
import os
import socket
import sys
import time

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from specs import CI, record_not_run, spec_file  # noqa: E402
from harness import Netns, ifindex, run, tally  # noqa: E402

YNL = sys.argv[1]
not_run = []


# ---------------------------------------------------------------- the spec set

_specs = {}


def spec(family):
    """The parsed spec nlpp-ynl --family FAMILY reads (specs.py exports its directory), or None."""
    if family not in _specs:
        path = spec_file(family)
        _specs[family] = yaml.safe_load(open(path)) if path else None
        if path:
            print(f"spec {family}: {path}")
    return _specs[family]


def attr(family, set_name, name):
    """Attribute NAME of a set, or its prefixed form in older specs (rt-addr's
    'ifa-local' for 'local'); None when the spec has neither. Older specs also
    name some sets with the family's prefix (tc's 'tc-attrs' for 'attrs')."""
    s = spec(family)
    if s is None:
        return None
    sets = {x["name"]: x for x in s.get("attribute-sets", [])}
    prefix = family.split("-")[0] + "-"
    aset = sets.get(set_name) or sets.get(prefix + set_name)
    if aset is None:
        return None
    attrs = aset["attributes"]
    return next((a for a in attrs if a["name"] == name), None) or next((a for a in attrs if a["name"].endswith("-" + name)), None)


def has_op(family, op):
    s = spec(family)
    return s is not None and any(o["name"] == op for o in s["operations"]["list"])


def spec_names(family, set_name, req):
    """The request with its top-level attribute names as the spec set spells them."""
    out = {}
    for k, v in req.items():
        a = attr(family, set_name, k)
        out[a["name"] if a else k] = v
    return out


def missing(family, set_name, names, text_hint=None, header=None):
    """Why the spec set cannot express a request with these attributes (None when it can).
    text_hint: names whose value is given as address text, needing a display hint (any address
    hint takes either family, as in pyynl);
    header: the fixed header's struct, whose member names the attributes must not take."""
    s = spec(family)
    if s is None:
        return f"no {family} spec"
    members = {m["name"] for d in s.get("definitions", []) if d["name"] == header for m in d.get("members", [])}
    for n in names:
        a = attr(family, set_name, n)
        if a is None:
            return f"{family} has no attribute '{n}' in {set_name}"
        if a["name"] in members:
            return f"{family} attribute '{n}' is named '{a['name']}' like a field of {header}"
        if text_hint and n in text_hint[0] and a.get("display-hint") not in text_hint[1]:
            return f"{family} '{a['name']}' has display hint {a.get('display-hint')}, not {'/'.join(text_hint[1])}"
    return None


# ---------------------------------------------------------------- kernel state

def jrun(ns, cmd):
    out = run(["ip", "netns", "exec", ns] + cmd).stdout
    try:
        return json.loads(out) if out.strip() else []
    except ValueError:  # tc 6.1 prints tbf's and htb's classes as text even with -j: compared as text
        return out.splitlines()


def state(ns):
    links = jrun(ns, ["ip", "-j", "-d", "link", "show"])
    classes = {l["ifname"]: jrun(ns, ["tc", "-j", "-d", "class", "show", "dev", l["ifname"]]) for l in links}
    filters = {l["ifname"]: jrun(ns, ["tc", "-j", "-d", "filter", "show", "dev", l["ifname"]]) for l in links}
    return {
        "link": links,
        "addr": jrun(ns, ["ip", "-j", "-d", "addr", "show"]),
        "route": jrun(ns, ["ip", "-4", "-j", "-d", "route", "show", "table", "all"]) +
                 jrun(ns, ["ip", "-6", "-j", "-d", "route", "show", "table", "all"]),
        # ip -j leaves out locked metrics ("mtu lock 1400"): the text too.
        "route text": run(["ip", "-n", ns, "-d", "route", "show", "table", "all"]).stdout.splitlines() +
                      run(["ip", "-n", ns, "-6", "-d", "route", "show", "table", "all"]).stdout.splitlines(),
        "qdisc": jrun(ns, ["tc", "-j", "-d", "qdisc", "show"]),
        "class": classes,
        "filter": filters,
        "nft": jrun(ns, ["nft", "-j", "list", "ruleset"]),
    }


# What differs between two namespaces on its own: indexes, nft's handles,
# running timers and counters. Lifetimes count down: compared within a few seconds.
DROP = {"ifindex", "hello_timer", "tcn_timer", "topology_change_timer", "gc_timer", "message_age_timer",
        "forward_delay_timer", "hold_timer", "stats", "stats64", "direct_packets_stat"}
COUNTDOWN = {"valid_life_time", "preferred_life_time"}


def label(x, i):
    """A readable key for a list entry, so a failure names the link or route."""
    if isinstance(x, dict):
        if "ifname" in x:
            return x["ifname"]
        if "dst" in x:
            return f"{x.get('table', 'main')} {x.get('type', 'unicast')} {x['dst']}"
        if "local" in x:
            return x["local"]
        if "kind" in x and "dev" in x:
            return f"{x['dev']} {x['kind']} {x.get('parent', 'root')}"
        if len(x) == 1:
            k, v = next(iter(x.items()))
            if isinstance(v, dict) and "name" in v:
                return f"{k} {v['name']}"
    return str(i)


def diff(a, b, path=""):
    """(path, mine, oracle's) for every difference."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k in DROP or (k == "handle" and path.startswith(".nft")):
                continue
            if k in COUNTDOWN and isinstance(a.get(k), int) and isinstance(b.get(k), int) and abs(a[k] - b[k]) <= 5:
                continue
            out += diff(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and any(isinstance(x, (dict, list)) for x in a + b):
        la, lb = [label(x, i) for i, x in enumerate(a)], [label(x, i) for i, x in enumerate(b)]
        if la != lb:  # entries missing on one side (or out of order)
            only_a, only_b = [x for x in la if x not in lb], [x for x in lb if x not in la]
            return [(path + " entries", only_a, only_b) if only_a or only_b else (path + " order", la, lb)]
        return [d for n, x, y in zip(la, a, b) for d in diff(x, y, f"{path}[{n}]")]
    if isinstance(a, list) and isinstance(b, list) and a != b:  # lines or names: those on one side only
        only_a, only_b = [x for x in a if x not in b], [x for x in b if x not in a]
        return [(path, only_a, only_b) if only_a or only_b else (path + " order", a, b)]
    return [] if a == b else [(path, a, b)]


def compare(mine_ns, their_ns):
    """Differences that stay: the two namespaces' own events (link watch,
    operstate) may settle at slightly different times."""
    for i in range(10):
        d = diff(state(mine_ns), state(their_ns))
        if not d:
            if i:
                print(f"     (the states settled after {i} retries; first difference was {first[0][0]})")
            return d
        first = first if i else d
        time.sleep(0.3)
    return d


# ---------------------------------------------------------------- the requests

VETH = [["ip", "link", "add", "va", "address", "02:00:00:00:0a:01", "type", "veth", "peer", "name", "vb", "address", "02:00:00:00:0b:01"]]
VETH_UP = VETH + [["ip", "link", "set", "va", "up"], ["ip", "link", "set", "vb", "up"]]
BRIDGE_PORT = VETH + [["ip", "link", "add", "br0", "address", "02:00:00:00:0c:01", "type", "bridge"],
                      ["ip", "link", "set", "va", "master", "br0"]]
ROUTED = VETH_UP + [["ip", "addr", "add", "10.1.0.1/24", "dev", "va"],
                    ["ip", "addr", "add", "2001:db8::1/64", "dev", "va", "nodad"]]


class Case:
    def __init__(self, name, prep, ynl, tool, why_not=None):
        """ynl(ns) -> nlpp-ynl arguments after --netns (the request); tool: commands in the oracle's namespace;
        why_not() -> why the spec set cannot express the request, or None."""
        self.name, self.prep, self.ynl, self.tool, self.why_not = name, prep, ynl, tool, why_not


def do(family, op, req, *flags):
    return ["--family", family, "--do", op, *flags, "--json", json.dumps(req)]


def link(req, *flags):
    return do("rt-link", "newlink", spec_names("rt-link", "link-attrs", req), *flags)


# (This kernel has no bridge VLAN filtering: vlan-filtering gets EOPNOTSUPP from ip too.)
BRIDGE_DATA = {"forward-delay": 800, "hello-time": 300, "max-age": 1500, "ageing-time": 12000, "stp-state": 1, "priority": 4096,
               "group-fwd-mask": 0x4000, "group-addr": "01:80:c2:00:00:0e", "mcast-snooping": 0}
BRPORT_DATA = {"priority": 5, "cost": 100, "guard": 1, "learning": 0, "unicast-flood": 0, "mcast-flood": 0, "bcast-flood": 0,
               "isolated": 1}


def mac_case(form, mac, brd, ip_mac="02:aa:bb:cc:dd:01", ip_brd="02:ff:ff:ff:ff:f0"):
    return Case(f"rt-link newlink: address and broadcast given as {form}", VETH,
                lambda ns: link({"ifname": "va", "address": mac, "broadcast": brd, "mtu": 1400}),
                [["ip", "link", "set", "va", "address", ip_mac, "broadcast", ip_brd, "mtu", "1400"]],
                lambda: missing("rt-link", "link-attrs", ["address", "broadcast", "mtu"],
                                (["address", "broadcast"], ["mac"]) if form.startswith("MAC text") else None))


def addr4_case(form, local, extra, tool_extra):
    def req(ns):
        r = {"ifa-family": 2, "ifa-prefixlen": 24, "ifa-index": ifindex(ns, "va"), "local": local, "address": local,
             "label": "va:one", **extra}
        return do("rt-addr", "newaddr", spec_names("rt-addr", "addr-attrs", r), "--create", "--excl")
    return Case(f"rt-addr newaddr: IPv4 with label, address as {form}", VETH_UP, req,
                [["ip", "addr", "add", "10.1.0.7/24", *tool_extra, "label", "va:one", "dev", "va"]],
                lambda: missing("rt-addr", "addr-attrs", ["local", "address", "label", *extra],
                                (["local", "address", "broadcast"], ["ipv4", "ipv4-or-v6"]) if form == "text" else None))


def addr6_case(form, local):
    def req(ns):
        r = {"ifa-family": 10, "ifa-prefixlen": 64, "ifa-flags": ["nodad"], "ifa-index": ifindex(ns, "va"), "local": local,
             "address": local, "flags": ["nodad", "noprefixroute", "homeaddress"],
             "cacheinfo": {"ifa-prefered": 1800, "ifa-valid": 3600}}
        return do("rt-addr", "newaddr", spec_names("rt-addr", "addr-attrs", r), "--create", "--excl")
    return Case(f"rt-addr newaddr: IPv6 with flags and lifetimes, address as {form}", VETH_UP, req,
                [["ip", "addr", "add", "2001:db8::7/64", "dev", "va", "nodad", "noprefixroute", "home",
                  "valid_lft", "3600", "preferred_lft", "1800"]],
                lambda: missing("rt-addr", "addr-attrs", ["local", "address", "flags", "cacheinfo"],
                                (["local", "address"], ["ipv4", "ipv6", "ipv4-or-v6"]) if form == "text" else None, "ifaddrmsg"))


def route_case(name, req, tool, text=()):
    return Case(f"rt-route newroute: {name}", ROUTED,
                lambda ns: do("rt-route", "newroute", spec_names("rt-route", "route-attrs", req), "--create", "--excl"),
                [tool], lambda: missing("rt-route", "route-attrs", [k for k in req if not k.startswith("rtm-")],
                                        (text, ["ipv4", "ipv6", "ipv4-or-v6"])))


def metrics_case():
    """A nest inside the request: its set is the one the spec names (metrics, or rta-metrics in 6.12)."""
    def req(ns):
        r = {"rtm-family": 2, "rtm-dst-len": 24, "rtm-table": 254, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "unicast",
             "dst": "198.51.100.0", "gateway": "10.1.0.2", "metrics": {"mtu": 1400, "advmss": 1360, "initcwnd": 20, "lock": 1 << 2}}
        r["metrics"] = spec_names("rt-route", attr("rt-route", "route-attrs", "metrics")["nested-attributes"], r["metrics"])
        return do("rt-route", "newroute", spec_names("rt-route", "route-attrs", r), "--create", "--excl")

    def why_not():
        m = attr("rt-route", "route-attrs", "metrics")
        return missing("rt-route", "route-attrs", ["dst", "gateway", "metrics"]) or \
            missing("rt-route", m["nested-attributes"], ["mtu", "advmss", "initcwnd", "lock"])
    return Case("rt-route newroute: a metrics nest (mtu locked, advmss, initcwnd)", ROUTED, req,
                [["ip", "route", "add", "198.51.100.0/24", "via", "10.1.0.2", "mtu", "lock", "1400", "advmss", "1360", "initcwnd", "20"]],
                why_not)


def tc_case(name, prep, req, tool, why_not):
    return Case(f"tc newqdisc: {name}", prep,
                lambda ns: do("tc", "newqdisc", {"family": 0, "ifindex": ifindex(ns, "va"), **req}, "--create", "--excl"),
                [tool], why_not)


def nft_batch(ns):
    args = ["--family", "nftables"]
    for op, req in (("batch-begin", {"res-id": 10}),
                    ("newtable", {"nfgen-family": 1, "name": "t", "flags": 0}),
                    ("newchain", {"nfgen-family": 1, "table": "t", "name": "base", "type": "filter",
                                  "hook": {"num": 1, "priority": -10}, "policy": 0}),
                    ("newchain", {"nfgen-family": 1, "table": "t", "name": "plain"}),
                    ("batch-end", {"res-id": 10})):
        args += ["--multi", op, json.dumps(req)]
    return args


def nft_rule(ns):
    """tcp dport 22 accept, as nft writes it: meta l4proto, cmp, payload, cmp, immediate.
    (The payload base is a number: the 6.12 spec has no enum for it.)"""
    exprs = [{"name": "meta", "data": {"key": "l4-proto", "dreg": 1}},
             {"name": "cmp", "data": {"sreg": 1, "op": "eq", "data": {"value": "06"}}},
             {"name": "payload", "data": {"dreg": 1, "base": 2, "offset": 2, "len": 2}},  # transport header
             {"name": "cmp", "data": {"sreg": 1, "op": "eq", "data": {"value": "0016"}}},
             {"name": "immediate", "data": {"dreg": 0, "data": {"verdict": {"code": "accept"}}}}]
    args = ["--family", "nftables", "--create", "--append"]  # as nft sends it (a new rule needs NLM_F_CREATE)
    for op, req in (("batch-begin", {"res-id": 10}),
                    ("newrule", {"nfgen-family": 1, "table": "t", "chain": "base", "expressions": {"elem": exprs}}),
                    ("batch-end", {"res-id": 10})):
        args += ["--multi", op, json.dumps(req)]
    return args


NFT_BASE = [["nft", "add", "table", "inet", "t"],
            ["nft", "add", "chain", "inet", "t", "base", "{ type filter hook input priority -10; policy drop; }"]]

CASES = [
    Case("rt-link newlink: bridge with options (linkinfo data sub-message)", [],
         lambda ns: link({"ifname": "br0", "address": "02:00:00:00:0c:01", "mtu": 1400,
                          "linkinfo": {"kind": "bridge", "data": BRIDGE_DATA}}, "--create", "--excl"),
         [["ip", "link", "add", "br0", "address", "02:00:00:00:0c:01", "mtu", "1400", "type", "bridge", "forward_delay", "800",
           "hello_time", "300", "max_age", "1500", "ageing_time", "12000", "stp_state", "1", "priority", "4096",
           "group_fwd_mask", "0x4000", "group_address", "01:80:c2:00:00:0e", "mcast_snooping", "0"]],
         lambda: missing("rt-link", "linkinfo-bridge-attrs", BRIDGE_DATA, (["group-addr"], ["mac"]))),
    Case("rt-link newlink: bridge port options (slave-data sub-message)", BRIDGE_PORT,
         lambda ns: link({"ifname": "va", "linkinfo": {"slave-kind": "bridge", "slave-data": BRPORT_DATA}}),
         [["ip", "link", "set", "va", "type", "bridge_slave", "priority", "5", "cost", "100", "guard", "on", "learning", "off",
           "flood", "off", "mcast_flood", "off", "bcast_flood", "off", "isolated", "on"]],
         lambda: missing("rt-link", "linkinfo-brport-attrs", BRPORT_DATA)),
    Case("rt-link newlink: link flags (up, promisc, all-multi, no-arp) in the fixed header", VETH,
         lambda ns: link({"ifi-index": ifindex(ns, "va"), "ifi-flags": ["up", "promisc", "all-multi", "no-arp"],
                          "ifi-change": 0x1 | 0x80 | 0x100 | 0x200}),
         [["ip", "link", "set", "va", "up", "promisc", "on", "allmulticast", "on", "arp", "off"]]),
    Case("rt-link newlink: the af-spec nest (inet6 addr-gen-mode), txqlen, group, alias", VETH,
         lambda ns: link({"ifname": "va", "txqlen": 500, "group": 7, "ifalias": "uplink one", "af-spec": {"inet6": {"addr-gen-mode": 3}}}),
         [["ip", "link", "set", "va", "txqlen", "500", "group", "7", "alias", "uplink one", "addrgenmode", "random"]],
         lambda: missing("rt-link", "link-attrs", ["txqlen", "group", "ifalias", "af-spec"])
         or missing("rt-link", "af-spec-attrs", ["inet6"]) or missing("rt-link", "ifla6-attrs", ["addr-gen-mode"])),
    mac_case("MAC text", "02:aa:bb:cc:dd:01", "02:ff:ff:ff:ff:f0"),
    mac_case("pyynl hex", "02aabbccdd01", "02fffffffff0"),
    mac_case("MAC text with one-digit groups, as ip reads it", "2:aa:bb:cc:dd:1", "2:ff:ff:ff:ff:f0", "2:aa:bb:cc:dd:1", "2:ff:ff:ff:ff:f0"),
    addr4_case("text", "10.1.0.7", {"broadcast": "10.1.0.255"}, ["broadcast", "10.1.0.255"]),
    addr4_case("pyynl hex", "0a010007", {}, []),
    addr6_case("text", "2001:db8::7"),
    addr6_case("pyynl hex", "20010db8000000000000000000000007"),
    route_case("IPv4 gateway and metric, addresses as text",
               {"rtm-family": 2, "rtm-dst-len": 24, "rtm-table": 254, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "unicast",
                "dst": "198.51.100.0", "gateway": "10.1.0.2", "priority": 100},
               ["ip", "route", "add", "198.51.100.0/24", "via", "10.1.0.2", "metric", "100"], ("dst", "gateway")),
    route_case("IPv4 gateway and metric, addresses as pyynl hex",
               {"rtm-family": 2, "rtm-dst-len": 24, "rtm-table": 254, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "unicast",
                "dst": "c6336400", "gateway": "0a010002", "priority": 100},
               ["ip", "route", "add", "198.51.100.0/24", "via", "10.1.0.2", "metric", "100"]),
    route_case("IPv6 gateway and metric, addresses as text",
               {"rtm-family": 10, "rtm-dst-len": 48, "rtm-table": 254, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "unicast",
                "dst": "2001:db8:1::", "gateway": "2001:db8::2", "priority": 1024 + 7},
               ["ip", "-6", "route", "add", "2001:db8:1::/48", "via", "2001:db8::2", "metric", "1031"], ("dst", "gateway")),
    metrics_case(),
    route_case("IPv4 blackhole in table 100",
               {"rtm-family": 2, "rtm-dst-len": 24, "rtm-table": 100, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "blackhole",
                "dst": "203.0.113.0"},
               ["ip", "route", "add", "blackhole", "203.0.113.0/24", "table", "100"], ("dst",)),
    route_case("IPv6 blackhole in table 1000 (the table attribute), address as pyynl hex",
               {"rtm-family": 10, "rtm-dst-len": 64, "rtm-table": 252, "rtm-protocol": 3, "rtm-scope": 0, "rtm-type": "blackhole",
                "dst": "20010db8000200000000000000000000", "table": 1000, "priority": 5},
               ["ip", "-6", "route", "add", "blackhole", "2001:db8:2::/64", "table", "1000", "metric", "5"]),
    tc_case("bfifo, a fixed-header format", VETH,
            {"handle": 0x10000, "parent": 0xFFFFFFFF, "kind": "bfifo", "options": {"limit": 12345}},
            ["tc", "qdisc", "add", "dev", "va", "root", "handle", "1:", "bfifo", "limit", "12345"], lambda: missing("tc", "attrs", ["options"])),
    tc_case("htb, its init struct inside the options sub-message", VETH,
            {"handle": 0x10000, "parent": 0xFFFFFFFF, "kind": "htb",
             "options": {"init": {"version": 3, "rate2quantum": 7, "defcls": 0x10}, "direct-qlen": 50}},
            ["tc", "qdisc", "add", "dev", "va", "root", "handle", "1:", "htb", "default", "10", "r2q", "7", "direct_qlen", "50"],
            lambda: missing("tc", "htb-attrs", ["init", "direct-qlen"])),
    # The kernel's psched tick is 64 ns: 100 ms (12500 bytes at 125000 bytes/s) is 1562500 ticks, as tc computes it.
    tc_case("tbf, tc-ratespec structs nested in its parms struct", VETH,
            {"handle": 0x10000, "parent": 0xFFFFFFFF, "kind": "tbf",
             "options": {"parms": {"rate": {"rate": 125000, "linklayer": 1}, "limit": 20000, "buffer": 1562500}, "burst": 12500}},
            ["tc", "qdisc", "add", "dev", "va", "root", "handle", "1:", "tbf", "rate", "1mbit", "burst", "12500", "limit", "20000"],
            lambda: missing("tc", "tbf-attrs", ["parms", "burst"])),
    # 12500 bytes take 50 ms at the ceil's 250000 bytes/s: 781250 ticks.
    Case("tc newtclass: htb class, ratespecs in its parms struct inside the options sub-message",
         VETH + [["tc", "qdisc", "add", "dev", "va", "root", "handle", "1:", "htb", "default", "10"]],
         lambda ns: do("tc", "newtclass", {"family": 0, "ifindex": ifindex(ns, "va"), "handle": 0x10010, "parent": 0x10000, "kind": "htb",
                                           "options": {"parms": {"rate": {"rate": 125000, "linklayer": 1}, "ceil": {"rate": 250000, "linklayer": 1},
                                                                 "buffer": 1562500, "cbuffer": 781250, "quantum": 1500, "prio": 3}}},
                       "--create", "--excl"),
         [["tc", "class", "add", "dev", "va", "parent", "1:", "classid", "1:10", "htb", "rate", "1mbit", "ceil", "2mbit", "burst", "12500",
           "cburst", "12500", "prio", "3", "quantum", "1500"]],
         lambda: missing("tc", "htb-attrs", ["parms"]) or (None if has_op("tc", "newtclass") else "tc has no newtclass")),
    Case("tc newtfilter: u32 on htb, its selector struct with a big-endian key",
         VETH + [["tc", "qdisc", "add", "dev", "va", "root", "handle", "1:", "htb", "default", "10"]],
         lambda ns: do("tc", "newtfilter", {"family": 0, "ifindex": ifindex(ns, "va"), "handle": 0, "parent": 0x10000,
                                            "info": 10 << 16 | socket.htons(0x0800), "kind": "u32",  # pref 10, protocol ip
                                            "options": {"classid": 0x10010,
                                                        "sel": {"flags": 1, "nkeys": 1,
                                                                "keys": {"mask": 0xFFFFFFFF, "val": 0xC0000201, "off": 16}}}},
                       "--create", "--excl"),
         [["tc", "filter", "add", "dev", "va", "parent", "1:", "protocol", "ip", "pref", "10", "u32", "match", "ip", "dst", "192.0.2.1/32",
           "classid", "1:10"]],
         lambda: missing("tc", "u32-attrs", ["classid", "sel"]) or (None if has_op("tc", "newtfilter") else "tc has no newtfilter")),
    Case("nftables batch: a table, a base chain (hook nest, policy) and a regular chain", [], nft_batch,
         [["nft", "add", "table", "inet", "t"],
          ["nft", "add", "chain", "inet", "t", "base", "{ type filter hook input priority -10; policy drop; }"],
          ["nft", "add", "chain", "inet", "t", "plain"]],
         lambda: None if all(has_op("nftables", op) for op in ("batch-begin", "newtable", "newchain", "batch-end"))
         else "nftables has no batch operations"),
    Case("nftables batch: a rule (expressions: sub-messages chosen by name, enums, hex data, a verdict)", NFT_BASE, nft_rule,
         [["nft", "add", "rule", "inet", "t", "base", "tcp", "dport", "22", "accept"]],
         lambda: missing("nftables", "rule-attrs", ["table", "chain", "expressions"])),
]


def run_case(c):
    why = c.why_not() if c.why_not else None
    if why:
        not_run.append(c.name)
        record_not_run("ynl.encode_oracle", 1, f"{c.name}: {why}")
        return
    start = time.monotonic()
    with Netns("nlpp-enc", still_ipv6=True) as mine, Netns("nlpp-enc", still_ipv6=True) as theirs:
        for ns in (mine, theirs):
            for cmd in c.prep:
                run(["ip", "netns", "exec", ns] + cmd)
        p = run([YNL, "--netns", mine] + c.ynl(mine), ok=False)
        if p.returncode != 0:
            tally.failed.append(c.name)
            print(f"FAIL {c.name}: nlpp-ynl: {p.stderr.strip()}")
            return
        for cmd in c.tool:
            run(["ip", "netns", "exec", theirs] + cmd)
        d = compare(mine, theirs)
    if d:
        tally.failed.append(c.name)
        print(f"FAIL {c.name}: {len(d)} field(s) differ from the oracle's (nlpp-ynl vs ip/tc/nft):")
        for path, a, b in d[:10]:
            print(f"    {path}: {json.dumps(a)[:300]} vs {json.dumps(b)[:300]}")
    else:
        tally.passed += 1
        print(f"ok   {c.name} ({time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        sys.exit(1 if CI else 0)
    for c in CASES:
        try:
            run_case(c)
        except Exception as e:  # a failed command: report and go on
            tally.failed.append(c.name)
            print(f"FAIL {c.name}: {e}")
    print(f"encoder vs ip/tc/nft: {tally.passed} passed, {len(tally.failed)} failed, {len(not_run)} skipped")
    if CI and not_run:
        print("FAIL: under CI=true every request must run (NLPP_SPEC_PATH should be the shared kernel specs)")
    sys.exit(1 if tally.failed or (CI and not_run) else 0)
