"""Constellations: many orbits propagated together as (satellites, epochs, 3) arrays.

A Constellation holds its satellites' mean elements as (S,) arrays plus a plane and slot number
per satellite (given by the Walker constructors, inferred by :mod:`lab.orbits.planes`
otherwise) and propagates them through :mod:`lab.orbits.propagation`, the layer it shares with
:class:`~lab.orbits.Orbit`; indexing gives Orbits back.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy import units as u
from astropy.time import Time

from lab._validate import as_time, as_value, check_int
from lab.constants import MU_EARTH, R_EARTH
from lab.orbits import core, propagation
from lab.orbits._time import DEFAULT_EPOCH, add_seconds, resolve_dt, seconds_between
from lab.orbits.frames import itrs_to_geodetic
from lab.orbits.orbit import Orbit
from lab.orbits.planes import infer_planes, slots_in_plane
from lab.orbits.propagation import MeanElements

__all__ = ["Constellation"]

TAU = 2.0 * np.pi


class Constellation:
    """A set of satellites with elements as arrays, propagated without Python loops.

    Build with :meth:`walker_delta`, :meth:`walker_star`, :meth:`from_orbits`, :meth:`from_tle`,
    or combine shells with ``+``. ``len(c)`` satellites; ``c[i]`` is an :class:`Orbit`
    (``c[1:5]`` or ``c[mask]`` a sub-constellation). ``c.plane`` / ``c.slot``: (S,) ints, plane
    index and position within the plane; ``c.planes`` the number of planes.
    """

    def __init__(
        self,
        a,
        e,
        i,
        raan,
        argp,
        M0,
        epoch: Time,
        *,
        plane=None,
        slot=None,
        t_offset=None,
        satrecs=None,
        names=None,
        tles=None,
    ):
        self._a = np.asarray(a, dtype=float).ravel()
        S = self._a.size
        if S == 0:
            raise ValueError("a constellation needs at least 1 satellite (got 0)")

        def arr(x):
            return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float), (S,)))

        self._e, self._i, self._raan = arr(e), arr(i), arr(raan)
        self._argp, self._M0 = arr(argp), arr(M0)
        self._epoch = epoch
        self._t_offset = None if t_offset is None or not np.any(t_offset) else arr(t_offset)
        if plane is None:
            plane, slot = self._infer_planes()
        self._plane = np.asarray(plane, dtype=int).ravel()
        self._slot = (
            np.asarray(slot, dtype=int).ravel()
            if slot is not None
            else slots_in_plane(self._plane)
        )
        self._satrecs = list(satrecs) if satrecs is not None else None
        self._names = list(names) if names is not None else None
        self._tles = list(tles) if tles is not None else None
        for x in (self._a, self._e, self._i, self._raan, self._argp, self._M0):
            if not np.all(np.isfinite(x)):
                raise ValueError("orbital elements must be finite (got NaN or inf)")

    # ---------------------------------------------------------------- constructors
    @classmethod
    def _walker(cls, kind, total, planes, phasing, alt, inc, epoch, raan0, spread):
        T = check_int(total, "total", lo=1)
        P = check_int(planes, "planes", lo=1, hi=T)
        if T % P:
            raise ValueError(
                f"planes must divide total evenly (got total={T}, planes={P}; {T} % {P} = {T % P})"
            )
        F = check_int(phasing, "phasing", lo=0, hi=P - 1)
        h = as_value(alt, u.km, "alt", lo=0.0, lo_inclusive=False)
        i = as_value(inc, u.deg, "inc", lo=0.0, hi=180.0)
        O0 = as_value(raan0, u.deg, "raan0")
        for name, val in (("alt", h), ("inc", i), ("raan0", O0)):
            if np.ndim(val):
                raise TypeError(f"{name} must be a scalar")
        ep = DEFAULT_EPOCH if epoch is None else as_time(epoch, "epoch")
        S = T // P
        plane = np.repeat(np.arange(P), S)
        slot = np.tile(np.arange(S), P)
        raan = np.radians(O0) + plane * (np.radians(spread) / P)
        M0 = TAU * slot / S + TAU * F * plane / T
        c = cls(
            np.full(T, R_EARTH + h),
            0.0,
            np.radians(i),
            np.remainder(raan, TAU),
            0.0,
            np.remainder(M0, TAU),
            ep,
            plane=plane,
            slot=slot,
        )
        c._walker_desc = f"Walker {kind} {i:g}°: {T}/{P}/{F} at {h:g} km"
        return c

    @classmethod
    def walker_delta(
        cls, total: int, planes: int, phasing: int, alt, inc, epoch=None, *, raan0=0.0
    ) -> Constellation:
        """Walker delta i: T/P/F — ``planes`` planes with nodes spread over 360°, circular orbits.

        Satellite k of plane j: RAAN = raan0 + 360° j / P, argument of latitude
        u = 360° k / (T/P) + 360° F j / T. ``alt`` km, ``inc`` deg.
        """
        return cls._walker("delta", total, planes, phasing, alt, inc, epoch, raan0, 360.0)

    @classmethod
    def walker_star(
        cls, total: int, planes: int, phasing: int, alt, inc, epoch=None, *, raan0=0.0
    ) -> Constellation:
        """Walker star (polar-style): nodes spread over 180° (RAAN = raan0 + 180° j / P)."""
        return cls._walker("star", total, planes, phasing, alt, inc, epoch, raan0, 180.0)

    @classmethod
    def walker(
        cls,
        total: int,
        planes: int,
        phasing: int,
        alt,
        inc=None,
        epoch=None,
        *,
        raan0=None,
        ltan=None,
        raan_spread=360.0,
    ) -> Constellation:
        """A Walker shell with its planes' nodes spread over ``raan_spread`` degrees.

        ``raan_spread`` 360 is :meth:`walker_delta`, 180 :meth:`walker_star`; a narrower spread
        puts the planes evenly from ``raan0 - spread/2`` to ``raan0 + spread/2`` (e.g. a band of
        dawn-dusk planes around the terminator), with the slots and phasing of the delta
        pattern. ``inc`` in deg, ``None`` for the sun-synchronous inclination at ``alt``. The
        reference node is ``raan0`` (deg) or, with ``ltan`` (hours), the node that has that
        local time at ``epoch`` (:func:`lab.orbits.raan_from_ltan`): the first plane's node of a
        delta or star pattern, the *centre* of a narrower band (so a 60° band at LTAN 18:00
        spans LTAN 16:00-20:00).

        >>> Constellation.walker(12, 1, 0, alt=535, ltan=22.5)  # the Three-Body plane
        Constellation(Walker delta 97.5352°: 12/1/0 at 535 km, epoch=2025-05-14T04:12:00.000)
        """
        from lab.orbits.sun import raan_from_ltan, sun_synchronous_inclination

        spread = as_value(raan_spread, u.deg, "raan_spread", lo=0.0, hi=360.0)
        h = as_value(alt, u.km, "alt", lo=0.0, lo_inclusive=False)
        i = sun_synchronous_inclination(h).to_value(u.deg) if inc is None else inc
        ep = DEFAULT_EPOCH if epoch is None else as_time(epoch, "epoch")
        if raan0 is not None and ltan is not None:
            raise ValueError("give at most one of raan0 (deg) or ltan (hours)")
        node0 = 0.0 if raan0 is None else as_value(raan0, u.deg, "raan0")
        if ltan is not None:
            node0 = float(raan_from_ltan(ltan, ep).to_value(u.deg))
        P = check_int(planes, "planes", lo=1)
        if spread == 360.0 or P == 1:
            return cls.walker_delta(total, P, phasing, h, i, ep, raan0=node0)
        if spread == 180.0:
            return cls.walker_star(total, P, phasing, h, i, ep, raan0=node0)
        c = cls.walker_delta(total, P, phasing, h, i, ep)
        node = node0 - spread / 2 + spread * c.plane / (P - 1)
        out = cls(c._a, 0.0, c._i, np.remainder(np.radians(node), TAU), 0.0, c._M0, ep,
                  plane=c.plane, slot=c.slot)
        out._walker_desc = c._walker_desc.replace("delta", f"band {spread:g}°")
        return out

    @classmethod
    def from_orbits(cls, orbits: Sequence[Orbit], plane=None) -> Constellation:
        """Constellation from a list of :class:`Orbit` (epochs may differ; the first is used).

        ``plane`` (optional, S ints) sets plane indices; otherwise orbits whose planes are less
        than 1° apart (chained; nodes taken to the first epoch with J2) are grouped into planes
        by :func:`lab.orbits.planes.infer_planes`.
        """
        orbits = list(orbits)
        if not orbits:
            raise ValueError("orbits must contain at least 1 orbit (got 0)")
        for k, o in enumerate(orbits):
            if not isinstance(o, Orbit):
                raise TypeError(f"orbits[{k}] must be an Orbit (got {type(o).__name__})")
        ep = orbits[0].epoch
        a = np.array([o._a for o in orbits])
        e = np.array([o._e for o in orbits])
        off = (np.array([seconds_between(o.epoch, ep) for o in orbits]) if len(orbits) > 1
               else None)
        satrecs = [o._satrec for o in orbits]
        c = cls(
            a,
            e,
            [o._i for o in orbits],
            [o._raan for o in orbits],
            [o._argp for o in orbits],
            core.true_to_mean(np.array([o._nu for o in orbits]), e),
            ep,
            plane=plane,
            t_offset=off,
            satrecs=satrecs if all(s is not None for s in satrecs) else None,
            names=[o.name for o in orbits],
            tles=[o._tle for o in orbits] if all(o._tle for o in orbits) else None,
        )
        return c

    @classmethod
    def from_tle(cls, text: str) -> Constellation:
        """Constellation from TLE text (2- or 3-line format, checksums validated)."""
        from lab.orbits.tle import parse_tle_text

        return cls.from_orbits(
            [Orbit.from_tle(l1, l2, name=n) for n, l1, l2 in parse_tle_text(text)]
        )

    @classmethod
    def concatenate(cls, constellations: Sequence[Constellation]) -> Constellation:
        """One constellation from several (e.g. Walker shells); planes are renumbered in order."""
        items = list(constellations)
        if not items:
            raise ValueError("constellations must contain at least 1 constellation (got 0)")
        out = items[0]
        for c in items[1:]:
            out = out + c
        return out

    # ---------------------------------------------------------------- container protocol
    def __len__(self) -> int:
        return self._a.size

    def __getitem__(self, key):
        if isinstance(key, int | np.integer):
            k = int(key)
            if not -len(self) <= k < len(self):
                raise IndexError(f"satellite index {k} out of range for {len(self)} satellites")
            k %= len(self)
            name = self._names[k] if self._names is not None else None
            if self._tles is not None:  # keep the exact SGP4 state at the TLE epoch
                return Orbit.from_tle(*self._tles[k], name=name)
            nu = float(core.mean_to_true(self._M0[k], self._e[k]))
            off = 0.0 if self._t_offset is None else float(self._t_offset[k])
            ep = add_seconds(self._epoch, off) if off else self._epoch
            r, v = core.elements_to_rv(
                self._a[k], self._e[k], self._i[k], self._raan[k], self._argp[k], nu
            )
            sat = self._satrecs[k] if self._satrecs is not None else None
            return Orbit(
                self._a[k],
                self._e[k],
                self._i[k],
                self._raan[k],
                self._argp[k],
                np.remainder(nu, TAU),
                r,
                v,
                ep,
                satrec=sat,
                name=name,
            )
        idx = np.arange(len(self))[key]
        idx = np.atleast_1d(idx)
        if idx.size == 0:
            raise ValueError("selection must contain at least 1 satellite (got 0)")
        return Constellation(
            self._a[idx],
            self._e[idx],
            self._i[idx],
            self._raan[idx],
            self._argp[idx],
            self._M0[idx],
            self._epoch,
            plane=self._plane[idx],
            slot=self._slot[idx],
            t_offset=None if self._t_offset is None else self._t_offset[idx],
            satrecs=None if self._satrecs is None else [self._satrecs[j] for j in idx],
            names=None if self._names is None else [self._names[j] for j in idx],
            tles=None if self._tles is None else [self._tles[j] for j in idx],
        )

    def __iter__(self):
        return (self[k] for k in range(len(self)))

    def __add__(self, other: Constellation) -> Constellation:
        """Combine two constellations (e.g. shells); planes of ``other`` are renumbered after ours."""
        if not isinstance(other, Constellation):
            return NotImplemented
        off_o = seconds_between(other._epoch, self._epoch)
        t1 = np.zeros(len(self)) if self._t_offset is None else self._t_offset
        t2 = (np.zeros(len(other)) if other._t_offset is None else other._t_offset) + off_o
        sat = (
            self._satrecs + other._satrecs
            if self._satrecs is not None and other._satrecs is not None
            else None
        )
        names = None
        if self._names is not None or other._names is not None:
            names = (self._names or [None] * len(self)) + (other._names or [None] * len(other))
        tles = (
            self._tles + other._tles if self._tles is not None and other._tles is not None else None
        )
        return Constellation(
            *(
                np.concatenate([getattr(self, n), getattr(other, n)])
                for n in ("_a", "_e", "_i", "_raan", "_argp", "_M0")
            ),
            self._epoch,
            plane=np.concatenate([self._plane, other._plane + self.planes]),
            slot=np.concatenate([self._slot, other._slot]),
            t_offset=np.concatenate([t1, t2]),
            satrecs=sat,
            names=names,
            tles=tles,
        )

    def __repr__(self) -> str:
        desc = getattr(self, "_walker_desc", None)
        head = desc or f"{len(self)} satellites in {self.planes} planes"
        return f"Constellation({head}, epoch={self._epoch.utc.isot})"

    # ---------------------------------------------------------------- attributes
    epoch = property(lambda self: self._epoch, doc="common epoch (astropy Time, UTC)")
    plane = property(lambda self: self._plane, doc="(S,) plane index of each satellite")
    slot = property(lambda self: self._slot, doc="(S,) index of each satellite within its plane")
    planes = property(lambda self: int(self._plane.max()) + 1, doc="number of planes")
    a = property(lambda self: self._a * u.km, doc="(S,) semi-major axis (km)")
    alt = property(lambda self: (self._a - R_EARTH) * u.km, doc="(S,) mean altitude (km)")
    ecc = property(lambda self: self._e * u.one, doc="(S,) eccentricity")
    inc = property(lambda self: np.degrees(self._i) * u.deg, doc="(S,) inclination (deg)")
    raan = property(lambda self: np.degrees(self._raan) * u.deg, doc="(S,) RAAN at epoch (deg)")
    argp = property(lambda self: np.degrees(self._argp) * u.deg, doc="(S,) arg. of perigee (deg)")
    names = property(lambda self: self._names, doc="satellite names (from TLEs) or None")

    @property
    def nu(self) -> u.Quantity:
        """(S,) true anomaly at epoch (deg)."""
        return np.degrees(np.remainder(core.mean_to_true(self._M0, self._e), TAU)) * u.deg

    @property
    def period(self) -> u.Quantity:
        """(S,) two-body period (s)."""
        return TAU * np.sqrt(self._a**3 / MU_EARTH) * u.s

    @property
    def t_offset(self) -> np.ndarray:
        """(S,) epoch of each satellite's elements, seconds after ``epoch``."""
        return np.zeros(len(self)) if self._t_offset is None else self._t_offset.copy()

    # ---------------------------------------------------------------- propagation
    def _elements(self) -> MeanElements:
        return MeanElements(self._a, self._e, self._i, self._raan, self._argp, self._M0,
                            self._t_offset)

    def _infer_planes(self) -> tuple[np.ndarray, np.ndarray]:
        """Planes and slots from the elements, all taken to the common epoch (J2 node drift)."""
        raan_dot, argp_dot, m_dot = core._rates(self._a, self._e, self._i, "j2")
        off = 0.0 if self._t_offset is None else self._t_offset
        arg_lat = self._argp + core.mean_to_true(self._M0, self._e) - (argp_dot + m_dot) * off
        return infer_planes(self._i, self._raan - raan_dot * off, arg_lat)

    def _states(self, times, model: str, frame: str, velocity: bool, max_memory_gb=None):
        propagation.check_model(model, self._satrecs is not None,
                                "a constellation made from TLEs (from_tle)")
        return propagation.states(self._elements(), self._epoch, times, model, frame, velocity,
                                  satrecs=self._satrecs, max_memory_gb=max_memory_gb)

    def positions(self, times, model: str = "j2", frame: str = "gcrs", *,
                  max_memory_gb=None) -> np.ndarray:
        """Positions, float64 (S, E, 3) km, in GCRS (inertial) or ITRS (Earth-fixed).

        ``times``: astropy Time (any scale; scalar -> E = 1, or 1-D) or seconds after ``epoch``
        (number/1-D array/Quantity), within 100 years of the epoch. ``model``: "kepler", "j2"
        (default) or "sgp4" (TLEs only). ``max_memory_gb``: refuse a larger output (default
        ``$LAB_MAX_MEMORY_GB`` or 4 GB, :func:`lab._validate.check_memory`).
        """
        return self._states(times, model, frame, False, max_memory_gb)

    def states(self, times, model: str = "j2", frame: str = "gcrs", *, max_memory_gb=None):
        """(r km, v km/s), each float64 (S, E, 3). In ITRS, v is the Earth-fixed velocity."""
        return self._states(times, model, frame, True, max_memory_gb)

    def ground_track(self, times, model: str = "j2"):
        """(lat_deg, lon_deg, alt_km) each (S, E): WGS-84 geodetic sub-satellite points."""
        return itrs_to_geodetic(self.positions(times, model=model, frame="itrs"))

    def propagate(self, dt, model: str = "j2") -> Constellation:
        """New Constellation with the elements ``dt`` later (seconds, a time Quantity or a
        target Time in any scale; kepler/j2)."""
        sec, epoch = resolve_dt(dt, self._epoch)
        el = propagation.advance(self._elements(), sec, model)
        return Constellation(
            el.a, el.e, el.i, el.raan, el.argp, el.M0, epoch,
            plane=self._plane,
            slot=self._slot,
            t_offset=el.t_offset,
            names=self._names,
        )
