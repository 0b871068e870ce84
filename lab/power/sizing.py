"""Sizing: the smallest solar array and battery that keep a load running, :func:`size_for`.

A pipeline of named steps over one sizing window (the geometry is computed once):

1. :func:`_gather` — illumination, array output per m² and the requested load along the orbit;
2. :func:`_lower_bound` — the lossless energy balance gives a lower bound on the area;
3. :func:`_bracket` — double an upper bound until it is sustainable;
4. :func:`_refine` — three geometric grids of candidate areas, all run at once as extra rows of
   the vectorized :func:`~lab.power.core.battery_drawdown`;
5. :func:`_size_battery` — capacity from the deepest drawdown and the usable depth of discharge;
6. :func:`_verify` — :func:`~lab.power.simulate`'s timeline of the sized design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from astropy import units as u

from lab._validate import as_value
from lab.power._orbit import as_constellation, orbit_periods, resolve_times
from lab.power.components import Battery, SolarArray
from lab.power.core import battery_drawdown, longest_run, step_lengths
from lab.power.loads import Loads, as_loads
from lab.power.timeline import generated_power, illumination, timeline

__all__ = ["SizingResult", "size_for"]

_GRID = 24  # candidate areas per refinement grid
_REFINEMENTS = 3  # successive grids (relative precision ~1e-4)
_DOUBLINGS = 20  # attempts to find a sustainable upper bound


@dataclass
class SizingResult:
    """Result of :func:`size_for`: the smallest array and battery, and the check that they work.

    ``load_w``: peak requested load (W); ``mean_load_w``: mean requested load (W, worst
    satellite); ``worst_eclipse_s``: longest continuous shadow (any part of the Sun hidden) in
    the window; ``max_discharge_w``: largest battery power needed; ``max_drawdown_wh``: deepest
    battery drawdown (Wh). ``timeline`` is the :func:`simulate` run of the sized system over
    the sizing window; ``verified`` is True when it served the whole load with the DoD limit
    respected; ``min_state_of_charge`` is its lowest state of charge.
    """

    array: SolarArray
    battery: Battery
    load_w: float
    mean_load_w: float
    worst_eclipse_s: float
    max_discharge_w: float
    max_drawdown_wh: float
    verified: bool
    min_state_of_charge: float
    timeline: xr.Dataset = field(repr=False)

    @property
    def area(self) -> u.Quantity:
        """Array area, Quantity m²."""
        return self.array.area * u.m**2

    @property
    def capacity(self) -> u.Quantity:
        """Battery capacity, Quantity Wh."""
        return self.battery.capacity * u.W * u.h


def size_for(
    orbit: Any,
    load: Any,
    times: Any = None,
    *,
    efficiency: Any = 0.30,
    packing: Any = 0.85,
    degradation_per_year: Any = 0.01,
    age: Any = 0.0,
    pointing: str = "sun",
    normal: Any = "orbit-normal",
    max_depth_of_discharge: Any = 0.3,
    charge_efficiency: Any = 0.95,
    discharge_efficiency: Any = 0.95,
    max_charge_rate: Any = None,
    max_discharge_rate: Any = None,
    compute_reserve: Any = 0.05,
    margin: Any = 0.0,
    model: str = "conical",
    orbit_model: str = "j2",
) -> SizingResult:
    """Smallest solar array and battery that keep ``load`` running through every eclipse.

    ``load`` (a bus load in W, a :class:`ComputeLoad`, a hardware profile name or
    :class:`Loads`) is served in full at every step of ``times`` (default: one day from the
    orbit epoch, 60 s steps; at least two orbits) on every satellite, with an array at ``age``
    years (design for end of life by passing the mission length), never going below the
    depth-of-discharge floor, and with the battery back to full in the last orbit of the
    window (a sustainable, not slowly draining, design).

    Method: the battery drawdown :func:`battery_drawdown` (exact for a given array) is run for
    a grid of candidate areas at once (the candidates are extra rows of the vectorized
    recursion); the smallest sustainable area is bracketed and the grid refined three times
    (relative precision ~1e-4). Capacity = largest drawdown / (DoD − ``compute_reserve``), so
    the payload is never shed (see :func:`simulate`). Both are then multiplied by
    ``1 + margin`` and the design is verified with :func:`simulate`.
    """
    loads = as_loads(load, "load")
    mg = as_value(margin, "", "margin", lo=0.0)
    array0 = SolarArray(1.0, efficiency, degradation_per_year, packing, pointing, normal)
    battery0 = Battery(0.0, max_depth_of_discharge, charge_efficiency, discharge_efficiency,
                       max_charge_rate, max_discharge_rate)
    reserve = as_value(compute_reserve, "", "compute_reserve", lo=0.0)
    if battery0.max_depth_of_discharge <= reserve:
        raise ValueError(f"max_depth_of_discharge must be > compute_reserve ({reserve:g}) to size "
                         f"a battery (got {battery0.max_depth_of_discharge:g})")
    age0 = as_value(age, u.yr, "age", lo=0.0)
    window = _gather(orbit, times, array0, loads, age0, model, orbit_model)
    area_lo = _lower_bound(window)
    hi = _bracket(window, battery0, area_lo)
    area = _refine(window, battery0, area_lo, hi) * (1.0 + mg)
    capacity, deficit, drawdown = _size_battery(window, battery0, area, reserve, mg)
    return _verify(window, array0.with_area(area), battery0.with_capacity(capacity), loads,
                   age0, reserve, deficit, drawdown)


@dataclass(frozen=True)
class _Window:
    """The sizing window: what every step of :func:`size_for` reads (shapes ``(S, E)``)."""

    ill: xr.Dataset  # illumination of the unit array
    dt: np.ndarray  # (E,) step lengths, s
    unit_power: np.ndarray  # array output per m², W
    load: np.ndarray  # requested load, W
    last_orbit: np.ndarray  # (E,) True in the last orbit of the window


def _gather(orbit: Any, times: Any, array0: SolarArray, loads: Loads, age0: float, model: str,
            orbit_model: str) -> _Window:
    """Step 1: illumination, output of 1 m² of array and the load along the orbit."""
    c = as_constellation(orbit)
    t, _ = resolve_times(c, times)
    ill = illumination(c, t, array=array0, model=model, orbit_model=orbit_model)
    secs = ill["elapsed"].values
    unit_power = generated_power(ill, array0, age0)  # array0 has an area of 1 m²
    bus, creq, _ = loads.arrays(secs)
    try:
        load = np.broadcast_to(bus + creq, unit_power.shape)
    except ValueError:
        raise ValueError(f"load must be one value per step or per satellite and step "
                         f"{unit_power.shape} (got bus {bus.shape}, compute {creq.shape})"
                         ) from None
    period = float(np.max(orbit_periods(c)))
    if secs[-1] < 2 * period:
        raise ValueError(f"times must span at least two orbits ({2 * period:.0f} s) to size "
                         f"a sustainable system (got {secs[-1]:.0f} s)")
    if np.all(load <= 0):
        raise ValueError("load must be > 0 W somewhere to size a power system")
    return _Window(ill, step_lengths(secs), unit_power, load, secs >= secs[-1] - period)


def _lower_bound(w: _Window) -> float:
    """Step 2: area (m²) whose energy over the window equals the load's, without losses."""
    e_load = (w.load * w.dt).sum(axis=1)
    e_gen1 = (w.unit_power * w.dt).sum(axis=1)
    if np.any(e_gen1 <= 0):
        raise ValueError("the array sees no sunlight in the sizing window")
    return float(np.max(e_load / e_gen1))


