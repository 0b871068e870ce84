"""Sunlight over a year: :func:`sunlight_over_year` (beta angle and eclipses, day by day) and
:func:`sso_orbit` (a sun-synchronous orbit from its local time of ascending node).

A circular orbit's eclipses depend only on its altitude and its beta angle (the Sun's elevation
above the orbit plane), which the node drift and the seasons move slowly; so one sample a day
is enough to follow a year.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from astropy import units as u

from lab._validate import as_time, as_value, check_int
from lab.constants import R_EARTH
from lab.power._orbit import as_constellation, orbit_periods

__all__ = ["sso_orbit", "sunlight_over_year", "MAX_SAMPLES"]

MAX_SAMPLES = 10_000_000  # satellites x epochs in sunlight_over_year (~160 bytes each)


def sso_orbit(alt: Any, ltan: Any, epoch: Any = None):
    """A circular sun-synchronous :class:`lab.orbits.Orbit` with local time of ascending node
    ``ltan`` (hours, 0–24; 6 or 18 = dawn-dusk, 10.5 = a typical Earth-observation orbit).

    Node from :func:`lab.orbits.raan_from_ltan` at ``epoch`` (default
    :data:`lab.orbits.DEFAULT_EPOCH`); inclination from
    :func:`lab.orbits.sun_synchronous_inclination`.
    """
    from lab.orbits import DEFAULT_EPOCH, Orbit, raan_from_ltan, sun_synchronous_inclination

    h = as_value(ltan, u.h, "ltan", lo=0.0, hi=24.0)
    if np.ndim(h) != 0:
        raise TypeError(f"ltan must be a scalar (got shape {np.shape(h)})")
    ep = DEFAULT_EPOCH if epoch is None else epoch
    return Orbit.from_classical(alt=alt, inc=sun_synchronous_inclination(alt),
                                raan=raan_from_ltan(h, ep), epoch=ep)


def sunlight_over_year(orbit: Any, start: Any = None, days: Any = 365, step_days: Any = 1.0,
                       orbit_model: str = "j2", *, max_samples: int = MAX_SAMPLES) -> xr.Dataset:
    """Beta angle and eclipse over a year (``days``, sampled every ``step_days``), for every
    satellite.

    The orbit is propagated with ``orbit_model`` (J2 by default, so the node drifts as it
    really does, which is what keeps a sun-synchronous orbit's beta angle steady). The beta
    angle (Sun elevation above the orbit plane) comes from the orbit normal ``r × v`` and
    :func:`lab.orbits.sun_position`; the eclipse fraction per orbit from
    :func:`lab.orbits.eclipse_fraction` (cylindrical shadow, circular orbit). Refuses more than
    ``max_samples`` satellites × epochs (memory).

    Returns a Dataset with dims ``(satellite, time)``: ``beta`` (deg), ``eclipse_fraction``,
    ``eclipse_minutes`` (longest shadow per orbit) and ``sunlit_fraction``.
    """
    from lab.orbits import eclipse_fraction, sun_direction

    c = as_constellation(orbit)
    start_t = c.epoch if start is None else as_time(start, "start")
    n_days = as_value(days, u.day, "days", lo=0.0, lo_inclusive=False)
    step = as_value(step_days, u.day, "step_days", lo=0.0, lo_inclusive=False)
    for name, shape in (("start", start_t.shape), ("days", np.shape(n_days)),
                        ("step_days", np.shape(step))):
        if shape != ():
            raise TypeError(f"{name} must be a scalar (got shape {shape})")
    n = int(round(n_days / step))
    periods = orbit_periods(c)[:, None]
    samples = periods.size * (n + 1)
    if samples > check_int(max_samples, "max_samples", lo=1):
        raise ValueError(f"days / step_days gives {n + 1} epochs x {periods.size} "
                         f"satellites = {samples:,} samples (~{samples * 160 / 1e9:.1f} GB); "
                         f"at most max_samples = {max_samples:,}: take a larger step_days")
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
    coords = {"time": t.datetime64, "satellite": np.arange(beta.shape[0]),
              "day": ("time", np.arange(n + 1) * step)}
    dims = ("satellite", "time")
    return xr.Dataset({
        "beta": (dims, beta, {"units": "deg"}),
        "eclipse_fraction": (dims, frac, {"units": "1"}),
        "eclipse_minutes": (dims, frac * periods / 60.0, {"units": "min"}),
        "sunlit_fraction": (dims, 1.0 - frac, {"units": "1"}),
    }, coords=coords)
