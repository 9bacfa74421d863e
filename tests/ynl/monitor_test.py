#!/usr/bin/env python3
"""nlpp-ynl --subscribe against `ip monitor` and the kernel state, in a network
namespace it creates: a veth pair is added, set up, given an address and a
route, which are deleted again, then the link. rt-link (--subscribe all),
rt-addr (two groups named) and rt-route (--subscribe all on a temporary copy
of its spec with the two route groups added: upstream's spec has none) print
the same link, address and route events as `ip monitor link address route`
(iproute2 prints text: parsed here), in the same order per kind, and the
states they describe pass through every state `ip -j` saw after each step.
netdev (genetlink, --subscribe all) reports the same links coming and going.
SIGINT and SIGTERM end a listener with status 0 and whole lines; --duration
ends it in time; an overrun receive buffer is reported once and listening
goes on.

    monitor_test.py PATH/TO/nlpp-ynl
Needs root.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from specs import CI, SPECS, record_not_run, spec_file, spec_says  # noqa: E402
from harness import Netns, check, report, run  # noqa: E402

YNL = sys.argv[1]
RTN_TYPES = {1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast"}
IP_TYPES = {"local", "broadcast", "anycast", "multicast", "unreachable", "prohibit", "blackhole", "throw", "nat"}


class Listener:
    """A running process whose output lines are collected as they come."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines, self.raw = [], ""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.p.stdout:
            self.raw += line
            self.lines.append(line.rstrip("\n"))

    def stop(self, sig):
        """Sends SIG; waits for the end; returns (status, stderr)."""
        self.p.send_signal(sig)
        err = self.p.stderr.read()
        rc = self.p.wait(timeout=10)
        self.thread.join(timeout=10)
        return rc, err


def ynl_listener(ns, spec_args, *groups, json_lines=True):
    """nlpp-ynl subscribed to GROUPS in NS; returns once it says it listens."""
    subs = [a for g in groups for a in ("--subscribe", g)]
    l = Listener([YNL, *spec_args, "--netns", ns, *subs] + (["--output-json"] if json_lines else []))
    line = l.p.stderr.readline()
    check(f"{' '.join(spec_args + subs)}: says it listens", "listening to" in line, line)
    return l


def named(family, new, old):
    """An attribute's name: upstream's NEW, or OLD in Debian's older spec."""
    return new if spec_says(family, f"name: {new}\n") else old


def ip_events(lines):
    """`ip monitor` text -> {"link": [...], "addr": [...], "route": [...]}:
    (new|del, ifname) for links of interest, (new|del, ifindex, addr/len)
    for addresses, (new|del, type, dst) for routes through v0."""
    out = {"link": [], "addr": [], "route": []}
    for line in lines:
        if not line or line[0].isspace():  # a continuation line
            continue
        kind = "del" if line.startswith("Deleted ") else "new"
        line = line.removeprefix("Deleted ")
        if m := re.match(r"(\d+): ([^:@\s]+)(@\S+)?: <", line):
            if m[2] in ("v0", "v1"):
                out["link"].append((kind, m[2]))
        elif m := re.match(r"(\d+): (\S+)\s+inet6? (\S+)", line):
            out["addr"].append((kind, int(m[1]), m[3]))
        elif " dev v0 " in line + " ":
            words = line.split()
            typ, dst = (words[0], words[1]) if words[0] in IP_TYPES else ("unicast", words[0])
            out["route"].append((kind, typ, dst))
    return out


def ynl_events(lines, what, v0):
    """nlpp-ynl's JSON lines -> the same tuples as ip_events() for WHAT."""
    out = []
    for line in lines:
        n = json.loads(line)
        kind, msg = ("del" if n["name"].startswith("del") else "new"), n["msg"]
        if what == "link" and msg.get("ifname") in ("v0", "v1"):
            out.append((kind, msg["ifname"]))
        elif what == "addr":
            local, address = named("rt-addr", "local", "ifa-local"), named("rt-addr", "address", "ifa-address")
            out.append((kind, msg["ifa-index"], f"{msg.get(local, msg.get(address))}/{msg['ifa-prefixlen']}"))
        elif what == "route" and msg.get(named("rt-route", "oif", "rta-oif")) == v0:
            dst, plen = msg.get(named("rt-route", "dst", "rta-dst")), msg["rtm-dst-len"]
            text = "default" if dst is None else dst if plen == (32 if msg["rtm-family"] == 2 else 128) else f"{dst}/{plen}"
            typ = msg["rtm-type"]
            out.append((kind, RTN_TYPES.get(typ, typ), text))
    return out


