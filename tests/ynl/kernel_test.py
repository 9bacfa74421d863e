#!/usr/bin/env python3
"""nlpp-ynl against the real kernel, each group in a network namespace it
creates: rt-link, rt-addr, rt-route, tc, netdev, ethtool, nlctrl, conntrack
and nftables, compared with iproute2, tc, ethtool, conntrack and nft; the
kernel's own pyynl as an oracle for the same dumps; notifications.

    kernel_test.py PATH/TO/nlpp-ynl
Needs root. pyynl comes from scripts/kernel-specs.sh; without it (and not
under CI=true) the oracle checks skip with a message.
"""
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from specs import CI, SPECS, record_not_run, spec_file, spec_says  # noqa: E402
from harness import Netns, check, ifindex, report, run  # noqa: E402

YNL = sys.argv[1]
PYYNL = "/usr/local/share/ynl/pyynl/cli.py"
not_run = []


def needs_spec(family, checks):
    """True when the family's spec is here; otherwise its CHECKS are counted as
    not run, or fail under CI=true."""
    if spec_file(family):
        return True
    if CI:
        check(f"{family} spec in {SPECS}", False)
    else:
        not_run.append(checks)
        record_not_run("ynl.kernel", checks, f"the {family} spec")
    return False


def needs_op(family, op, mode, checks):
    """True when the family's spec has OP with MODE ("dump"); else as needs_spec."""
    if spec_file(family) and op in ops_with(family, mode):
        return True
    if CI:
        check(f"{family} spec with a {op} {mode}", False)
    else:
        not_run.append(checks)
        record_not_run("ynl.kernel", checks, f"a {family} spec whose {op} has a {mode}")
    return False


def ops_with(family, mode):
    import yaml
    spec = yaml.safe_load(open(spec_file(family)))
    return {o["name"] for o in spec.get("operations", {}).get("list", []) if mode in o}


def named(family, new, old):
    """An attribute's name: upstream's NEW, or OLD in Debian's older spec."""
    return new if spec_says(family, f"name: {new}\n") else old


def ynl(ns, family, *args, ok=True):
    """Runs nlpp-ynl with --output-json; returns the decoded lines."""
    p = run([YNL, "--family", family, "--netns", ns, "--output-json", *args], ok=ok)
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()], p


