"""Where the Python tests find upstream kernel YNL specs, and the record of
checks that cannot run with the spec set at hand (as tests/support/specs.hpp
does for the C++ tests).

The specs are NLPP_SPEC_PATH's first entry (the test command sets it), else
NLPP_KERNEL_SPECS (the directory chosen at configure time, set by ctest). The
chosen directory is exported as NLPP_SPEC_PATH so that every nlpp-ynl the test
runs reads the same specs.
"""
import os

SPECS = (os.environ.get("NLPP_SPEC_PATH") or os.environ.get("NLPP_KERNEL_SPECS", "")).split(":")[0]
os.environ["NLPP_SPEC_PATH"] = SPECS
CI = os.environ.get("CI") == "true"


def spec_file(family):
    """The family's spec (rt-link.yaml, or rt_link.yaml in Debian's set), or None."""
    for name in (family, family.replace("-", "_")):
        path = os.path.join(SPECS, name + ".yaml")
        if os.path.exists(path):
            return path
    return None


def spec_says(family, text):
    """True when the family's spec file contains TEXT."""
    path = spec_file(family)
    return bool(path) and text in open(path).read()


def record_not_run(test, checks, what):
    """Notes that CHECKS checks of TEST need WHAT, which this spec set lacks:
    printed, and appended to $NLPP_NOT_RUN for the test command's count. The
    caller fails instead under CI=true, where ../shared's full set is there."""
    line = f"{test}: {checks} checks need {what} (not in {SPECS})"
    print("NOT RUN: " + line)
    if os.environ.get("NLPP_NOT_RUN"):
        with open(os.environ["NLPP_NOT_RUN"], "a") as f:
            f.write(line + "\n")
