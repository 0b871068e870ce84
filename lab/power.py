"""Power and heat of a compute satellite: solar array, eclipse, battery, compute load, radiator.

Two layers, like :mod:`lab.orbits`:

- a **unit-free vectorized core** (plain floats/ndarrays in W, Wh, s, m², K):
  :func:`array_power`, :func:`integrate_battery`, :func:`battery_drawdown`,
  :func:`radiator_area_core`, :func:`plate_temperature_core`;
- an **API** that accepts astropy Quantities (plain numbers: m², W, Wh, K, s) and glues the
  core to the orbit: :class:`SolarArray`, :class:`Battery`, :class:`ComputeLoad`,
  :class:`Loads`, :func:`illumination`, :func:`simulate`, :func:`size_for`,
  :func:`sunlight_over_year`, :func:`radiator_area`, :func:`plate_temperature`.

Geometry (positions, Sun, Earth shadow) comes from :mod:`lab.orbits`; accelerator watts come
from :mod:`lab.hardware`. Timelines are :class:`xarray.Dataset` objects with dimensions
``(satellite, time)``.

Time discretization of :func:`simulate`: sample ``k`` holds the (constant) powers over the step
``[t_k, t_k + dt_k)`` with ``dt_k = t_{k+1} - t_k`` (the last step repeats the previous one);
``stored_energy[k]`` is the battery content at ``t_k``, the start of that step, and
``final_stored_energy`` the content after the last step. So, exactly,
``sum((generated - served - losses - curtailed) * dt) = final_stored_energy - stored_energy[0]``.

Load policy: the bus (platform) load has priority and may use the battery down to the
depth-of-discharge floor; compute may use it down to the floor plus ``compute_reserve``; when
power runs short compute is throttled to its idle power, then switched off, and the timeline
records the shortfall. The state of charge never leaves ``[1 - DoD, 1]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr
from astropy import units as u
from astropy.time import Time

from lab._validate import as_time, as_value, check_choice
from lab.constants import AU, R_EARTH, SOLAR_CONSTANT, STEFAN_BOLTZMANN
from lab.hardware import HardwareProfile, get_profile

__all__ = [
    "SolarArray",
    "Battery",
    "ComputeLoad",
    "Loads",
    "SizingResult",
    "array_power",
    "integrate_battery",
    "battery_drawdown",
    "job_schedule",
    "prompt_schedule",
    "illumination",
    "simulate",
    "energy_budget",
    "size_for",
    "sunlight_over_year",
    "sso_orbit",
    "radiator_area",
    "radiator_area_core",
    "plate_temperature",
    "plate_temperature_core",
    "absorbed_solar_power",
    "plot_timeline",
    "plot_year",
]

HOUR = 3600.0
YEAR_S = 365.25 * 86400.0
NORMALS = ("zenith", "nadir", "velocity", "anti-velocity", "orbit-normal", "anti-orbit-normal")
_NORMAL_RSW = {
    "zenith": (1.0, 0.0, 0.0),
    "nadir": (-1.0, 0.0, 0.0),
    "velocity": (0.0, 1.0, 0.0),
    "anti-velocity": (0.0, -1.0, 0.0),
    "orbit-normal": (0.0, 0.0, 1.0),
    "anti-orbit-normal": (0.0, 0.0, -1.0),
}


# ----------------------------------------------------------------------------------------------
# Unit-free core
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
    * max(cos_incidence, 0) * (1 - shadow)`` with ``area`` in m², ``flux`` in W/m², ``age`` in
    years and ``shadow`` the fraction of the solar disk hidden by the Earth (0 sunlit, 1 umbra).
    """
    cos = np.clip(np.asarray(cos_incidence, dtype=float), 0.0, 1.0)
    lit = 1.0 - np.clip(np.asarray(shadow, dtype=float), 0.0, 1.0)
    ageing = (1.0 - np.asarray(degradation_per_year, dtype=float)) ** np.asarray(age, dtype=float)
    return np.asarray(flux, dtype=float) * area * packing * efficiency * ageing * cos * lit


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

    Powers in W with shape ``(S, E)`` (``bus`` and ``compute_request`` broadcast to it),
    ``dt`` the step lengths in s ``(E,)``, energies in Wh; battery parameters are scalars or
    ``(S,)`` arrays (one battery per row, which :func:`size_for` uses to try many designs in
    one pass). ``max_charge_rate`` is the power into the battery, ``max_discharge_rate`` the
    power it delivers, both in W.

    Policy in each step: the array feeds the loads first; the battery may deliver up to its
    rate limit and down to the depth-of-discharge floor. The bus load has priority: it may use
    the battery down to the floor, compute only down to the floor plus ``compute_reserve``
    (a fraction of ``capacity`` kept for the bus: flight software sheds the payload at a low
    state of charge). Compute is throttled continuously down to ``compute_idle`` and switched
    off (0 W) below that. Excess solar charges the battery up to its rate and up to full; the
    rest is ``curtailed``.

    The battery recurrence is sequential in time, so this is a Python loop over epochs with
    NumPy operations over all satellites (rows); nothing else in :mod:`lab.power` loops.

    Returns a dict of ``(S, E)`` arrays: ``bus_served``, ``compute_served``, ``charge_power``,
    ``discharge_power``, ``losses``, ``curtailed`` (W), ``stored_energy`` (Wh at the start of
    each step) and ``final_stored_energy`` ``(S,)`` (Wh after the last step).
    """
    gen = np.asarray(generated, dtype=float)
    if gen.ndim != 2:
        raise ValueError(f"generated must have shape (satellites, epochs) (got {gen.shape})")
    n_sat, n_ep = gen.shape
    dt = np.asarray(dt, dtype=float).reshape(-1)
    if dt.shape != (n_ep,):
        raise ValueError(f"dt must have shape ({n_ep},) (got {dt.shape})")
    if np.any(dt <= 0):
        raise ValueError("dt must be > 0 s in every step (times must increase)")
    bus = np.broadcast_to(np.asarray(bus, dtype=float), gen.shape)
    creq = np.broadcast_to(np.asarray(compute_request, dtype=float), gen.shape)

    def row(x: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), (n_sat,)).copy()

    cap = row(capacity)
    x_min = cap * (1.0 - row(max_depth_of_discharge))
    eta_c, eta_d = row(charge_efficiency), row(discharge_efficiency)
    r_c, r_d = row(max_charge_rate), row(max_discharge_rate)
    c_idle = np.broadcast_to(np.asarray(compute_idle, dtype=float), gen.shape)
    x = np.clip(cap * row(initial_soc), x_min, cap)
    x_comp = np.minimum(x_min + cap * row(compute_reserve), cap)  # compute's floor

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
    serves the load is therefore ``max(D) / max_depth_of_discharge``. Sequential in time (loop
    over epochs, NumPy over rows), like :func:`integrate_battery`.
    """
    gen = np.asarray(generated, dtype=float)
    load = np.broadcast_to(np.asarray(load, dtype=float), gen.shape)
    dt = np.asarray(dt, dtype=float).reshape(-1)
    n_sat, n_ep = gen.shape
    eta_c = np.broadcast_to(np.asarray(charge_efficiency, dtype=float), (n_sat,))
    eta_d = np.broadcast_to(np.asarray(discharge_efficiency, dtype=float), (n_sat,))
    r_c = np.broadcast_to(np.asarray(max_charge_rate, dtype=float), (n_sat,))
    net_t = (gen - load).T
    d = np.zeros(n_sat)
    out = np.empty((n_ep, n_sat))
    for k in range(n_ep):
        out[k] = d
        net = net_t[k]
        step = np.where(net < 0, net / eta_d, eta_c * np.minimum(net, r_c))
        d = np.maximum(d - step * (dt[k] / HOUR), 0.0)
    return out.T.copy()


