"""Unit-free vectorized power core (the lower layer under :mod:`lab.power`).

Plain floats/ndarrays in W, Wh, s, m², K and years; every function broadcasts over satellites
(rows) and epochs (columns). Inputs are checked (a clear ``ValueError``/``TypeError`` naming the
parameter, its range and the value received), then nothing else is: the unit-aware layer
(:class:`~lab.power.SolarArray`, :func:`~lab.power.simulate` ...) calls these functions.

The battery recurrences (:func:`integrate_battery`, :func:`battery_drawdown`) are sequential
in time: a Python loop over epochs with NumPy operations over all satellites. Nothing else in
:mod:`lab.power` loops over epochs or satellites.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value
from lab.constants import SOLAR_CONSTANT, STEFAN_BOLTZMANN

__all__ = [
    "array_power",
    "integrate_battery",
    "battery_drawdown",
    "radiator_area_core",
    "plate_temperature_core",
]

HOUR = 3600.0
YEAR_S = 365.25 * 86400.0

# ----------------------------------------------------------------------------------------------
# Input checks shared by the core functions
# ----------------------------------------------------------------------------------------------


def require_increasing(seconds: Any, name: str = "times") -> np.ndarray:
    """``seconds`` as a 1-D float array of ≥ 2 strictly increasing values, or a ValueError."""
    secs = np.asarray(seconds, dtype=float)
    if secs.ndim != 1:
        raise ValueError(f"{name} must be 1-D, one value per epoch (got shape {secs.shape})")
    if secs.size < 2:
        raise ValueError(f"{name} must hold ≥ 2 strictly increasing epochs (got {secs.size})")
    steps = np.diff(secs)
    bad = np.flatnonzero(~(steps > 0))
    if bad.size:
        k = int(bad[0])
        raise ValueError(f"{name} must hold ≥ 2 strictly increasing epochs (epoch {k + 1} is "
                         f"{steps[k]:g} s after epoch {k})")
    return secs


def step_lengths(seconds: np.ndarray) -> np.ndarray:
    """Step lengths ``dt_k = t_{k+1} - t_k`` in s; the last step repeats the previous one."""
    d = np.diff(seconds)
    return np.append(d, d[-1])


def longest_run(mask: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Longest contiguous duration (s) where ``mask`` (S, E) is True, per row, loop-free."""
    c = np.cumsum(mask * dt[None, :], axis=1)
    base = np.maximum.accumulate(np.where(mask, 0.0, c), axis=1)
    return (c - base).max(axis=1)


def _timeline_inputs(generated: Any, dt: Any) -> tuple[np.ndarray, np.ndarray]:
    """``generated`` (S, E) W ≥ 0 and ``dt`` (E,) s > 0, checked."""
    gen = np.asarray(as_value(generated, u.W, "generated", lo=0.0), dtype=float)
    if gen.ndim != 2:
        raise ValueError(f"generated must have shape (satellites, epochs) (got {gen.shape})")
    step = np.asarray(as_value(dt, u.s, "dt", lo=0.0, lo_inclusive=False), dtype=float)
    step = step.reshape(-1)
    if step.shape != (gen.shape[1],):
        raise ValueError(f"dt must have shape ({gen.shape[1]},), one step per epoch "
                         f"(got {step.shape})")
    return gen, step


def _per_step(x: Any, shape: tuple[int, int], name: str) -> np.ndarray:
    """A power ≥ 0 W given per step: scalar, (E,), (1, E) or (S, E), broadcast to ``shape``."""
    arr = np.asarray(as_value(x, u.W, name, lo=0.0), dtype=float)
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{name} must be a scalar or broadcast to (satellites, epochs) = "
                         f"{shape} (got shape {arr.shape})") from None


def _per_row(x: Any, n_sat: int, name: str, unit: Any = "", *, unlimited: bool = False,
             **limits: Any) -> np.ndarray:
    """A battery parameter, scalar or one per satellite, checked and broadcast to ``(S,)``.

    ``unlimited``: +inf is allowed and means "no limit" (rate limits).
    """
    arr = np.asarray(as_value(x, unit, name, allow_nan=unlimited, **limits), dtype=float)
    if unlimited and np.any(np.isnan(arr) | np.isneginf(arr)):
        raise ValueError(f"{name} must be a number > 0 or inf (no limit) (got {x!r})")
    if arr.ndim > 1 or arr.size not in (1, n_sat):
        raise ValueError(f"{name} must be a scalar or have one value per satellite ({n_sat}) "
                         f"(got shape {arr.shape})")
    return np.broadcast_to(arr, (n_sat,)).copy()


