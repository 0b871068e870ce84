"""A single Earth orbit with a poliastro-style API (units at the edges, float core inside).

An Orbit is the scalar view of the propagation layer: it describes itself as a one-satellite
:class:`~lab.orbits.propagation.MeanElements` record and propagates through
:mod:`lab.orbits.propagation`, the same code as :class:`~lab.orbits.Constellation` (which builds
on Orbit; Orbit does not import it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time

from lab._validate import as_time, as_value
from lab.constants import MU_EARTH, R_EARTH
from lab.orbits import core, propagation
from lab.orbits._time import DEFAULT_EPOCH, resolve_dt
from lab.orbits.frames import itrs_to_geodetic
from lab.orbits.propagation import FRAMES, MODELS, MeanElements
from lab.orbits.tle import satrec_epoch, satrec_from_tle, sgp4_states

__all__ = ["FRAMES", "MODELS", "Orbit"]


def _check_elliptic(a, ecc) -> None:
    """Name a parabolic or hyperbolic orbit as such (ecc >= 1 or a < 0): not supported."""
    e = as_value(ecc, u.one, "ecc")
    a_km = None if a is None else as_value(a, u.km, "a")
    if np.ndim(e) or np.ndim(a_km):
        return  # the scalar checks of from_classical report it
    if e >= 1.0:
        kind = "a parabolic" if e == 1.0 else "a hyperbolic"
        raise ValueError(
            f"ecc must be in [0, 1) (got {e:g}): {kind} orbit is not supported, only elliptic ones"
        )
    if a_km is not None and a_km < 0.0:
        raise ValueError(
            f"a must be > {R_EARTH:g} km (got {a_km:g} km): a negative semi-major axis is a "
            "hyperbolic orbit, which is not supported (only elliptic ones)"
        )


def _check_perigee(a: float, e: float) -> None:
    rp = a * (1.0 - e)
    if rp <= R_EARTH:
        raise ValueError(
            f"perigee altitude must be > 0 km (above the Earth's surface, R = {R_EARTH} km); "
            f"got a = {a:g} km, ecc = {e:g} -> perigee altitude {rp - R_EARTH:g} km"
        )


class Orbit:
    """An Earth orbit at an epoch: classical elements, GCRS state vectors, optional TLE.

    Build with :meth:`from_classical`, :meth:`from_vectors` or :meth:`from_tle`. Attributes are
    Quantities: ``r`` (km), ``v`` (km/s), ``a``, ``alt`` (a - R, km), ``ecc``, ``inc``, ``raan``,
    ``argp``, ``nu`` (deg), ``period`` (s); ``epoch`` is an astropy Time (UTC).
    """

    __slots__ = (
        "_a",
        "_e",
        "_i",
        "_raan",
        "_argp",
        "_nu",
        "_r",
        "_v",
        "_epoch",
        "_satrec",
        "_tle",
        "name",
    )

    def __init__(
        self,
        a,
        e,
        i,
        raan,
        argp,
        nu,
        r,
        v,
        epoch: Time,
        satrec=None,
        tle=None,
        name: str | None = None,
    ):
        self._a, self._e, self._i = float(a), float(e), float(i)
        self._raan, self._argp, self._nu = float(raan), float(argp), float(nu)
        self._r = np.asarray(r, dtype=float).reshape(3)
        self._v = np.asarray(v, dtype=float).reshape(3)
        self._epoch = epoch
        self._satrec = satrec
        self._tle = tle
        self.name = name

    # ---------------------------------------------------------------- constructors
    @classmethod
    def from_classical(
        cls,
        a=None,
        ecc=0.0,
        inc=0.0,
        raan=0.0,
        argp=0.0,
        nu=0.0,
        epoch=None,
        *,
        alt=None,
        name: str | None = None,
    ) -> Orbit:
        """Orbit from classical elements (km, -, deg) at ``epoch`` (default DEFAULT_EPOCH).

        Give either ``a`` (semi-major axis) or ``alt`` (a - R_earth, the mean altitude).
        ``nu`` is the true anomaly (for circular orbits the argument of latitude from the node).
        """
        if (a is None) == (alt is None):
            raise ValueError("give exactly one of a (semi-major axis) or alt (altitude)")
        _check_elliptic(a, ecc)
        if a is None:
            a_km = R_EARTH + as_value(alt, u.km, "alt", lo=0.0, lo_inclusive=False)
        else:
            a_km = as_value(a, u.km, "a", lo=R_EARTH, lo_inclusive=False)
        e = as_value(ecc, u.one, "ecc", lo=0.0, hi=1.0, hi_inclusive=False)
        i = as_value(inc, u.deg, "inc", lo=0.0, hi=180.0)
        node = as_value(raan, u.deg, "raan")
        w = as_value(argp, u.deg, "argp")
        f = as_value(nu, u.deg, "nu")
        for name_, val in (
            ("a", a_km),
            ("ecc", e),
            ("inc", i),
            ("raan", node),
            ("argp", w),
            ("nu", f),
        ):
            if np.ndim(val) != 0:
                raise TypeError(f"{name_} must be a scalar (use Constellation for arrays)")
        _check_perigee(a_km, e)
        ep = DEFAULT_EPOCH if epoch is None else as_time(epoch, "epoch")
        rad = np.radians
        r, v = core.elements_to_rv(a_km, e, rad(i), rad(node), rad(w), rad(f))
        return cls(
            a_km,
            e,
            rad(i),
            np.remainder(rad(node), 2 * np.pi),
            np.remainder(rad(w), 2 * np.pi),
            np.remainder(rad(f), 2 * np.pi),
            r,
            v,
            ep,
            name=name,
        )

    @classmethod
    def from_vectors(cls, r, v, epoch=None, *, name: str | None = None) -> Orbit:
        """Orbit from GCRS position ``r`` (km) and velocity ``v`` (km/s), 3-vectors."""
        rr = np.asarray(as_value(r, u.km, "r"), dtype=float)
        vv = np.asarray(as_value(v, u.km / u.s, "v"), dtype=float)
        if rr.shape != (3,) or vv.shape != (3,):
            raise ValueError(f"r and v must be 3-vectors (got shapes {rr.shape} and {vv.shape})")
        if np.linalg.norm(rr) <= R_EARTH:
            raise ValueError(
                f"r must be above the Earth's surface (|r| = {np.linalg.norm(rr):g} "
                f"km <= R = {R_EARTH} km)"
            )
        speed, escape = np.linalg.norm(vv), np.sqrt(2.0 * MU_EARTH / np.linalg.norm(rr))
        if speed >= escape:
            raise ValueError(
                f"r, v must describe an elliptic orbit: the speed |v| = {speed:g} km/s is at or "
                f"above the escape speed {escape:g} km/s at |r| = {np.linalg.norm(rr):g} km "
                "(parabolic and hyperbolic orbits are not supported)"
            )
        a, e, i, node, w, f = (float(x) for x in core.rv_to_elements(rr, vv))
        _check_perigee(a, e)
        ep = DEFAULT_EPOCH if epoch is None else as_time(epoch, "epoch")
        return cls(a, e, i, node, w, f, rr, vv, ep, name=name)

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str | None = None) -> Orbit:
        """Orbit from a two-line element set (checksums validated); epoch = TLE epoch.

        ``r``/``v`` and the osculating elements come from SGP4 at the TLE epoch, rotated
        TEME -> GCRS; ``propagate(..., model="sgp4")`` uses SGP4.
        """
        sat = satrec_from_tle(line1, line2)
        ep = satrec_epoch(sat)
        r, v = sgp4_states([sat], ep)
        orb = cls.from_vectors(r[0, 0], v[0, 0], ep, name=name)
        orb._satrec = sat
        orb._tle = (line1.rstrip(), line2.rstrip())
        return orb

    # ---------------------------------------------------------------- attributes
    r = property(lambda self: self._r * u.km, doc="GCRS position (km)")
    v = property(lambda self: self._v * (u.km / u.s), doc="GCRS velocity (km/s)")
    a = property(lambda self: self._a * u.km, doc="semi-major axis (km)")
    alt = property(lambda self: (self._a - R_EARTH) * u.km, doc="mean altitude a - R_earth (km)")
    ecc = property(lambda self: self._e * u.one, doc="eccentricity")
    inc = property(lambda self: np.degrees(self._i) * u.deg, doc="inclination (deg)")
    raan = property(lambda self: np.degrees(self._raan) * u.deg, doc="RAAN (deg)")
    argp = property(lambda self: np.degrees(self._argp) * u.deg, doc="argument of perigee (deg)")
    nu = property(lambda self: np.degrees(self._nu) * u.deg, doc="true anomaly (deg)")
    epoch = property(lambda self: self._epoch, doc="epoch (astropy Time, UTC)")
    tle = property(lambda self: self._tle, doc="(line1, line2) if built from a TLE, else None")

    @property
    def period(self) -> u.Quantity:
        """Two-body orbital period 2π sqrt(a³/μ) (s)."""
        return 2 * np.pi * np.sqrt(self._a**3 / MU_EARTH) * u.s

    @property
    def n(self) -> u.Quantity:
        """Mean motion (rad/s)."""
        return float(core.mean_motion(self._a)) * u.rad / u.s

    @property
    def perigee_alt(self) -> u.Quantity:
        return (self._a * (1 - self._e) - R_EARTH) * u.km

    @property
    def apogee_alt(self) -> u.Quantity:
        return (self._a * (1 + self._e) - R_EARTH) * u.km

    @property
    def M(self) -> float:
        """Mean anomaly at epoch (rad, plain float)."""
        return float(core.true_to_mean(self._nu, self._e))

    def __repr__(self) -> str:
        return (
            f"Orbit(alt={self._a - R_EARTH:.1f} km, ecc={self._e:.5f}, inc={np.degrees(self._i):.3f}°,"
            f" raan={np.degrees(self._raan):.3f}°, argp={np.degrees(self._argp):.3f}°,"
            f" nu={np.degrees(self._nu):.3f}°, epoch={self._epoch.utc.isot}"
            + (", TLE" if self._satrec is not None else "")
            + ")"
        )

    # ---------------------------------------------------------------- propagation
    def _elements(self) -> MeanElements:
        """This orbit as one-satellite mean-element arrays (the propagation layer's input)."""
        e = np.array([self._e])
        return MeanElements(np.array([self._a]), e, np.array([self._i]),
                            np.array([self._raan]), np.array([self._argp]),
                            core.true_to_mean(np.array([self._nu]), e))

    def _check_model(self, model: str) -> None:
        propagation.check_model(model, self._satrec is not None, "an orbit made with Orbit.from_tle")

    def propagate(self, dt, model: str = "kepler") -> Orbit:
        """New Orbit ``dt`` later: seconds or a time Quantity (may be negative), or the target
        epoch as a Time in any scale (the new epoch is that instant). Within ±100 years."""
        self._check_model(model)
        sec, epoch = resolve_dt(dt, self._epoch)
        if model == "sgp4":
            r, v = sgp4_states([self._satrec], epoch)
            new = Orbit.from_vectors(r[0, 0], v[0, 0], epoch, name=self.name)
            new._satrec, new._tle = self._satrec, self._tle
            return new
        el = propagation.advance(self._elements(), sec, model)
        nu = core.mean_to_true(el.M0, el.e)
        r, v = core.elements_to_rv(el.a, el.e, el.i, el.raan, el.argp, nu)
        return Orbit(self._a, self._e, self._i, el.raan[0], el.argp[0],
                     np.remainder(nu[0], 2 * np.pi), r[0], v[0], epoch, self._satrec, self._tle,
                     self.name)

    def _states(self, times, model: str, frame: str, velocity: bool):
        self._check_model(model)
        sats = None if self._satrec is None else [self._satrec]
        return propagation.states(self._elements(), self._epoch, times, model, frame, velocity,
                                  satrecs=sats)

    def states(self, times, model: str = "kepler", frame: str = "gcrs"):
        """(r km, v km/s) plain arrays of shape (E, 3) at ``times`` (Time or seconds after epoch)."""
        r, v = self._states(times, model, frame, velocity=True)
        return r[0], v[0]

    def positions(self, times, model: str = "kepler", frame: str = "gcrs") -> np.ndarray:
        """Positions (E, 3) km at ``times`` (Time or seconds after epoch) in GCRS or ITRS."""
        return self._states(times, model, frame, velocity=False)[0]

    def ground_track(self, times, model: str = "kepler"):
        """(lat_deg, lon_deg, alt_km) each of shape (E,)."""
        return itrs_to_geodetic(self.positions(times, model=model, frame="itrs"))

    def to_dict(self) -> dict[str, Any]:
        """Plain-number summary (km, deg, s)."""
        return {
            "a_km": self._a,
            "alt_km": self._a - R_EARTH,
            "ecc": self._e,
            "inc_deg": np.degrees(self._i),
            "raan_deg": np.degrees(self._raan),
            "argp_deg": np.degrees(self._argp),
            "nu_deg": np.degrees(self._nu),
            "period_s": float(self.period.value),
            "epoch": self._epoch.utc.isot,
        }