def passes_through(states, seen):
    """True when SEEN (the kernel's states after each step) occur in order in
    STATES (those the events describe, one after another), ending alike."""
    def dedup(xs):
        return [x for i, x in enumerate(xs) if i == 0 or x != xs[i - 1]]
    states, seen = dedup(states), dedup(seen)
    it = iter(states)
    return all(any(s == want for s in it) for want in seen) and states[-1] == seen[-1]


def replay(events, start, step):
    """The states after each event, from START, each made by STEP(state, event)."""
    states = [start]
    for e in events:
        states.append(step(states[-1], e))
    return states


def kernel_state(ns):
    """(v0 exists, v0 up, 10.0.0.1/24 on v0, route 10.1.0.0/24) per `ip -j`."""
    links = {l["ifname"]: l for l in json.loads(run(["ip", "-n", ns, "-j", "link"]).stdout)}
    addrs = json.loads(run(["ip", "-n", ns, "-j", "-4", "addr"]).stdout)
    routes = json.loads(run(["ip", "-n", ns, "-j", "-4", "route"]).stdout)
    return ("v0" in links, "UP" in links.get("v0", {}).get("flags", []),
            any(a["local"] == "10.0.0.1" for l in addrs for a in l.get("addr_info", [])),
            any(r["dst"] == "10.1.0.0/24" for r in routes))


def route_spec(tmp):
    """rt-route's spec with the IPv4 and IPv6 route groups (RTNLGRP_IPV4_ROUTE
    7, RTNLGRP_IPV6_ROUTE 11) when it has none, as a temporary copy."""
    text = open(spec_file("rt-route")).read()
    if "\nmcast-groups:" in text:
        return ["--family", "rt-route"]
    p = run([YNL, "--family", "rt-route", "--subscribe", "all"], ok=False)
    check("--subscribe all on a spec without groups: clear error",
          p.returncode == 2 and "rt-route has no multicast groups" in p.stderr, p.stderr)
    path = os.path.join(tmp, "rt-route.yaml")
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\nmcast-groups:\n  list:\n    -\n      name: rtnlgrp-ipv4-route\n      value: 7\n"
                "    -\n      name: rtnlgrp-ipv6-route\n      value: 11\n")
    return ["--spec", path]


