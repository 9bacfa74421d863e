#!/usr/bin/env python3
"""Benchmark results and the figures the README and docs quote from them.

    bench/figures.py record FILE   measurements (JSON on stdin) + machine, date, commit -> FILE
    bench/figures.py record FILE KEY   the same, merged into FILE as its KEY (one step of a bench)
    bench/figures.py               copies the figures of bench/results/*.json into README.md and docs/*.md
    bench/figures.py --check       exit 1 when README.md or docs/*.md differ from the results

Figures live between markers, <!-- figures:NAME -->...<!-- /figures -->, and
are never typed by hand: edit the templates below, run the benchmark, run this.
"""
import datetime
import json
import os
import platform
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
MARKER = re.compile(r"<!-- figures:([a-z0-9-]+) -->(.*?)<!-- /figures -->", re.S)


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release()}


def commit():
    def git(*args):
        return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown"
    # Results files themselves do not make the tree dirty.
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results").stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def record(path, key=None):
    data = json.load(sys.stdin)
    out = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        **data,
    }
    if key:  # one step's result, with its own run, into the file's other results
        with open(path) as f:
            whole = json.load(f)
        whole[key] = out
        out = whole
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


# ---- wording ---------------------------------------------------------------

def t(ms):
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.1f} ms"


def secs(s):
    return f"{s:.2f} s"


def times(slow, fast):
    """'2.6× faster than' or '1.3× slower than': fast's time against slow's."""
    r = slow / fast
    if r >= 10:
        return f"{r:.0f}× faster than"
    return f"{r:.1f}× faster than" if r >= 1 else f"{1 / r:.1f}× slower than"


def run_of(res):
    m = res["machine"]
    return f"{res['date'][:10]}, {m['nproc']} cores ({m['cpu']}), Linux {m['kernel']}, commit {res['commit'][:12]}"


def route_figures(r):
    w, p = r["walkers"], r["processes"]
    c = w["c"]["ms"]
    rel = {k: w[k]["ms"] / c for k in w}
    n = f"{r['routes']:,}"
    return {
        "route-lead": (
            f"Its dump loop walks {n} routes in {rel['nlpp']:.2f}× the time of a hand-written C walk "
            f"(libmnl's callbacks: {rel['mnl']:.2f}×); `nlpp-ynl` prints them as JSON "
            f"{times(p['ip']['ms'], p['nlpp-ynl']['ms'])} `ip -j route` and "
            f"{times(p['pyynl-cli']['ms'], p['nlpp-ynl']['ms'])} the kernel's pyynl"
        ),
        "route-summary": (
            f"Last run ({run_of(r)}; best of {r['runs']} runs, `bench/results/route.json`): "
            f"{n} routes, {r['messages']:,} messages and {r['attributes']:,} attributes seen by every walker; "
            f"times relative to the C walk's {c:.1f} ms: nlpp's views {rel['nlpp']:.2f}×, C++ from nlpp-gen "
            f"{rel['gen']:.2f}×, libmnl {rel['mnl']:.2f}×, the spec engine writing JSON {rel['ynl']:.2f}× "
            f"(building JSON values {rel['ynl-tree']:.2f}×), pyynl's library {t(w['pyynl']['ms'])}, pyroute2's "
            f"`get_routes` {t(w['pyroute2']['ms'])}; whole processes writing JSON: `nlpp-ynl` "
            f"{t(p['nlpp-ynl']['ms'])}, `ip -4 -j route show table all` {t(p['ip']['ms'])}, pyynl's cli.py "
            f"{t(p['pyynl-cli']['ms'])}."
        ),
        "async-route": (
            f"Last run ({run_of(r)}; best of {r['runs']} runs, `bench/results/route.json`): {n} routes "
            f"walked through `co_await next()` in {t(w['asio']['ms'])} against {t(w['nlpp']['ms'])} for the "
            f"blocking range: {w['asio']['ms'] / w['nlpp']['ms']:.2f}×."
        ) if "asio" in w else "(no asio walker in the last run)",
        "spec-load": f"{r['rt_link_spec_load_ms']:.1f} ms",
        "route-count": n,
        "route-load": (
            f"{t(p['nlpp-ynl']['ms'])} whole process (`ip -4 -j route show table all`: {t(p['ip']['ms'])}), peak RSS "
            f"{p['nlpp-ynl']['rss_kib'] / 1024:.1f} MiB (bench/route_bench.sh, {r['date'][:10]})"
        ),
    }


