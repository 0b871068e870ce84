"""``python -m lab respond`` and ``python -m lab sweep``: response times from the command line.

:func:`register` adds both commands to the lab's argparse CLI (:mod:`lab.cli` calls it). They use
``lab.mission.response_times``, ``sweep``, ``sensitivity``, ``PRESETS`` and ``SWEEP_SIZES``.
``respond`` prints every term of the breakdown (:data:`lab.mission.TERMS`, the ground segment's
operator, booking, acquisition and laser-link set-up included); ``respond --sensitivity``
prints which uncertain input moves the in-pass and the day median most, each input with its
low and high values and their sources.
"""

from __future__ import annotations

import argparse
import json
import math

from lab.cli._args import positive_int

__all__ = ["register", "respond", "sweep"]


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _scenario(args: argparse.Namespace):
    """The preset, rescaled / moved to another day / given antennas as the arguments say."""
    from lab import mission

    changes = {k: v for k, v in (("n_satellites", args.satellites), ("epoch", args.epoch),
                                 ("antennas", args.antennas)) if v is not None}
    return mission.configure(args.preset, **changes) if changes else (
        mission.get_preset(args.preset), [])


def _sensitivity(args: argparse.Namespace) -> int:
    """``respond --sensitivity``: the one-at-a-time sensitivity table (or JSON)."""
    from lab.mission import sensitivity

    sc, _ = _scenario(args)
    df = sensitivity(sc, requests=args.requests or 1000, seed=args.seed)
    if args.json:
        rows = [{"input": name, **{k: (_finite(v) if isinstance(v, float) else v)
                                   for k, v in row.items()}}
                for name, row in df.to_dict(orient="index").items()]
        print(json.dumps({"scenario": sc.name, "seed": args.seed,
                          "requests": df.attrs["requests"],
                          "in_pass_median_s": _finite(df.attrs["in_pass_s"]),
                          "day_median_s": _finite(df.attrs["day_s"]), "inputs": rows}, indent=2))
        return 0
    print(f"{sc.name}: in-pass median {df.attrs['in_pass_s']:.0f} s, day median "
          f"{df.attrs['day_s']:.0f} s; each input from its low to its high value:")
    cols = ["unit", "value", "low", "high", "in_pass_low_s", "in_pass_high_s", "day_low_s",
            "day_high_s"]
    print(df[cols].round(1).to_string())
    for name, row in df.iterrows():
        print(f"  {name}: {row['source']}")
    return 0


def respond(args: argparse.Namespace) -> int:
    """Print the breakdown percentiles of one scenario (table, or JSON with ``--json``)."""
    from lab import mission

    if args.sensitivity:
        return _sensitivity(args)
    sc, notes = _scenario(args)
    res = mission.response_times(sc, requests=args.requests, load=args.load, seed=args.seed)
    res.notes[:0] = notes
    if args.json:
        out = {
            "scenario": res.scenario.name,
            "n_satellites": res.summary["n_satellites"],
            "planes": res.summary["planes"],
            "n_requests": res.summary["n_requests"],
            "load_per_day": res.summary["load_per_day"],
            "seed": args.seed,
            "summary_s": {k: _finite(res.summary[k]) for k in ("p50", "p90", "p99", "mean")},
            "dominant": res.summary["dominant"],
            "in_view_share": res.summary["in_view_share"],
            "epoch": res.scenario.epoch,
            "terms": list(mission.TERMS),
            "terms_s": {term: {k: _finite(v) for k, v in row.items()}
                        for term, row in res.table.to_dict(orient="index").items()},
            "notes": res.notes,
        }
        print(json.dumps(out, indent=2))
        return 0
    s = res.summary
    print(f"{res.scenario.name}: {s['n_satellites']} satellites (planes {s['planes']}), "
          f"{s['n_requests']} requests reported of a load of {s['load_per_day']} a day, "
          f"from {res.scenario.epoch} UTC, "
          f"seed {args.seed}")
    print(res.table.round(3).to_string())
    print(f"median {s['p50']:.1f} s, p90 {s['p90']:.1f} s, p99 {s['p99']:.1f} s, "
          f"mean {s['mean']:.1f} s; largest term on average: {s['dominant']}")
    for n in res.notes:
        print("note:", n)
    return 0


def sweep(args: argparse.Namespace) -> int:
    """Print response-time percentiles versus constellation size."""
    from lab import mission

    sizes = args.sizes or mission.SWEEP_SIZES
    df = mission.sweep(args.preset, sizes, requests=args.requests, seed=args.seed,
                       progress=not args.json)
    if args.json:
        rows = [{"n_satellites": int(n), **{k: (_finite(v) if isinstance(v, float) else v)
                                            for k, v in row.items()}}
                for n, row in df.to_dict(orient="index").items()]
        print(json.dumps({"scenario": args.preset, "seed": args.seed, "rows": rows}, indent=2))
        return 0
    cols = ["p50", "p90", "p99", "mean", "dominant", "planes"]
    print(df[cols].round(2).to_string())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``respond`` and ``sweep`` to the lab's argparse subparsers."""
    from lab.mission import PRESETS

    p = subparsers.add_parser("respond", help="response time of prompts sent from the ground",
                              description="Per-term percentiles of the response time over a day.")
    p.add_argument("--preset", required=True, choices=list(PRESETS))
    p.add_argument("--satellites", type=positive_int, default=None,
                   help="rescale the constellation to N satellites")
    p.add_argument("--requests", type=positive_int, default=None,
                   help="requests reported, a sample of the day's load (default: one day's)")
    p.add_argument("--load", type=positive_int, default=None,
                   help="prompts per day sharing antennas and accelerators "
                        "(default: the preset's requests_per_day)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epoch", default=None,
                   help="start of the simulated day, UTC (e.g. 2025-12-21T00:00:00)")
    p.add_argument("--antennas", type=positive_int, default=None,
                   help="antennas at every station of the network")
    p.add_argument("--sensitivity", action="store_true",
                   help="which uncertain input moves the in-pass and day median most")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=respond)

    s = subparsers.add_parser("sweep", help="response time versus constellation size")
    s.add_argument("--preset", required=True, choices=list(PRESETS))
    s.add_argument("--sizes", type=positive_int, nargs="+", default=None)
    s.add_argument("--requests", type=positive_int, default=1000)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=sweep)