def test_same_as_ip_monitor():
    with Netns("nlpp-mon", still_ipv6=True) as ns, tempfile.TemporaryDirectory() as tmp:
        link = ynl_listener(ns, ["--family", "rt-link"], "all")
        addr = ynl_listener(ns, ["--family", "rt-addr"], "rtnlgrp-ipv4-ifaddr", "rtnlgrp-ipv6-ifaddr")
        route = ynl_listener(ns, route_spec(tmp), "all")
        plain = ynl_listener(ns, ["--family", "rt-link"], "rtnlgrp-link", json_lines=False)
        netdev = ynl_listener(ns, ["--family", "netdev"], "all") if spec_file("netdev") else None
        ipmon = Listener(["ip", "-n", ns, "monitor", "link", "address", "route"])
        for k in range(50):  # ip monitor listens once it reports a change of lo
            run(["ip", "-n", ns, "link", "set", "lo", "alias", f"sync{k}"])
            time.sleep(0.1)
            if any(": lo: <" in l for l in ipmon.lines):
                break
        steps = [["link", "add", "v0", "type", "veth", "peer", "name", "v1"], ["link", "set", "v0", "up"],
                 ["addr", "add", "10.0.0.1/24", "dev", "v0"], ["route", "add", "10.1.0.0/24", "dev", "v0"],
                 ["route", "del", "10.1.0.0/24", "dev", "v0"], ["addr", "del", "10.0.0.1/24", "dev", "v0"],
                 ["link", "del", "v0"]]
        seen = [kernel_state(ns)]
        v0 = None
        for s in steps:
            run(["ip", "-n", ns, *s])
            seen.append(kernel_state(ns))
            if v0 is None:
                v0 = json.loads(run(["ip", "-n", ns, "-j", "link", "show", "v0"]).stdout)[0]["ifindex"]
        deadline = time.time() + 10  # until every listener has as many events as ip monitor
        while time.time() < deadline:
            theirs = ip_events(ipmon.lines)
            if (("del", "v1") in theirs["link"] and len(ynl_events(link.lines, "link", v0)) == len(theirs["link"])
                    and len(ynl_events(addr.lines, "addr", v0)) == len(theirs["addr"])
                    and len(ynl_events(route.lines, "route", v0)) == len(theirs["route"])):
                break
            time.sleep(0.1)
        time.sleep(0.3)  # anything more would show now
        ipmon.stop(signal.SIGTERM)
        theirs = ip_events(ipmon.lines)
        stopped = {"rt-link": link.stop(signal.SIGINT), "rt-addr": addr.stop(signal.SIGINT),
                   "rt-route": route.stop(signal.SIGINT), "rt-link plain": plain.stop(signal.SIGTERM)}
        for name, (rc, err) in stopped.items():
            check(f"{name}: SIGINT/SIGTERM -> exit 0, nothing on stderr", rc == 0 and not err, f"{rc} {err}")
        check("ip monitor saw the changes", len(theirs["link"]) >= 4 and len(theirs["addr"]) == 2 and len(theirs["route"]) >= 4, theirs)
        for what, l in (("link", link), ("addr", addr), ("route", route)):
            mine = ynl_events(l.lines, what, v0)
            check(f"{what} events as ip monitor's, same order", mine == theirs[what], f"\n{mine}\n{theirs[what]}")
        dec, objs, rest = json.JSONDecoder(), [], plain.raw.strip()
        while rest:  # plain output: one indented JSON object per notification
            o, end = dec.raw_decode(rest)
            objs.append(o)
            rest = rest[end:].strip()
        mine = ynl_events([json.dumps(o) for o in objs], "link", v0)
        check("plain output: indented {name, msg} objects, the same link events", mine == theirs["link"] and "\n  " in plain.raw,
              f"{mine} {plain.raw[:300]}")

        def link_step(state, e):
            n = json.loads(e)
            if n["msg"].get("ifname") != "v0":
                return state
            if n["name"].startswith("del"):
                return (False, False)
            flags = n["msg"]["ifi-flags"]
            return (True, "up" in flags if isinstance(flags, list) else bool(flags & 1))

        states = replay(link.lines, (False, False), link_step)
        check("link states pass through the kernel's", passes_through(states, [s[:2] for s in seen]), f"{states} {seen}")
        for i, what, l, mine in ((2, "addr", addr, (v0, "10.0.0.1/24")), (3, "route", route, ("unicast", "10.1.0.0/24"))):
            events = [e for e in ynl_events(l.lines, what, v0) if e[1:] == mine]
            states = replay(events, False, lambda _, e: e[0] == "new")
            check(f"{what} states pass through the kernel's", passes_through(states, [s[i] for s in seen]), f"{states} {seen}")
        if netdev:
            rc, err = netdev.stop(signal.SIGINT)
            mine = [("del" if json.loads(l)["name"] == "dev-del-ntf" else "new", json.loads(l)["msg"]["ifindex"])
                    for l in netdev.lines if json.loads(l)["name"] in ("dev-add-ntf", "dev-del-ntf")]
            ipidx = []
            for line in ipmon.lines:  # each link's first appearance and its deletion, by index
                if m := re.match(r"(Deleted )?(\d+): (v[01])(@\S+)?: <", line):
                    e = ("del" if m[1] else "new", int(m[2]))
                    if e[0] == "del" or e not in ipidx:
                        ipidx.append(e)
            check("netdev --subscribe all (genetlink): links added and removed as ip monitor saw them",
                  rc == 0 and mine == ipidx, f"{rc} {err} {mine} {ipidx}")
        elif CI:
            check(f"netdev spec in {SPECS}", False)
        else:
            record_not_run("ynl.monitor", 1, "the netdev spec")


