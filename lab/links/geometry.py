"""Line-of-sight geometry: elevation, visibility, slant range, light-time delay, grazing height."""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value
from lab.constants import C_LIGHT, R_EARTH
from lab.links.stations import GroundStation, _station_arrays, as_stations

__all__ = [
    "central_angle",
    "elevation",
    "grazing_height",
    "great_circle_distance",
    "light_delay",
    "slant_range",
    "visibility",
]


def _as_positions(sat_itrs: Any) -> np.ndarray:
    r = np.asarray(as_value(sat_itrs, "km", "sat_itrs"), dtype=float)
    if r.ndim == 0 or r.shape[-1] != 3:
        raise ValueError(f"sat_itrs must have a last axis of length 3 (got shape {r.shape})")
    return r


def _sin_elevation(r: np.ndarray, pos: np.ndarray, up: np.ndarray) -> np.ndarray:
    """sin(elevation) of positions r (..., 3) from N stations -> (N, ...)."""
    flat = r.reshape(-1, 3)
    a = up @ flat.T  # (N, M): r . up
    b = pos @ flat.T  # (N, M): r . g
    rr = np.einsum("ij,ij->i", flat, flat)
    gu = np.einsum("ij,ij->i", pos, up)[:, None]
    gg = np.einsum("ij,ij->i", pos, pos)[:, None]
    d = np.sqrt(np.maximum(rr[None, :] - 2.0 * b + gg, 1e-12))
    out = (a - gu) / d
    return np.clip(out, -1.0, 1.0).reshape((len(pos), *r.shape[:-1]))


def elevation(sat_itrs: Any, stations: Any) -> np.ndarray:
    """Elevation (deg) of Earth-fixed positions ``sat_itrs`` (..., 3) km seen from ``stations``.

    ``stations``: one :class:`GroundStation` -> array of shape ``sat_itrs.shape[:-1]`` (e.g. (S, E));
    a sequence (or a network name) -> shape (N, ...) e.g. (N, S, E). Elevation is measured from the
    WGS-84 ellipsoid's local horizontal plane (geodetic), as antenna pointing is.
    """
    r = _as_positions(sat_itrs)
    single = isinstance(stations, GroundStation)
    st = as_stations(stations)
    pos, up, _ = _station_arrays(st)
    el = np.degrees(np.arcsin(_sin_elevation(r, pos, up)))
    return el[0] if single else el


def visibility(sat_itrs: Any, stations: Any) -> np.ndarray:
    """Boolean mask: satellite above each station's elevation mask, shape (N, ...) (or (...) for one)."""
    r = _as_positions(sat_itrs)
    single = isinstance(stations, GroundStation)
    st = as_stations(stations)
    pos, up, mask = _station_arrays(st)
    s = _sin_elevation(r, pos, up)
    vis = s > np.sin(np.radians(mask)).reshape((-1,) + (1,) * (s.ndim - 1))
    return vis[0] if single else vis


def slant_range(alt: Any, elevation: Any, *, radius: Any = R_EARTH) -> u.Quantity:
    """Distance (km) from a ground point to a satellite at altitude ``alt`` seen at ``elevation``.

    Spherical Earth of radius ``radius`` (default R = 6378.137 km):
    ``rho = sqrt((R + h)^2 - R^2 cos^2(el)) - R sin(el)``. Broadcasts.
    """
    h = as_value(alt, "km", "alt", lo=0)
    el = np.radians(as_value(elevation, "deg", "elevation", lo=-90, hi=90))
    r = as_value(radius, "km", "radius", lo=0, lo_inclusive=False)
    rho = np.sqrt((r + h) ** 2 - (r * np.cos(el)) ** 2) - r * np.sin(el)
    return rho * u.km


def light_delay(distance: Any) -> u.Quantity:
    """One-way light-time (s) over ``distance`` (km or a length Quantity) in vacuum."""
    d = as_value(distance, "km", "distance", lo=0)
    return (d / C_LIGHT) * u.s


def central_angle(r1: Any, r2: Any) -> np.ndarray:
    """Angle (rad) between position vectors r1 and r2 (..., 3), numerically stable (atan2)."""
    a = np.asarray(r1, dtype=float)
    b = np.asarray(r2, dtype=float)
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    return np.arctan2(cross, np.einsum("...i,...i->...", a, b))


def great_circle_distance(r1: Any, r2: Any, *, radius: float | None = None) -> np.ndarray:
    """Great-circle distance (km) between the directions of r1 and r2 on a sphere.

    ``radius`` defaults to the smaller of the two geocentric radii: any path between the two
    points that stays outside that sphere (a radio path above the horizon, a laser link above the
    atmosphere) is at least this long.
    """
    a = np.asarray(r1, dtype=float)
    b = np.asarray(r2, dtype=float)
    if radius is None:
        radius = np.minimum(np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1))
    return radius * central_angle(a, b)


def grazing_height(r1: Any, r2: Any) -> np.ndarray:
    """Lowest altitude (km above a sphere of radius R_EARTH) of the straight segment r1 -> r2.

    Vectorized over (..., 3). A laser link is dropped when this falls below ~80 km (atmosphere).
    """
    a = np.asarray(r1, dtype=float)
    b = np.asarray(r2, dtype=float)
    d = b - a
    dd = np.einsum("...i,...i->...", d, d)
    t = np.clip(-np.einsum("...i,...i->...", a, d) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    closest = a + t[..., None] * d
    return np.linalg.norm(closest, axis=-1) - R_EARTH
