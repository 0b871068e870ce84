"""Benchmark: how fast does the response-time panel update? (issue 7: well under 1 s at 2,800)

Prints, for several constellation sizes, the time of one ``MissionPanel`` update (slider moved)
with a cold geometry cache (new constellation: lab.orbits positions, lab.links visibility,
shadow and ISL lengths over one day at 60 s) and a warm one (same constellation, e.g. a model-size change), and compares the
geometry step with a peer library measured in the same run: python-sgp4's vectorized
``SatrecArray`` propagating the same satellites over the same 1,440 epochs (positions only,
no visibility or shadow).

Target (issue 7): a cold update at 2,800 satellites under 1 s (exit code 1 when missed).
Run: ``.venv/bin/python benchmarks/bench_widgets.py [--json]``
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _common import Report, best_of, run

SIZES = (12, 120, 700, 1400, 2800)


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=3)


def _sgp4_peer(n_sats: int, epochs: np.ndarray) -> float:
    """python-sgp4 SatrecArray propagating ``n_sats`` SSO satellites over ``epochs`` s (s)."""
    from sgp4.api import WGS72, Satrec, SatrecArray

    sats = []
    for i in range(n_sats):  # building the peer's input, not timed
        s = Satrec()
        s.sgp4init(WGS72, "i", i, 25134.0, 0.0, 0.0, 0.0, 1e-6, np.radians(0.0),
                   np.radians(97.5), np.radians(360.0 * i / n_sats), 2 * np.pi / 95.0 * 1.0,
                   np.radians((i * 7) % 360))
        sats.append(s)
    arr = SatrecArray(sats)
    jd = 2460809.5 + np.zeros_like(epochs)
    return best_of(lambda: arr.sgp4(jd, epochs / 86400.0), 2)[0]


def _cold_update(panel, n: int) -> float:
    """One slider move to ``n`` satellites with an empty geometry cache (s)."""
    from lab import mission

    mission.clear_geometry_cache()
    panel.set(satellites=1)  # a different value, so that the next move fires
    mission.clear_geometry_cache()
    return best_of(lambda: panel.set(satellites=n), 1)[0]


def main(args: argparse.Namespace) -> int:
    from lab import mission
    from lab.widgets import MissionPanel

    t_build, panel = best_of(lambda: MissionPanel("three-body-12"), 1)
    report = Report(f"bench_widgets: MissionPanel updates ({panel.requests} requests/size, "
                    f"dt {panel.dt:g} s)")
    report.time("panel construction (incl. the 9-size curve)", t_build,
                curve_s=round(panel.curve_seconds, 2))
    report.time("model-size change (curve + update, geometry cached)",
                best_of(lambda: panel.set(model=14.0), 1)[0])
    panel.set(model=8.0)
    cold = {}
    for n in args.sizes:
        cold[n] = min(_cold_update(panel, n) for _ in range(args.repeat))
        warm = best_of(panel.update, args.repeat)[0]
        report.time(f"update at {n} satellites, cold geometry", cold[n],
                    median_s=round(panel.result.summary["p50"], 1))
        report.time(f"update at {n} satellites, warm geometry", warm)
    sc, _ = mission.configure("three-body-12", n_satellites=2800)

    def geometry() -> None:
        mission.clear_geometry_cache()
        mission.geometry(sc, 60.0)

    g = report.time("geometry of 2,800 satellites x 1,440 epochs (positions, visibility for 5 "
                    "stations, shadow, ISL lengths)", best_of(geometry, 2)[0])
    p = report.time("peer: python-sgp4 SatrecArray, positions only, same size",
                    _sgp4_peer(2800, np.arange(0.0, 86400.0, 60.0)))
    report.value("ratio sgp4 positions / lab.mission geometry", p / g, "x")
    if 2800 in cold:
        report.target("cold update at 2,800 satellites", cold[2800], at_most=1.0, unit="s")
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
