"""What a token from orbit costs: :func:`evaluate` a preset, side by side with the ground.

A pipeline of named steps:

1. :func:`design_inputs` — the preset, :data:`~lab.economics.presets.DEFAULTS`, the baseline and
   the caller's overrides become one checked dict of plain numbers (:func:`check_inputs`);
2. :func:`~lab.economics.design.orbit_physics` — per shell, array / battery / radiator per watt
   from :mod:`lab.power` for that orbit;
3. :func:`token_rate` — tokens/s and joules per token of the accelerator from the roofline
   (:func:`lab.node.predict_latency`, decode-bound throughput ``batch / TPOT``);
4. :func:`~lab.economics.core.cost_model` — the vectorized cost model;
5. :class:`CostResult` — the numbers, the break-even launch price and the first year on a price
   path (:func:`~lab.economics.launch.price_path`) at which orbit wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value, check_int
from lab.economics.core import cost_model
from lab.economics.design import DesignPhysics, orbit_physics
from lab.economics.launch import FALCON_9_PRICE, PRICE_PATHS, price_path
from lab.economics.presets import (
    ACCELERATOR_USD,
    DEFAULTS,
    CostPreset,
    get_baseline,
    get_preset,
)

__all__ = ["CostResult", "YEARS", "check_inputs", "design_inputs", "evaluate", "token_rate"]

#: Years searched for the first year at which orbit wins.
YEARS = np.arange(2025, 2061)

# name -> (lo, hi, lo_inclusive): the allowed range of every input (hi None: no upper bound)
_RANGES: dict[str, tuple[float, float | None, bool]] = {
    "launch_usd_per_kg": (0.0, None, True), "platform_usd_per_kg": (0.0, None, True),
    "accelerator_usd": (0.0, None, True), "ground_segment_usd": (0.0, None, True),
    "ops_usd_per_year": (0.0, None, True), "electricity_usd_per_kwh": (0.0, None, True),
    "facility_usd_per_w": (0.0, None, True), "bus_kg": (0.0, None, True),
    "host_overhead": (0.0, None, True), "bus_frac": (0.0, None, True),
    "structure_frac": (0.0, None, True), "margin_frac": (0.0, None, True),
    "compute_kg_per_kw": (0.0, None, True), "maintenance_frac": (0.0, None, True),
    "array_w_per_kg": (0.0, None, False), "battery_wh_per_kg": (0.0, None, False),
    "radiator_kg_per_m2": (0.0, None, True), "lifetime_y": (0.0, None, False),
    "refresh_years": (0.0, None, False), "facility_life_y": (0.0, None, False),
    "cell_efficiency": (0.0, 1.0, False), "packing": (0.0, 1.0, False),
    "utilization": (0.0, 1.0, False), "availability_ground": (0.0, 1.0, False),
    "load_factor": (0.0, 1.0, True), "degradation_per_year": (0.0, 0.999, True),
    "failure_rate_orbit": (0.0, 0.999, True), "failure_rate_ground": (0.0, 1.0, True),
    "sefi_downtime": (0.0, 1.0, True), "discount_rate": (0.0, 1.0, True),
    "pue": (1.0, None, True), "tokens_per_s": (0.0, None, False),
    "accelerator_w": (0.0, None, False),
}
_UNITS = {"launch_usd_per_kg": "USD/kg", "lifetime_y": "years", "accelerator_w": "W",
          "electricity_usd_per_kwh": "USD/kWh", "array_w_per_kg": "W/kg"}


def check_inputs(x: dict[str, Any]) -> dict[str, Any]:
    """Every input of :func:`~lab.economics.core.cost_model` as floats/arrays in range, or a
    ``ValueError``/``TypeError`` naming the input, its range and the value received."""
    out = dict(x)
    for name, (lo, hi, lo_inc) in _RANGES.items():
        if name in out:
            label = f"{name} ({_UNITS[name]})" if name in _UNITS else name
            out[name] = as_value(out[name], "", label, lo=lo, hi=hi, lo_inclusive=lo_inc)
    return out


def token_rate(preset: CostPreset) -> dict[str, float]:
    """Tokens/s per accelerator (decode, ``batch / TPOT``) and joules per token, from the
    roofline of :func:`lab.node.predict_latency` for the preset's model on its accelerator, at
    the preset's efficiency (default :data:`lab.node.ON_ORBIT_EFFICIENCY`) with the KV cache of
    its model (a parameter count: the nearest Qwen3, :func:`lab.node.roofline.qwen3_kv_bytes`)
    — the same call :mod:`lab.mission` makes for a prompt of the same model."""
    from lab.hardware import get_profile
    from lab.node import QWEN3, predict_latency
    from lab.node.roofline import as_efficiency, qwen3_kv_bytes

    prof = get_profile(preset.hardware)
    if preset.power_cap_w is not None:
        prof = prof.with_power_cap(preset.power_cap_w)
    model = QWEN3[preset.model] if isinstance(preset.model, str) else preset.model
    kv = None if isinstance(preset.model, str) else qwen3_kv_bytes(preset.model)
    eff = as_efficiency(preset.efficiency, "preset")
    pred = predict_latency(prof, model, preset.bytes_per_param, preset.prompt_tokens,
                           preset.output_tokens, check_int(preset.batch, "batch", lo=1),
                           kv_bytes_per_token=kv, efficiency=eff)
    rate = preset.batch / float(pred.tpot)
    return {"tokens_per_s": rate, "joules_per_token": prof.peak_power_w / rate,
            "accelerator_w": prof.peak_power_w, "tpot_s": float(pred.tpot),
            "profile": prof.name, "fits": bool(pred.fits)}


def _physics(preset: CostPreset, x: dict[str, Any]) -> list[DesignPhysics]:
    """Step 2: the :mod:`lab.power` sizing of every shell's orbit (cached per orbit)."""
    kw = {"lifetime": float(np.mean(x["lifetime_y"])),
          "degradation_per_year": float(np.mean(x["degradation_per_year"])),
          "cell_efficiency": float(np.mean(x["cell_efficiency"])),
          "packing": float(np.mean(x["packing"])),
          "max_depth_of_discharge": x["max_depth_of_discharge"],
          "radiator_temperature": x["radiator_temperature_k"], "emissivity": x["emissivity"]}
    return [orbit_physics(spec, **kw) for spec, _ in preset.shells]