def radiator_area_core(
    heat: float | np.ndarray,
    temperature: float | np.ndarray,
    emissivity: float | np.ndarray = 0.9,
    sides: int = 2,
    sink_temperature: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Radiator area in m² that rejects ``heat`` W at ``temperature`` K (unit-free core).

    Stefan–Boltzmann: ``A = Q / (sides * emissivity * sigma * (T**4 - T_sink**4))``.
    """
    t4 = np.asarray(temperature, dtype=float) ** 4 - np.asarray(sink_temperature, dtype=float) ** 4
    return np.asarray(heat, dtype=float) / (sides * np.asarray(emissivity) * STEFAN_BOLTZMANN * t4)


def plate_temperature_core(
    absorbed_power: float | np.ndarray,
    area: float | np.ndarray,
    emissivity: float | np.ndarray = 0.9,
    sides: int = 2,
    sink_temperature: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Equilibrium temperature in K of a thin isothermal plate (unit-free core).

    ``P_absorbed = sides * emissivity * sigma * A * (T**4 - T_sink**4)`` solved for ``T``.
    """
    emit = sides * np.asarray(emissivity, dtype=float) * STEFAN_BOLTZMANN * np.asarray(area)
    return (np.asarray(absorbed_power, dtype=float) / emit
            + np.asarray(sink_temperature, dtype=float) ** 4) ** 0.25


# ----------------------------------------------------------------------------------------------
# Components
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SolarArray:
    """A solar array.

    Parameters
    ----------
    area : array area in m² (Quantity or plain m²), ≥ 0.
    efficiency : cell efficiency at beginning of life, in (0, 1] (triple junction ≈ 0.30).
    degradation_per_year : fractional power loss per year in [0, 1) (radiation; LEO ≈ 0.5–3 %).
    packing : fraction of ``area`` covered by active cells, in (0, 1] (assumed 0.85).
    pointing : ``"sun"`` (the array tracks the Sun, incidence 0°) or ``"fixed"`` (body-mounted
        in the orbit frame, facing ``normal``).
    normal : for ``pointing="fixed"``: one of ``"zenith"``, ``"nadir"``, ``"velocity"``,
        ``"anti-velocity"``, ``"orbit-normal"``, ``"anti-orbit-normal"`` or a 3-vector
        (radial, along-track, cross-track). One-sided: light from behind gives nothing.
    """

    area: Any
    efficiency: Any = 0.30
    degradation_per_year: Any = 0.01
    packing: Any = 0.85
    pointing: str = "sun"
    normal: Any = "orbit-normal"

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "area", as_value(self.area, u.m**2, "area", lo=0.0))
        s(self, "efficiency", as_value(self.efficiency, "", "efficiency", lo=0.0, hi=1.0,
                                       lo_inclusive=False))
        s(self, "degradation_per_year", as_value(self.degradation_per_year, "",
                                                 "degradation_per_year", lo=0.0, hi=1.0,
                                                 hi_inclusive=False))
        s(self, "packing", as_value(self.packing, "", "packing", lo=0.0, hi=1.0,
                                    lo_inclusive=False))
        for name in ("area", "efficiency", "degradation_per_year", "packing"):
            if np.ndim(getattr(self, name)) != 0:
                raise TypeError(f"{name} must be a scalar")
        check_choice(self.pointing, ("sun", "fixed"), "pointing")
        s(self, "normal", _normal_vector(self.normal) if self.pointing == "fixed" else self.normal)

    def power(self, cos_incidence: Any = 1.0, shadow: Any = 0.0, age: Any = 0.0,
              flux: Any = SOLAR_CONSTANT) -> np.ndarray | float:
        """Electrical power in W (plain float/ndarray), vectorized over all arguments.

        ``cos_incidence``: cosine of the Sun's angle from the array normal (ignored, = 1, for
        ``pointing="sun"``); ``shadow``: fraction of the solar disk hidden (0–1, from
        :func:`lab.orbits.in_shadow`); ``age`` in years; ``flux`` in W/m² (default 1361).
        """
        cos = 1.0 if self.pointing == "sun" else as_value(cos_incidence, "", "cos_incidence",
                                                           lo=-1.0, hi=1.0)
        p = array_power(
            self.area, self.efficiency, cos,
            as_value(shadow, "", "shadow", lo=0.0, hi=1.0),
            packing=self.packing, age=as_value(age, u.yr, "age", lo=0.0),
            degradation_per_year=self.degradation_per_year,
            flux=as_value(flux, u.W / u.m**2, "flux", lo=0.0),
        )
        return float(p) if p.ndim == 0 else p

    def with_area(self, area: Any) -> SolarArray:
        """The same array with another area."""
        return SolarArray(area, self.efficiency, self.degradation_per_year, self.packing,
                          self.pointing, self.normal)

    @property
    def specific_power(self) -> float:
        """Beginning-of-life power per m² of array in full, normal sunlight at 1 AU (W/m²)."""
        return SOLAR_CONSTANT * self.packing * self.efficiency