def _radiating(emissivity: Any, sides: Any, sink_temperature: Any) -> tuple[Any, int, Any]:
    """Checked ``(emissivity, sides, sink_temperature)`` of a radiating plate."""
    eps = as_value(emissivity, "", "emissivity", lo=0.0, hi=1.0, lo_inclusive=False)
    if isinstance(sides, bool) or sides not in (1, 2):
        raise ValueError(f"sides must be 1 or 2 (got {sides!r})")
    ts = as_value(sink_temperature, u.K, "sink_temperature", lo=0.0)
    return eps, int(sides), ts


def _fmt_k(x: Any) -> str:
    arr = np.asarray(x)
    return f"{float(arr):g} K" if arr.ndim == 0 else f"{arr} K"


# ----------------------------------------------------------------------------------------------
# Solar array
# ----------------------------------------------------------------------------------------------


def array_power(
    area: float | np.ndarray,
    efficiency: float | np.ndarray,
    cos_incidence: float | np.ndarray = 1.0,
    shadow: float | np.ndarray = 0.0,
    *,
    packing: float = 1.0,
    age: float | np.ndarray = 0.0,
    degradation_per_year: float = 0.0,
    flux: float | np.ndarray = SOLAR_CONSTANT,
) -> np.ndarray:
    """Electrical power of a solar array in W (unit-free core; broadcasts over all arguments).

    ``P = flux * area * packing * efficiency * (1 - degradation_per_year)**age
    * max(cos_incidence, 0) * (1 - shadow)`` with ``area`` in m² (≥ 0), ``flux`` in W/m²,
    ``age`` in years (≥ 0), ``efficiency`` and ``packing`` in (0, 1], ``degradation_per_year``
    in [0, 1) and ``shadow`` the fraction of the solar disk hidden by the Earth (0 sunlit,
    1 umbra; clipped to [0, 1], like ``cos_incidence`` to [0, 1]).
    """
    area = as_value(area, u.m**2, "area", lo=0.0)
    efficiency = as_value(efficiency, "", "efficiency", lo=0.0, hi=1.0, lo_inclusive=False)
    packing = as_value(packing, "", "packing", lo=0.0, hi=1.0, lo_inclusive=False)
    degradation_per_year = as_value(degradation_per_year, "", "degradation_per_year", lo=0.0,
                                    hi=1.0, hi_inclusive=False)
    age = as_value(age, u.yr, "age", lo=0.0)
    flux = as_value(flux, u.W / u.m**2, "flux", lo=0.0)
    cos = np.clip(np.asarray(as_value(cos_incidence, "", "cos_incidence")), 0.0, 1.0)
    lit = 1.0 - np.clip(np.asarray(as_value(shadow, "", "shadow")), 0.0, 1.0)
    ageing = (1.0 - np.asarray(degradation_per_year, dtype=float)) ** np.asarray(age, dtype=float)
    return np.asarray(flux, dtype=float) * area * packing * efficiency * ageing * cos * lit


# ----------------------------------------------------------------------------------------------
# Battery
# ----------------------------------------------------------------------------------------------


