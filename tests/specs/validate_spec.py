#!/usr/bin/python3
"""Validates the project's own YNL specs against the kernel's JSON schemas.

usage: validate_spec.py SCHEMA_DIR SPEC...
"""
import sys

import jsonschema
import yaml

schema_dir, specs = sys.argv[1], sys.argv[2:]
passed = failed = 0
for path in specs:
    with open(path) as f:
        first = f.readline()
        f.seek(0)
        spec = yaml.safe_load(f)
    if not first.startswith("# SPDX-License-Identifier:"):
        print(f"FAIL {path}: the first line must be an SPDX tag")
        failed += 1
        continue
    proto = spec.get("protocol", "genetlink")
    with open(f"{schema_dir}/{proto}.yaml") as f:
        schema = yaml.safe_load(f)
    try:
        jsonschema.validate(spec, schema)
        passed += 1
    except jsonschema.ValidationError as e:
        print(f"FAIL {path}: {e.message} at {list(e.absolute_path)}")
        failed += 1
print(f"validate_spec: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
