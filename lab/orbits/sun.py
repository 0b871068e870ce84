"""The Sun, the Earth's shadow and sun-synchronous orbits.

- :func:`sun_position`: geocentric apparent Sun (GCRS, km) from ERFA's ``epv00`` Earth ephemeris
  (the one behind astropy's builtin ``get_body('sun')``) with annual aberration; vectorized.
- :func:`in_shadow`: cylindrical (umbra only) and conical (umbra + penumbra) shadow models.
- :func:`beta_angle`, :func:`eclipse_fraction`, :func:`sun_synchronous_inclination`.
- :func:`sun_ecliptic_longitude` (apparent, ecliptic and equinox of date: ERFA's IAU 2006
  ``ecm06`` rotation plus the nutation in longitude) and :func:`seasons`, the equinoxes and
  solstices (longitude 0, 90, 180, 270 deg) found from it, for calendar plots.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_time, as_value, check_choice
from lab.constants import AU, C_LIGHT, J2, MU_EARTH, R_EARTH, R_SUN, SECONDS_PER_DAY, TROPICAL_YEAR

__all__ = [
    "sun_position",
    "sun_direction",
    "in_shadow",
    "beta_angle",
    "eclipse_fraction",
    "sun_synchronous_inclination",
    "raan_from_ltan",
    "seasons",
    "sun_ecliptic_longitude",
    "SEASON_NAMES",
]

#: The Sun's apparent ecliptic longitude at each season's start: 0, 90, 180, 270 deg.
SEASON_NAMES = ("March equinox", "June solstice", "September equinox", "December solstice")

_AU_PER_DAY_KMS = AU / SECONDS_PER_DAY


def _sun_gcrs_km(t) -> np.ndarray:
    import erfa

    tdb = t.tdb
    pvh, pvb = erfa.epv00(tdb.jd1, tdb.jd2)  # Earth heliocentric / barycentric pv, AU and AU/day
    s = -np.asarray(pvh["p"], dtype=float) * AU  # geocentric Sun, km (BCRS axes = GCRS axes)
    vel = np.asarray(pvb["v"], dtype=float) * (_AU_PER_DAY_KMS / C_LIGHT)  # Earth velocity / c
    # annual aberration (first order): apparent direction from the moving Earth
    dist = np.linalg.norm(s, axis=-1, keepdims=True)
    uhat = s / dist
    udotv = np.sum(uhat * vel, axis=-1, keepdims=True)
    app = uhat + vel - udotv * uhat
    app /= np.linalg.norm(app, axis=-1, keepdims=True)
    return app * dist


def sun_position(times) -> u.Quantity:
    """Geocentric position of the Sun in GCRS, Quantity km: (E, 3), or (3,) for a scalar time.

    Agrees with ``astropy.coordinates.get_body('sun', t)`` (GCRS) to better than 1e-5 rad.
    """
    t = as_time(times, "times")
    s = _sun_gcrs_km(t)
    return s * u.km


def sun_direction(times) -> np.ndarray:
    """Unit vector(s) from the Earth's centre to the Sun, GCRS: (E, 3) or (3,)."""
    t = as_time(times, "times")
    s = _sun_gcrs_km(t)
    return s / np.linalg.norm(s, axis=-1, keepdims=True)


def _sun_km(times) -> np.ndarray:
    if isinstance(times, u.Quantity):
        return times.to_value(u.km)
    if isinstance(times, np.ndarray) and times.dtype.kind == "f" and times.shape[-1:] == (3,):
        return times  # already a Sun position array in km
    return _sun_gcrs_km(as_time(times, "times"))