def integrate_battery(
    generated: np.ndarray,
    bus: float | np.ndarray,
    compute_request: float | np.ndarray,
    compute_idle: float | np.ndarray,
    dt: np.ndarray,
    capacity: float | np.ndarray,
    max_depth_of_discharge: float | np.ndarray,
    charge_efficiency: float | np.ndarray = 1.0,
    discharge_efficiency: float | np.ndarray = 1.0,
    max_charge_rate: float | np.ndarray = np.inf,
    max_discharge_rate: float | np.ndarray = np.inf,
    initial_soc: float | np.ndarray = 1.0,
    compute_reserve: float | np.ndarray = 0.0,
) -> dict[str, np.ndarray]:
    """Battery state and served load over time for many satellites at once (unit-free core).

    Powers in W with shape ``(S, E)`` (``bus``, ``compute_request`` and ``compute_idle``
    broadcast to it), ``dt`` the step lengths in s ``(E,)``, energies in Wh; battery parameters
    are scalars or ``(S,)`` arrays (one battery per row, which :func:`~lab.power.size_for` uses
    to try many designs in one pass): ``capacity`` ≥ 0 Wh, ``max_depth_of_discharge``,
    ``initial_soc`` and ``compute_reserve`` in [0, 1], efficiencies in (0, 1].
    ``max_charge_rate`` is the power into the battery, ``max_discharge_rate`` the power it
    delivers, both in W (> 0, ``inf``: no limit).

    Policy in each step: the array feeds the loads first; the battery may deliver up to its
    rate limit and down to the depth-of-discharge floor. The bus load has priority: it may use
    the battery down to the floor, compute only down to the floor plus ``compute_reserve``
    (a fraction of ``capacity`` kept for the bus: flight software sheds the payload at a low
    state of charge). Compute is throttled continuously down to ``compute_idle`` and switched
    off (0 W) below that. Excess solar charges the battery up to its rate and up to full; the
    rest is ``curtailed``.

    Returns a dict of ``(S, E)`` arrays: ``bus_served``, ``compute_served``, ``charge_power``,
    ``discharge_power``, ``losses``, ``curtailed`` (W), ``stored_energy`` (Wh at the start of
    each step) and ``final_stored_energy`` ``(S,)`` (Wh after the last step).
    """
    gen, dt = _timeline_inputs(generated, dt)
    n_sat, n_ep = gen.shape
    bus = _per_step(bus, gen.shape, "bus")
    creq = _per_step(compute_request, gen.shape, "compute_request")
    c_idle = _per_step(compute_idle, gen.shape, "compute_idle")
    unit_range = {"lo": 0.0, "hi": 1.0}
    eff_range = {"lo": 0.0, "hi": 1.0, "lo_inclusive": False}
    cap = _per_row(capacity, n_sat, "capacity", u.W * u.h, lo=0.0)
    x_min = cap * (1.0 - _per_row(max_depth_of_discharge, n_sat, "max_depth_of_discharge",
                                  **unit_range))
    eta_c = _per_row(charge_efficiency, n_sat, "charge_efficiency", **eff_range)
    eta_d = _per_row(discharge_efficiency, n_sat, "discharge_efficiency", **eff_range)
    r_c = _per_row(max_charge_rate, n_sat, "max_charge_rate", u.W, unlimited=True, lo=0.0,
                   lo_inclusive=False)
    r_d = _per_row(max_discharge_rate, n_sat, "max_discharge_rate", u.W, unlimited=True, lo=0.0,
                   lo_inclusive=False)
    x = np.clip(cap * _per_row(initial_soc, n_sat, "initial_soc", **unit_range), x_min, cap)
    reserve = _per_row(compute_reserve, n_sat, "compute_reserve", **unit_range)
    x_comp = np.minimum(x_min + cap * reserve, cap)  # compute's floor

    out = {k: np.empty((n_ep, n_sat)) for k in (
        "bus_served", "compute_served", "charge_power", "discharge_power", "losses",
        "curtailed", "stored_energy")}
    # Column views (E, S) are contiguous per step; transposed back at the end.
    g_t, b_t, c_t, i_t = gen.T, bus.T, creq.T, c_idle.T
    for k in range(n_ep):
        h = dt[k] / HOUR
        g, b, c = g_t[k], b_t[k], c_t[k]
        out["stored_energy"][k] = x
        avail = g + np.maximum(np.minimum(r_d, (x - x_min) * eta_d / h), 0.0)
        bs = np.minimum(b, avail)
        bd = np.maximum(bs - g, 0.0)  # battery power the bus takes
        rem = np.maximum(g - bs, 0.0) + np.maximum(
            np.minimum(r_d, (x - x_comp) * eta_d / h) - bd, 0.0)
        cs = np.where(rem >= c, c, np.where(rem >= i_t[k], rem, 0.0))
        net = g - bs - cs
        surplus = np.maximum(net, 0.0)
        pc = np.maximum(np.minimum(surplus, np.minimum(r_c, (cap - x) / (eta_c * h))), 0.0)
        pd = np.maximum(-net, 0.0)
        x = np.clip(x + (eta_c * pc - pd / eta_d) * h, x_min, cap)
        out["bus_served"][k] = bs
        out["compute_served"][k] = cs
        out["charge_power"][k] = pc
        out["discharge_power"][k] = pd
        out["losses"][k] = pc * (1.0 - eta_c) + pd * (1.0 / eta_d - 1.0)
        out["curtailed"][k] = surplus - pc
    res = {k: v.T.copy() for k, v in out.items()}
    res["final_stored_energy"] = x
    return res


