"""Unit-free vectorized economics core (the lower layer under :mod:`lab.economics`).

Plain floats/ndarrays in documented units: kg, W, Wh, m², years, USD, USD/kg, USD/kWh.
Every function broadcasts (NumPy), so one call prices one design or 100,000 Monte Carlo
samples. Inputs of the public helpers are checked; :func:`cost_model` trusts its caller
(:mod:`lab.economics.model` checks the inputs once, then the Monte Carlo reuses them).

The cost model of one satellite and of the same accelerators on the ground
(:func:`cost_model`):

- **mass** (kg): array = BOL array watts / array specific power; battery = Wh / specific
  energy; radiator = m² × areal density; compute = accelerator kW × kg/kW; plus a fixed bus;
  the sum times ``(1 + structure) (1 + margin)`` is the dry mass;
- **orbit, per satellite per year** (USD/y): (platform + launch) × CRF(rate, life) + accelerators
  × CRF(rate, refresh) + a re-launch of the compute module at each refresh shorter than the
  life + (ground segment × CRF(rate, life) + operations) / satellites. Failed accelerators are
  not replaced: the delivered share is the mean surviving fraction over the life;
- **ground, the same accelerators** (USD/y): accelerators × CRF(rate, refresh) + replacements of
  failed ones + facility capex × CRF(rate, facility life) + maintenance + electricity
  (IT power × PUE × price × hours × load factor);
- **outputs**: USD per kW-year (power and infrastructure, accelerators excluded), capex per W,
  USD per accelerator-hour, USD per million tokens, and the break-even launch price (the orbit
  cost is linear in the launch price, so it has a closed form).

CRF is the capital recovery factor ``r / (1 - (1 + r)**-n)`` (``1/n`` at ``r = 0``): a capex
paid once becomes an equal annual payment over ``n`` years at discount rate ``r``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lab._validate import as_value

__all__ = [
    "HOURS_PER_YEAR",
    "SECONDS_PER_YEAR",
    "capital_recovery_factor",
    "cost_model",
    "launched_power_price_core",
    "mass_for_price_core",
    "mean_surviving_fraction",
    "terrestrial_power_spend_core",
    "wright_price_core",
]

HOURS_PER_YEAR = 8766.0  # Julian year (365.25 d)
SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600.0
SOLAR_FLUX = 1361.0  # W/m², the solar constant (lab.constants.SOLAR_CONSTANT)


def launched_power_price_core(mass: Any, power: Any, lifetime: Any, launch_price: Any) -> Any:
    """USD per kW-year of launching ``mass`` kg that supplies ``power`` W for ``lifetime`` years
    at ``launch_price`` USD/kg: ``mass × price / (power / 1000) / lifetime`` (Suncatcher §2.4)."""
    m = as_value(mass, "kg", "mass", lo=0.0)
    p = as_value(power, "W", "power", lo=0.0, lo_inclusive=False)
    life = as_value(lifetime, "yr", "lifetime", lo=0.0, lo_inclusive=False)
    c = as_value(launch_price, "", "launch_price (USD/kg)", lo=0.0)
    return np.multiply(m, c) / (np.asarray(p) / 1000.0) / life


def _learning_exponent(learning_rate: Any) -> Any:
    lr = as_value(learning_rate, "", "learning_rate", lo=0.0, hi=1.0, lo_inclusive=False,
                  hi_inclusive=False)
    return np.log2(1.0 - np.asarray(lr))


def wright_price_core(cumulative_mass: Any, price0: Any, mass0: Any, learning_rate: Any) -> Any:
    """Wright's law: ``price0 × (M / M0) ** log2(1 - learning_rate)`` USD/kg at cumulative
    launched mass ``M`` (same unit as ``M0``); the price falls by ``learning_rate`` per doubling."""
    m = as_value(cumulative_mass, "", "cumulative_mass", lo=0.0, lo_inclusive=False)
    m0 = as_value(mass0, "", "mass0", lo=0.0, lo_inclusive=False)
    p0 = as_value(price0, "", "price0 (USD/kg)", lo=0.0, lo_inclusive=False)
    return p0 * (np.asarray(m) / m0) ** _learning_exponent(learning_rate)


def mass_for_price_core(price: Any, price0: Any, mass0: Any, learning_rate: Any) -> Any:
    """Inverse of :func:`wright_price_core`: the cumulative mass at which the price is ``price``."""
    p = as_value(price, "", "price (USD/kg)", lo=0.0, lo_inclusive=False)
    p0 = as_value(price0, "", "price0 (USD/kg)", lo=0.0, lo_inclusive=False)
    m0 = as_value(mass0, "", "mass0", lo=0.0, lo_inclusive=False)
    return m0 * (np.asarray(p) / p0) ** (1.0 / _learning_exponent(learning_rate))


def terrestrial_power_spend_core(electricity_price: Any, pue: Any) -> Any:
    """USD per kW(IT)-year of electricity: ``price (USD/kWh) × PUE × hours per year``."""
    c = as_value(electricity_price, "", "electricity_price (USD/kWh)", lo=0.0)
    pue_ = as_value(pue, "", "pue", lo=1.0)
    return np.multiply(c, pue_) * HOURS_PER_YEAR


def capital_recovery_factor(rate: Any, years: Any) -> Any:
    """Annual payment per USD of capex over ``years`` at discount ``rate`` (vectorized)."""
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    small = np.abs(r) < 1e-9
    safe = np.where(small, 1.0, r)
    crf = np.where(small, 1.0 / n, safe / (1.0 - (1.0 + safe) ** (-n)))
    return crf if crf.ndim else float(crf)


def mean_surviving_fraction(failure_rate: Any, years: Any) -> Any:
    """Mean fraction of units alive over ``years`` when a fraction ``failure_rate`` fails each
    year and none is replaced: the mean of ``(1 - f) ** t`` over ``[0, years]``."""
    f = np.asarray(failure_rate, dtype=float)
    n = np.asarray(years, dtype=float)
    lam = -np.log1p(-np.minimum(f, 1.0 - 1e-12))  # continuous hazard per year
    x = lam * n
    out = np.where(x < 1e-9, 1.0 - x / 2.0, -np.expm1(-x) / np.where(x < 1e-9, 1.0, x))
    return out if out.ndim else float(out)


def satellite_masses(x: dict[str, Any]) -> dict[str, Any]:
    """Per-satellite masses (kg) and powers (W) of the design ``x`` (see :func:`cost_model`)."""
    acc_w = x["n_accelerators"] * x["accelerator_w"]
    it_w = acc_w * (1.0 + x["host_overhead"])
    load_w = it_w * (1.0 + x["bus_frac"])
    eol = (1.0 - x["design_degradation"]) ** x["design_life_y"] \
        / (1.0 - x["degradation_per_year"]) ** x["lifetime_y"]
    array_m2 = x["array_m2_per_w"] * load_w * eol
    array_bol_w = array_m2 * SOLAR_FLUX * x["cell_efficiency"] * x["packing"]
    battery_wh = x["battery_wh_per_w"] * load_w
    radiator_m2 = x["radiator_m2_per_w"] * load_w
    parts = {
        "array": array_bol_w / x["array_w_per_kg"],
        "battery": battery_wh / x["battery_wh_per_kg"],
        "radiator": radiator_m2 * x["radiator_kg_per_m2"],
        "compute": acc_w / 1000.0 * x["compute_kg_per_kw"],
        "bus": x["bus_kg"] + 0.0 * load_w,  # broadcast to the shape of the other parts
    }
    sub = sum(parts.values())
    dry = sub * (1.0 + x["structure_frac"]) * (1.0 + x["margin_frac"])
    parts["structure_margin"] = dry - sub
    return {"mass_kg": parts, "dry_kg": dry, "accelerator_w": acc_w, "it_w": it_w,
            "load_w": load_w, "array_m2": array_m2, "array_bol_w": array_bol_w,
            "battery_wh": battery_wh, "radiator_m2": radiator_m2}


def _orbit_annual(x: dict[str, Any], sat: dict[str, Any]) -> dict[str, Any]:
    """Annualized orbit costs per satellite (USD/y) by category, and the launch-price slope."""
    crf_life = capital_recovery_factor(x["discount_rate"], x["lifetime_y"])
    refresh = np.minimum(x["refresh_years"], x["lifetime_y"])
    crf_refresh = capital_recovery_factor(x["discount_rate"], refresh)
    compute_module_kg = sat["mass_kg"]["compute"] * (1.0 + x["structure_frac"]) \
        * (1.0 + x["margin_frac"])
    relaunch = np.where(refresh < x["lifetime_y"] - 1e-9, 1.0, 0.0)
    # kg launched per year (annualized): the satellite over its life, the compute module again
    # at every refresh that comes before the end of the life
    kg_per_year = sat["dry_kg"] * crf_life + relaunch * compute_module_kg * crf_refresh
    accelerators = x["n_accelerators"] * x["accelerator_usd"]
    annual = {
        "launch": kg_per_year * x["launch_usd_per_kg"],
        "platform": (sat["dry_kg"] - sat["mass_kg"]["compute"]) * x["platform_usd_per_kg"]
        * crf_life,
        "accelerators": accelerators * crf_refresh,
        "ground segment + operations": (x["ground_segment_usd"] * crf_life
                                        + x["ops_usd_per_year"]) / x["n_satellites"],
    }
    return {"annual": annual, "kg_per_year": kg_per_year}


def _ground_annual(x: dict[str, Any], sat: dict[str, Any]) -> dict[str, Any]:
    """Annualized ground costs (USD/y) of the same accelerators as one satellite carries."""
    refresh = np.minimum(x["refresh_years"], x["lifetime_y"])
    crf_refresh = capital_recovery_factor(x["discount_rate"], refresh)
    crf_facility = capital_recovery_factor(x["discount_rate"], x["facility_life_y"])
    accelerators = x["n_accelerators"] * x["accelerator_usd"]
    facility = sat["it_w"] * x["facility_usd_per_w"]
    energy_kwh = sat["it_w"] / 1000.0 * x["pue"] * HOURS_PER_YEAR * x["load_factor"]
    return {"annual": {
        "accelerators": accelerators * (crf_refresh + x["failure_rate_ground"]),
        "facility": facility * (crf_facility + x["maintenance_frac"]),
        "electricity": energy_kwh * x["electricity_usd_per_kwh"],
    }, "facility_capex": facility}


def cost_model(x: dict[str, Any]) -> dict[str, Any]:
    """Orbit and ground costs of a fleet and of the same accelerators on the ground.

    ``x`` maps names to floats/arrays, all broadcast together; the **last axis is the shell
    axis** (one entry per shell of the constellation, ``shell_satellites`` satellites each), so
    Monte Carlo samples come as ``(n, 1)`` columns:

    - design physics from :mod:`lab.power` — ``array_m2_per_w`` (array m² per W of load at end of
      life ``design_life_y`` with ``design_degradation`` per year), ``battery_wh_per_w``,
      ``radiator_m2_per_w``;
    - the satellite — ``n_accelerators``, ``accelerator_w``, ``host_overhead``, ``bus_frac``,
      ``cell_efficiency``, ``packing``, ``array_w_per_kg``, ``battery_wh_per_kg``,
      ``radiator_kg_per_m2``, ``compute_kg_per_kw``, ``bus_kg``, ``structure_frac``,
      ``margin_frac``, ``degradation_per_year``, ``lifetime_y``;
    - orbit economics — ``launch_usd_per_kg``, ``platform_usd_per_kg``, ``accelerator_usd``,
      ``refresh_years``, ``ground_segment_usd``, ``ops_usd_per_year``, ``shell_satellites``,
      ``failure_rate_orbit``, ``sefi_downtime``;
    - ground economics — ``electricity_usd_per_kwh``, ``pue``, ``facility_usd_per_w``,
      ``facility_life_y``, ``maintenance_frac``, ``failure_rate_ground``, ``availability_ground``,
      ``load_factor``;
    - both — ``discount_rate``, ``utilization``, ``tokens_per_s`` (per accelerator).

    Returns a dict: ``satellite`` (masses and powers per shell), ``orbit`` / ``ground`` (fleet
    totals: ``annual`` USD/y by category, ``total``, ``usd_per_kw_year``, ``capex_per_w``,
    ``usd_per_accelerator_hour``, ``usd_per_mtok``, ``tokens_per_year``) and
    ``breakeven_launch_usd_per_kg`` (the launch price at which the orbit's USD per million tokens
    equals the ground's; negative: no launch price is low enough); ``usd_per_mtok_fixed`` and
    ``usd_per_mtok_slope`` give the orbit's USD/Mtok as ``fixed + slope × launch price``;
    ``kg_per_kw`` is the fleet's dry mass per kW of load (Suncatcher's launched power price is
    ``kg_per_kw × launch price / lifetime``).
    """
    n_sat = np.asarray(x["shell_satellites"], dtype=float)
    x = {**x, "n_satellites": np.sum(n_sat)}
    sat = satellite_masses(x)
    orb = _orbit_annual(x, sat)
    gnd = _ground_annual(x, sat)

    def fleet(a: Any) -> Any:  # per-satellite values of each shell -> fleet total
        return np.sum(np.multiply(a, n_sat), axis=-1)

    alive = mean_surviving_fraction(x["failure_rate_orbit"], x["lifetime_y"])
    delivered = {"orbit": alive * (1.0 - x["sefi_downtime"]),
                 "ground": x["availability_ground"] + 0.0 * alive}
    capex = {"orbit": _orbit_capex_ex_accelerators(x, sat), "ground": gnd["facility_capex"]}
    it_kw, acc = fleet(sat["it_w"]) / 1000.0, x["n_accelerators"]
    out: dict[str, Any] = {"satellite": sat}
    for name, side in (("orbit", orb), ("ground", gnd)):
        annual = {k: fleet(v) for k, v in side["annual"].items()}
        total = sum(annual.values())
        acc_hours = fleet(acc * HOURS_PER_YEAR * delivered[name])
        tokens = fleet(acc * HOURS_PER_YEAR * delivered[name] * 3600.0 * x["utilization"]
                       * x["tokens_per_s"])
        out[name] = {
            "annual": annual, "total": total, "tokens_per_year": tokens,
            "usd_per_kw_year": (total - annual["accelerators"]) / it_kw,
            "capex_per_w": fleet(capex[name]) / (it_kw * 1000.0),
            "usd_per_accelerator_hour": total / acc_hours,
            "usd_per_mtok": total / tokens * 1e6,
        }
    slope = fleet(orb["kg_per_year"]) / out["orbit"]["tokens_per_year"] * 1e6
    price = np.asarray(x["launch_usd_per_kg"], dtype=float)  # one price for every shell
    fixed = out["orbit"]["usd_per_mtok"] - slope * (price[..., 0] if price.ndim else price)
    out["usd_per_mtok_slope"], out["usd_per_mtok_fixed"] = slope, fixed
    out["kg_per_kw"] = fleet(sat["dry_kg"]) / (fleet(sat["load_w"]) / 1000.0)
    out["breakeven_launch_usd_per_kg"] = (out["ground"]["usd_per_mtok"] - fixed) / slope
    return out


def _orbit_capex_ex_accelerators(x: dict[str, Any], sat: dict[str, Any]) -> Any:
    """Orbit capex excluding accelerators (USD per satellite): platform, launch, ground share."""
    platform = (sat["dry_kg"] - sat["mass_kg"]["compute"]) * x["platform_usd_per_kg"]
    return platform + sat["dry_kg"] * x["launch_usd_per_kg"] \
        + x["ground_segment_usd"] / x["n_satellites"]
