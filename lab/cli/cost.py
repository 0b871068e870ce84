"""``python -m lab cost``: what a million tokens costs in orbit and on the ground.

``python -m lab cost --preset suncatcher-81 [--launch-price 200] [--year 2030] [--json]``: the
launch price is ``--launch-price`` (USD/kg) if given, else the price in ``--year`` on the price
path (``--path``, ``--flights-per-year``), else today's Falcon 9 price. Uses
:func:`lab.economics.evaluate`.
"""

from __future__ import annotations

import argparse
import json
import math

__all__ = ["cost", "register"]


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def cost(args: argparse.Namespace) -> int:
    """Print the orbit-versus-ground table of one preset (or JSON with ``--json``)."""
    from lab import economics

    res = economics.evaluate(args.preset, launch_price=args.launch_price, year=args.year,
                             flights_per_year=args.flights_per_year, path=args.path,
                             baseline=args.baseline)
    summary = res.summary()
    if args.json:
        summary["breakdown_usd_per_mtok"] = res.breakdown()
        summary["sources"] = dict(res.preset.sources)
        print(json.dumps(_json_safe(summary), indent=2))
        return 0
    when = f" ({args.year:g} on the '{args.path}' path)" if args.launch_price is None \
        and args.year is not None else ""
    print(f"{res.preset.name} versus a {args.baseline} data centre, launch "
          f"${res.launch_price:,.0f}/kg{when}")
    print(res.table().to_string(float_format=lambda v: f"{v:,.3f}"))
    be = res.breakeven_launch_price
    year = summary["first_year_orbit_wins"]
    print("break-even launch price: " + (f"${be:,.0f}/kg" if be > 0 else
                                         "none (orbit costs more even with free launches)"))
    print("first year orbit wins on the price path: " + (str(year) if year else "none by 2060"))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``cost`` to the lab's argparse subparsers."""
    from lab.economics import BASELINES, PRESETS, PRICE_PATHS

    p = subparsers.add_parser("cost", help="what a million tokens costs in orbit and on the "
                              "ground", description="Orbit versus ground: USD per kW-year, capex "
                              "per W, USD per accelerator-hour and per million tokens.")
    p.add_argument("--preset", required=True, choices=list(PRESETS))
    p.add_argument("--launch-price", type=float, default=None, metavar="USD_PER_KG",
                   help="launch price in USD/kg (default: --year on the price path, else "
                   "today's Falcon 9 price)")
    p.add_argument("--year", type=float, default=None, help="price the launch in this year")
    p.add_argument("--path", choices=list(PRICE_PATHS), default="suncatcher")
    p.add_argument("--flights-per-year", type=float, default=None,
                   help="Starship-class flights per year on the price path")
    p.add_argument("--baseline", choices=list(BASELINES), default="hyperscale")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cost)