def test_rt_link():
    with Netns("nlpp-ynl") as ns:
        def new(j, *flags):
            return ynl(ns, "rt-link", "--do", "newlink", "--create", "--excl", *flags, "--json", json.dumps(j))

        new({"ifname": "va", "linkinfo": {"kind": "veth"}})
        new({"ifname": "br1", "mtu": 1400, "linkinfo": {"kind": "bridge", "data": {"stp-state": 1, "forward-delay": 800}}})
        new({"ifname": "mv0", "link": ifindex(ns, "br1"), "linkinfo": {"kind": "macvlan"}})
        # vxlan has no format in the spec: its data goes as raw attributes (id 42, port 4789).
        new({"ifname": "vx0", "linkinfo": {"kind": "vxlan", "data": "080001002a000000" "06000f0012b50000"}})
        links, _ = ynl(ns, "rt-link", "--dump", "getlink")
        ip = {l["ifname"]: l for l in json.loads(run(["ip", "-n", ns, "-d", "-j", "link", "show"]).stdout)}
        mine = {l["ifname"]: l for l in links}
        check("rt-link: same links as ip", set(mine) == set(ip), f"{sorted(mine)} vs {sorted(ip)}")
        for name, l in mine.items():
            i = ip.get(name, {})
            check(f"rt-link {name}: mtu, address, index", (l["mtu"], l.get("address"), l["ifi-index"]) ==
                  (i.get("mtu"), i.get("address"), i.get("ifindex")), f"{l.get('mtu')} {i.get('mtu')}")
            kind = i.get("linkinfo", {}).get("info_kind")
            check(f"rt-link {name}: kind", l.get("linkinfo", {}).get("kind") == kind)
        bd, ibd = mine["br1"]["linkinfo"]["data"], ip["br1"]["linkinfo"]["info_data"]
        check("rt-link bridge data (sub-message)", (bd["stp-state"], bd["forward-delay"]) == (ibd["stp_state"], ibd["forward_delay"]),
              f"{bd} vs {ibd}")
        check("rt-link vxlan data kept raw", "080001002a000000" in mine["vx0"]["linkinfo"]["data"])
        check("rt-link vxlan id", ip["vx0"]["linkinfo"]["info_data"]["id"] == 42)
        check("rt-link veth peer", "veth0" in mine)
        # Errors: extack path by name, a check enforced before sending, exit codes.
        p = run([YNL, "--family", "rt-link", "--netns", ns, "--do", "newlink", "--create", "--json",
                 json.dumps({"ifname": "x" * 20, "linkinfo": {"kind": "bridge"}})], ok=False)
        check("rt-link: kernel error names the attribute", p.returncode == 1 and "bad attribute: .ifname" in p.stderr, p.stderr)
        p = run([YNL, "--family", "rt-link", "--netns", ns, "--do", "newlink", "--json", '{"txqlen": 99999}'], ok=False)
        check("rt-link: spec check before sending", p.returncode == 1 and ".txqlen: 99999 is above the maximum 32767" in p.stderr, p.stderr)
        p = run([YNL, "--family", "rt-link", "--netns", ns, "--do", "newlink", "--json", '{"mtu": }'], ok=False)
        check("rt-link: bad JSON", p.returncode == 2 and "not valid JSON" in p.stderr, p.stderr)
        ynl(ns, "rt-link", "--do", "dellink", "--json", '{"ifname": "br1"}')
        check("rt-link: dellink", run(["ip", "-n", ns, "link", "show", "br1"], ok=False).returncode != 0)
        got, _ = ynl(ns, "rt-link", "--do", "getlink", "--json", '{"ifname": "va"}')
        check("rt-link: getlink do", len(got) == 1 and got[0]["ifname"] == "va")