def ipvs_figures(r):
    first = r["sizes"][0]
    out = {
        "ipvs-lead": (
            f"it loads {first['services']:,} IPVS services "
            f"{times(first['load']['ipvsadm'], first['load']['nlpp-ipvs'])} `ipvsadm -R`"
        ),
    }
    lines = [
        "",
        f"Last run ({run_of(r)}, in the emulated VM; best of {r['rounds']} rounds, "
        "`bench/results/ipvs.json`):",
        "",
    ]
    for s in r["sizes"]:
        ld, sn, rc, rss = s["load"], s["snapshot"], s["reconcile"], s["rss_kib"]
        lines += [
            f"| {s['services']:,} services × 2 destinations | ipvsadm | nlpp-ipvs | library (nlpp-bench-ipvs, in process) |",
            "|---|---|---|---|",
            f"| load | `-R` {secs(ld['ipvsadm'])} | `-R` {secs(ld['nlpp-ipvs'])} "
            f"({times(ld['ipvsadm'], ld['nlpp-ipvs'])} ipvsadm) | {secs(ld['library'])} "
            f"({times(ld['ipvsadm'], ld['library'])} ipvsadm) |",
            f"| snapshot | `-Sn` {secs(sn['ipvsadm'])} | `-Sn` {secs(sn['nlpp-ipvs'])} "
            f"({times(sn['ipvsadm'], sn['nlpp-ipvs'])} ipvsadm) | {secs(sn['library'])} "
            f"({times(sn['ipvsadm'], sn['library'])} ipvsadm) |",
        ]
        if "load_json" in s:  # measured since the bench's load-from-JSON step
            lj = s["load_json"]
            dry = (f"; reading and planning alone (`apply --dry-run`) {secs(lj['nlpp-ipvs_dry_run'])}"
                   if "nlpp-ipvs_dry_run" in lj else "")
            lines += [
                f"| load this state from JSON (`-Ln --json`, with counters) | `-R` {secs(lj['ipvsadm'])} | `apply FILE` {secs(lj['nlpp-ipvs'])} "
                f"({times(lj['ipvsadm'], lj['nlpp-ipvs'])} ipvsadm{dry}) | — |",
            ]
            if "nlpp-ipvs_saved" in lj:  # measured since -S --json
                lines += [
                    f"| load this state as saved (`-Sn --json`) | `-R` {secs(lj['ipvsadm'])} | `apply FILE` "
                    f"{secs(lj['nlpp-ipvs_saved'])} ({times(lj['ipvsadm'], lj['nlpp-ipvs_saved'])} ipvsadm) | — |",
                ]
        lines += [
            f"| reconcile 1% of weights | — | `apply` {rc['nlpp-ipvs_ops']:,} operations {secs(rc['nlpp-ipvs'])} "
            f"| {rc['library_ops']:,} operations {secs(rc['library'])} |",
            f"| peak RSS | `-Sn` {rss['ipvsadm-snapshot']:,} KiB | `-Sn` {rss['nlpp-ipvs-snapshot']:,} KiB, "
            f"`-R` {rss['nlpp-ipvs-load']:,} KiB, `apply` {rss['nlpp-ipvs-apply']:,} KiB | {rss['library']:,} KiB |",
            "",
        ]
    out["ipvs-speed"] = "\n".join(lines + [""])
    out["ipvs-snapshot-large"] = large_snapshot_figures(r)
    out["ipvs-exporter"] = exporter_figures(r)
    return out