def test_unknown_group():
    p = run([YNL, "--family", "rt-link", "--subscribe", "rtnlgrp-link", "--subscribe", "nosuch"], ok=False)
    check("unknown group: named, the spec's groups listed",
          p.returncode == 1 and "has no multicast group 'nosuch' (it has: rtnlgrp-link, rtnlgrp-stats)" in p.stderr, p.stderr)


def test_duration_and_burst():
    """--duration ends on time with status 0; a SIGINT in the middle of a burst
    leaves whole lines only."""
    with Netns("nlpp-mon") as ns:
        t = time.time()
        l = Listener([YNL, "--family", "rt-link", "--netns", ns, "--subscribe", "rtnlgrp-link", "--duration", "1", "--output-json"])
        l.p.stderr.readline()
        run(["ip", "-n", ns, "link", "set", "lo", "alias", "during"])
        rc = l.p.wait(timeout=10)
        l.thread.join(timeout=10)
        took = time.time() - t
        check("--duration 1: exit 0 after about 1 s", rc == 0 and 0.9 <= took < 5, f"{rc} {took:.2f}")
        check("--duration 1: the change seen", any('"ifalias":"during"' in x for x in l.lines), l.raw)

        l = ynl_listener(ns, ["--family", "rt-link"], "rtnlgrp-link")
        burst = subprocess.Popen(["ip", "-n", ns, "-batch", "-"], stdin=subprocess.PIPE, text=True)
        burst.stdin.write("".join(f"link set lo alias burst{k}\n" for k in range(3000)))
        burst.stdin.close()
        while len(l.lines) < 100 and burst.poll() is None:
            time.sleep(0.01)
        rc, err = l.stop(signal.SIGINT)
        burst.wait(timeout=60)
        whole = l.raw.endswith("\n") and all(json.loads(x)["name"] for x in l.lines)
        check("SIGINT during a burst: exit 0, whole JSON lines", rc == 0 and whole and len(l.lines) >= 1,
              f"{rc} {err} {len(l.lines)} {l.raw[-200:]}")

        # Stopped while 3,000 changes come, the listener's receive buffer (the
        # kernel's default) overruns: it says so once and goes on listening.
        l = ynl_listener(ns, ["--family", "rt-link"], "rtnlgrp-link")
        l.p.send_signal(signal.SIGSTOP)
        run(["ip", "-n", ns, "-batch", "-"], stdin="".join(f"link set lo alias lost{k}\n" for k in range(3000)))
        l.p.send_signal(signal.SIGCONT)
        count, deadline = -1, time.time() + 10
        while len(l.lines) != count and time.time() < deadline:  # until it has read what was kept
            count = len(l.lines)
            time.sleep(0.3)
        run(["ip", "-n", ns, "link", "set", "lo", "alias", "after"])
        deadline = time.time() + 10
        while time.time() < deadline and not any('"ifalias":"after"' in x for x in l.lines):
            time.sleep(0.05)
        rc, err = l.stop(signal.SIGINT)
        lost = [x for x in err.splitlines() if "notifications were lost" in x]
        check("overrun: one line on stderr, then listening goes on", rc == 0 and len(lost) == 1
              and len(err.splitlines()) == 1 and 0 < len(l.lines) < 3000 and '"ifalias":"after"' in l.lines[-1],
              f"{rc} {err} {len(l.lines)}")


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        sys.exit(1 if CI else 0)
    missing = [f for f in ("rt-link", "rt-addr", "rt-route") if not spec_file(f)]
    if missing:
        if CI:
            check(f"{', '.join(missing)} specs in {SPECS}", False)
        else:
            record_not_run("ynl.monitor", "all", f"the {', '.join(missing)} specs")
        sys.exit(report("nlpp-ynl monitor"))
    for t in (test_same_as_ip_monitor, test_unknown_group, test_duration_and_burst):
        try:
            t()
        except Exception as e:  # a failed command: report and go on
            check(t.__name__, False, repr(e))
    sys.exit(report("nlpp-ynl monitor"))
