"""Power over time along real orbits: :func:`illumination`, :func:`simulate`, :func:`energy_budget`.

Geometry (positions, Sun, Earth shadow) comes from :mod:`lab.orbits`; the battery recurrence
from :func:`lab.power.core.integrate_battery`. Timelines are :class:`xarray.Dataset` objects
with dimensions ``(satellite, time)``; the step convention and the energy balance are in the
:mod:`lab.power` docstring.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from astropy import units as u

from lab._validate import as_value, check_choice
from lab.constants import AU, SOLAR_CONSTANT
from lab.power._orbit import as_constellation, resolve_times
from lab.power.components import Battery, SolarArray
from lab.power.core import HOUR, YEAR_S, array_power, integrate_battery, step_lengths
from lab.power.loads import Loads, as_loads

__all__ = ["illumination", "simulate", "energy_budget"]


def illumination(orbit: Any, times: Any = None, *, array: SolarArray | None = None,
                 model: str = "conical", orbit_model: str = "j2") -> xr.Dataset:
    """Sunlight seen by every satellite: ``shadow`` (fraction of the solar disk hidden by the
    Earth, from :func:`lab.orbits.in_shadow`), ``flux`` (W/m², 1361 scaled by the real
    Sun distance) and ``cos_incidence`` on ``array`` (1 for a sun-pointing array).

    ``times`` as in :func:`simulate`. Returns an :class:`xarray.Dataset` with dims
    ``(satellite, time)`` and coordinate ``elapsed`` (s since the first epoch).
    """
    from lab.orbits import in_shadow, sun_position

    if array is not None and not isinstance(array, SolarArray):
        raise TypeError(f"array must be a SolarArray or None (got {type(array).__name__})")
    c = as_constellation(orbit)
    t, secs = resolve_times(c, times)
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
    cos = _cos_incidence(array, r, v, to_sun / dist[..., None]) if fixed else np.ones_like(shadow)
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


def _cos_incidence(array: SolarArray, r: np.ndarray, v: np.ndarray,
                   s_hat: np.ndarray) -> np.ndarray:
    """Cosine of the Sun's angle from a fixed array's normal (given in the orbit frame)."""
    rad = r / np.linalg.norm(r, axis=-1, keepdims=True)
    w = np.cross(r, v)
    w /= np.linalg.norm(w, axis=-1, keepdims=True)
    along = np.cross(w, rad)
    n = array.normal
    normal = n[0] * rad + n[1] * along + n[2] * w
    return np.einsum("...i,...i->...", normal, s_hat)


def generated_power(ill: xr.Dataset, array: SolarArray, age0: float) -> np.ndarray:
    """Array output (W) along an :func:`illumination`, ageing from ``age0`` years on."""
    secs = ill["elapsed"].values
    return array_power(array.area, array.efficiency, ill["cos_incidence"].values,
                       ill["shadow"].values, packing=array.packing, age=age0 + secs / YEAR_S,
                       degradation_per_year=array.degradation_per_year,
                       flux=ill["flux"].values)


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
    array, battery : the same :class:`SolarArray` and :class:`Battery` (capacity > 0 Wh) on
        every satellite.
    loads : :class:`Loads`, a :class:`ComputeLoad`, a hardware profile name, a plain bus load
        in W, or ``(bus, compute)``.
    times : 1-D astropy Time (or ISO strings) or seconds after the orbit epoch, ≥ 2 strictly
        increasing epochs; default one day, 60 s steps.
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
    Only the battery update loops over epochs (NumPy over all satellites).
    """
    if not isinstance(array, SolarArray):
        raise TypeError(f"array must be a SolarArray (got {type(array).__name__})")
    if not isinstance(battery, Battery):
        raise TypeError(f"battery must be a Battery (got {type(battery).__name__})")
    if battery.capacity <= 0:
        raise ValueError(f"battery.capacity must be > 0 Wh to simulate a state of charge "
                         f"(got {battery.capacity:g} Wh)")
    loads = as_loads(loads)
    age0 = as_value(age, u.yr, "age", lo=0.0)
    soc0 = as_value(initial_soc, "", "initial_soc", lo=1.0 - battery.max_depth_of_discharge,
                    hi=1.0)
    reserve = as_value(compute_reserve, "", "compute_reserve", lo=0.0,
                       hi=battery.max_depth_of_discharge)
    ill = illumination(orbit, times, array=array, model=model, orbit_model=orbit_model)
    return timeline(ill, array, battery, loads, age0, soc0, reserve)


def timeline(ill: xr.Dataset, array: SolarArray, battery: Battery, loads: Loads, age0: float,
             soc0: float, reserve: float) -> xr.Dataset:
    """The body of :func:`simulate` on checked inputs and an :func:`illumination` of ``array``."""
    secs = ill["elapsed"].values
    dt = step_lengths(secs)
    gen = generated_power(ill, array, age0)
    bus, creq, cidle = loads.arrays(secs)
    res = integrate_battery(gen, bus, creq, cidle, dt, battery.capacity,
                            battery.max_depth_of_discharge, battery.charge_efficiency,
                            battery.discharge_efficiency, battery.max_charge_rate,
                            battery.max_discharge_rate, soc0, reserve)
    shape = gen.shape
    bus, creq = np.broadcast_to(bus, shape), np.broadcast_to(creq, shape)  # checked above
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


def require_dataset(ds: Any, name: str, source: str, variables: tuple[str, ...]) -> None:
    """TypeError unless ``ds`` is a Dataset with ``variables`` (the output of ``source``)."""
    missing = [k for k in variables if not isinstance(ds, xr.Dataset) or k not in ds.variables]
    if missing:
        raise TypeError(f"{name} must be the output of lab.power.{source} (missing "
                        f"{', '.join(missing)})")


def energy_budget(ds: xr.Dataset) -> xr.Dataset:
    """Per-satellite energy totals of a :func:`simulate` timeline, in Wh.

    ``generated``, ``served``, ``shortfall``, ``losses``, ``curtailed``, ``delta_stored``
    (``final_stored_energy - stored_energy[0]``) and ``residual`` = generated − served −
    losses − curtailed − delta_stored (zero up to rounding).
    """
    require_dataset(ds, "ds", "simulate", ("generated", "served", "shortfall", "losses",
                                          "curtailed", "stored_energy", "final_stored_energy",
                                          "dt"))
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