def _drawdowns(w: _Window, battery0: Battery, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sustainable mask over candidate ``areas`` (all satellites) and their max drawdown (Wh).

    Sustainable: the battery is full again at some point during the last orbit.
    """
    k = areas.size
    n_sat, n_ep = w.unit_power.shape
    gen = (areas[:, None, None] * w.unit_power[None]).reshape(k * n_sat, n_ep)
    load = np.broadcast_to(w.load, (k, n_sat, n_ep)).reshape(k * n_sat, n_ep)
    d = battery_drawdown(gen, load, w.dt, battery0.charge_efficiency,
                         battery0.discharge_efficiency, battery0.max_charge_rate)
    d = d.reshape(k, n_sat, n_ep)
    refilled = np.min(d[:, :, w.last_orbit], axis=2) <= 1e-9 * np.max(d, axis=2, initial=0.0) \
        + 1e-12
    return refilled.all(axis=1), d.max(axis=(1, 2))


def _bracket(w: _Window, battery0: Battery, area_lo: float) -> float:
    """Step 3: a sustainable area, from twice the lower bound over the round-trip efficiency."""
    hi = area_lo * 2.0 / (battery0.charge_efficiency * battery0.discharge_efficiency)
    for _ in range(_DOUBLINGS):
        ok, _ = _drawdowns(w, battery0, np.array([hi]))
        if ok[0]:
            return hi
        hi *= 2.0
    raise ValueError("could not find a sustainable array area (is the load feasible?)")


def _refine(w: _Window, battery0: Battery, lo: float, hi: float) -> float:
    """Step 4: the smallest sustainable area, refined on geometric grids between lo and hi."""
    for _ in range(_REFINEMENTS):
        grid = np.geomspace(lo, hi, _GRID)
        ok, _ = _drawdowns(w, battery0, grid)
        i = int(np.argmax(ok))  # first feasible (ok[-1] is True: hi is feasible)
        lo, hi = (grid[i - 1] if i > 0 else lo), grid[i]
        if i == 0:
            break
    return hi


def _size_battery(w: _Window, battery0: Battery, area: float, reserve: float,
                  mg: float) -> tuple[float, float, float]:
    """Step 5: ``(capacity Wh, largest battery power W, deepest drawdown Wh)`` for ``area``."""
    _, dmax = _drawdowns(w, battery0, np.array([area]))
    deficit = float(np.max(np.maximum(w.load - area * w.unit_power, 0.0)))
    if deficit > battery0.max_discharge_rate:
        raise ValueError(f"max_discharge_rate must be ≥ {deficit:.1f} W to carry the load "
                         f"through eclipse (got {battery0.max_discharge_rate:g} W)")
    usable = battery0.max_depth_of_discharge - reserve
    capacity = float(dmax[0]) / usable * (1.0 + mg) * (1.0 + 1e-9)
    return capacity, deficit, float(dmax[0])


def _verify(w: _Window, array: SolarArray, battery: Battery, loads: Loads, age0: float,
            reserve: float, deficit: float, drawdown: float) -> SizingResult:
    """Step 6: simulate the sized design over the window (same geometry) and report."""
    tl = timeline(w.ill, array, battery, loads, age0, 1.0, reserve)
    short = float(tl["shortfall"].max())
    min_soc = float(tl["state_of_charge"].min()) if battery.capacity > 0 else 1.0
    peak = float(w.load.max())
    verified = short <= 1e-6 * max(1.0, peak) and \
        min_soc >= 1.0 - battery.max_depth_of_discharge - 1e-9
    return SizingResult(
        array=array, battery=battery, load_w=peak,
        mean_load_w=float(np.max((w.load * w.dt).sum(axis=1) / w.dt.sum())),
        worst_eclipse_s=float(np.max(longest_run(w.ill["shadow"].values > 0, w.dt))),
        max_discharge_w=deficit, max_drawdown_wh=drawdown, verified=verified,
        min_state_of_charge=min_soc, timeline=tl,
    )