def _normal_vector(normal: Any) -> tuple[float, float, float]:
    if isinstance(normal, str):
        check_choice(normal, NORMALS, "normal")
        return _NORMAL_RSW[normal]
    vec = as_value(normal, "", "normal")
    if np.shape(vec) != (3,) or np.linalg.norm(vec) == 0:
        raise ValueError(f"normal must be one of {NORMALS} or a non-zero 3-vector (got {normal!r})")
    vec = np.asarray(vec) / np.linalg.norm(vec)
    return (float(vec[0]), float(vec[1]), float(vec[2]))


@dataclass(frozen=True)
class Battery:
    """A battery.

    Parameters
    ----------
    capacity : nameplate energy in Wh (Quantity or plain Wh), ≥ 0.
    max_depth_of_discharge : usable fraction of ``capacity`` in [0, 1]; LEO Li-ion packs that
        cycle ~5,500 times a year are usually kept to 20–40 % (default 0.3, an assumption).
    charge_efficiency, discharge_efficiency : in (0, 1] (Li-ion ≈ 0.95 each, ≈ 90 % round trip).
    max_charge_rate : largest power into the battery in W (None: unlimited).
    max_discharge_rate : largest power the battery delivers in W (None: unlimited).
    """

    capacity: Any
    max_depth_of_discharge: Any = 0.3
    charge_efficiency: Any = 0.95
    discharge_efficiency: Any = 0.95
    max_charge_rate: Any = None
    max_discharge_rate: Any = None

    def __post_init__(self) -> None:
        s = object.__setattr__
        s(self, "capacity", as_value(self.capacity, u.W * u.h, "capacity", lo=0.0))
        s(self, "max_depth_of_discharge", as_value(self.max_depth_of_discharge, "",
                                                   "max_depth_of_discharge", lo=0.0, hi=1.0))
        for name in ("charge_efficiency", "discharge_efficiency"):
            s(self, name, as_value(getattr(self, name), "", name, lo=0.0, hi=1.0,
                                   lo_inclusive=False))
        for name in ("max_charge_rate", "max_discharge_rate"):
            val = getattr(self, name)
            s(self, name, np.inf if val is None else as_value(val, u.W, name, lo=0.0,
                                                              lo_inclusive=False))
        for name in ("capacity", "max_depth_of_discharge", "charge_efficiency",
                     "discharge_efficiency", "max_charge_rate", "max_discharge_rate"):
            if np.ndim(getattr(self, name)) != 0:
                raise TypeError(f"{name} must be a scalar")

    @property
    def usable_energy(self) -> float:
        """Energy the loads can draw from full to the depth-of-discharge floor, in Wh."""
        return self.capacity * self.max_depth_of_discharge * self.discharge_efficiency

    @property
    def floor(self) -> float:
        """Stored energy at the depth-of-discharge limit, in Wh."""
        return self.capacity * (1.0 - self.max_depth_of_discharge)

    def with_capacity(self, capacity: Any) -> Battery:
        """The same battery chemistry and limits with another capacity."""
        return Battery(capacity, self.max_depth_of_discharge, self.charge_efficiency,
                       self.discharge_efficiency, _none_if_inf(self.max_charge_rate),
                       _none_if_inf(self.max_discharge_rate))


def _none_if_inf(x: float) -> float | None:
    return None if np.isinf(x) else x


@dataclass(frozen=True)
class ComputeLoad:
    """An inference payload: ``count`` accelerators of a :mod:`lab.hardware` profile.

    The requested power is ``count * profile.power(utilization)`` (linear between idle and
    peak watts). ``utilization`` is ``duty_cycle`` (constant, 0–1) unless ``schedule`` is given:
    an array of per-step utilizations ``(E,)`` or ``(S, E)`` matching the simulation times, or a
    callable ``f(seconds_since_start) -> utilization`` (see :func:`job_schedule`,
    :func:`prompt_schedule`). When power runs short the accelerator is throttled down to its
    idle power, then switched off.
    """

    profile: str | HardwareProfile
    duty_cycle: Any = 1.0
    schedule: Any = None
    count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "profile", get_profile(self.profile))
        object.__setattr__(self, "duty_cycle", as_value(self.duty_cycle, "", "duty_cycle",
                                                        lo=0.0, hi=1.0))
        if isinstance(self.count, bool) or not isinstance(self.count, int | np.integer) \
                or self.count < 0:
            raise ValueError(f"count must be an integer ≥ 0 (got {self.count!r})")

    @property
    def idle_power(self) -> float:
        """Idle power of all accelerators in W (the throttling floor before switching off)."""
        return self.count * self.profile.idle_power_w

    @property
    def peak_power(self) -> float:
        """Peak power of all accelerators in W."""
        return self.count * self.profile.peak_power_w

    def utilization(self, seconds: np.ndarray) -> np.ndarray:
        """Utilization in [0, 1] at ``seconds`` since the start, shape ``(1, E)`` or ``(S, E)``."""
        seconds = np.asarray(seconds, dtype=float)
        if self.schedule is None:
            util = np.full_like(seconds, self.duty_cycle)
        elif callable(self.schedule):
            util = self.schedule(seconds)
        else:
            util = self.schedule
        util = np.asarray(as_value(util, "", "schedule", lo=0.0, hi=1.0), dtype=float)
        if util.ndim == 0:
            util = np.full_like(seconds, util)
        if util.shape[-1] != seconds.shape[-1] or util.ndim > 2:
            raise ValueError(f"schedule must have shape (epochs,) or (satellites, epochs) with "
                             f"{seconds.shape[-1]} epochs (got {util.shape})")
        return util.reshape(-1, seconds.shape[-1])

    def request(self, seconds: np.ndarray) -> np.ndarray:
        """Requested power in W, shape ``(1, E)`` or ``(S, E)``."""
        return self.count * np.asarray(self.profile.power(self.utilization(seconds)))