def in_shadow(positions_km, times, model: str = "cylindrical") -> np.ndarray:
    """Fraction of the solar disk hidden by the Earth at each position (float64).

    ``positions_km``: GCRS positions (..., E, 3) in km (or a Quantity); ``times``: E epochs
    (astropy Time), or the Sun's GCRS positions (E, 3) km if already computed.
    Returns an array of shape ``positions[..., 0]``: 0 = sunlit, 1 = umbra, in between = penumbra
    (``model="conical"`` only; ``"cylindrical"`` returns exactly 0.0 or 1.0).
    """
    check_choice(model, ("cylindrical", "conical"), "model")
    if isinstance(positions_km, u.Quantity):
        positions_km = positions_km.to_value(u.km)
    r = np.asarray(positions_km, dtype=float)
    if r.shape[-1:] != (3,):
        raise ValueError(f"positions_km must have a last axis of length 3 (got shape {r.shape})")
    if not np.all(np.isfinite(r)):
        raise ValueError("positions_km must be finite (got NaN or inf)")
    s = np.asarray(_sun_km(times), dtype=float).reshape(-1, 3)
    n_ep = r.shape[-2] if r.ndim >= 2 else 1
    if s.shape[0] not in (1, n_ep):
        raise ValueError(
            f"times must have one epoch per position epoch (got {s.shape[0]} times for "
            f"positions of shape {r.shape})"
        )
    out_shape = r.shape[:-1]
    if r.ndim == 1:
        r = r[None, :]
    sd = np.linalg.norm(s, axis=-1, keepdims=True)
    shat = s / sd
    x0, x1, x2 = r[..., 0], r[..., 1], r[..., 2]
    proj = x0 * shat[..., 0] + x1 * shat[..., 1] + x2 * shat[..., 2]  # along the Sun direction
    rr = x0 * x0 + x1 * x1 + x2 * x2
    if model == "cylindrical":
        perp2 = rr - proj * proj
        return ((proj < 0.0) & (perp2 < R_EARTH * R_EARTH)).astype(float).reshape(out_shape)
    # conical: apparent radii of Sun (a) and Earth (b) and their separation (c) seen from r
    rn = np.sqrt(rr)
    sdist = sd[..., 0]
    # vector satellite -> Sun = s - r; its length
    dsr2 = rr - 2.0 * proj * sdist + sdist * sdist
    dsr = np.sqrt(dsr2)
    a = np.arcsin(np.minimum(R_SUN / dsr, 1.0))
    b = np.arcsin(np.minimum(R_EARTH / rn, 1.0))
    # angle between -r (towards Earth centre) and s - r (towards Sun)
    cosc = (rr - proj * sdist) / (rn * dsr)
    c = np.arccos(np.clip(cosc, -1.0, 1.0))
    frac = np.zeros_like(c)
    full = c <= b - a
    frac[full] = 1.0
    annular = (c <= a - b) & ~full  # Earth inside the solar disk (not in LEO)
    frac[annular] = (b[annular] / a[annular]) ** 2
    part = (c < a + b) & ~full & ~annular
    if np.any(part):
        ap, bp, cp = a[part], b[part], c[part]
        x = (cp * cp + ap * ap - bp * bp) / (2.0 * cp)
        y = np.sqrt(np.maximum(ap * ap - x * x, 0.0))
        area = (
            ap * ap * np.arccos(np.clip(x / ap, -1.0, 1.0))
            + bp * bp * np.arccos(np.clip((cp - x) / bp, -1.0, 1.0))
            - cp * y
        )
        frac[part] = np.clip(area / (np.pi * ap * ap), 0.0, 1.0)
    return frac.reshape(out_shape)


def _orbit_node_inc(obj: Any, t) -> tuple[np.ndarray, np.ndarray]:
    """RAAN and inclination (rad) of an Orbit or Constellation at time t (J2 drift of RAAN)."""
    from lab.orbits._time import seconds_between
    from lab.orbits.core import j2_rates

    a = np.atleast_1d(obj.a.to_value(u.km))
    e = np.atleast_1d(
        np.asarray(
            obj.ecc.to_value(u.one) if isinstance(obj.ecc, u.Quantity) else obj.ecc, dtype=float
        )
    )
    i = np.atleast_1d(obj.inc.to_value(u.rad))
    raan = np.atleast_1d(obj.raan.to_value(u.rad))
    dt = seconds_between(t, obj.epoch)
    offsets = getattr(obj, "_t_offset", None)
    if offsets is not None:
        dt = dt - offsets
    raan_dot, _, _ = j2_rates(a, e, i)
    return raan + raan_dot * dt, i


