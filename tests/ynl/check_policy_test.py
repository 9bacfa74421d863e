#!/usr/bin/env python3
"""`nlpp-ynl --check-policy` against this kernel's policy dumps
(CTRL_CMD_GETPOLICY). Upstream specs and the kernels here legitimately
differ, so only what must hold is asserted:
  - nlctrl's spec agrees with this kernel (exit 0, no differences);
  - copies of the specs edited to lie are caught on each count: nlctrl's
    family-id given as u32 (the kernel checks a u16), its attribute `op`
    removed from the spec (the kernel accepts it), its operation getpolicy
    removed (the kernel has command 10), and netdev's ifindex given a
    minimum of 5 (the kernel's is 1);
  - `--all` reports every genetlink family with a spec: compared or
    skipped, as JSON lines; nlctrl is among the compared and agrees.
The oracle for what the kernel checks is its own policy dump, read here
with nlctrl's getpolicy through `nlpp-ynl --policy` only for the values
the lies are measured against (u16, min 1), which are also the UAPI/kernel
source facts (CTRL_ATTR_FAMILY_ID is NLA_U16; NETDEV_A_DEV_IFINDEX is
NLA_POLICY_MIN(NLA_U32, 1)).

    check_policy_test.py PATH/TO/nlpp-ynl
"""
import json
import os
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from specs import spec_file  # noqa: E402
from harness import check, report, run  # noqa: E402

YNL = sys.argv[1]


def checked(spec, *extra):
    p = run([YNL, "--spec", spec, "--check-policy", "--output-json", *extra], ok=False)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, lines, p.stderr


def lying_copy(family, edit, tmp):
    text = open(spec_file(family)).read()
    s = yaml.safe_load(text)
    edit(s)
    path = os.path.join(tmp, family + ".yaml")
    with open(path, "w") as f:
        f.write(text.splitlines()[0] + "\n")  # the SPDX line specs start with
        yaml.safe_dump(s, f, sort_keys=False)
    return path


def attrs_of(s, set_name):
    return next(a for a in s["attribute-sets"] if a["name"] == set_name)["attributes"]


def diffs(lines):
    return {(d["kind"], d["operation"], d["attribute"], d["spec"], d["kernel"]) for d in lines[0]["differences"]}


# nlctrl's spec agrees with this kernel.
rc, lines, err = checked(spec_file("nlctrl"))
check("nlctrl agrees: exit 0", rc == 0, err + str(lines))
check("nlctrl agrees: no differences", lines and lines[0]["differences"] == [] and lines[0]["operations"] >= 2, lines)

# The kernel's own policy for the values the lies are measured against.
p = run([YNL, "--spec", spec_file("nlctrl"), "--policy", "--do", "getfamily", "--output-json"])
check("the kernel checks family-id as u16", json.loads(p.stdout)["family-id"]["type"] == "u16", p.stdout)

with tempfile.TemporaryDirectory() as tmp:
    def lie_nlctrl(s):  # family-id as u32; the attribute op left out
        ctrl = next(x for x in s["attribute-sets"] if x["name"] == "ctrl-attrs")
        ctrl["attributes"] = [a for a in ctrl["attributes"] if a["name"] != "op"]
        for a in ctrl["attributes"]:
            if a["name"] == "family-id":
                a["type"] = "u32"
        for op in s["operations"]["list"]:
            for mode in ("do", "dump"):
                req = op.get(mode, {}).get("request", {})
                if "attributes" in req:
                    req["attributes"] = [a for a in req["attributes"] if a != "op"]

    rc, lines, err = checked(lying_copy("nlctrl", lie_nlctrl, tmp))
    got = diffs(lines) if lines else set()
    check("lies: exit 1", rc == 1, err + str(lines))
    check("a lie about a type is caught", ("type", "getfamily do", "family-id", "u32", "u16") in got, got)
    check("an attribute the spec lacks is caught",
          ("attribute-missing", "getpolicy dump", "10", "none", "u32") in got, got)

    def drop_getpolicy(s):
        s["operations"]["list"] = [op for op in s["operations"]["list"] if op["name"] != "getpolicy"]

    rc, lines, err = checked(lying_copy("nlctrl", drop_getpolicy, tmp))
    got = diffs(lines) if lines else set()
    check("an operation the spec lacks is caught", rc == 1 and
          ("operation-missing", "cmd 10", "", "none", "a command") in got, got)

    def lie_netdev(s):
        for a in attrs_of(s, "dev"):
            if a["name"] == "ifindex":
                a["checks"] = {"min": 5}

    rc, lines, err = checked(lying_copy("netdev", lie_netdev, tmp))
    got = diffs(lines) if lines else set()
    check("a lie about a range is caught", ("range", "dev-get do", "ifindex", "min 5", "min 1") in got, got)

# Every genetlink family with a spec: compared or skipped.
p = run([YNL, "--all", "--check-policy", "--output-json"], ok=False)
rows = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
check("--all: exit 0 or 1", p.returncode in (0, 1), p.stderr)
check("--all: every row is compared or skipped",
      rows and all("differences" in r or r.get("skipped") == "not in this kernel" for r in rows), rows)
nlctrl = [r for r in rows if r["family"] == "nlctrl"]
check("--all: nlctrl compared and agrees", nlctrl and nlctrl[0].get("differences") == [], nlctrl)
check("--all: exit 1 exactly when some family disagrees",
      (p.returncode == 1) == any(r.get("differences") for r in rows), (p.returncode, rows))

# Bad input: a netlink-raw family has no policies to compare.
p = run([YNL, "--spec", spec_file("rt-link"), "--check-policy"], ok=False)
check("netlink-raw: exit 2 with a clear line", p.returncode == 2 and "genetlink" in p.stderr, p.stderr)
p = run([YNL, "--all"], ok=False)
check("--all alone: exit 2", p.returncode == 2 and "--check-policy" in p.stderr, p.stderr)
sys.exit(report("check_policy"))