def design_inputs(preset: str | CostPreset = "suncatcher-81", baseline: Any = "hyperscale",
                  **overrides: Any) -> tuple[dict[str, Any], list[DesignPhysics], dict]:
    """Step 1-3: the checked inputs of :func:`~lab.economics.core.cost_model` for ``preset``,
    the per-shell physics and the token rate. ``overrides`` replace any input by name."""
    p = get_preset(preset)
    base = get_baseline(baseline)
    unknown = set(overrides) - set(_RANGES) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown input(s) {sorted(unknown)}; known: "
                        f"{sorted(set(_RANGES) | set(DEFAULTS))}")
    tokens = token_rate(p)
    x: dict[str, Any] = {
        **DEFAULTS, "n_accelerators": float(p.accelerators),
        "accelerator_w": tokens["accelerator_w"], "tokens_per_s": tokens["tokens_per_s"],
        "accelerator_usd": ACCELERATOR_USD[p.hardware.split("@")[0]][0],
        "bus_kg": p.bus_kg, "ground_segment_usd": p.ground_segment_usd,
        "ops_usd_per_year": p.ops_usd_per_year, "launch_usd_per_kg": FALCON_9_PRICE,
        "electricity_usd_per_kwh": base.electricity_usd_per_kwh, "pue": base.pue,
        "facility_usd_per_w": base.facility_usd_per_w, **p.overrides, **overrides,
    }
    x["sefi_downtime"] = overrides.get(
        "sefi_downtime", x["dose_rad_per_year"] / x["sefi_rad"] * x["sefi_reset_s"]
        / (365.25 * 86400.0))
    x = check_inputs(x)
    physics = _physics(p, x)
    x["shell_satellites"] = np.array([float(n) for _, n in p.shells])
    for name in ("array_m2_per_w", "battery_wh_per_w", "radiator_m2_per_w"):
        x[name] = np.array([getattr(ph, name) for ph in physics])
    x["design_life_y"] = physics[0].lifetime_y
    x["design_degradation"] = physics[0].degradation_per_year
    return x, physics, tokens