def beta_angle(orbit, time) -> u.Quantity:
    """Solar beta angle (deg): angle between the orbit plane and the Sun direction.

    ``orbit``: an Orbit (-> scalar) or a Constellation (-> (S,)); the node drifts with J2 from the
    orbit's epoch to ``time`` (scalar astropy Time or ISO string).
    """
    t = as_time(time, "time")
    if not t.isscalar:
        raise ValueError("time must be a single epoch (scalar Time)")
    raan, i = _orbit_node_inc(orbit, t)
    shat = sun_direction(t)
    hhat = np.stack([np.sin(raan) * np.sin(i), -np.cos(raan) * np.sin(i), np.cos(i)], axis=-1)
    beta = np.degrees(np.arcsin(np.clip(hhat @ shat, -1.0, 1.0)))
    if not hasattr(orbit, "__len__"):
        return float(beta[0]) * u.deg
    return beta * u.deg


def eclipse_fraction(alt, beta, model: str = "cylindrical") -> float | np.ndarray:
    """Fraction of a circular orbit spent in the Earth's shadow.

    ``alt`` km (> 0), ``beta`` deg in [-90, 90] (arrays broadcast).
    ``"cylindrical"`` (analytic): f = (1/π) arccos( sqrt(h² + 2 R h) / ((R + h) cos β) ) when
    |β| < β*, else 0, with sin β* = R / (R + h).
    ``"conical"``: the orbit-averaged fraction of the solar disk hidden (umbra counts 1, penumbra
    its hidden fraction), integrated numerically over 3,600 points of the orbit, Sun at 1 AU.
    """
    check_choice(model, ("cylindrical", "conical"), "model")
    h = as_value(alt, u.km, "alt", lo=0.0, lo_inclusive=False)
    b = np.radians(as_value(beta, u.deg, "beta", lo=-90.0, hi=90.0))
    h, b = np.broadcast_arrays(np.asarray(h, dtype=float), np.asarray(b, dtype=float))
    r = R_EARTH + h
    if model == "cylindrical":
        with np.errstate(divide="ignore"):
            arg = np.sqrt(r * r - R_EARTH * R_EARTH) / (r * np.cos(b))
        f = np.where(arg < 1.0, np.arccos(np.clip(arg, -1.0, 1.0)) / np.pi, 0.0)
    else:
        theta = (np.arange(3600) + 0.5) * (2.0 * np.pi / 3600)
        rr, bb = r.reshape(-1, 1), b.reshape(-1, 1)
        pos = np.stack(
            [
                rr * np.cos(theta) * np.cos(bb),
                rr * np.sin(theta) * np.ones_like(bb),
                -rr * np.cos(theta) * np.sin(bb),
            ],
            axis=-1,
        )  # Sun along +x, orbit normal tilted by beta towards it
        frac = in_shadow(pos, np.array([[AU, 0.0, 0.0]]), model="conical")
        f = frac.mean(axis=-1).reshape(r.shape)
    return float(f) if f.ndim == 0 else f


def sun_synchronous_inclination(alt, ecc: float = 0.0) -> u.Quantity:
    """Inclination (deg) making the J2 node drift follow the mean Sun (360° per tropical year).

    cos i = -(2π / year) / (3/2 n J2 (R/p)²). ``alt`` km (mean altitude a - R), ``ecc`` in [0, 1).
    Raises ``ValueError`` where no sun-synchronous orbit exists (|cos i| > 1, above ~5,970 km).
    """
    h = as_value(alt, u.km, "alt", lo=0.0, lo_inclusive=False)
    e = as_value(ecc, u.one, "ecc", lo=0.0, hi=1.0, hi_inclusive=False)
    a = R_EARTH + np.asarray(h, dtype=float)
    n = np.sqrt(MU_EARTH / a**3)
    p = a * (1.0 - np.asarray(e) ** 2)
    rate = 2.0 * np.pi / TROPICAL_YEAR
    cosi = -rate / (1.5 * n * J2 * (R_EARTH / p) ** 2)
    if np.any(np.abs(cosi) > 1.0):
        raise ValueError(
            "alt must be low enough for a sun-synchronous orbit to exist "
            f"(|cos i| = {np.max(np.abs(cosi)):.3f} > 1)"
        )
    inc = np.degrees(np.arccos(cosi))
    return (float(inc) if np.ndim(inc) == 0 else inc) * u.deg


