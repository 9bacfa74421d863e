#!/usr/bin/env python3
"""Writes the table of differences between the upstream genetlink specs and
this kernel's policies into docs/ynl.md (between its policy-table markers):
`nlpp-ynl --all --check-policy` over NLPP_SPEC_PATH (default: as
scripts/spec-path.sh chooses, ../shared/specs/kernel when it is there).
Families this kernel does not have are listed as not compared.

    scripts/policy-table.py BUILD_DIR
"""
import json
import os
import platform
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "ci-gcc")
env = dict(os.environ)
if not env.get("NLPP_SPEC_PATH"):
    shared = os.path.join(root, "..", "shared", "specs", "kernel")
    env["NLPP_SPEC_PATH"] = os.path.realpath(shared) if os.path.isdir(shared) else "/usr/local/share/ynl/specs"
p = subprocess.run([os.path.join(build, "tools", "nlpp-ynl"), "--all", "--check-policy", "--output-json"],
                   capture_output=True, text=True, env=env)
if p.returncode not in (0, 1):
    sys.exit(f"policy-table.py: nlpp-ynl failed: {p.stderr.strip()}")
rows = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

out = [f"Kernel {platform.release()}, specs from `{os.path.basename(env['NLPP_SPEC_PATH'].rstrip('/'))}`"
       " (written by `scripts/policy-table.py`).", "",
       "| family | operations | attribute policies | differences |", "|---|---|---|---|"]
skipped = []
for r in rows:
    if "skipped" in r:
        skipped.append(r["family"])
        continue
    diffs = "<br>".join(
        f"{d['operation']}: the kernel has it, the spec does not" if d["kind"] == "operation-missing"
        else f"{d['operation']}: `{d['attribute']}`: {d['kind']}: spec {d['spec']}, kernel {d['kernel']}"
        for d in r["differences"]) or "none: the spec agrees"
    out.append(f"| {r['family']} | {r['operations']} | {r['attributes']} | {diffs} |")
out += ["", "Not in this kernel (not compared): " + (", ".join(skipped) or "none") + "."]

doc = os.path.join(root, "docs", "ynl.md")
text = open(doc).read()
begin, end = "<!-- policy-table begin -->", "<!-- policy-table end -->"
if begin not in text or end not in text:
    sys.exit(f"policy-table.py: {doc} has no {begin} ... {end} markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(head + begin + "\n" + "\n".join(out) + "\n" + end + tail)
print(f"policy-table.py: {len(rows) - len(skipped)} families compared, {len(skipped)} not in this kernel: {doc}")