@dataclass
class CostResult:
    """The result of :func:`evaluate`: orbit and ground side by side (fleet totals).

    ``raw`` is :func:`~lab.economics.core.cost_model`'s output; ``inputs`` what went in;
    ``physics`` the :mod:`lab.power` sizing per shell; ``tokens`` the roofline token rate;
    ``launch_price`` USD/kg; ``year`` and ``path`` the price path, if one set the price.
    """

    preset: CostPreset
    baseline: str
    inputs: dict[str, Any]
    physics: list[DesignPhysics]
    tokens: dict[str, Any]
    raw: dict[str, Any]
    launch_price: float
    year: float | None = None
    path: dict[str, float] = field(default_factory=dict)

    @property
    def breakeven_launch_price(self) -> float:
        """USD/kg at which a million tokens costs the same in orbit and on the ground
        (negative: orbit never wins, even with free launches)."""
        return float(self.raw["breakeven_launch_usd_per_kg"])

    def usd_per_mtok_at(self, launch_price: Any) -> Any:
        """The orbit's USD per million tokens at another launch price (USD/kg), vectorized."""
        lp = as_value(launch_price, 1 / u.kg, "launch_price (USD/kg)", lo=0.0)
        return self.raw["usd_per_mtok_fixed"] + self.raw["usd_per_mtok_slope"] * np.asarray(lp)

    def first_year(self, **path: Any) -> int | None:
        """First year of :data:`YEARS` whose :func:`price_path` price (``path`` keywords; default
        the one used, else Suncatcher's) makes orbit cheaper per token; None if none does."""
        kw = {**(self.path or PRICE_PATHS["suncatcher"]), **path}
        prices = price_path(YEARS, **kw)
        wins = np.asarray(prices) <= self.breakeven_launch_price
        return int(YEARS[np.argmax(wins)]) if wins.any() else None

    def summary(self) -> dict[str, Any]:
        """Headline numbers, plain floats (JSON-ready)."""
        o, g = self.raw["orbit"], self.raw["ground"]
        sat = self.raw["satellite"]
        rows = {k: {"orbit": float(o[k]), "ground": float(g[k])} for k in
                ("usd_per_kw_year", "capex_per_w", "usd_per_accelerator_hour", "usd_per_mtok")}
        return {
            "preset": self.preset.name, "baseline": self.baseline,
            "launch_price_usd_per_kg": self.launch_price, "year": self.year, **rows,
            "launched_power_usd_per_kw_year": float(
                self.raw["kg_per_kw"] * self.launch_price / np.mean(self.inputs["lifetime_y"])),
            "breakeven_launch_usd_per_kg": self.breakeven_launch_price,
            "first_year_orbit_wins": self.first_year(),
            "tokens_per_s_per_accelerator": self.tokens["tokens_per_s"],
            "joules_per_token": self.tokens["joules_per_token"],
            "satellite_dry_kg": [float(m) for m in np.atleast_1d(sat["dry_kg"])],
            "satellite_load_w": [float(w) for w in np.atleast_1d(sat["load_w"])],
            "sunlit_fraction": [ph.sunlit_fraction for ph in self.physics],
            "worst_eclipse_min": [ph.worst_eclipse_min for ph in self.physics],
        }

    def table(self):
        """A pandas DataFrame: the four headline metrics, orbit | ground | ratio."""
        import pandas as pd

        s = self.summary()
        names = {"usd_per_kw_year": "USD per kW-year (power + infrastructure)",
                 "capex_per_w": "capex per W of IT (ex-accelerators)",
                 "usd_per_accelerator_hour": "USD per accelerator-hour",
                 "usd_per_mtok": "USD per million tokens"}
        df = pd.DataFrame({names[k]: s[k] for k in names}).T[["orbit", "ground"]]
        df["orbit / ground"] = df["orbit"] / df["ground"]
        return df

    def breakdown(self) -> dict[str, dict[str, float]]:
        """USD per million tokens by cost category, for orbit and ground (the waterfall)."""
        out = {}
        for side in ("orbit", "ground"):
            r = self.raw[side]
            out[side] = {k: float(v) / float(r["tokens_per_year"]) * 1e6
                         for k, v in r["annual"].items()}
        return out


def evaluate(preset: str | CostPreset = "suncatcher-81", *, launch_price: Any = None,
             year: Any = None, flights_per_year: Any = None, path: str = "suncatcher",
             baseline: Any = "hyperscale", **overrides: Any) -> CostResult:
    """Orbit versus ground for ``preset`` (``three-body-12``, ``star-compute-2800``,
    ``suncatcher-81``, ``starcloud-1``).

    The launch price (USD/kg) is ``launch_price`` if given, else the price in ``year`` on the
    named price ``path`` (:data:`~lab.economics.launch.PRICE_PATHS`, with ``flights_per_year``
    overriding its cadence), else today's Falcon 9 price. ``baseline`` is a terrestrial
    baseline name; any input of :func:`~lab.economics.core.cost_model` can be overridden by
    keyword (e.g. ``lifetime_y=8``, ``array_w_per_kg=150``, ``electricity_usd_per_kwh=0.1``).
    """
    from lab._validate import check_choice

    check_choice(path, PRICE_PATHS, "path")
    kw = dict(PRICE_PATHS[path])
    if flights_per_year is not None:
        kw["flights_per_year"] = as_value(flights_per_year, "", "flights_per_year", lo=0.0)
    if launch_price is not None:
        price = as_value(launch_price, 1 / u.kg, "launch_price (USD/kg)", lo=0.0)
    elif year is not None:
        price = float(price_path(as_value(year, "", "year", lo=1957, hi=2200), **kw))
    else:
        price = FALCON_9_PRICE
    x, physics, tokens = design_inputs(preset, baseline, **overrides, launch_usd_per_kg=price)
    base = baseline if isinstance(baseline, str) else baseline.name
    return CostResult(get_preset(preset), base, x, physics, tokens, cost_model(x), float(price),
                      None if year is None else float(year), kw)