def raan_from_ltan(ltan, epoch) -> u.Quantity:
    """RAAN (deg, in [0, 360)) giving local time of the ascending node ``ltan`` (hours) at ``epoch``.

    RAAN = α_sun + 15°/h (LTAN - 12 h), with α_sun the Sun's right ascension at ``epoch`` (true
    Sun: within the equation of time, ±4 min, of the mean-Sun convention). LTAN 6 or 18 is a
    dawn-dusk orbit, 12 noon-midnight.
    """
    h = as_value(ltan, u.hourangle, "ltan", lo=0.0, hi=24.0)
    d = sun_direction(as_time(epoch, "epoch"))
    ra = np.degrees(np.arctan2(d[..., 1], d[..., 0]))
    val = np.remainder(ra + 15.0 * (np.asarray(h) - 12.0), 360.0)
    return (float(val) if np.ndim(val) == 0 else val) * u.deg


def sun_ecliptic_longitude(times) -> u.Quantity:
    """The Sun's apparent geocentric ecliptic longitude (deg, in [0, 360)), ecliptic and equinox
    of date: the GCRS direction of :func:`sun_direction` turned by ERFA's IAU 2006 ``ecm06``
    matrix, plus the nutation in longitude (``nut06a``). 0° is the March equinox, 90° the June
    solstice. Shape of ``times``.
    """
    import erfa

    t = as_time(times, "times")
    tt = t.tt
    rot = erfa.ecm06(tt.jd1, tt.jd2)  # GCRS (= ICRS axes) -> mean ecliptic of date
    ecl = np.einsum("...ij,...j->...i", rot, sun_direction(t))
    dpsi, _ = erfa.nut06a(tt.jd1, tt.jd2)
    lon = np.degrees(np.arctan2(ecl[..., 1], ecl[..., 0]) + dpsi)
    return np.remainder(lon, 360.0) * u.deg


def seasons(start, end) -> list[tuple[str, Any]]:
    """Equinoxes and solstices between ``start`` and ``end`` (astropy Time or ISO strings), in
    order: ``[(name, Time UTC), ...]`` with names from :data:`SEASON_NAMES`.

    The Sun's longitude (:func:`sun_ecliptic_longitude`) is sampled daily; every crossing of a
    multiple of 90° is refined by four secant steps (to well under a minute; the published
    times, e.g. USNO's, agree within ~1 min).
    """
    t0, t1 = as_time(start, "start"), as_time(end, "end")
    if not (t0.isscalar and t1.isscalar):
        raise ValueError("start and end must be single epochs (scalar Time)")
    span = (t1 - t0).to_value(u.day)
    if not 0.0 < span <= 36525.0:
        raise ValueError(f"end must be after start and within 100 years of it (got {span:.1f} "
                         "days)")
    days = np.arange(0.0, np.ceil(span) + 1.0)
    lon = np.unwrap(np.radians(sun_ecliptic_longitude(t0 + days * u.day).to_value(u.deg)))
    quarter = np.floor(np.degrees(lon) / 90.0)
    k = np.flatnonzero(np.diff(quarter) > 0)
    target = np.radians(90.0 * quarter[k + 1])
    lo, hi, f_lo, f_hi = days[k], days[k + 1], lon[k] - target, lon[k + 1] - target
    for _ in range(4):  # secant steps on the longitude, which is smooth (~1 deg/day)
        slope = f_hi - f_lo
        done = slope == 0.0  # converged: the last two points coincide
        mid = np.where(done, hi, lo - f_lo * (hi - lo) / np.where(done, 1.0, slope))
        lon_mid = np.radians(sun_ecliptic_longitude(t0 + mid * u.day).to_value(u.deg))
        f_mid = np.angle(np.exp(1j * (lon_mid - target)))  # wrapped to (-pi, pi]
        lo, f_lo, hi, f_hi = hi, f_hi, mid, f_mid
    inside = (hi >= 0.0) & (hi <= span)
    names = [SEASON_NAMES[int(q) % 4] for q in quarter[k + 1][inside]]
    when = (t0 + hi[inside] * u.day).utc
    return list(zip(names, when, strict=True))