@dataclass(frozen=True)
class Loads:
    """Electrical loads of a satellite: a ``bus`` load in W (platform, comms, heaters; scalar
    or per-step array) that always has priority, plus an optional :class:`ComputeLoad`."""

    bus: Any = 0.0
    compute: ComputeLoad | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "bus", as_value(self.bus, u.W, "bus", lo=0.0))
        if self.compute is not None and not isinstance(self.compute, ComputeLoad):
            raise TypeError(f"compute must be a ComputeLoad or None (got {self.compute!r})")

    def arrays(self, seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """``(bus (·,E), compute_request (·,E), compute_idle)`` in W at ``seconds``."""
        n_ep = np.shape(seconds)[-1]
        bus = np.asarray(self.bus, dtype=float)
        if bus.ndim == 0:
            bus = np.full((1, n_ep), float(bus))
        elif bus.shape[-1] != n_ep or bus.ndim > 2:
            raise ValueError(f"bus must be a scalar or have {n_ep} epochs (got {bus.shape})")
        bus = bus.reshape(-1, n_ep)
        if self.compute is None:
            return bus, np.zeros((1, n_ep)), 0.0
        return bus, self.compute.request(seconds), self.compute.idle_power


def _as_loads(loads: Any) -> Loads:
    if isinstance(loads, Loads):
        return loads
    if isinstance(loads, ComputeLoad):
        return Loads(0.0, loads)
    if isinstance(loads, tuple | list) and len(loads) == 2:
        return Loads(*loads)
    if isinstance(loads, HardwareProfile | str):
        return Loads(0.0, ComputeLoad(loads))
    return Loads(loads)  # a plain bus load in W


def job_schedule(times: Any, starts: Any, durations: Any) -> np.ndarray:
    """Accelerator utilization per step from a list of inference jobs.

    ``times``: step start times in s ``(E,)`` (the last step repeats the previous length);
    ``starts``, ``durations``: jobs in s. Returns the busy fraction of each step in [0, 1]
    (overlapping jobs saturate at 1: one accelerator, jobs queue inside a step).
    """
    t = np.atleast_1d(as_value(times, u.s, "times"))
    starts = np.atleast_1d(as_value(starts, u.s, "starts"))
    durations = np.atleast_1d(as_value(durations, u.s, "durations", lo=0.0))
    starts, durations = np.broadcast_arrays(starts, durations)
    dt = np.diff(t)
    if t.size < 2 or np.any(dt <= 0):
        raise ValueError("times must have ≥ 2 strictly increasing values")
    ends_t = np.append(t[1:], t[-1] + dt[-1])
    ov = (np.minimum(ends_t[None, :], (starts + durations)[:, None])
          - np.maximum(t[None, :], starts[:, None]))
    busy = np.clip(ov, 0.0, None).sum(axis=0)
    return np.clip(busy / (ends_t - t), 0.0, 1.0)


def prompt_schedule(times: Any, prompts_per_hour: float, seconds_per_prompt: float,
                    seed: int = 0) -> np.ndarray:
    """Utilization per step for prompts arriving at random (Poisson) and served one at a time.

    Arrivals: a Poisson process of rate ``prompts_per_hour`` (fixed ``seed``, deterministic);
    each prompt keeps the accelerator busy for ``seconds_per_prompt`` after the previous one
    finishes (first-come first-served).
    """
    t = np.atleast_1d(as_value(times, u.s, "times"))
    rate = as_value(prompts_per_hour, 1 / u.h, "prompts_per_hour", lo=0.0)
    job = as_value(seconds_per_prompt, u.s, "seconds_per_prompt", lo=0.0)
    rng = np.random.default_rng(seed)
    span = t[-1] - t[0]
    n = rng.poisson(rate * span / HOUR)
    arrivals = np.sort(rng.uniform(t[0], t[-1], n))
    # FIFO single server: start_i = max(arrival_i, end_{i-1}) = max over j<=i of a_j + (i-j)*job
    idx = np.arange(n)
    starts = np.maximum.accumulate(arrivals - idx * job) + idx * job if n else arrivals
    return job_schedule(t, starts, np.full(n, job)) if n else np.zeros(t.size)


# ----------------------------------------------------------------------------------------------
# Orbit glue (geometry from lab.orbits)
# ----------------------------------------------------------------------------------------------


def _as_constellation(obj: Any):
    from lab.orbits import Constellation, Orbit

    if isinstance(obj, Constellation):
        return obj
    if isinstance(obj, Orbit):
        return Constellation.from_orbits([obj])
    if isinstance(obj, Sequence) and obj and all(isinstance(o, Orbit) for o in obj):
        return Constellation.from_orbits(list(obj))
    raise TypeError(f"orbit must be a lab.orbits Orbit or Constellation (got {type(obj).__name__})")


def _resolve_times(c: Any, times: Any, step: float = 60.0,
                   duration: float = 86400.0) -> tuple[Time, np.ndarray]:
    """``(Time (E,), seconds since the first epoch (E,))``; default: one day from ``c.epoch``."""
    if times is None:
        secs = np.arange(0.0, duration + 0.5 * step, step)
        t = c.epoch + secs * u.s
    elif isinstance(times, Time | str) or (
            isinstance(times, list | tuple) and times and isinstance(times[0], str)):
        t = as_time(times, "times")
        t = t.reshape(-1) if t.ndim else t.reshape(1)
        secs = (t - t[0]).to_value(u.s)
    else:
        abs_s = np.atleast_1d(as_value(times, u.s, "times"))
        if abs_s.ndim != 1:
            raise ValueError(f"times must be 1-D (got shape {abs_s.shape})")
        t = c.epoch + abs_s * u.s
        secs = abs_s - abs_s[0]
    secs = np.asarray(secs, dtype=float)
    if secs.size < 2 or np.any(np.diff(secs) <= 0):
        raise ValueError("times must hold ≥ 2 strictly increasing epochs")
    return t, secs


def _steps(secs: np.ndarray) -> np.ndarray:
    d = np.diff(secs)
    return np.append(d, d[-1])


def illumination(orbit: Any, times: Any = None, *, array: SolarArray | None = None,
                 model: str = "conical", orbit_model: str = "j2") -> xr.Dataset:
    """Sunlight seen by every satellite: ``shadow`` (fraction of the solar disk hidden by the
    Earth, from :func:`lab.orbits.in_shadow`), ``flux`` (W/m², 1361 scaled by the real
    Sun distance) and ``cos_incidence`` on ``array`` (1 for a sun-pointing array).

    Returns an :class:`xarray.Dataset` with dims ``(satellite, time)`` and coordinate
    ``elapsed`` (s since the first epoch).
    """
    from lab.orbits import in_shadow, sun_position

    c = _as_constellation(orbit)
    t, secs = _resolve_times(c, times)
    check_choice(model, ("conical", "cylindrical"), "model")
    fixed = array is not None and array.pointing == "fixed"
    if fixed:
        r, v = c.states(t, model=orbit_model)
        r, v = np.asarray(r, dtype=float), np.asarray(v, dtype=float)
    else:
        r = np.asarray(c.positions(t, model=orbit_model), dtype=float)
    sun = np.asarray(sun_position(t).to_value(u.km), dtype=float).reshape(-1, 3)
    shadow = np.asarray(in_shadow(r, sun, model=model), dtype=float)
    to_sun = sun[None, :, :] - r
    dist = np.linalg.norm(to_sun, axis=-1)
    flux = SOLAR_CONSTANT * (AU / dist) ** 2
    if fixed:
        s_hat = to_sun / dist[..., None]
        rad = r / np.linalg.norm(r, axis=-1, keepdims=True)
        w = np.cross(r, v)
        w /= np.linalg.norm(w, axis=-1, keepdims=True)
        along = np.cross(w, rad)
        n = array.normal
        normal = n[0] * rad + n[1] * along + n[2] * w
        cos = np.einsum("...i,...i->...", normal, s_hat)
    else:
        cos = np.ones_like(shadow)
    return xr.Dataset(
        {
            "shadow": (("satellite", "time"), shadow, {"units": "1", "long_name": "fraction of "
                                                        "the solar disk hidden by the Earth"}),
            "flux": (("satellite", "time"), flux, {"units": "W/m^2"}),
            "cos_incidence": (("satellite", "time"), cos, {"units": "1"}),
        },
        coords={"time": t.datetime64, "elapsed": ("time", secs, {"units": "s"}),
                "satellite": np.arange(shadow.shape[0])},
    )


_VAR_INFO = {
    "generated": ("W", "solar array output"),
    "load": ("W", "requested load (bus + compute)"),
    "served": ("W", "load actually served"),
    "shortfall": ("W", "requested load not served (load - served)"),
    "bus_load": ("W", "requested bus load"),
    "bus_served": ("W", "bus load served"),
    "compute_requested": ("W", "requested compute power"),
    "compute_served": ("W", "compute power served (throttled / off when short)"),
    "charge_power": ("W", "power into the battery"),
    "discharge_power": ("W", "power delivered by the battery"),
    "losses": ("W", "battery charge + discharge losses"),
    "curtailed": ("W", "solar power neither used nor stored (battery full / rate-limited)"),
    "stored_energy": ("Wh", "battery energy at the start of the step"),
    "state_of_charge": ("1", "stored_energy / capacity"),
    "shadow": ("1", "fraction of the solar disk hidden by the Earth"),
}


def simulate(
    orbit: Any,
    array: SolarArray,
    battery: Battery,
    loads: Any,
    times: Any = None,
    *,
    age: Any = 0.0,
    initial_soc: Any = 1.0,
    compute_reserve: Any = 0.05,
    model: str = "conical",
    orbit_model: str = "j2",
) -> xr.Dataset:
    """Power timeline of one satellite or of every satellite of a constellation at once.

    Parameters
    ----------
    orbit : a :class:`lab.orbits.Orbit` or :class:`lab.orbits.Constellation`.
    array, battery : the same :class:`SolarArray` and :class:`Battery` on every satellite.
    loads : :class:`Loads`, a :class:`ComputeLoad`, a plain bus load in W, or ``(bus, compute)``.
    times : astropy Time (1-D) or seconds after the orbit epoch; default one day, 60 s steps.
    age : array age in years at the first epoch (degradation continues over the run).
    initial_soc : state of charge at the first epoch, between the DoD floor and 1.
    compute_reserve : fraction of the capacity above the DoD floor kept for the bus: compute is
        shed when the state of charge falls to ``1 - DoD + compute_reserve`` (0 – DoD).
    model : Earth-shadow model of :func:`lab.orbits.in_shadow` (``"conical"`` has penumbra).

    Returns an :class:`xarray.Dataset` with dims ``(satellite, time)``: ``generated``, ``load``,
    ``served``, ``shortfall``, ``bus_load``, ``bus_served``, ``compute_requested``,
    ``compute_served``, ``throttled`` (bool), ``compute_off`` (bool), ``charge_power``,
    ``discharge_power``, ``losses``, ``curtailed`` (W), ``stored_energy`` (Wh at the start
    of each step), ``state_of_charge``, ``shadow``, ``eclipse`` (bool, any of the Sun hidden),
    ``final_stored_energy`` (satellite) and coordinates ``elapsed``/``dt`` (s).
    Only the battery update loops over epochs (NumPy over all satellites); see module docstring
    for the step convention and energy balance.
    """
    if not isinstance(array, SolarArray):
        raise TypeError(f"array must be a SolarArray (got {type(array).__name__})")
    if not isinstance(battery, Battery):
        raise TypeError(f"battery must be a Battery (got {type(battery).__name__})")
    loads = _as_loads(loads)
    age0 = as_value(age, u.yr, "age", lo=0.0)
    soc0 = as_value(initial_soc, "", "initial_soc", lo=1.0 - battery.max_depth_of_discharge,
                    hi=1.0)
    reserve = as_value(compute_reserve, "", "compute_reserve", lo=0.0,
                       hi=battery.max_depth_of_discharge)
    ill = illumination(orbit, times, array=array, model=model, orbit_model=orbit_model)
    return _timeline(ill, array, battery, loads, age0, soc0, reserve)


def _timeline(ill: xr.Dataset, array: SolarArray, battery: Battery, loads: Loads, age0: float,
              soc0: float, reserve: float) -> xr.Dataset:
    """The body of :func:`simulate` on checked inputs and an :func:`illumination` of ``array``."""
    secs = ill["elapsed"].values
    dt = _steps(secs)
    gen = array_power(array.area, array.efficiency, ill["cos_incidence"].values,
                      ill["shadow"].values, packing=array.packing,
                      age=age0 + secs / YEAR_S, degradation_per_year=array.degradation_per_year,
                      flux=ill["flux"].values)
    bus, creq, cidle = loads.arrays(secs)
    shape = gen.shape
    bus, creq = np.broadcast_to(bus, shape), np.broadcast_to(creq, shape)
    res = integrate_battery(gen, bus, creq, cidle, dt, battery.capacity,
                            battery.max_depth_of_discharge, battery.charge_efficiency,
                            battery.discharge_efficiency, battery.max_charge_rate,
                            battery.max_discharge_rate, soc0, reserve)
    served = res["bus_served"] + res["compute_served"]
    load = bus + creq
    cap = battery.capacity
    soc = res["stored_energy"] / cap if cap > 0 else np.zeros(shape)
    tol = 1e-9 * max(1.0, float(np.max(creq, initial=0.0)))
    data = {
        "generated": gen, "load": load, "served": served, "shortfall": load - served,
        "bus_load": bus, "bus_served": res["bus_served"], "compute_requested": creq,
        "compute_served": res["compute_served"], "charge_power": res["charge_power"],
        "discharge_power": res["discharge_power"], "losses": res["losses"],
        "curtailed": res["curtailed"], "stored_energy": res["stored_energy"],
        "state_of_charge": soc, "shadow": ill["shadow"].values,
    }
    ds = xr.Dataset(
        {k: (("satellite", "time"), np.array(v, dtype=float),
             {"units": _VAR_INFO[k][0], "long_name": _VAR_INFO[k][1]}) for k, v in data.items()},
        coords={**{k: ill.coords[k] for k in ("time", "elapsed", "satellite")},
                "dt": ("time", dt, {"units": "s"})},
    )
    ds["throttled"] = (("satellite", "time"), res["compute_served"] < creq - tol)
    ds["compute_off"] = (("satellite", "time"), (res["compute_served"] == 0) & (creq > 0))
    ds["eclipse"] = (("satellite", "time"), ill["shadow"].values > 0)
    ds["final_stored_energy"] = ("satellite", res["final_stored_energy"], {"units": "Wh"})
    ds.attrs.update({
        "capacity_wh": cap, "floor_wh": battery.floor,
        "max_depth_of_discharge": battery.max_depth_of_discharge, "compute_reserve": reserve,
        "array_area_m2": array.area, "array_pointing": array.pointing,
        "step_convention": "powers are constant over [t_k, t_k + dt_k); stored_energy is at t_k",
    })
    return ds


def energy_budget(ds: xr.Dataset) -> xr.Dataset:
    """Per-satellite energy totals of a :func:`simulate` timeline, in Wh.

    ``generated``, ``served``, ``shortfall``, ``losses``, ``curtailed``, ``delta_stored``
    (``final_stored_energy - stored_energy[0]``) and ``residual`` = generated − served −
    losses − curtailed − delta_stored (zero up to rounding).
    """
    w = ds["dt"] / HOUR
    tot = {k: (ds[k] * w).sum("time") for k in ("generated", "served", "shortfall", "losses",
                                                  "curtailed")}
    tot["delta_stored"] = ds["final_stored_energy"] - ds["stored_energy"].isel(time=0)
    tot["residual"] = (tot["generated"] - tot["served"] - tot["losses"] - tot["curtailed"]
                       - tot["delta_stored"])
    out = xr.Dataset(tot)
    for k in out.data_vars:
        out[k].attrs["units"] = "Wh"
    return out


# ----------------------------------------------------------------------------------------------
# Sizing
# ----------------------------------------------------------------------------------------------


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
        return self.array.area * u.m**2

    @property
    def capacity(self) -> u.Quantity:
        return self.battery.capacity * u.W * u.h


def _orbit_periods(c: Any) -> np.ndarray:
    """Orbital periods in s of every satellite (from the constellation's own attributes)."""
    return np.atleast_1d(np.asarray(c.period.to_value(u.s), dtype=float))


def _longest_run(mask: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """Longest contiguous duration (s) where ``mask`` is True, per row, loop-free."""
    c = np.cumsum(mask * dt[None, :], axis=1)
    base = np.maximum.accumulate(np.where(mask, 0.0, c), axis=1)
    return (c - base).max(axis=1)


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

    ``load`` (a bus load in W, a :class:`ComputeLoad` or :class:`Loads`) is served in full at
    every step of ``times`` (default: one day from the orbit epoch, 60 s steps) on every
    satellite, with an array at ``age`` years (design for end of life by passing the mission
    length), never going below the depth-of-discharge floor, and with the battery back to full
    in the last orbit of the window (a sustainable, not slowly draining, design).

    Method: the battery drawdown :func:`battery_drawdown` (exact for a given array) is run for
    a grid of candidate areas at once (the candidates are extra rows of the vectorized
    recursion); the smallest sustainable area is bracketed and the grid refined three times
    (relative precision ~1e-4). Capacity = largest drawdown / (DoD − ``compute_reserve``), so
    the payload is never shed (see :func:`simulate`). Both are then multiplied by
    ``1 + margin`` and the design is verified with :func:`simulate`.
    """
    loads = _as_loads(load)
    mg = as_value(margin, "", "margin", lo=0.0)
    array0 = SolarArray(1.0, efficiency, degradation_per_year, packing, pointing, normal)
    battery0 = Battery(0.0, max_depth_of_discharge, charge_efficiency, discharge_efficiency,
                       max_charge_rate, max_discharge_rate)
    reserve = as_value(compute_reserve, "", "compute_reserve", lo=0.0)
    if battery0.max_depth_of_discharge <= reserve:
        raise ValueError(f"max_depth_of_discharge must be > compute_reserve ({reserve:g}) to size "
                         f"a battery (got {battery0.max_depth_of_discharge:g})")
    age0 = as_value(age, u.yr, "age", lo=0.0)
    c = _as_constellation(orbit)
    t, _ = _resolve_times(c, times)
    ill = illumination(c, t, array=array0, model=model, orbit_model=orbit_model)
    secs = ill["elapsed"].values
    dt = _steps(secs)
    g1 = array_power(1.0, array0.efficiency, ill["cos_incidence"].values, ill["shadow"].values,
                     packing=array0.packing, age=age0 + secs / YEAR_S,
                     degradation_per_year=array0.degradation_per_year, flux=ill["flux"].values)
    bus, creq, _ = loads.arrays(secs)
    total = np.broadcast_to(bus + creq, g1.shape)
    n_sat, n_ep = g1.shape
    period = float(np.max(_orbit_periods(c)))
    if secs[-1] < 2 * period:
        raise ValueError(f"times must span at least two orbits ({2 * period:.0f} s) to size "
                         f"a sustainable system (got {secs[-1]:.0f} s)")
    last = secs >= secs[-1] - period
    if np.all(total <= 0):
        raise ValueError("load must be > 0 W somewhere to size a power system")
    e_load = (total * dt).sum(axis=1)
    e_gen1 = (g1 * dt).sum(axis=1)
    if np.any(e_gen1 <= 0):
        raise ValueError("the array sees no sunlight in the sizing window")
    area_lo = float(np.max(e_load / e_gen1))  # lossless energy balance: a lower bound

    def feasible(areas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sustainable mask over candidate areas (all satellites) and max drawdown (Wh)."""
        k = areas.size
        gen = (areas[:, None, None] * g1[None]).reshape(k * n_sat, n_ep)
        d = battery_drawdown(gen, np.broadcast_to(total, (k, n_sat, n_ep)).reshape(k * n_sat,
                                                                                       n_ep),
                             dt, battery0.charge_efficiency, battery0.discharge_efficiency,
                             battery0.max_charge_rate)
        d = d.reshape(k, n_sat, n_ep)
        # sustainable: the battery is full again at some point during the last orbit
        refilled = np.min(d[:, :, last], axis=2) <= 1e-9 * np.max(d, axis=2, initial=0.0) + 1e-12
        return refilled.all(axis=1), d.max(axis=(1, 2))

    hi = area_lo * 2.0 / (battery0.charge_efficiency * battery0.discharge_efficiency)
    for _ in range(20):
        ok, _ = feasible(np.array([hi]))
        if ok[0]:
            break
        hi *= 2.0
    else:
        raise ValueError("could not find a sustainable array area (is the load feasible?)")
    lo = area_lo
    for _ in range(3):
        grid = np.geomspace(lo, hi, 24)
        ok, _ = feasible(grid)
        i = int(np.argmax(ok))  # first feasible (ok[-1] is True: hi is feasible)
        lo, hi = (grid[i - 1] if i > 0 else lo), grid[i]
        if i == 0:
            break
    area = hi * (1.0 + mg)
    _, dmax = feasible(np.array([area]))
    gen = area * g1
    deficit = np.max(np.maximum(total - gen, 0.0))
    if deficit > battery0.max_discharge_rate:
        raise ValueError(f"max_discharge_rate must be ≥ {deficit:.1f} W to carry the load through "
                         f"eclipse (got {battery0.max_discharge_rate:g} W)")
    usable = battery0.max_depth_of_discharge - reserve
    capacity = float(dmax[0]) / usable * (1.0 + mg) * (1.0 + 1e-9)
    array = array0.with_area(area)
    battery = battery0.with_capacity(capacity)
    tl = _timeline(ill, array, battery, loads, age0, 1.0, reserve)  # same geometry: reuse ill
    short = float(tl["shortfall"].max())
    min_soc = float(tl["state_of_charge"].min()) if capacity > 0 else 1.0
    verified = short <= 1e-6 * max(1.0, float(total.max())) and \
        min_soc >= 1.0 - battery.max_depth_of_discharge - 1e-9
    return SizingResult(
        array=array, battery=battery, load_w=float(total.max()),
        mean_load_w=float(np.max(e_load / dt.sum())),
        worst_eclipse_s=float(np.max(_longest_run(ill["shadow"].values > 0, dt))),
        max_discharge_w=float(deficit), max_drawdown_wh=float(dmax[0]), verified=verified,
        min_state_of_charge=min_soc, timeline=tl,
    )


# ----------------------------------------------------------------------------------------------
# Sunlight over a year
# ----------------------------------------------------------------------------------------------


def sso_orbit(alt: Any, ltan: Any, epoch: Any = None):
    """A circular sun-synchronous :class:`lab.orbits.Orbit` with local time of ascending node
    ``ltan`` (hours, 0–24; 6 or 18 = dawn-dusk, 10.5 = a typical Earth-observation orbit).

    Node placed at ``RAAN = RA_sun + 15°/h * (ltan - 12 h)`` at ``epoch`` (default
    :data:`lab.orbits.DEFAULT_EPOCH`; the mean-vs-true Sun difference, ≤ 4°, is ignored);
    inclination from :func:`lab.orbits.sun_synchronous_inclination`.
    """
    from lab.orbits import DEFAULT_EPOCH, Orbit, sun_position, sun_synchronous_inclination

    h = as_value(ltan, u.h, "ltan", lo=0.0, hi=24.0)
    ep = DEFAULT_EPOCH if epoch is None else epoch
    s = sun_position(ep).to_value(u.km)
    raan = (np.degrees(np.arctan2(s[1], s[0])) + 15.0 * (h - 12.0)) % 360.0
    return Orbit.from_classical(alt=alt, inc=sun_synchronous_inclination(alt), raan=raan,
                                epoch=ep)


def sunlight_over_year(orbit: Any, start: Any = None, days: int = 365,
                       step_days: float = 1.0, orbit_model: str = "j2") -> xr.Dataset:
    """Beta angle and eclipse over a year, for every satellite.

    The orbit is propagated with ``orbit_model`` (J2 by default, so the node drifts as it
    really does, which is what keeps a sun-synchronous orbit's beta angle steady). The beta
    angle (Sun elevation above the orbit plane) comes from the orbit normal ``r × v`` and
    :func:`lab.orbits.sun_position`; the eclipse fraction per orbit from
    :func:`lab.orbits.eclipse_fraction` (cylindrical shadow, circular orbit).

    Returns a Dataset with dims ``(satellite, time)``: ``beta`` (deg), ``eclipse_fraction``,
    ``eclipse_minutes`` (longest shadow per orbit) and ``sunlit_fraction``.
    """
    from lab.orbits import eclipse_fraction, sun_direction

    c = _as_constellation(orbit)
    start_t = c.epoch if start is None else as_time(start, "start")
    n_days = as_value(days, u.day, "days", lo=0.0, lo_inclusive=False)
    step = as_value(step_days, u.day, "step_days", lo=0.0, lo_inclusive=False)
    n = int(round(n_days / step))
    t = start_t + np.arange(n + 1) * step * u.day
    r, v = c.states(t, model=orbit_model)
    r, v = np.asarray(r, dtype=float), np.asarray(v, dtype=float)
    w = np.cross(r, v)
    w /= np.linalg.norm(w, axis=-1, keepdims=True)
    s_hat = sun_direction(t)
    beta = np.degrees(np.arcsin(np.clip(np.einsum("sei,ei->se", w, s_hat), -1, 1)))
    alt = np.broadcast_to(np.linalg.norm(r, axis=-1) - R_EARTH, beta.shape)
    alt_mean = alt.mean(axis=1, keepdims=True) * np.ones_like(beta)
    frac = np.asarray(eclipse_fraction(alt_mean * u.km, beta * u.deg), dtype=float)
    periods = _orbit_periods(c)[:, None]
    coords = {"time": t.datetime64, "satellite": np.arange(beta.shape[0]),
              "day": ("time", np.arange(n + 1) * step)}
    dims = ("satellite", "time")
    return xr.Dataset({
        "beta": (dims, beta, {"units": "deg"}),
        "eclipse_fraction": (dims, frac, {"units": "1"}),
        "eclipse_minutes": (dims, frac * periods / 60.0, {"units": "min"}),
        "sunlit_fraction": (dims, 1.0 - frac, {"units": "1"}),
    }, coords=coords)


# ----------------------------------------------------------------------------------------------
# Thermal
# ----------------------------------------------------------------------------------------------


def radiator_area(heat: Any, temperature: Any, emissivity: Any = 0.9, sides: int = 2,
                  sink_temperature: Any = 0.0) -> u.Quantity:
    """Radiator area (Quantity m²) that rejects ``heat`` (W) at ``temperature`` (K).

    ``A = Q / (sides * emissivity * sigma * (T**4 - T_sink**4))``. ``sides=2`` for a thin
    panel radiating from both faces; ``sink_temperature`` is the effective temperature of what
    the radiator sees (0–3 K deep space; ~250 K for a face that sees the Earth). Absorbed
    sunlight/albedo is not included: add it to ``heat``.
    """
    q = as_value(heat, u.W, "heat", lo=0.0)
    t = as_value(temperature, u.K, "temperature", lo=0.0)
    ts = as_value(sink_temperature, u.K, "sink_temperature", lo=0.0)
    eps = as_value(emissivity, "", "emissivity", lo=0.0, hi=1.0, lo_inclusive=False)
    if sides not in (1, 2):
        raise ValueError(f"sides must be 1 or 2 (got {sides!r})")
    if np.any(np.asarray(t) <= np.asarray(ts)):
        raise ValueError(f"temperature must be above sink_temperature ({_fmt_k(ts)}) for a "
                         f"radiator to reject heat (got {_fmt_k(t)})")
    return radiator_area_core(q, t, eps, sides, ts) * u.m**2


def plate_temperature(absorbed_power: Any, area: Any, emissivity: Any = 0.9, sides: int = 2,
                      sink_temperature: Any = 0.0) -> u.Quantity:
    """Equilibrium temperature (Quantity K) of a plate of ``area`` m² absorbing ``absorbed_power``
    W (electronics waste heat + absorbed sunlight, see :func:`absorbed_solar_power`)."""
    p = as_value(absorbed_power, u.W, "absorbed_power", lo=0.0)
    a = as_value(area, u.m**2, "area", lo=0.0, lo_inclusive=False)
    eps = as_value(emissivity, "", "emissivity", lo=0.0, hi=1.0, lo_inclusive=False)
    ts = as_value(sink_temperature, u.K, "sink_temperature", lo=0.0)
    if sides not in (1, 2):
        raise ValueError(f"sides must be 1 or 2 (got {sides!r})")
    return plate_temperature_core(p, a, eps, sides, ts) * u.K


def absorbed_solar_power(area: Any, absorptivity: Any = 0.2, cos_incidence: Any = 1.0,
                         flux: Any = SOLAR_CONSTANT) -> u.Quantity:
    """Sunlight absorbed by a surface, Quantity W: ``absorptivity * flux * area * cos``
    (white paint α ≈ 0.2, solar cells α ≈ 0.9)."""
    a = as_value(area, u.m**2, "area", lo=0.0)
    alpha = as_value(absorptivity, "", "absorptivity", lo=0.0, hi=1.0)
    cos = np.clip(as_value(cos_incidence, "", "cos_incidence", lo=-1.0, hi=1.0), 0.0, 1.0)
    f = as_value(flux, u.W / u.m**2, "flux", lo=0.0)
    return alpha * f * a * cos * u.W


def _fmt_k(x: Any) -> str:
    arr = np.asarray(x)
    return f"{float(arr):g} K" if arr.ndim == 0 else f"{arr} K"


# ----------------------------------------------------------------------------------------------
# Plots (plotly, imported lazily)
# ----------------------------------------------------------------------------------------------


def plot_timeline(ds: xr.Dataset, satellite: int = 0, title: str | None = None):
    """Plotly figure of one satellite's timeline: powers (top) and state of charge (bottom),
    eclipses shaded."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = ds.isel(satellite=satellite)
    hours = s["elapsed"].values / HOUR
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Power (W)", "Battery state of charge (%)"))
    # "served" is noisy (prompts come and go); the smoother "load" goes on top, dashed and wider.
    for name, line in (("generated", {}), ("served", {"width": 1}),
                       ("load", {"dash": "dash", "width": 2.5})):
        fig.add_trace(go.Scatter(x=hours, y=s[name].values, name=name, mode="lines", line=line),
                      row=1, col=1)
    fig.add_trace(go.Scatter(x=hours, y=100 * s["state_of_charge"].values, name="state of charge",
                             mode="lines"), row=2, col=1)
    floor = 100 * (1 - ds.attrs.get("max_depth_of_discharge", 1.0))
    fig.add_hline(y=floor, line_dash="dash", line_color="red", row=2, col=1,
                  annotation_text="DoD floor")
    ecl = s["eclipse"].values.astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ecl, [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        x1 = hours[b] if b < hours.size else hours[-1]
        fig.add_vrect(x0=hours[a], x1=x1, fillcolor="gray", opacity=0.2, line_width=0)
    fig.update_xaxes(title_text="hours since start", row=2, col=1)
    fig.update_layout(height=520, title=title or "Power timeline (gray: eclipse)",
                      legend={"orientation": "h", "y": -0.15})
    return fig


def plot_year(year: xr.Dataset, labels: Sequence[str] | None = None):
    """Plotly figure of :func:`sunlight_over_year` output: beta angle and eclipse minutes."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Beta angle (deg)", "Longest eclipse per orbit (min)"))
    days = year["day"].values
    palette = qualitative.Plotly
    for i in range(year.sizes["satellite"]):
        name = labels[i] if labels else f"satellite {i}"
        line = {"color": palette[i % len(palette)]}  # one colour per orbit in both panels
        fig.add_trace(go.Scatter(x=days, y=year["beta"].values[i], name=name, mode="lines",
                                 line=line, legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=days, y=year["eclipse_minutes"].values[i], name=name,
                                 mode="lines", line=line, legendgroup=name, showlegend=False),
                      row=2, col=1)
    fig.update_xaxes(title_text="days since start", row=2, col=1)
    fig.update_layout(height=520)
    return fig

