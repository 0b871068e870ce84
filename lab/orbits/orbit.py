"""A single Earth orbit with a poliastro-style API (units at the edges, float core inside)."""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time, TimeDelta

from lab._validate import as_time, as_value, check_choice
from lab.constants import MU_EARTH, R_EARTH
from lab.orbits import core
from lab.orbits._time import DEFAULT_EPOCH

__all__ = ["Orbit"]

MODELS = ("kepler", "j2", "sgp4")
FRAMES = ("gcrs", "itrs")


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
        try:
            a, e, i, node, w, f = (float(x) for x in core.rv_to_elements(rr, vv))
        except ValueError as exc:
            raise ValueError(f"r, v: {exc} (the speed is at or above escape speed)") from None
        _check_perigee(a, e)
        ep = DEFAULT_EPOCH if epoch is None else as_time(epoch, "epoch")
        return cls(a, e, i, node, w, f, rr, vv, ep, name=name)

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str | None = None) -> Orbit:
        """Orbit from a two-line element set (checksums validated); epoch = TLE epoch.

        ``r``/``v`` and the osculating elements come from SGP4 at the TLE epoch, rotated
        TEME -> GCRS; ``propagate(..., model="sgp4")`` uses SGP4.
        """
        from lab.orbits.tle import satrec_epoch, satrec_from_tle, sgp4_states

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
    def _check_model(self, model: str) -> None:
        check_choice(model, MODELS, "model")
        if model == "sgp4" and self._satrec is None:
            raise ValueError("model='sgp4' needs an orbit made with Orbit.from_tle")

    def propagate(self, dt, model: str = "kepler") -> Orbit:
        """New Orbit ``dt`` later (Quantity or seconds; may be negative or a Time)."""
        self._check_model(model)
        if isinstance(dt, Time | str):
            sec = float((as_time(dt, "dt") - self._epoch).to_value(u.s))
        else:
            sec = as_value(dt, u.s, "dt")
            if np.ndim(sec) != 0:
                raise TypeError("dt must be a scalar (use positions() for many epochs)")
        epoch = self._epoch + TimeDelta(sec, format="sec")
        if model == "sgp4":
            from lab.orbits.tle import sgp4_states

            r, v = sgp4_states([self._satrec], epoch)
            new = Orbit.from_vectors(r[0, 0], v[0, 0], epoch, name=self.name)
            new._satrec, new._tle = self._satrec, self._tle
            return new
        M0 = core.true_to_mean(self._nu, self._e)
        node, w, M = core.propagate_elements(
            self._a, self._e, self._i, self._raan, self._argp, M0, sec, j2=(model == "j2")
        )
        nu = core.mean_to_true(M, self._e)
        r, v = core.elements_to_rv(self._a, self._e, self._i, node, w, nu)
        tau = 2 * np.pi
        return Orbit(
            self._a,
            self._e,
            self._i,
            np.remainder(node, tau),
            np.remainder(w, tau),
            np.remainder(nu, tau),
            r,
            v,
            epoch,
            self._satrec,
            self._tle,
            self.name,
        )

    def _as_constellation(self):
        """This orbit as a one-satellite Constellation (its propagation machinery)."""
        from lab.orbits.constellation import Constellation

        return Constellation.from_orbits([self])

    def states(self, times, model: str = "kepler", frame: str = "gcrs"):
        """(r km, v km/s) plain arrays of shape (E, 3) at ``times`` (Time or seconds after epoch)."""
        self._check_model(model)
        r, v = self._as_constellation().states(times, model=model, frame=frame)
        return r[0], v[0]

    def positions(self, times, model: str = "kepler", frame: str = "gcrs") -> np.ndarray:
        """Positions (E, 3) km at ``times`` (Time or seconds after epoch) in GCRS or ITRS."""
        self._check_model(model)
        return self._as_constellation().positions(times, model=model, frame=frame)[0]

    def ground_track(self, times, model: str = "kepler"):
        """(lat_deg, lon_deg, alt_km) each of shape (E,)."""
        lat, lon, alt = self._as_constellation().ground_track(times, model=model)
        return lat[0], lon[0], alt[0]

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
