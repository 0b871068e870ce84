"""Uncertainty: a vectorized Monte Carlo over stated input distributions, and a tornado.

:data:`DISTRIBUTIONS` states every uncertain input (kind, bounds, source). :func:`monte_carlo`
draws ``n`` samples of all of them at once, runs :func:`~lab.economics.core.cost_model` once on
``(n, 1)`` columns (the last axis is the shell axis) and, because the orbit's USD per million
tokens is linear in the launch price, prices every year of a price path in one more
broadcast: ``P(orbit cheaper)`` by year. 100,000 samples take well under a second
(``benchmarks/bench_economics.py``). :func:`tornado` moves one input at a time to the ends of its
range, all variants in one call of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab._validate import check_choice, check_int, check_memory
from lab.economics.core import (
    cost_model,
    launched_power_price_core,
    terrestrial_power_spend_core,
)
from lab.economics.launch import LEARNING, PRICE_PATHS, price_path
from lab.economics.model import check_inputs, design_inputs

__all__ = ["DISTRIBUTIONS", "MC_YEARS", "MonteCarloResult", "monte_carlo", "sample", "tornado"]

MC_YEARS = np.arange(2026, 2046)

_SC = "Project Suncatcher, arXiv 2511.19468"
_ODC = "spacedc-mdao 0.4.2 (orbitdc) catalogue"
#: name -> (kind, low, mode or None, high, source). Kinds: triangular, uniform, loguniform.
DISTRIBUTIONS: dict[str, tuple[str, float, float | None, float, str]] = {
    "learning_rate": ("triangular", 0.18, 0.20, 0.24, f"{_SC} §4.4: 18-24 %, ~20 %"),
    "flights_per_year": ("loguniform", 20.0, None, 300.0,
                         "assumption around Suncatcher's ~180 Starship flights/year"),
    "array_w_per_kg": ("triangular", 30.0, 100.0, 200.0, f"{_ODC}: NASA SoA 30-200 W/kg"),
    "battery_wh_per_kg": ("triangular", 100.0, 150.0, 250.0, f"{_ODC}: 150-250 Wh/kg packs"),
    "radiator_kg_per_m2": ("triangular", 3.0, 7.0, 10.0, f"{_ODC}: 3 (advanced) - 10 kg/m2"),
    "platform_usd_per_kg": ("triangular", 400.0, 800.0, 2000.0,
                            "assumption around McCalip's ~$800/kg Starlink manufacturing"),
    "lifetime_y": ("triangular", 4.0, 5.0, 8.0, "assumption around Suncatcher's 5 years"),
    "failure_rate_orbit": ("triangular", 0.03, 0.09, 0.15,
                           "assumption around McCalip's 9 %/y (Meta GPU failures)"),
    "electricity_usd_per_kwh": ("uniform", 0.06, None, 0.25, f"{_SC} §2.4: $0.06-0.25/kWh"),
    "pue": ("uniform", 1.09, None, 1.4, f"{_SC} §2.4: PUE 1.09-1.4"),
    "facility_usd_per_w": ("triangular", 8.0, 12.0, 16.0,
                           f"{_ODC} $12M/MW; McCalip $11.6-16/W"),
    "discount_rate": ("triangular", 0.05, 0.08, 0.12, f"assumption around {_ODC}'s 8 %"),
}
_PATH_INPUTS = ("learning_rate", "flights_per_year")
_BASELINE_INPUTS = ("electricity_usd_per_kwh", "pue", "facility_usd_per_w")


def sample(n: int, seed: int = 0, names: Any = None) -> dict[str, np.ndarray]:
    """``n`` joint samples (independent) of :data:`DISTRIBUTIONS` (or of ``names``), each (n,)."""
    n = check_int(n, "n", lo=1)
    rng = np.random.default_rng(seed)
    out = {}
    for name in names or DISTRIBUTIONS:
        check_choice(name, DISTRIBUTIONS, "distribution")
        kind, lo, mode, hi, _ = DISTRIBUTIONS[name]
        if kind == "triangular":
            out[name] = rng.triangular(lo, mode, hi, n)
        elif kind == "uniform":
            out[name] = rng.uniform(lo, hi, n)
        else:
            out[name] = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    return out


@dataclass
class MonteCarloResult:
    """Samples of :func:`monte_carlo`: ``orbit`` / ``ground`` USD per million tokens at the
    reference launch price, the break-even launch price per sample, the price of every year per
    sample, ``p_orbit_cheaper`` by year (``years``) and ``p_launch_below_power``: Suncatcher's
    criterion, the launched power price (launch only) below the terrestrial power spend."""

    years: np.ndarray
    samples: dict[str, np.ndarray]
    orbit_usd_per_mtok: np.ndarray
    ground_usd_per_mtok: np.ndarray
    breakeven_launch_usd_per_kg: np.ndarray
    p_orbit_cheaper: np.ndarray
    p_launch_below_power: np.ndarray

    def quantiles(self, q: Any = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        """Quantiles of the orbit and ground USD per million tokens and of the break-even."""
        return {k: np.quantile(v, q).tolist() for k, v in (
            ("orbit_usd_per_mtok", self.orbit_usd_per_mtok),
            ("ground_usd_per_mtok", self.ground_usd_per_mtok),
            ("breakeven_launch_usd_per_kg", self.breakeven_launch_usd_per_kg))}


def monte_carlo(preset: Any = "suncatcher-81", n: int = 100_000, *, years: Any = MC_YEARS,
                baseline: Any = None, seed: int = 0, launch_price: float = 200.0,
                fixed: Any = (), max_memory_gb: Any = None,
                **overrides: Any) -> MonteCarloResult:
    """P(orbit cheaper per token) by year over ``n`` samples of :data:`DISTRIBUTIONS`.

    Each sample draws every input (the launch-price path too: learning rate and Starship
    flights per year); the orbit's USD/Mtok is ``fixed + slope × price(year)``, compared with
    the ground's for the same sample. ``launch_price`` (USD/kg) is the reference for the
    returned orbit USD/Mtok. Inputs named in ``fixed`` are not drawn: they keep their nominal
    value or the one given in ``overrides`` (``flights_per_year`` and ``learning_rate`` too).
    ``baseline``: None draws the ground's electricity price, PUE and facility capex from
    Suncatcher's and McCalip's ranges; a baseline name holds them at that baseline's values.
    Refuses more than ``max_memory_gb`` (default 4 GB).
    """
    n = check_int(n, "n", lo=1)
    yrs = np.asarray(years, dtype=float).reshape(-1)
    check_memory(n * (len(DISTRIBUTIONS) + 40 + 3 * yrs.size) * 8.0, f"a Monte Carlo of {n:,} "
                 f"samples x {yrs.size} years", max_memory_gb)
    path = {k: overrides.pop(k) for k in _PATH_INPUTS if k in overrides}
    if baseline is not None:
        fixed = (*fixed, *_BASELINE_INPUTS)
    x, _, _ = design_inputs(preset, baseline or "hyperscale", **overrides,
                            launch_usd_per_kg=launch_price)
    for name in fixed:
        check_choice(name, DISTRIBUTIONS, "fixed")
    fixed = tuple(dict.fromkeys(fixed))
    s = sample(n, seed, [k for k in DISTRIBUTIONS if k not in fixed])
    nominal = {**x, "learning_rate": LEARNING["learning_rate"],
               "flights_per_year": PRICE_PATHS["suncatcher"]["flights_per_year"], **path}
    s.update({k: np.full(n, float(np.mean(nominal[k]))) for k in fixed})
    xs = check_inputs({**x, **{k: v[:, None] for k, v in s.items() if k not in _PATH_INPUTS}})
    out = cost_model(xs)
    prices = price_path(yrs[None, :], s["flights_per_year"][:, None],
                        learning_rate=s["learning_rate"][:, None])
    orbit = out["usd_per_mtok_fixed"][:, None] + out["usd_per_mtok_slope"][:, None] * prices
    cheaper = orbit < out["ground"]["usd_per_mtok"][:, None]
    launched = launched_power_price_core(out["kg_per_kw"][:, None], 1000.0,
                                         s["lifetime_y"][:, None], prices)
    power = terrestrial_power_spend_core(s["electricity_usd_per_kwh"], s["pue"])[:, None]
    return MonteCarloResult(yrs, s, out["orbit"]["usd_per_mtok"], out["ground"]["usd_per_mtok"],
                            out["breakeven_launch_usd_per_kg"], cheaper.mean(axis=0),
                            (launched < power).mean(axis=0))


def tornado(preset: Any = "suncatcher-81", *, launch_price: float = 200.0,
            baseline: Any = "hyperscale", metric: str = "ratio", **overrides: Any):
    """What matters: each input of :data:`DISTRIBUTIONS` (and the launch price, 100-3,600 USD/kg)
    at the ends of its range, the others at their nominal values.

    ``metric``: ``"ratio"`` (orbit / ground USD per million tokens) or ``"orbit"`` (orbit USD per
    million tokens). Returns a pandas DataFrame sorted by swing (largest first) with columns
    ``low_value``, ``high_value``, ``at_low``, ``at_high``, ``swing`` and ``nominal``.
    """
    import pandas as pd

    check_choice(metric, ("ratio", "orbit"), "metric")
    x, _, _ = design_inputs(preset, baseline, **overrides, launch_usd_per_kg=launch_price)
    ranges = {k: (lo, hi) for k, (_, lo, _, hi, _) in DISTRIBUTIONS.items()
              if k not in _PATH_INPUTS}
    ranges["launch_usd_per_kg"] = (100.0, 3600.0)
    names = list(ranges)
    k = len(names)
    cols = {name: np.full((2 * k + 1, 1), np.mean(x[name]), dtype=float) for name in names}
    for i, name in enumerate(names):
        cols[name][2 * i, 0], cols[name][2 * i + 1, 0] = ranges[name]
    out = cost_model(check_inputs({**x, **cols}))
    o, g = out["orbit"]["usd_per_mtok"], out["ground"]["usd_per_mtok"]
    val = o / g if metric == "ratio" else o
    df = pd.DataFrame({
        "low_value": [ranges[nm][0] for nm in names], "high_value": [ranges[nm][1] for nm in names],
        "at_low": val[0:2 * k:2], "at_high": val[1:2 * k:2]}, index=pd.Index(names, name="input"))
    df["swing"] = (df["at_high"] - df["at_low"]).abs()
    df["nominal"] = float(val[-1])
    return df.sort_values("swing", ascending=False)
