"""Benchmark lab.economics: the Monte Carlo, the panel update and the peer (orbitdc).

- 100,000 Monte Carlo samples (P(orbit cheaper) by year over 20 years): target < 1 s;
- one :class:`lab.widgets.EconomicsPanel` update after a slider move: target < 0.3 s;
- one design: spacedc-mdao's ``evaluate_space`` versus one row of the vectorized core.

``python benchmarks/bench_economics.py [--json] [--samples N]``; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import Report, best_of, run


def add_cli_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samples", type=int, default=100_000, help="Monte Carlo samples")
    parser.add_argument("--repeats", type=int, default=3)


def main(args: argparse.Namespace) -> int:
    from lab import economics

    rep = Report("lab.economics")
    economics.monte_carlo("suncatcher-81", 1000)  # warm: physics cache, imports
    t_mc, _ = best_of(lambda: economics.monte_carlo("suncatcher-81", args.samples),
                      args.repeats)
    rep.time(f"Monte Carlo, {args.samples:,} samples x 20 years", t_mc)
    rep.target("Monte Carlo of 100,000 samples (s)", t_mc * 100_000 / args.samples, at_most=1.0,
               unit="s")

    from lab.widgets import EconomicsPanel

    panel = EconomicsPanel("suncatcher-81")
    prices = iter(np.geomspace(50, 3000, 100))
    times = []
    for _ in range(args.repeats + 4):
        panel.set(launch_price=float(next(prices)))
        times.append(panel.last_update_s)
    rep.time("EconomicsPanel update (4 figures), median", float(np.median(times)))
    rep.target("EconomicsPanel update, median (s)", float(np.median(times)), at_most=0.3, unit="s")

    x, _, _ = economics.design_inputs("suncatcher-81")
    grid = np.linspace(100, 3600, 10_000)[:, None]
    t_core, _ = best_of(lambda: economics.cost_model({**x, "launch_usd_per_kg": grid}),
                        args.repeats)
    rep.time("lab core, per design (10,000 in one call)", t_core / 10_000)
    try:
        import orbitdc
    except ImportError:
        print("orbitdc not installed (pip install spacedc-mdao): peer row skipped")
    else:
        sc = orbitdc.load_scenario_dict({
            "name": "suncatcher-like", "kind": "space", "mission_life_years": 5,
            "accelerator": "h100_sxm",
            "space": {"orbit": {"altitude_km": 650.0, "inclination_deg": 98.0},
                      "architecture": {"satellites": 81, "accelerators_per_satellite": 32}}})
        t_odc, _ = best_of(lambda: orbitdc.evaluate_space(sc), args.repeats)
        rep.time("orbitdc evaluate_space, per design", t_odc)
        rep.value("orbitdc / lab time per design", t_odc / (t_core / 10_000), "x")
    return rep.finish(args)


if __name__ == "__main__":
    raise SystemExit(run(__doc__, add_cli_args, main))
