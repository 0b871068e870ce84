"""From an orbit to the physics of a compute satellite's power and heat, per watt of load.

:func:`orbit_physics` asks :mod:`lab.power` three questions about one orbit and returns the
answers per watt, so that the cost model can scale them to any payload without re-running the
physics (the Monte Carlo and the panel reuse one answer for 100,000 designs):

1. :func:`lab.power.sunlight_over_year` — the beta angle and eclipses day by day for a year:
   the mean sunlit fraction and the day with the longest shadow;
2. :func:`lab.power.size_for` — the smallest solar array and battery that carry a constant load
   through that worst day at end of life (the array is sized for its degraded output after
   ``lifetime`` years, the battery for the deepest drawdown within its depth of discharge).
   A dawn-dusk orbit that never enters the shadow gets no eclipse battery;
3. :func:`lab.power.radiator_area` — the radiator that rejects the load as heat at the
   radiator temperature (every watt the payload draws ends as heat).

Both sizes are linear in the load, so they are computed for 1 kW and divided by 1,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value

__all__ = ["DesignPhysics", "orbit_physics", "representative_orbit", "SIZING_LOAD_W"]

SIZING_LOAD_W = 1000.0  # the sizing is linear in the load: size 1 kW, divide
_WINDOW_ORBITS = 4  # orbits in the sizing window on the worst day (size_for needs >= 2)
_STEP_S = 30.0


@dataclass(frozen=True)
class DesignPhysics:
    """Power and thermal sizing of one orbit, per watt of constant load (from :mod:`lab.power`).

    ``array_m2_per_w``: array area per W at end of life (``lifetime_y`` years at
    ``degradation_per_year``); ``battery_wh_per_w``: battery capacity per W for the worst eclipse
    (0 when the orbit never enters the shadow); ``radiator_m2_per_w``: radiator area per W of
    heat; ``sunlit_fraction``: mean over the year; ``worst_eclipse_min``: the longest shadow of
    the year (min); ``eclipse_days``: days of the year with any eclipse; ``worst_day``: the day
    of the year the sizing used; ``sizing``: :func:`lab.power.size_for`'s result for 1 kW.
    """

    array_m2_per_w: float
    battery_wh_per_w: float
    radiator_m2_per_w: float
    sunlit_fraction: float
    worst_eclipse_min: float
    eclipse_days: int
    worst_day: int
    lifetime_y: float
    degradation_per_year: float
    cell_efficiency: float
    packing: float
    sizing: Any = field(repr=False, compare=False)
    sunlight: Any = field(repr=False, compare=False)


def representative_orbit(spec: dict[str, Any], epoch: Any = None):
    """The orbit of the first satellite of a :mod:`lab.examples` shell ``spec``."""
    from lab import examples

    return examples.shell({**spec, "total": 1, "planes": 1, "phasing": 0}, epoch)[0]


def _spec_key(spec: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in spec.items() if k not in ("total", "planes",
                                                                      "phasing")))


def orbit_physics(spec: dict[str, Any], *, lifetime: Any = 5.0,
                  degradation_per_year: Any = 0.01, cell_efficiency: Any = 0.30,
                  packing: Any = 0.85, max_depth_of_discharge: Any = 0.3,
                  radiator_temperature: Any = 330.0, emissivity: Any = 0.9,
                  sink_temperature: Any = 0.0) -> DesignPhysics:
    """Power and heat per watt for the orbit of shell ``spec`` (a :mod:`lab.examples` dict).

    ``lifetime`` (years) and ``degradation_per_year`` set the end-of-life array output the array
    is sized for; ``cell_efficiency``, ``packing`` and ``max_depth_of_discharge`` are passed to
    :func:`lab.power.size_for`; ``radiator_temperature`` (K), ``emissivity`` and
    ``sink_temperature`` (K) to :func:`lab.power.radiator_area` (two-sided panel). Cached: the
    same orbit and arguments are sized once per process.
    """
    args = (
        as_value(lifetime, u.yr, "lifetime", lo=0.0, lo_inclusive=False),
        as_value(degradation_per_year, "", "degradation_per_year", lo=0.0, hi=1.0,
                 hi_inclusive=False),
        as_value(cell_efficiency, "", "cell_efficiency", lo=0.0, hi=1.0, lo_inclusive=False),
        as_value(packing, "", "packing", lo=0.0, hi=1.0, lo_inclusive=False),
        as_value(max_depth_of_discharge, "", "max_depth_of_discharge", lo=0.0, hi=1.0,
                 lo_inclusive=False),
        as_value(radiator_temperature, u.K, "radiator_temperature", lo=0.0, lo_inclusive=False),
        as_value(emissivity, "", "emissivity", lo=0.0, hi=1.0, lo_inclusive=False),
        as_value(sink_temperature, u.K, "sink_temperature", lo=0.0),
    )
    return _orbit_physics(_spec_key(spec), *args)


@lru_cache(maxsize=64)
def _orbit_physics(key: tuple, lifetime: float, degradation: float, efficiency: float,
                   packing: float, dod: float, t_rad: float, emissivity: float,
                   t_sink: float) -> DesignPhysics:
    from lab.power import radiator_area, size_for, sunlight_over_year

    orbit = representative_orbit(dict(key))
    year = sunlight_over_year(orbit)
    minutes = year["eclipse_minutes"].values[0]
    worst = int(np.argmax(minutes))
    period = float(orbit.period.to_value(u.s))
    start = orbit.epoch + float(year["day"].values[worst]) * u.day
    times = start + np.arange(0.0, _WINDOW_ORBITS * period, _STEP_S) * u.s
    sized = size_for(orbit, SIZING_LOAD_W, times, efficiency=efficiency, packing=packing,
                     degradation_per_year=degradation, age=lifetime,
                     max_depth_of_discharge=dod)
    rad = radiator_area(SIZING_LOAD_W, t_rad, emissivity, 2, t_sink).to_value(u.m**2)
    return DesignPhysics(
        array_m2_per_w=float(sized.array.area) / SIZING_LOAD_W,
        # no shadow in the window: no eclipse battery (what size_for keeps then is the sub-Wh
        # drawdown its 1e-4 area precision leaves, not an eclipse)
        battery_wh_per_w=(float(sized.battery.capacity) / SIZING_LOAD_W
                          if sized.worst_eclipse_s > 0 else 0.0),
        radiator_m2_per_w=float(rad) / SIZING_LOAD_W,
        sunlit_fraction=float(year["sunlit_fraction"].values[0].mean()),
        worst_eclipse_min=float(minutes[worst]),
        eclipse_days=int(np.count_nonzero(minutes > 0)),
        worst_day=worst, lifetime_y=lifetime, degradation_per_year=degradation,
        cell_efficiency=efficiency, packing=packing, sizing=sized, sunlight=year,
    )
