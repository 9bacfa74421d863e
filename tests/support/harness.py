"""What the Python tests share: a tally of named checks, running commands,
and network namespaces of their own.

    from harness import Netns, check, report, run
    with Netns("nlpp-x") as ns:
        p = run(["ip", "-j", "link"], ns=ns)
        check("lo is there", '"lo"' in p.stdout, p.stdout)
    sys.exit(report("x tests"))
"""
import json
import os
import subprocess


class tally:
    """The checks so far: how many passed, the names of those that failed."""
    passed = 0
    failed = []


def check(name, ok, detail="", width=2000):
    """Counts a check; a failed one is printed with DETAIL (cut to WIDTH)."""
    if ok:
        tally.passed += 1
    else:
        tally.failed.append(name)
        print(f"FAIL: {name} {detail}"[:width])


def report(title, extra=""):
    """Prints 'TITLE: N passed, M failed' (and EXTRA); the exit status."""
    print(f"{title}: {tally.passed} passed, {len(tally.failed)} failed{extra}")
    return 1 if tally.failed else 0


def run(cmd, ns=None, ok=True, stdin=None):
    """Runs CMD (inside network namespace NS when given) and captures its
    output; with OK, a failure raises RuntimeError with its stderr."""
    if ns:
        cmd = ["ip", "netns", "exec", ns] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, input=stdin)
    if ok and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {p.stderr.strip()}")
    return p


class Netns:
    """A fresh network namespace with lo up, deleted on exit; `with` gives its name.
    With still_ipv6, IPv6 neither makes link-local addresses nor runs DAD,
    so that nothing in it changes on its own."""
    count = 0

    def __init__(self, prefix, still_ipv6=False):
        self.prefix, self.still_ipv6 = prefix, still_ipv6

    def __enter__(self):
        Netns.count += 1
        self.name = f"{self.prefix}-{os.getpid()}-{Netns.count}"
        run(["ip", "netns", "add", self.name])
        if self.still_ipv6:  # written to /proc/sys directly: a minimal Debian has no sysctl
            run(["sh", "-c", "for c in all default; do echo 0 > /proc/sys/net/ipv6/conf/$c/accept_dad; "
                 "echo 1 > /proc/sys/net/ipv6/conf/$c/addr_gen_mode; done"], ns=self.name)
        run(["ip", "-n", self.name, "link", "set", "lo", "up"])
        return self.name

    def __exit__(self, *exc):
        run(["ip", "netns", "del", self.name], ok=False)


def ifindex(ns, name):
    """The index of link NAME in namespace NS."""
    return json.loads(run(["ip", "-n", ns, "-j", "link", "show", name]).stdout)[0]["ifindex"]
