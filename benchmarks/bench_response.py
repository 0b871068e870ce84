"""Benchmark: ``lab.mission.response_times`` at 2,800 satellites (issue 11: within 1.5x of before).

Times one day of 2,000 requests for the two 2,800-satellite scenarios the lab uses most: the
Star-Compute preset (two shells) and the Three-Body shell rescaled to 2,800 satellites (the
panel's largest point), each with a cold geometry cache (lab.orbits positions, lab.links
visibility, shadow and ISL lengths over one day at 60 s) and a warm one (same constellation:
only the requests' steps run).

Targets: each time within 1.5x of the time measured on main before issue 11's ground segment
(antennas, booking, acquisition, operator chain, answer-length distribution) was added
(:data:`BEFORE_S`, measured with this script on the 2-core x86_64 machine of the lab); exit code
1 when one is missed. The warm times are milliseconds, so their target has a 5 ms floor.
Run: ``.venv/bin/python benchmarks/bench_response.py [--repeat 5] [--json]``
"""

from __future__ import annotations

import argparse
import sys

from _common import Report, best_of, run

#: Seconds measured on main before issue 11 (same script, same machine; best of 5).
BEFORE_S = {
    ("star-compute-2800", "cold"): 0.277,
    ("star-compute-2800", "warm"): 0.0190,
    ("three-body-12 at 2,800", "cold"): 0.268,
    ("three-body-12 at 2,800", "warm"): 0.0066,
}
ALLOWED = 1.5  # times the time before
FLOOR_S = 0.005  # warm runs are milliseconds: allow at least this much on top


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)


def main(args: argparse.Namespace) -> int:
    from lab import mission

    report = Report(f"bench_response: response_times at 2,800 satellites ({args.requests} "
                    "requests, dt 60 s)")
    scenarios = {
        "star-compute-2800": mission.get_preset("star-compute-2800"),
        "three-body-12 at 2,800": mission.configure("three-body-12", n_satellites=2800)[0],
    }
    for label, sc in scenarios.items():
        def cold(sc=sc) -> object:
            mission.clear_geometry_cache()
            return mission.response_times(sc, requests=args.requests)

        def warm(sc=sc) -> object:
            return mission.response_times(sc, requests=args.requests)

        t_cold, res = best_of(cold, args.repeat)
        t_warm = best_of(warm, args.repeat)[0]
        report.time(f"{label}: cold geometry", t_cold, median_s=round(res.summary["p50"], 1))
        report.time(f"{label}: warm geometry", t_warm)
        for kind, t in (("cold", t_cold), ("warm", t_warm)):
            before = BEFORE_S[(label, kind)]
            if before > 0:
                report.value(f"{label}, {kind}: ratio to before issue 11", t / before, "x")
                report.target(f"{label}, {kind} (s)", t,
                              at_most=max(ALLOWED * before, before + FLOOR_S), unit="s")
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
