"""Reference frames: GCRS (inertial) <-> ITRS (Earth-fixed) and WGS-84 geodetic coordinates.

The rotation is computed once per epoch with astropy's own machinery (ERFA ``c2t06a``: IAU
2006/2000A precession-nutation, Earth rotation angle from UT1, polar motion from astropy's IERS
tables, exactly what ``GCRS -> ITRS`` does in astropy) and then applied to every satellite with
NumPy. Results are cached per time grid, so repeated calls with the same epochs are free.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from astropy.time import Time

from lab._validate import as_time, as_times
from lab.constants import OMEGA_EARTH

__all__ = [
    "gcrs_to_itrs_matrix",
    "itrs_to_geodetic",
    "teme_to_gcrs_matrix",
    "gcrs_to_itrs",
    "gcrs_to_itrs_states",
]

_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def _key(kind: str, t: Time):
    jd1 = np.ascontiguousarray(t.utc.jd1, dtype=float)
    jd2 = np.ascontiguousarray(t.utc.jd2, dtype=float)
    return (kind, jd1.shape, hash(jd1.tobytes()), hash(jd2.tobytes()))


def _cached(kind: str, t: Time, fn):
    key = _key(kind, t)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    val = fn(t)
    val.setflags(write=False)
    _CACHE[key] = val
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return val


def _matrices(kind: str, times, fn) -> np.ndarray:
    """Cached per-epoch matrices ``fn(t)`` (E, 3, 3) for ``times``; (3, 3) for a scalar time."""
    t = as_time(times, "times")
    scalar = t.isscalar
    M = _cached(kind, as_times(t, "times"), fn)  # 1-D; 2-D or empty times are refused
    return M[0] if scalar else M


def _polar_motion(t: Time):
    """Polar motion x_p, y_p (rad) as astropy uses for GCRS -> ITRS."""
    try:  # the function astropy's own frame transforms call
        from astropy.coordinates.builtin_frames.utils import get_polar_motion

        return get_polar_motion(t)
    except ImportError:  # pragma: no cover - fallback for a future astropy layout
        from astropy import units as u
        from astropy.utils import iers

        xp, yp = iers.earth_orientation_table.get().pm_xy(t)
        return xp.to_value(u.rad), yp.to_value(u.rad)


def _c2t(t: Time) -> np.ndarray:
    import erfa

    tt, ut1 = t.tt, t.ut1
    xp, yp = _polar_motion(t)
    return np.asarray(erfa.c2t06a(tt.jd1, tt.jd2, ut1.jd1, ut1.jd2, xp, yp), dtype=float)


def gcrs_to_itrs_matrix(times) -> np.ndarray:
    """Rotation matrices (E, 3, 3) from GCRS to ITRS: ``r_itrs = M @ r_gcrs``.

    ``times``: astropy Time (scalar -> (3, 3)) or anything :func:`lab._validate.as_time` accepts.
    """
    return _matrices("c2t", times, _c2t)


def _teme2gcrs(t: Time) -> np.ndarray:
    """TEME -> GCRS matrices (E, 3, 3) via astropy's TEME frame (unit vectors)."""
    from astropy import units as u
    from astropy.coordinates import GCRS, TEME, CartesianRepresentation

    n = t.size
    eye = np.broadcast_to(np.eye(3)[:, :, None], (3, 3, n))
    teme = TEME(CartesianRepresentation(eye * u.km), obstime=t)
    xyz = teme.transform_to(GCRS(obstime=t)).cartesian.xyz.to_value(u.km)  # (comp, vec, E)
    return np.ascontiguousarray(np.moveaxis(xyz, -1, 0))


def teme_to_gcrs_matrix(times) -> np.ndarray:
    """Rotation matrices (E, 3, 3) from TEME (SGP4's frame) to GCRS, via astropy's TEME frame.

    For long grids the matrix is evaluated exactly by astropy on knots every 10 minutes and
    interpolated in between (it changes by < 1e-9 rad per 10 min: precession-nutation only).
    """
    return _matrices("teme", times, _teme_interp)


def _teme_interp(t: Time) -> np.ndarray:
    if t.size <= 64:
        return _teme2gcrs(t)
    from astropy import units as u

    sec = (t - t[0]).to_value(u.s)
    lo, hi = float(sec.min()), float(sec.max())
    nk = max(2, int(np.ceil((hi - lo) / 600.0)) + 1)
    knots = np.linspace(lo, hi, nk)
    Mk = _teme2gcrs(t[0] + knots * u.s).reshape(nk, 9)
    M = np.empty((t.size, 9))
    for k in range(9):
        M[:, k] = np.interp(sec, knots, Mk[:, k])
    return M.reshape(-1, 3, 3)


def gcrs_to_itrs(r_gcrs, times) -> np.ndarray:
    """Rotate GCRS vectors (..., E, 3) km to ITRS with one matrix per epoch."""
    from lab.orbits.core import apply_rotation

    M = gcrs_to_itrs_matrix(times)
    if M.ndim == 2:
        M = M[None]
    return apply_rotation(M, r_gcrs)


def gcrs_to_itrs_states(r, v, M: np.ndarray):
    """ITRS position and Earth-fixed velocity from GCRS ``r`` (km), ``v`` (km/s), (..., E, 3).

    ``M`` (E, 3, 3) from :func:`gcrs_to_itrs_matrix`; v_itrs = M v - ω⊕ × r_itrs.
    """
    from lab.orbits.core import apply_rotation

    r_i = apply_rotation(M, r)
    return r_i, _earth_fixed_velocity(r_i, apply_rotation(M, v))


def _earth_fixed_velocity(r_itrs, v_rot):
    """Subtract ω⊕ × r in place from rotated inertial velocities (..., 3) km/s; returns ``v_rot``."""
    v_rot[..., 0] += OMEGA_EARTH * r_itrs[..., 1]
    v_rot[..., 1] -= OMEGA_EARTH * r_itrs[..., 0]
    return v_rot


def itrs_to_geodetic(r_itrs_km) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS-84 geodetic (lat_deg, lon_deg, alt_km) of ITRS positions (..., 3) km (vectorized, exact).

    Uses ERFA's closed-form ``gc2gd`` (Fukushima), the routine behind astropy's
    ``EarthLocation.to_geodetic``. Longitudes are in [-180, 180).
    """
    import erfa

    r = np.asarray(r_itrs_km, dtype=float)
    if r.shape[-1:] != (3,):
        raise ValueError(f"r_itrs_km must have a last axis of length 3 (got shape {r.shape})")
    if not np.all(np.isfinite(r)):
        raise ValueError("r_itrs_km must be finite")
    lon, lat, h = erfa.gc2gd(1, r * 1000.0)  # WGS84, metres
    lon_deg = np.remainder(np.degrees(lon) + 180.0, 360.0) - 180.0
    return np.degrees(lat), lon_deg, h / 1000.0