def large_snapshot_figures(r):
    big = r.get("large_snapshot")
    if not big:
        return "\nNot measured yet: run bench/ipvs_bench.sh.\n"
    lib, cli, n = big["library"], big["nlpp-ipvs"], big["services"]

    def ph(p):
        return f"{secs(p['wall'])} (user {p['user']:.2f} s, system {p['sys']:.2f} s)"

    dd = lib["dest_dumps"]
    return "\n".join([
        "",
        f"{n:,} services × 2 destinations, best of {len(big['rounds'])} rounds ({run_of(r)}, in the emulated VM):",
        "",
        "| step | time |",
        "|---|---|",
        f"| the service dump | {ph(lib['service_dump'])} |",
        f"| {n:,} destination dumps, one round trip each | {ph(dd)}: {dd['wall'] / n * 1e6:.0f} µs per dump, "
        f"{dd['sys'] / max(dd['user'] + dd['sys'], 1e-9):.0%} of the CPU time in the kernel |",
        f"| `client::snapshot()` | {ph(lib['snapshot'])} |",
        f"| `nlpp-ipvs -Sn` (sorted, formatted) | {ph(cli)}, peak RSS {cli['rss_kib']:,} KiB |",
        "",
    ])


def exporter_figures(r):
    e = r.get("exporter")
    if not e:
        return "\nNot measured yet: run bench/ipvs_bench.sh.\n"
    text = (f"\nA scrape of {e['services']:,} services × 2 destinations ({e['bytes'] / 1e6:.1f} MB of text) takes "
            f"{secs(e['scrape'])}, {e['ratio']:.2f}x the library's `client::snapshot()` of the same state "
            f"({secs(e['snapshot'])}; best of {len(e['rounds_s']['scrape'])} rounds, "
            f"{run_of(e if 'date' in e else r)}, in the emulated VM).")
    x = e.get("text")
    if x:
        text += (f" The two user-space steps of a scrape, timed apart in one process on the same snapshot "
                 f"(`nlpp-bench-ipvs-exporter-text`): building the metric families {secs(x['families'])}, "
                 f"prometheus-cpp's `TextSerializer` {secs(x['serialize'])}.")
    t = e.get("totals_only")
    if t:
        text += (f" With `--per-destination=false` ({t['bytes'] / 1e6:.1f} MB) a scrape takes {secs(t['scrape'])}, "
                 f"{t['ratio']:.2f}x the service dump alone (`client::services()`, {secs(t['service_dump'])}).")
    return text + "\n"


def figures():
    out = {}
    for name, make, script in (("route.json", route_figures, "bench/route_bench.sh"),
                               ("ipvs.json", ipvs_figures, "bench/ipvs_bench.sh")):
        path = os.path.join(RESULTS, name)
        if not os.path.exists(path):
            sys.exit(f"figures.py: no bench/results/{name} (run {script})")
        with open(path) as f:
            out.update(make(json.load(f)))
    return out


def docs():
    yield os.path.join(ROOT, "README.md")
    d = os.path.join(ROOT, "docs")
    for n in sorted(os.listdir(d)):
        if n.endswith(".md"):
            yield os.path.join(d, n)


def main():
    args = sys.argv[1:]
    if args[:1] == ["record"] and len(args) in (2, 3):
        return record(*args[1:])
    if args not in ([], ["--check"]):
        sys.exit(__doc__)
    check = args == ["--check"]
    want, seen, bad = figures(), set(), []
    for path in docs():
        with open(path) as f:
            text = f.read()

        def fill(m, path=path):
            name = m.group(1)
            if name not in want:
                sys.exit(f"{os.path.relpath(path, ROOT)}: unknown figures marker '{name}'")
            seen.add(name)
            return f"<!-- figures:{name} -->{want[name]}<!-- /figures -->"

        new = MARKER.sub(fill, text)
        if new != text:
            bad.append(os.path.relpath(path, ROOT))
            if not check:
                with open(path, "w") as f:
                    f.write(new)
    missing = sorted(set(want) - seen)
    if missing:
        sys.exit(f"figures.py: no marker for {', '.join(missing)} in README.md or docs/*.md")
    if check and bad:
        print(f"figures.py: {', '.join(bad)} differ from bench/results/*.json (run bench/figures.py)", file=sys.stderr)
        sys.exit(1)
    if not check:
        print(f"figures.py: updated {', '.join(bad)}" if bad else "figures.py: README.md and docs/*.md up to date")


if __name__ == "__main__":
    main()