def battery_drawdown(
    generated: np.ndarray,
    load: float | np.ndarray,
    dt: np.ndarray,
    charge_efficiency: float | np.ndarray = 1.0,
    discharge_efficiency: float | np.ndarray = 1.0,
    max_charge_rate: float | np.ndarray = np.inf,
) -> np.ndarray:
    """Energy (Wh) missing from a full battery at the start of each step, ``(S, E)``.

    Lindley recursion ``D[k+1] = max(0, D[k] + h * ((L - G) / eta_d if L > G else
    -eta_c * min(G - L, max_charge_rate)))`` with ``D[0] = 0``: the drawdown a battery of any
    capacity ≥ ``max(D)`` would see while serving the full ``load``. The smallest battery that
    serves the load is therefore ``max(D) / max_depth_of_discharge``. Shapes and units as in
    :func:`integrate_battery`; sequential in time like it.
    """
    gen, dt = _timeline_inputs(generated, dt)
    n_sat, n_ep = gen.shape
    load = _per_step(load, gen.shape, "load")
    eff_range = {"lo": 0.0, "hi": 1.0, "lo_inclusive": False}
    eta_c = _per_row(charge_efficiency, n_sat, "charge_efficiency", **eff_range)
    eta_d = _per_row(discharge_efficiency, n_sat, "discharge_efficiency", **eff_range)
    r_c = _per_row(max_charge_rate, n_sat, "max_charge_rate", u.W, unlimited=True, lo=0.0,
                   lo_inclusive=False)
    net_t = (gen - load).T
    d = np.zeros(n_sat)
    out = np.empty((n_ep, n_sat))
    for k in range(n_ep):
        out[k] = d
        net = net_t[k]
        step = np.where(net < 0, net / eta_d, eta_c * np.minimum(net, r_c))
        d = np.maximum(d - step * (dt[k] / HOUR), 0.0)
    return out.T.copy()


# ----------------------------------------------------------------------------------------------
# Thermal
# ----------------------------------------------------------------------------------------------


def radiator_area_core(
    heat: float | np.ndarray,
    temperature: float | np.ndarray,
    emissivity: float | np.ndarray = 0.9,
    sides: int = 2,
    sink_temperature: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Radiator area in m² that rejects ``heat`` W (≥ 0) at ``temperature`` K (unit-free core).

    Stefan–Boltzmann: ``A = Q / (sides * emissivity * sigma * (T**4 - T_sink**4))``;
    ``temperature`` must be above ``sink_temperature`` (≥ 0 K), ``emissivity`` in (0, 1],
    ``sides`` 1 or 2.
    """
    q = as_value(heat, u.W, "heat", lo=0.0)
    t = as_value(temperature, u.K, "temperature", lo=0.0)
    eps, sides, ts = _radiating(emissivity, sides, sink_temperature)
    if np.any(np.asarray(t) <= np.asarray(ts)):
        raise ValueError(f"temperature must be above sink_temperature ({_fmt_k(ts)}) for a "
                         f"radiator to reject heat (got {_fmt_k(t)})")
    t4 = np.asarray(t, dtype=float) ** 4 - np.asarray(ts, dtype=float) ** 4
    return np.asarray(q, dtype=float) / (sides * np.asarray(eps) * STEFAN_BOLTZMANN * t4)


def plate_temperature_core(
    absorbed_power: float | np.ndarray,
    area: float | np.ndarray,
    emissivity: float | np.ndarray = 0.9,
    sides: int = 2,
    sink_temperature: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Equilibrium temperature in K of a thin isothermal plate (unit-free core).

    ``P_absorbed = sides * emissivity * sigma * A * (T**4 - T_sink**4)`` solved for ``T``,
    with ``absorbed_power`` in W (≥ 0) and ``area`` in m² (> 0).
    """
    p = as_value(absorbed_power, u.W, "absorbed_power", lo=0.0)
    a = as_value(area, u.m**2, "area", lo=0.0, lo_inclusive=False)
    eps, sides, ts = _radiating(emissivity, sides, sink_temperature)
    emit = sides * np.asarray(eps, dtype=float) * STEFAN_BOLTZMANN * np.asarray(a)
    return (np.asarray(p, dtype=float) / emit + np.asarray(ts, dtype=float) ** 4) ** 0.25
