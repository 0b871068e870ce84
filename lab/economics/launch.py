"""Launch prices: Suncatcher's launched power price, Wright's-law learning and price paths by year.

- :func:`launched_power_price` — launch USD per kW per year of satellite life (Suncatcher §2.4,
  Table 1); :data:`SUNCATCHER_TABLE_1` holds the paper's satellites for the tests and notebook 06.
- :func:`launch_price` / :func:`mass_for_price` — Wright's law on cumulative launched mass,
  anchored where Suncatcher anchors it (Falcon Heavy's introduction: ~$1,800/kg at ~400 t
  launched, ~20 % cheaper per doubling, 18–24 % for other starting points).
- :func:`price_path` — the price by year when Starship-class vehicles fly ``flights_per_year``
  times ``payload_t`` tonnes from ``start_year`` on (Suncatcher's reasoning: ~180 flights/year of
  200 t reach ≲ $200/kg by ~2035); before that, today's Falcon 9 price.
- :data:`STARSHIP_COST_CASES` — Suncatcher's bottom-up Starship 4 cost cases (cost to SpaceX).

Plain numbers are read in kg, W, years and USD/kg; astropy Quantities are converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value
from lab.economics.core import (
    launched_power_price_core,
    mass_for_price_core,
    terrestrial_power_spend_core,
    wright_price_core,
)

__all__ = [
    "FALCON_9_PRICE",
    "LEARNING",
    "PRICE_PATHS",
    "STARSHIP_COST_CASES",
    "SUNCATCHER_TABLE_1",
    "SOURCES",
    "launch_price",
    "launched_power_price",
    "mass_for_price",
    "price_path",
    "terrestrial_power_spend",
]

_SUNCATCHER = "Project Suncatcher, arXiv 2511.19468"

#: Today's launch price, USD/kg: Falcon 9, reusable configuration (Suncatcher §2.4).
FALCON_9_PRICE = 3600.0

#: Wright's-law parameters of Suncatcher §4.4: price0 USD/kg at mass0 t cumulative, learning rate.
LEARNING: dict[str, float] = {"price0": 1800.0, "mass0_t": 400.0, "learning_rate": 0.20}

#: Suncatcher Table 1: mass kg, power kW, lifespan y, launched power price at $3,600 and $200/kg.
SUNCATCHER_TABLE_1: dict[str, dict[str, float]] = {
    "Starlink v2 mini": {"mass": 575, "power_kw": 28, "life": 5, "at_3600": 14700, "at_200": 810},
    "Starlink v1": {"mass": 260, "power_kw": 7, "life": 5, "at_3600": 26600, "at_200": 1470},
    "OneWeb": {"mass": 150, "power_kw": 0.8, "life": 5, "at_3600": 135800, "at_200": 7500},
    "Iridium": {"mass": 860, "power_kw": 2, "life": 12.5, "at_3600": 124600, "at_200": 6900},
}

#: Suncatcher §4.4: bottom-up Starship 4 cost to SpaceX, USD/kg.
STARSHIP_COST_CASES: dict[str, float] = {
    "no reuse": 460.0,
    "100x reuse, 15 % refurbishment": 38.0,
    "100x reuse of all components": 15.0,
    "propellant floor": 8.0,
}

#: Named price paths: (flights per year, payload t per flight, first year of that cadence).
PRICE_PATHS: dict[str, dict[str, float]] = {
    "suncatcher": {"flights_per_year": 180.0, "payload_t": 200.0, "start_year": 2025.0},
    "suncatcher-slow": {"flights_per_year": 52.0, "payload_t": 200.0, "start_year": 2025.0},
    "falcon-9": {"flights_per_year": 0.0, "payload_t": 200.0, "start_year": 2025.0},
}

SOURCES: dict[str, str] = {
    "FALCON_9_PRICE": f"{_SUNCATCHER} §2.4: current price $3,600/kg (Falcon 9, reusable).",
    "LEARNING": f"{_SUNCATCHER} §4.4: ~20 % learning rate per doubling of cumulative launched "
    "mass (18-24 % for other starting points), anchored at Falcon Heavy's introduction "
    "(~$1,800/kg, ~400 t launched).",
    "SUNCATCHER_TABLE_1": f"{_SUNCATCHER} Table 1 (v2 mini power: ~105 m2 x 22 % x 1.361 kW/m2 "
    "x 90 % packing = ~28 kW; 5-year life).",
    "STARSHIP_COST_CASES": f"{_SUNCATCHER} §4.4: Starship 4 cost to SpaceX ~$460/kg without "
    "reuse, <~$15/kg at 100x reuse, $38/kg with 15 % refurbishment, propellant ~$8/kg floor.",
    "PRICE_PATHS": f"{_SUNCATCHER} §4.4: ~370,000 t more (~1,800 Starship launches of 200 t, "
    "~180/year) reach <$200/kg by ~2035; 104,000 t (72 % less, ~52/year) give ~$300/kg. "
    "'falcon-9': no Starship-class cadence, today's price.",
    "TERRESTRIAL": f"{_SUNCATCHER} §2.4: US ML data-centre power $0.06-0.25/kWh, PUE 1.09-1.4 "
    "-> $570-3,000/kW/y.",
}


def _usd_per_kg(value: Any, name: str) -> Any:
    """A price in USD/kg ≥ 0: a plain number, or a Quantity per mass (``200 / u.kg``, ``1e5 / u.t``)."""
    return as_value(value, 1 / u.kg, f"{name} (USD/kg)", lo=0.0)


def launched_power_price(mass: Any, power: Any, lifetime: Any, launch_price: Any) -> Any:
    """USD per kW-year: launching ``mass`` (kg) that supplies ``power`` (W) for ``lifetime``
    (years) at ``launch_price`` (USD/kg). Vectorized; Quantities accepted.

    >>> round(launched_power_price(575, 28.3e3, 5, 200))
    813
    """
    m = as_value(mass, u.kg, "mass", lo=0.0)
    p = as_value(power, u.W, "power", lo=0.0, lo_inclusive=False)
    life = as_value(lifetime, u.yr, "lifetime", lo=0.0, lo_inclusive=False)
    return launched_power_price_core(m, p, life, _usd_per_kg(launch_price, "launch_price"))


def terrestrial_power_spend(electricity_price: Any, pue: Any) -> Any:
    """USD per kW(IT)-year of electricity at ``electricity_price`` USD/kWh and ``pue``."""
    return terrestrial_power_spend_core(electricity_price, pue)


def launch_price(cumulative_mass: Any, price0: Any = LEARNING["price0"],
                 mass0: Any = LEARNING["mass0_t"] * u.t,
                 learning_rate: Any = LEARNING["learning_rate"]) -> Any:
    """Launch price (USD/kg) by Wright's law after ``cumulative_mass`` (kg or a Quantity) has
    been launched: ``price0 × (M / mass0) ** log2(1 - learning_rate)``.

    Defaults: Suncatcher's anchor ($1,800/kg at 400 t, 20 % per doubling), so
    ``launch_price(370_400 * u.t)`` is ~$200/kg.
    """
    m = as_value(cumulative_mass, u.kg, "cumulative_mass", lo=0.0, lo_inclusive=False)
    m0 = as_value(mass0, u.kg, "mass0", lo=0.0, lo_inclusive=False)
    p0 = _usd_per_kg(price0, "price0")
    return wright_price_core(m, p0, m0, learning_rate)


def mass_for_price(price: Any, price0: Any = LEARNING["price0"],
                   mass0: Any = LEARNING["mass0_t"] * u.t,
                   learning_rate: Any = LEARNING["learning_rate"]) -> u.Quantity:
    """Cumulative launched mass (Quantity, t) at which :func:`launch_price` reaches ``price``."""
    m0 = as_value(mass0, u.kg, "mass0", lo=0.0, lo_inclusive=False)
    kg = mass_for_price_core(_usd_per_kg(price, "price"), _usd_per_kg(price0, "price0"), m0,
                             learning_rate)
    return (kg * u.kg).to(u.t)


def price_path(year: Any, flights_per_year: Any = PRICE_PATHS["suncatcher"]["flights_per_year"],
               payload_t: Any = 200.0, start_year: Any = 2025.0,
               learning_rate: Any = LEARNING["learning_rate"],
               today_price: Any = FALCON_9_PRICE) -> Any:
    """Launch price (USD/kg) in ``year`` on a learning path (vectorized over every argument).

    From ``start_year`` on, Starship-class vehicles launch ``flights_per_year`` × ``payload_t``
    tonnes a year on top of Suncatcher's anchor (400 t launched at $1,800/kg) and the price
    follows :func:`launch_price`; it never exceeds ``today_price`` (Falcon 9, $3,600/kg), which
    is also the price before ``start_year`` or with no flights.
    """
    y = as_value(year, "", "year", lo=1957.0, hi=2200.0)
    n = as_value(flights_per_year, "", "flights_per_year", lo=0.0)
    pay = as_value(payload_t, u.t, "payload_t", lo=0.0, lo_inclusive=False)
    y0 = as_value(start_year, "", "start_year", lo=1957.0, hi=2200.0)
    p_today = _usd_per_kg(today_price, "today_price")
    elapsed = np.maximum(np.asarray(y) - y0, 0.0)
    mass_t = LEARNING["mass0_t"] + np.asarray(n) * pay * elapsed
    learned = wright_price_core(mass_t, LEARNING["price0"], LEARNING["mass0_t"], learning_rate)
    started = (np.asarray(y) >= y0) & (np.asarray(n) > 0)
    out = np.where(started, np.minimum(learned, p_today), p_today)
    return out if out.ndim else float(out)
