"""Benchmark: one design point at Starlink scale (issue 14: time near-linear, memory bounded).

For each size N (default 2,800 / 10,000 / 30,000 / 100,000 satellites) a **fresh Python
process** runs ``lab.mission.response_times("three-body-12", n_satellites=N)`` (one day at
dt 60 s, 2,000 requests, the Chinese network) with a cold geometry cache, and reports its wall
time and its peak RSS (``getrusage``: the whole process, interpreter and imports included, so
each size's peak is measured honestly and no size inherits another's memory). The first call
in the process also computes the day's Sun and Earth rotation (shared by every point of a day
on a worker); the target uses the best of ``--repeat`` cold-cache calls, the first is printed.

Baseline (:data:`BEFORE`): the issue's numbers, measured before issue 11 on this 2-core
machine: 2,800 -> 2.8 s / 0.45 GiB; 10,000 -> 4.5 s / 1.1 GiB; 30,000 -> 10.8 s / 2.8 GiB;
100,000 -> 29.5 s / 8.7 GiB. ``--code PATH`` measures another checkout of the lab (e.g. a worktree of main) the
same way (e.g. main before chunking: give it ``--max-memory-gb 64`` so that its memory guard
lets 100,000 through). Measured so on main before chunking (f60eae0, with issue 11's ground
segment; load average 2-4, one call per process): 2,800 -> 1.9 s / 0.47 GiB; 10,000 -> 7.7 s /
1.07 GiB; 30,000 -> 16.5 s / 2.75 GiB; 100,000 -> 69 s / 8.67 GiB (the same medians as now).

Targets (:data:`TARGET_SECONDS_30000`, :data:`TARGET_PEAK_BYTES_100000`): 30,000 satellites in
<= 4 s and 100,000 satellites under 2 GB peak RSS; exit code 1 when one is missed.
Run: ``.venv/bin/python benchmarks/bench_scale.py [--sizes 2800 30000] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from _common import Report, run

SIZES = (2800, 10_000, 30_000, 100_000)
#: The issue's baseline: N -> (seconds, peak GiB), before issue 11 and before chunking.
BEFORE = {2800: (2.8, 0.45), 10_000: (4.5, 1.1), 30_000: (10.8, 2.8), 100_000: (29.5, 8.7)}
TARGET_SECONDS_30000 = 4.0
TARGET_PEAK_BYTES_100000 = 2e9
GIB = 2.0**30
REPO = Path(__file__).resolve().parents[1]

#: What each fresh process runs: argv = N, repeat, requests.
_CHILD = """
import json, resource, sys, time
n, repeat, requests = (int(a) for a in sys.argv[1:4])
from lab import mission
rss_imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
sc, _ = mission.configure("three-body-12", n_satellites=n)
times = []
for _ in range(repeat):
    mission.clear_geometry_cache()
    t0 = time.perf_counter()
    res = mission.response_times(sc, requests=requests)
    times.append(time.perf_counter() - t0)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"n": sc.n_satellites, "first_s": times[0], "best_s": min(times),
                  "peak_bytes": peak, "imported_bytes": rss_imported,
                  "p50_s": res.summary["p50"]}))
"""


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=2,
                    help="cold-cache calls per process (the best is the time)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--code", default=str(REPO),
                    help="checkout of the lab to measure (default: this one)")
    ap.add_argument("--max-memory-gb", type=float, default=None,
                    help="LAB_MAX_MEMORY_GB for the children (e.g. 64 to measure an "
                         "unchunked checkout at 100,000)")
    ap.add_argument("--timeout", type=float, default=600.0, help="s per size")


def measure(n: int, args: argparse.Namespace) -> dict[str, float]:
    """Run size ``n`` in a fresh process; its timings and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(args.code)}
    if args.max_memory_gb is not None:
        env["LAB_MAX_MEMORY_GB"] = str(args.max_memory_gb)
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n), str(args.repeat),
                          str(args.requests)], env=env, cwd=str(args.code), text=True,
                         capture_output=True, timeout=args.timeout, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"size {n:,} failed (exit {out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(args: argparse.Namespace) -> int:
    load = os.getloadavg()[0]
    report = Report(f"bench_scale: response_times('three-body-12', n_satellites=N), one day at "
                    f"60 s, {args.requests} requests, a fresh process per N (code: {args.code}; "
                    f"load average {load:.1f} at start)")
    for n in args.sizes:
        m = measure(n, args)
        before_s, before_gib = BEFORE.get(n, (float("nan"), float("nan")))
        report.time(f"N = {m['n']:,}: best of {args.repeat} cold", m["best_s"],
                    first_s=round(m["first_s"], 2), before_s=before_s,
                    speedup=round(before_s / m["best_s"], 1))
        report.value(f"N = {m['n']:,}: peak RSS", m["peak_bytes"] / GIB, "GiB",
                     before_gib=before_gib, after_imports_gib=round(m["imported_bytes"] / GIB, 2),
                     median_s=round(m["p50_s"], 1))
        if n == 30_000:
            report.target("30,000 satellites (s)", m["best_s"], at_most=TARGET_SECONDS_30000,
                          unit="s")
        if n == 100_000:
            report.target("100,000 satellites peak RSS (GB)", m["peak_bytes"] / 1e9,
                          at_most=TARGET_PEAK_BYTES_100000 / 1e9, unit="GB")
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
