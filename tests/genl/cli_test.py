#!/usr/bin/env python3
"""nlpp-genl against the host kernel, in a network namespace it creates:
`list`, `show NAME` and `policy NAME`, as text and as --json, compared with
iproute2's `genl ctrl list`, `genl ctrl get` and `genl ctrl policy`; the
policy types and masks genl 6.1 cannot name (uint, sint, mask) against the
kernel's own pyynl (nlctrl getpolicy dump); --netns errors.

    cli_test.py PATH/TO/nlpp-genl
Needs root. pyynl and its 6.12 nlctrl spec come from scripts/kernel-specs.sh;
without them (and not under CI=true) those checks skip with a message.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from harness import check, report, run  # noqa: E402

GENL = sys.argv[1]
PYYNL = "/usr/local/share/ynl/pyynl/cli.py"
NLCTRL_SPEC = "/usr/local/share/ynl/specs/nlctrl.yaml"  # the 6.12 one: pyynl 6.12 cannot read newer ones
CI = os.environ.get("CI") == "true"
NS = f"nlpp-genl-{os.getpid()}"


def ours(*args, ok=True):
    return run([GENL, "--netns", NS, *args], ok=ok)


def genl(*args, ok=True):
    return run(["ip", "netns", "exec", NS, "genl", "ctrl", *args], ok=ok)


def parse_families(text):
    """genl ctrl list/get text (nlpp-genl prints the same layout): name ->
    {id, version, hdrsize, maxattr, ops: [[id, flags or None]], groups: [[id, name]]}."""
    fams, cur, op = {}, None, None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("Name: "):
            cur = fams[s[6:]] = {"ops": [], "groups": []}
        elif m := re.match(r"ID: (0x\w+)\s+Version: (0x\w+)\s+header size: (\d+)\s+max attribs: (\d+)$", s):
            cur.update(id=int(m[1], 16), version=int(m[2], 16), hdrsize=int(m[3]), maxattr=int(m[4]))
        elif m := re.match(r"#\d+:\s+ID-(0x\w+)\s+name: (\S+)$", s):
            cur["groups"].append([int(m[1], 16), m[2]])
        elif m := re.match(r"#\d+:\s+ID-(0x\w+)$", s):
            op = [int(m[1], 16), None]
            cur["ops"].append(op)
        elif m := re.match(r"Capabilities \((0x\w+)\):$", s):
            op[1] = int(m[1], 16)
    return fams


def from_json(f):
    return {"id": f["id"], "version": f["version"], "hdrsize": f["hdrsize"], "maxattr": f["maxattr"],
            "ops": [[o["id"], o["flags"]] for o in f["ops"]],
            "groups": [[g["id"], g["name"]] for g in f["mcast-groups"]]}


def same_family(want, got):
    """genl 6.1 prints an op's capabilities only for families of version 2
    and up: compare flags where it prints them."""
    if {k: v for k, v in want.items() if k != "ops"} != {k: v for k, v in got.items() if k != "ops"}:
        return False
    return [o[0] for o in want["ops"]] == [o[0] for o in got["ops"]] and all(
        w[1] is None or w[1] == g[1] for w, g in zip(want["ops"], got["ops"]))


GENL_TYPES = {"U8": "u8", "U16": "u16", "U32": "u32", "U64": "u64", "S8": "s8", "S16": "s16", "S32": "s32",
              "S64": "s64", "STRING": "string", "FLAG": "flag", "NESTED": "nested", "NESTED_ARRAY": "nested-array",
              "NUL_STRING": "nul-string", "BINARY": "binary", "BITFIELD32": "bitfield32"}


def parse_genl_policy(text):
    """genl ctrl policy: ({cmd: {do, dump}}, {(policy, attr): {type, limits}}); type None where genl
    prints 'unknown'."""
    ops, attrs = {}, {}
    for line in text.splitlines():
        if m := re.search(r"op (\d+) policies:(.*)$", line):
            ops[int(m[1])] = {k: int(v) for k, v in re.findall(r"(do|dump)=(\d+)", m[2])}
        elif m := re.search(r"policy\[(\d+)\]:attr\[(\d+)\]: type=(\w+)(.*)$", line):
            a = {"type": GENL_TYPES.get(m[3])}
            rest = m[4]
            if r := re.search(r"policy:(\d+) maxattr:(\d+)", rest):
                a.update({"policy-idx": int(r[1]), "policy-maxtype": int(r[2])})
            if r := re.search(r"range:\[(-?\d+),(-?\d+)\]", rest):
                a.update({"min-value": int(r[1]), "max-value": int(r[2])})
            if r := re.search(r"min len:(\d+)", rest):
                a["min-length"] = int(r[1])
            if r := re.search(r"max len:(\d+)", rest):
                a["max-length"] = int(r[1])
            attrs[(int(m[1]), int(m[2]))] = a
    return ops, attrs


def policy_from_json(j):
    ops = {int(c): v for c, v in j["ops"].items()}
    attrs = {(int(p), int(a)): v for p, s in j["policies"].items() for a, v in s.items()}
    return ops, attrs


def parse_our_policy_text(text):
    ops, attrs, idx = {}, {}, None
    for line in text.splitlines():
        if m := re.match(r"\s+command (\d+): do policy (\S+), dump policy (\S+)$", line):
            ops[int(m[1])] = {k: int(v) for k, v in (("do", m[2]), ("dump", m[3])) if v != "-"}
        elif m := re.match(r"\s+policy (\d+):$", line):
            idx = int(m[1])
        elif m := re.match(r"\s+attr (\d+): (\S+)(.*)$", line):
            a = {"type": m[2]}
            a.update({k: int(v) for k, v in re.findall(r"(\S+) (-?\d+)", m[3])})
            attrs[(idx, int(m[1]))] = a
    return ops, attrs


def same_policy(want, got):
    """Everything genl prints, equal; what genl 6.1 cannot print (the names of
    uint and sint, masks) is left to the pyynl check."""
    wops, wattrs = want
    gops, gattrs = got
    if wops != gops or wattrs.keys() != gattrs.keys():
        return f"ops {wops} vs {gops}" if wops != gops else f"attrs {sorted(wattrs.keys() ^ gattrs.keys())}"
    for k, w in wattrs.items():
        g = {n: v for n, v in gattrs[k].items() if n not in ("mask", "bitfield32-mask")}
        if w["type"] is None:
            if g["type"] in GENL_TYPES.values():
                return f"{k}: genl does not know the type, ours says {g['type']}"
            w = dict(w, type=g["type"])
        if w != g:
            return f"{k}: {w} vs {g}"
    return None


def pyynl_policy(name):
    p = run(["python3", PYYNL, "--spec", NLCTRL_SPEC, "--no-schema", "--process-unknown", "--dump", "getpolicy",
             "--json", json.dumps({"family-name": name}), "--output-json"], ok=False)
    if p.returncode != 0:
        return None
    ops, attrs = {}, {}
    for m in json.loads(p.stdout):
        if "op-policy" in m:
            o = m["op-policy"]
            ops[o["op-id"]] = {k: o[k] for k in ("do", "dump") if k in o}
        elif "policy" in m:
            a = dict(m["policy"])
            key = (a.pop("policy-id"), a.pop("attr-id"))
            # The spec lists mask before pad, the kernel's netlink.h the other way round
            # (NL_POLICY_TYPE_ATTR_PAD 11, _MASK 12): pyynl calls the kernel's mask "pad".
            if "pad" in a:
                a["mask"] = int.from_bytes(bytes.fromhex(a.pop("pad")), "little")
            attrs[key] = {k.removesuffix("-u").removesuffix("-s"): v for k, v in a.items()}
    return ops, attrs


def main():
    run(["ip", "netns", "add", NS])
    try:
        families = parse_families(genl("list").stdout)
        check("genl lists nlctrl", "nlctrl" in families, str(families.keys()))
        text = parse_families(ours().stdout)
        as_json = {f["name"]: from_json(f) for f in json.loads(ours("--json").stdout)}
        for what, got in (("list", text), ("list --json", as_json)):
            check(f"{what}: same families as genl ctrl list", got.keys() == families.keys(),
                  f"{sorted(got.keys() ^ families.keys())}")
            for name, want in families.items():
                check(f"{what}: {name} as genl shows it", name in got and same_family(want, got[name]),
                      f"{want} vs {got.get(name)}")
        have_pyynl = os.path.exists(PYYNL) and os.path.exists(NLCTRL_SPEC)
        if not have_pyynl:
            if CI:
                check("pyynl installed (scripts/kernel-specs.sh)", False)
            else:
                print(f"skip: no {PYYNL} or {NLCTRL_SPEC} (scripts/kernel-specs.sh): policy types genl cannot name "
                      "are not checked")
        for name in families:
            want = parse_families(genl("get", "name", name).stdout)[name]
            got = parse_families(ours("show", name).stdout).get(name)
            check(f"show {name}", got is not None and same_family(want, got), f"{want} vs {got}")
            got = from_json(json.loads(ours("--json", "show", name).stdout))
            check(f"--json show {name}", same_family(want, got), f"{want} vs {got}")

            g = genl("policy", "name", name, ok=False)
            ot, oj = ours("policy", name, ok=False), ours("--json", "policy", name, ok=False)
            if "No data available" in g.stderr:  # a family without policies
                check(f"policy {name}: none, as genl says", ot.returncode == 1 and oj.returncode == 1
                      and "No data available" in ot.stderr, ot.stderr)
                continue
            want = parse_genl_policy(g.stdout)
            check(f"policy {name}: genl printed some", bool(want[0]) or bool(want[1]), g.stdout + g.stderr)
            got_json = policy_from_json(json.loads(oj.stdout))
            check(f"policy {name} text as genl", (d := same_policy(want, parse_our_policy_text(ot.stdout))) is None, d)
            check(f"policy {name} --json as genl", (d := same_policy(want, got_json)) is None, d)
            if have_pyynl:
                py = pyynl_policy(name)
                check(f"policy {name} --json as pyynl", py is not None and py == got_json,
                      "pyynl failed" if py is None else
                      str([(k, py[1].get(k), got_json[1].get(k)) for k in py[1].keys() | got_json[1].keys()
                           if py[1].get(k) != got_json[1].get(k)][:5]) + str(py[0] == got_json[0]))
        bad = run([GENL, "--netns", NS + "-none"], ok=False)
        check("--netns of a missing namespace names it", bad.returncode == 1 and NS + "-none" in bad.stderr,
              bad.stderr)
        bad = ours("show", "no-such-family", ok=False)
        check("show of a missing family fails", bad.returncode == 1 and "no-such-family" in bad.stderr, bad.stderr)
    finally:
        run(["ip", "netns", "del", NS], ok=False)
    return report("nlpp-genl cli")


sys.exit(main())