def test_rt_addr_route():
    with Netns("nlpp-ynl") as ns:
        run(["ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        run(["ip", "-n", ns, "link", "set", "va", "up"])
        idx = ifindex(ns, "va")
        local, address = named("rt-addr", "local", "ifa-local"), named("rt-addr", "address", "ifa-address")
        for fam, addr, plen in ((2, "10.1.0.1", 24), (10, "2001:db8::1", 64)):
            ynl(ns, "rt-addr", "--do", "newaddr", "--create", "--json", json.dumps(
                {"ifa-family": fam, "ifa-prefixlen": plen, "ifa-flags": ["nodad"] if fam == 10 else [], "ifa-index": idx,
                 local: addr, address: addr}))
        addrs, _ = ynl(ns, "rt-addr", "--dump", "getaddr")
        mine = {(a["ifa-index"], a.get(local, a.get(address)), a["ifa-prefixlen"]) for a in addrs}
        theirs = {(l["ifindex"], a["local"], a["prefixlen"]) for l in json.loads(run(["ip", "-n", ns, "-j", "addr"]).stdout)
                  for a in l["addr_info"]}
        check("rt-addr: same addresses as ip -j addr", mine == theirs, f"{mine} vs {theirs}")
        ynl(ns, "rt-addr", "--do", "deladdr", "--json", json.dumps(
            {"ifa-family": 2, "ifa-prefixlen": 24, "ifa-index": idx, local: "10.1.0.1", address: "10.1.0.1"}))
        check("rt-addr: deladdr", "10.1.0.1" not in run(["ip", "-n", ns, "addr"]).stdout)

        dst_, oif, table = (named("rt-route", n, "rta-" + n) for n in ("dst", "oif", "table"))
        for fam, dst, plen in ((2, "192.0.2.0", 24), (10, "2001:db8:1::", 48)):
            ynl(ns, "rt-route", "--do", "newroute", "--create", "--json", json.dumps(
                {"rtm-family": fam, "rtm-dst-len": plen, "rtm-table": 254, "rtm-protocol": 4, "rtm-scope": 253 if fam == 2 else 0,
                 "rtm-type": "unicast", dst_: dst, oif: idx}))
        routes, _ = ynl(ns, "rt-route", "--dump", "getroute", "--json", '{"rtm-family": 0}')
        mine = {(r[dst_], r["rtm-dst-len"]) for r in routes if r.get(table) == 254 and dst_ in r}
        theirs = set()
        for v in ("-4", "-6"):
            for r in json.loads(run(["ip", "-n", ns, v, "-j", "route", "show", "table", "main"]).stdout):
                if r["dst"] != "default":
                    d = ipaddress.ip_network(r["dst"])
                    theirs.add((str(d.network_address), d.prefixlen))
        check("rt-route: same routes as ip -j route", mine == theirs, f"{mine} vs {theirs}")
        ynl(ns, "rt-route", "--do", "delroute", "--json", json.dumps(  # scope "nowhere" matches any scope
            {"rtm-family": 2, "rtm-dst-len": 24, "rtm-table": 254, "rtm-scope": 255, dst_: "192.0.2.0", oif: idx}))
        check("rt-route: delroute", "192.0.2.0" not in run(["ip", "-n", ns, "route"]).stdout)


def test_tc():
    with Netns("nlpp-ynl") as ns:
        run(["ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        va, vb = ifindex(ns, "va"), ifindex(ns, "vb")

        def tc(op, j, *flags):
            return ynl(ns, "tc", "--do", op, "--create", *flags, "--json", json.dumps(j))

        tc("newqdisc", {"family": 0, "ifindex": va, "handle": 0x10000, "parent": 0xFFFFFFFF, "kind": "htb",
                        "options": {"init": {"version": 3, "rate2quantum": 10, "defcls": 0x10}}}, "--excl")
        tc("newqdisc", {"family": 0, "ifindex": vb, "handle": 0x20000, "parent": 0xFFFFFFFF, "kind": "tbf",
                        "options": {"parms": {"rate": {"rate": 125000}, "limit": 10000, "buffer": 80000000, "mtu": 1514},
                                    "burst": 10000}}, "--excl")
        tc("newqdisc", {"family": 0, "ifindex": va, "handle": 0xFFFF0000, "parent": 0xFFFFFFF1, "kind": "ingress"}, "--excl")
        # A u32 filter on htb: match ip dst 192.0.2.1/32, class 1:10.
        tc("newtfilter", {"family": 0, "ifindex": va, "handle": 0, "parent": 0x10000, "info": (1 << 16) | 0x0008, "kind": "u32",
                          "options": {"classid": 0x10010,
                                      "sel": {"flags": 1, "nkeys": 1,
                                              "keys": {"mask": 0xFFFFFFFF, "val": 0xC0000201, "off": 16, "offmask": 0}}}})
        if not needs_op("tc", "getqdisc", "dump", 5):
            return
        qd, _ = ynl(ns, "tc", "--dump", "getqdisc")
        theirs = json.loads(run(["tc", "-n", ns, "-j", "qdisc", "show"]).stdout)
        mine = {(q["ifindex"], q["kind"], q["handle"]) for q in qd}
        theirs_set = {(ifindex(ns, q["dev"]), q["kind"], int(q["handle"].split(":")[0] or "0", 16) << 16) for q in theirs}
        check("tc: same qdiscs as tc -j qdisc", mine == theirs_set, f"{mine} vs {theirs_set}")
        tbf = next(q for q in qd if q["kind"] == "tbf")
        ttbf = next(q for q in theirs if q["kind"] == "tbf")
        rate = tbf["options"]["parms"]["rate"]["rate"]
        check("tc: tbf rate in the nested tc-ratespec struct", rate == 125000, f"{tbf['options']} vs {ttbf.get('options')}")
        check("tc: tbf limit after the ratespecs", tbf["options"]["parms"]["limit"] == 10000, f"{tbf['options']}")
        htb = next(q for q in qd if q["kind"] == "htb")
        check("tc: htb default class", htb["options"]["init"]["defcls"] == 0x10, f"{htb['options']}")
        fl, _ = ynl(ns, "tc", "--dump", "gettfilter", "--json", json.dumps({"family": 0, "ifindex": va, "parent": 0x10000}))
        tfl = json.loads(run(["tc", "-n", ns, "-j", "filter", "show", "dev", "va"]).stdout)
        u32 = [f for f in fl if f.get("kind") == "u32" and "classid" in f.get("options", {})]
        check("tc: u32 filter dumped", len(u32) == 1 and u32[0]["options"]["classid"] == 0x10010, f"{fl}")
        check("tc: same number of filters as tc -j filter", len(fl) == len(tfl), f"{len(fl)} vs {len(tfl)}")
        check("tc: u32 key", u32 and u32[0]["options"]["sel"]["keys"]["val"] == 0xC0000201, f"{u32}")


def test_genetlink():
    with Netns("nlpp-ynl") as ns:
        run(["ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        devs, _ = ynl(ns, "netdev", "--dump", "dev-get")
        links = {l["ifindex"] for l in json.loads(run(["ip", "-n", ns, "-j", "link"]).stdout)}
        check("netdev: dev-get lists every link", {d["ifindex"] for d in devs} == links, f"{devs}")
        feats, _ = ynl(ns, "ethtool", "--do", "features-get", "--json", '{"header": {"dev-name": "va"}}')
        active = {b["name"] for b in feats[0]["active"]["bits"]["bit"]} if feats and "bits" in feats[0].get("active", {}) else set()
        on = {l.split(":")[0].strip() for l in run(["ethtool", "-k", "va"], ns=ns).stdout.splitlines() if ": on" in l}
        legacy = {"rx-checksum": "rx-checksumming", "tx-generic-segmentation": "generic-segmentation-offload",
                  "rx-gro": "generic-receive-offload", "rx-vlan-hw-parse": "rx-vlan-offload", "tx-vlan-hw-insert": "tx-vlan-offload"}
        active = {legacy.get(n, n) for n in active}
        check("ethtool: active features as ethtool -k", active and active <= on, f"{sorted(active - on)}")
        info, _ = ynl(ns, "ethtool", "--do", "linkinfo-get", "--json", '{"header": {"dev-name": "va"}}')
        check("ethtool: linkinfo header", info and info[0]["header"]["dev-name"] == "va", f"{info}")
        fams, _ = ynl(ns, "nlctrl", "--dump", "getfamily")
        genl = {l.split()[1] for l in run(["genl", "ctrl", "list"], ns=ns).stdout.splitlines() if l.startswith("Name:")}
        check("nlctrl: same families as genl ctrl list", {f["family-name"] for f in fams} == genl,
              f"{sorted({f['family-name'] for f in fams} ^ genl)}")
        p = run([YNL, "--family", "netdev", "--netns", ns, "--do", "dev-get"], ok=False)
        check("netdev: missing attribute named", p.returncode == 1 and "missing attribute: .ifindex" in p.stderr, p.stderr)
        pol = run([YNL, "--family", "netdev", "--do", "dev-get", "--policy", "--output-json"])
        check("--policy names attributes", json.loads(pol.stdout).get("ifindex", {}).get("type") == "u32", pol.stdout)


def test_conntrack_nftables():
    with Netns("nlpp-ynl") as ns:
        # nftables: table and chain in one batch.
        out, p = ynl(ns, "nftables", "--multi", "batch-begin", '{"res-id": 10}',
                     "--multi", "newtable", '{"nfgen-family": 2, "name": "t"}',
                     "--multi", "newchain", json.dumps({"nfgen-family": 2, "table": "t", "name": "c", "type": "filter",
                                                         "hook": {"num": 3, "priority": 0}}),
                     "--multi", "batch-end", '{"res-id": 10}')
        rs = json.loads(run(["nft", "-j", "list", "ruleset"], ns=ns).stdout)["nftables"]
        check("nftables: batch made the table", any(o.get("table", {}).get("name") == "t" for o in rs), f"{rs}")
        check("nftables: and the chain", any(o.get("chain", {}).get("name") == "c" and o["chain"].get("hook") == "output" for o in rs),
              f"{rs}")
        if needs_op("nftables", "gettable", "dump", 1):
            tables, _ = ynl(ns, "nftables", "--dump", "gettable", "--json", '{"nfgen-family": 2}')
            check("nftables: gettable dump", [t["name"] for t in tables] == ["t"], f"{tables}")
        p = run([YNL, "--family", "nftables", "--netns", ns, "--multi", "batch-begin", '{"res-id": 10}', "--multi", "newchain",
                 '{"nfgen-family": 2, "table": "nosuch", "name": "c"}', "--multi", "batch-end", '{"res-id": 10}'], ok=False)
        check("nftables: failing batch names the request", p.returncode == 1 and "request 2: newchain do: No such file" in p.stderr
              and "bad attribute: .table" in p.stderr and "request 3: batch-end do: not answered; request 2 of the batch failed first" in p.stderr,
              p.stderr)
        # conntrack: a rule that tracks, then one UDP datagram makes an entry.
        if not needs_spec("conntrack", 2):
            return
        run(["nft", "add", "rule", "ip", "t", "c", "ct", "state", "new", "counter"], ns=ns)
        run([sys.executable, "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))"], ns=ns)
        ct, _ = ynl(ns, "conntrack", "--dump", "get", "--json", '{"nfgen-family": 2}')
        tool = run(["conntrack", "-L"], ns=ns).stdout
        udp = [c for c in ct if c.get("tuple-orig", {}).get("tuple-proto", {}).get("proto-num") == 17]
        check("conntrack: the datagram's entry", len(udp) == 1 and udp[0]["tuple-orig"]["tuple-ip"]["ip-v4-dst"] == "127.0.0.1" and
              udp[0]["tuple-orig"]["tuple-proto"]["proto-dst-port"] == 9, f"{ct}")
        check("conntrack: as many entries as conntrack -L", len(ct) == len([l for l in tool.splitlines() if l.strip()]), f"{tool}")


def normal(v):
    """pyynl's output made comparable: flag sets are unordered, and the 6.12
    pyynl shows ipv4-or-v6 addresses as hex."""
    if isinstance(v, dict):
        return {k: normal(x) for k, x in v.items()}
    if isinstance(v, list):
        items = [normal(x) for x in v]
        return sorted(items) if all(isinstance(x, str) for x in items) else items
    return v


def same(a, b):
    if isinstance(a, str) and isinstance(b, str) and a != b and len(a) in (8, 32):
        try:
            return str(ipaddress.ip_address(bytes.fromhex(a))) == b
        except ValueError:
            return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_pyynl_oracle():
    if not os.path.exists(PYYNL):
        if CI:
            check("pyynl present (scripts/kernel-specs.sh)", False)
        else:
            print(f"SKIP pyynl oracle: {PYYNL} missing (run scripts/kernel-specs.sh)")
        return
    with Netns("nlpp-ynl") as ns:
        # A quiet fixture: no traffic, no DAD, so both dumps see the same state.
        run(["ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb"])
        run(["ip", "-n", ns, "addr", "add", "10.2.0.1/24", "dev", "va"])
        run(["ip", "-n", ns, "addr", "add", "2001:db8::5/64", "dev", "lo", "nodad"])
        run(["ip", "-n", ns, "route", "add", "192.0.2.0/24", "dev", "lo"])
        run(["ip", "-n", ns, "-6", "route", "add", "2001:db8:5::/48", "dev", "lo"])
        for family, op, req in (("rt-link", "getlink", {}), ("rt-addr", "getaddr", {}), ("rt-route", "getroute", {}),
                                ("netdev", "dev-get", {}), ("nlctrl", "getfamily", {})):
            spec = spec_file(family)
            py = run(["ip", "netns", "exec", ns, sys.executable, PYYNL, "--spec", spec, "--no-schema", "--dump", op, "--json", json.dumps(req),
                      "--output-json", "--process-unknown"])
            theirs = normal(json.loads(py.stdout))
            mine, _ = ynl(ns, family, "--dump", op, "--json", json.dumps(req), "--process-unknown")
            mine = normal(mine)
            if family == "rt-link":  # counters move between the two dumps
                for l in theirs + mine:
                    for k in ("stats", "stats64", "af-spec"):
                        l.pop(k, None)
            diff = [(a, b) for a, b in zip(theirs, mine) if not same(a, b)]
            check(f"pyynl oracle: {family} {op}", len(theirs) == len(mine) and not diff, f"{len(theirs)} vs {len(mine)}: {diff[:1]}")


def test_notifications():
    with Netns("nlpp-ynl") as ns:
        listen = subprocess.Popen(["ip", "netns", "exec", ns, YNL, "--family", "rt-link", "--subscribe", "rtnlgrp-link", "--duration", "3",
                                   "--output-json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        gl = subprocess.Popen(["ip", "netns", "exec", ns, YNL, "--family", "netdev", "--subscribe", "mgmt", "--duration", "3",
                               "--output-json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for p in (listen, gl):  # subscribed once they say so
            line = p.stderr.readline()
            check("listener says it listens", "listening to" in line, line)
        run(["ip", "-n", ns, "link", "add", "nv0", "type", "veth", "peer", "name", "nv1"])
        out, err = listen.communicate(timeout=10)
        msgs = [json.loads(l) for l in out.splitlines()]
        check("rt-link notification for the new link", any(m["msg"].get("ifname") == "nv0" for m in msgs), f"{out} {err}")
        out, err = gl.communicate(timeout=10)
        msgs = [json.loads(l) for l in out.splitlines()]
        check("netdev (genetlink group) notification", any(m["name"] == "dev-add-ntf" for m in msgs), f"{out} {err}")
        p = run([YNL, "--family", "rt-link", "--subscribe", "nosuch"], ok=False)
        check("unknown group listed", "has no multicast group 'nosuch' (it has: rtnlgrp-link, rtnlgrp-stats)" in p.stderr, p.stderr)


def test_permissions():
    """Without CAP_NET_ADMIN, changes fail naming the capability and leave
    nothing behind; reads keep working."""
    drop = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin"]
    with Netns("nlpp-ynl") as ns:
        p = run(drop + [YNL, "--family", "rt-link", "--netns", ns, "--do", "newlink", "--create", "--json",
                        '{"ifname": "br9", "linkinfo": {"kind": "bridge"}}'], ok=False)
        check("no CAP_NET_ADMIN: newlink names the capability", p.returncode == 1 and "needs CAP_NET_ADMIN" in p.stderr, p.stderr)
        check("no CAP_NET_ADMIN: nothing created", run(["ip", "-n", ns, "link", "show", "br9"], ok=False).returncode != 0)
        p = run(drop + [YNL, "--family", "nftables", "--netns", ns, "--multi", "batch-begin", '{"res-id": 10}', "--multi", "newtable",
                        '{"nfgen-family": 2, "name": "t"}', "--multi", "batch-end", '{"res-id": 10}'], ok=False)
        check("no CAP_NET_ADMIN: nftables batch names the capability", p.returncode == 1 and "needs CAP_NET_ADMIN" in p.stderr, p.stderr)
        check("no CAP_NET_ADMIN: no table", "table" not in run(["nft", "list", "ruleset"], ns=ns).stdout)
        p = run(drop + [YNL, "--family", "rt-link", "--netns", ns, "--dump", "getlink", "--output-json"], ok=False)
        check("no CAP_NET_ADMIN: dumps still work", p.returncode == 0 and '"ifname":"lo"' in p.stdout, p.stderr)


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("SKIP: needs root (network namespaces)")
        sys.exit(1 if CI else 0)
    for t in (test_rt_link, test_rt_addr_route, test_tc, test_genetlink, test_conntrack_nftables, test_pyynl_oracle, test_notifications,
              test_permissions):
        try:
            t()
        except Exception as e:  # a failed command: report and go on
            check(t.__name__, False, repr(e))
    sys.exit(report("nlpp-ynl kernel tests", f", {sum(not_run)} skipped" if not_run else ""))
