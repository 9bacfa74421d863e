#!/usr/bin/env python3
"""What the spec engine does with what its spec does not know, against a
real kernel reply in a network namespace this test creates: nlpp-ynl
decodes a getroute dump with a copy of rt-route's spec (made in a temp dir)
from which the attribute priority and the rtm-type entry blackhole (with the
entries after it) were removed. The unknown enum value comes out as its
number and the unknown attribute, with --process-unknown, as
"UnknownAttr(6)" with its raw bytes; without that flag the attribute is
skipped. Neither is an error. The numbers are checked against `ip -j route`
(the metric) and, for the route type ip names "blackhole", RTN_BLACKHOLE's
place in the kernel's UAPI header linux/rtnetlink.h.

    unknown_test.py PATH/TO/nlpp-ynl
Needs root. The spec: rt-route.yaml or rt_route.yaml (Debian 6.12's name)
where tests/support/specs.py finds the kernel's specs; both sets work.
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from specs import SPECS, spec_file  # noqa: E402
from harness import check, report, run  # noqa: E402

YNL = sys.argv[1]
NS = f"nlpp-unknown-{os.getpid()}"


def rt_route_spec():
    path = spec_file("rt-route")
    if not path:
        sys.exit(f"no rt-route.yaml or rt_route.yaml in {SPECS!r} (NLPP_KERNEL_SPECS; scripts/kernel-specs.sh)")
    return path


def without_priority_and_blackhole(text):
    """RTA_PRIORITY (6) leaves route-attrs (prefsrc, listed after it, keeps its
    number 7) and the operations' lists; rtm-type keeps unspec..multicast (0..5).
    The 6.12 spec names the attributes rta-priority, rta-prefsrc..."""
    p = "rta-" if "name: rta-priority\n" in text else ""
    prio = f"      -\n        name: {p}priority\n        type: u32\n      -\n        name: {p}prefsrc\n"
    assert prio in text, "rt-route spec: priority is not followed by prefsrc"
    text = text.replace(prio, f"      -\n        name: {p}prefsrc\n        value: 7\n", 1)
    text = re.sub(rf"\n +- {p}priority(?=\n)", "", text)
    types = re.search(r"\n      - multicast\n((      - \w+\n)+)", text)
    assert types and types[1].startswith("      - blackhole\n"), "rt-route spec: rtm-type has no blackhole after multicast"
    return p, text[:types.start(1)] + text[types.end(1):]


def rtn_blackhole():
    with open("/usr/include/linux/rtnetlink.h") as h:
        names = re.findall(r"\b(RTN_\w+),", re.search(r"RTN_UNSPEC,.*?__RTN_MAX", h.read(), re.S)[0])
    return names.index("RTN_BLACKHOLE")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "rt-route.yaml")
        with open(rt_route_spec()) as f:
            text = f.read()
        with open(spec, "w") as f:
            pre, edited = without_priority_and_blackhole(text)
            f.write(edited)
        run(["ip", "netns", "add", NS])
        try:
            run(["ip", "-n", NS, "link", "set", "lo", "up"])
            run(["ip", "-n", NS, "route", "add", "192.0.2.0/24", "dev", "lo", "metric", "77"])
            run(["ip", "-n", NS, "route", "add", "blackhole", "198.51.100.0/24"])
            ip = {r["dst"]: r for r in json.loads(run(["ip", "-n", NS, "-j", "route"]).stdout)}
            check("ip: metric 77", ip["192.0.2.0/24"].get("metric") == 77, str(ip))
            check("ip: blackhole", ip["198.51.100.0/24"].get("type") == "blackhole", str(ip))
            for unknown in (True, False):
                args = [YNL, "--spec", spec, "--dump", "getroute", "--json", '{"rtm-family": 2}', "--output-json",
                        "--netns", NS]
                p = run(args + ["--process-unknown"] * unknown, ok=False)
                how = "with --process-unknown" if unknown else "by default"
                check(f"{how}: decoded without error", p.returncode == 0 and not p.stderr, p.stderr)
                routes = {f"{r.get(pre + 'dst')}/{r.get('rtm-dst-len')}": r for r in map(json.loads, p.stdout.splitlines())}
                metric, blackhole = routes.get("192.0.2.0/24", {}), routes.get("198.51.100.0/24", {})
                check(f"{how}: both routes", metric and blackhole, str(routes.keys()))
                raw = metric.get("UnknownAttr(6)")
                if unknown:
                    check("UnknownAttr(6) is ip's metric", raw is not None and
                          int.from_bytes(bytes.fromhex(raw), sys.byteorder) == ip["192.0.2.0/24"]["metric"], str(metric))
                else:
                    check(f"{how}: unknown attribute skipped", raw is None and pre + "priority" not in metric, str(metric))
                check(f"{how}: known enum value by name", metric.get("rtm-type") == "unicast", str(metric))
                check(f"{how}: unknown enum value kept as RTN_BLACKHOLE", blackhole.get("rtm-type") == rtn_blackhole(),
                      str(blackhole))
        finally:
            run(["ip", "netns", "del", NS], ok=False)
    return report("ynl unknown")


sys.exit(main())
