"""The time-grid geometry of a scenario: positions, visibility, shadow and ISLs over one day.

:func:`geometry` propagates every satellite once on a grid of one day (default 60 s) in the
Earth-fixed frame (:meth:`lab.orbits.Constellation.positions`, J2, ITRS), and keeps what the
response model needs, cached because it does not depend on the model or the load:

- per satellite and epoch (S, E): the elevation margin of the best station (``margin``, deg
  above its mask, from :func:`lab.links.elevation`), that station, sunlight (cylindrical shadow,
  :func:`lab.orbits.in_shadow`) and the time since the satellite entered the shadow;
- per satellite (S,): its shell, plane and slot, semi-major axis and altitude, accelerator;
- per shell, a :class:`ShellGeometry` record: its satellites, its +Grid (planes, slots per
  plane, phasing, seam), the mean in-plane and cross-plane laser-link lengths over the day and
  whether the links stay up (:class:`lab.links.ISLRules`), and its best satellite in view at
  every epoch.

The ISL lengths reuse the positions already on the grid (every ~30 minutes): the links' pairs
come from :func:`lab.links.isl_pairs`, their feasibility from :func:`lab.links.isl_state_from_positions`.
:func:`hops` counts +Grid hops between satellites in closed form.

Walker shells and clusters are propagated with J2 secular drift; shells of real satellites
(kind "tle") with SGP4 from their element sets. The geometry depends on the stations' sites
only (position, mask), not on their antennas: it is cached on the sites. The ground segment
asks one more thing of it, computed on first use and kept: the runs of samples in which a
satellite has the same best station in view, its contacts (:meth:`Geometry.contact_bounds`: a
station that still tracks a satellite in the same contact needs no new acquisition).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time

from lab._validate import as_value
from lab.constants import R_EARTH
from lab.links import GroundStation, ISLRules, elevation, isl_pairs, isl_state_from_positions
from lab.mission.budget import Estimate
from lab.mission.presets import get_preset
from lab.mission.scenario import Scenario, Shell, stations_of
from lab.orbits import Constellation, gcrs_to_itrs, in_shadow, sun_position

__all__ = ["Geometry", "ShellGeometry", "clear_geometry_cache", "geometry", "hops", "n_epochs"]

DAY_S = 86400.0
ISL_SAMPLE_S = 1800.0  # the ISL lengths are averaged over samples ~30 minutes apart
_FAR = np.float32(-180.0)  # margin of samples far below every station's horizon


@dataclass(frozen=True, eq=False)
class ShellGeometry:
    """One shell on the grid: its satellites ``start:stop`` in the :class:`Geometry` arrays,
    its +Grid and its best satellite in view of a station at every epoch."""

    name: str
    start: int
    stop: int
    planes: int
    slots: int  # satellites per plane (the whole cluster for a cluster)
    phasing: int  # Walker F
    wrap_planes: bool  # the +Grid links the last plane to the first (Walker delta)
    hop_in: float  # km, mean in-plane laser-link length over the day
    hop_cross: float  # km, mean cross-plane laser-link length
    isl_ok: bool  # the +Grid is usable: every kind of link up >= 90 % of the time
    best_sat: np.ndarray  # (E,) int64 geometry index of the satellite with the best margin
    best_margin: np.ndarray  # (E,) float32 deg, that satellite's margin

    @property
    def satellites(self) -> slice:
        return slice(self.start, self.stop)


@dataclass(frozen=True, eq=False)
class Geometry:
    """The cached time-grid geometry of a scenario (see the module docstring)."""

    dt: float  # s, grid step
    t: np.ndarray  # (E,) s after the epoch
    shells: tuple[ShellGeometry, ...]
    # per satellite (S,)
    shell: np.ndarray  # index into ``shells``
    plane: np.ndarray
    slot: np.ndarray
    a: np.ndarray  # km, semi-major axis
    alt: np.ndarray  # km
    has_compute: np.ndarray  # bool, carries an accelerator that serves inference
    # per satellite and epoch (S, E)
    margin: np.ndarray  # float32 deg: elevation - mask of the best station (_FAR far below)
    station: np.ndarray  # int16, that station
    sunlit: np.ndarray  # bool
    since_eclipse: np.ndarray  # float32 s since the satellite entered the shadow (0 if sunlit)
    snapshot: np.ndarray  # (S, 3) km ITRS (Earth-fixed) positions at t = 0 (for the globe)
    stations: tuple[GroundStation, ...]
    mask: np.ndarray  # (St,) deg elevation masks of the stations
    constellation: Constellation

    def per_shell(self, name: str) -> np.ndarray:
        """A field of the shell records as a (G,) array, e.g. ``per_shell("hop_in")``."""
        return np.array([getattr(s, name) for s in self.shells])

    def best_in_view(self) -> tuple[np.ndarray, np.ndarray]:
        """(G, E) best satellite and its margin of every shell at every epoch."""
        return (np.stack([s.best_sat for s in self.shells]),
                np.stack([s.best_margin for s in self.shells]))

    @cached_property
    def _run_starts(self) -> np.ndarray:
        """Sorted flat indices ``s * E + e`` of the first sample of every run of samples in
        which satellite ``s`` has the same best station in view (or no station in view)."""
        key = np.where(self.margin >= 0, self.station, np.int16(-1))
        change = np.ones(key.shape, dtype=bool)
        change[:, 1:] = key[:, 1:] != key[:, :-1]
        return np.flatnonzero(change)

    def contact_bounds(self, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last sample (E-wrapped indices) of the contact of satellites ``sat`` at
        samples ``e`` (0 .. E-1): the run of samples in view of the same best station; (-1, -1)
        where the satellite is in view of no station. Contacts over midnight count as two.
        Computed once per geometry (the runs' starts, cached), then a binary search."""
        E = self.t.size
        runs = self._run_starts
        q = sat.astype(np.int64) * E + e
        i = np.searchsorted(runs, q, side="right") - 1
        row = sat.astype(np.int64) * E
        start = runs[i] - row
        nxt = np.where(i + 1 < runs.size, runs[np.minimum(i + 1, runs.size - 1)], runs[-1] + E)
        end = np.minimum(nxt - row, E) - 1
        seen = self.margin[sat, e] >= 0
        return np.where(seen, start, -1), np.where(seen, end, -1)


def n_epochs(dt: float) -> int:
    """Number of grid epochs in one day at step ``dt`` s."""
    return int(np.arange(0.0, DAY_S, dt).size)


def _view_margin(r: np.ndarray, stations: tuple[GroundStation, ...]) -> tuple[np.ndarray, ...]:
    """Best station and its elevation margin (deg) for ITRS positions ``r`` (S, E, 3) km.

    The elevations come from :func:`lab.links.elevation`, evaluated only where they matter:
    at samples above the station's horizon plane and at their neighbours in time (so that a
    pass can be interpolated from the sample before it). Elsewhere the margin is ``_FAR``.
    """
    S, E, _ = r.shape
    flat = r.reshape(-1, 3)
    margin = np.full(S * E, _FAR, dtype=np.float32)
    station = np.zeros(S * E, dtype=np.int16)
    for j, st in enumerate(stations):  # loop over stations (a handful)
        above = (flat @ st.up > st.itrs @ st.up).reshape(S, E)
        idx = np.flatnonzero(above | np.roll(above, 1, axis=1) | np.roll(above, -1, axis=1))
        m = (elevation(flat[idx], st) - st.min_elevation).astype(np.float32)
        better = m > margin[idx]
        margin[idx[better]] = m[better]
        station[idx[better]] = j
    return margin.reshape(S, E), station.reshape(S, E)


def _isl_lengths(c: Constellation, r: np.ndarray, dt: float,
                 rules: ISLRules) -> tuple[float, float, bool]:
    """Mean in-plane and cross-plane +Grid link lengths (km) over the day, and whether the
    shell's +Grid is usable: every kind of link up (``rules``, :mod:`lab.links`) at
    least 90 % of the time. ``r`` (S, E, 3) km ITRS are the shell's positions on the grid; the
    links are sampled every ~30 minutes of it."""
    pairs, cross = isl_pairs(c, "+grid", return_kind=True)
    if not pairs.size:
        return 0.0, 0.0, True
    step = max(1, int(round(ISL_SAMPLE_S / dt))) if r.shape[1] > 1 else 1
    st = isl_state_from_positions(r[:, ::step], pairs, cross, rules)
    distance, up = st.distance, st.up
    lengths, ok = [], True
    for kind in (False, True):
        sel = cross == kind
        lengths.append(float(distance[sel].mean()) if sel.any() else 0.0)
        ok &= (not sel.any()) or bool(up[sel].mean() >= 0.9)
    return lengths[0], lengths[1], ok


@lru_cache(maxsize=4)
def _sun_itrs(epoch: str, dt: float) -> np.ndarray:
    """The Sun (E, 3) km on the day's grid, rotated to ITRS like the satellites (the shadow
    geometry does not depend on the frame)."""
    times = Time(epoch, scale="utc") + np.arange(0.0, DAY_S, dt) * u.s
    return gcrs_to_itrs(sun_position(times).to_value(u.km), times)


def _compute_mask(s: Shell) -> np.ndarray:
    """(total,) bool: the satellites that run inference, spread evenly over the shell."""
    has = np.zeros(s.total, dtype=bool)
    ncomp = int(round(s.compute_fraction * s.total))
    if ncomp:
        has[np.unique(np.linspace(0, s.total - 1, ncomp).round().astype(int))] = True
    return has


def _since_eclipse(sunlit: np.ndarray, dt: float) -> np.ndarray:
    """(S, E) float32 s since each satellite entered the shadow (0 when sunlit)."""
    k = np.arange(sunlit.shape[1], dtype=np.int32)
    last = np.maximum.accumulate(np.where(sunlit, k, np.int32(-1)), axis=1)  # last sunlit
    return (k - last).astype(np.float32) * np.float32(dt)


def _shell_on_grid(s: Shell, c: Constellation, r: np.ndarray, start: int, dt: float,
                   stations: tuple[GroundStation, ...], sun: np.ndarray, rules: ISLRules,
                   isl_on: bool, index: int) -> tuple[ShellGeometry, dict[str, np.ndarray]]:
    """The record of shell ``s`` (positions ``r`` (S, E, 3) km ITRS) and its per-satellite
    columns (``plane``, ``slot``, ``a``, ``has_compute``, ``margin``, ``station``, ...)."""
    n, E = s.total, r.shape[1]
    margin, station = _view_margin(r, stations)
    sunlit = in_shadow(r, sun, model="cylindrical") == 0.0
    walker = s.kind == "walker"
    cols = {
        "shell": np.full(n, index), "plane": np.asarray(c.plane) if walker else np.zeros(n, int),
        "slot": np.asarray(c.slot) if walker else np.arange(n),
        "a": np.asarray(c.a.to_value(u.km)), "has_compute": _compute_mask(s), "margin": margin,
        "station": station, "sunlit": sunlit, "since_eclipse": _since_eclipse(sunlit, dt),
    }
    if s.kind == "cluster":
        hop_in = hop_cross = s.cluster_spacing
        isl_ok = isl_on
    elif isl_on:  # Walker shells, and real satellites (one ring, in catalogue order, for hops)
        hop_in, hop_cross, isl_ok = _isl_lengths(c, r, dt, rules)
    else:
        hop_in, hop_cross, isl_ok = 0.0, 0.0, False
    best = np.argmax(margin, axis=0)
    record = ShellGeometry(
        name=s.name, start=start, stop=start + n, planes=s.planes if walker else 1,
        slots=n // s.planes if walker else n, phasing=s.phasing,
        wrap_planes=bool(s.raan_spread >= 360 and walker), hop_in=float(hop_in),
        hop_cross=float(hop_cross), isl_ok=bool(isl_ok), best_sat=best.astype(np.int64) + start,
        best_margin=margin[best, np.arange(E)])
    return record, cols


def _positions(shells: tuple[Shell, ...], cons: list[Constellation], c_all: Constellation,
               epoch: str, t: np.ndarray) -> np.ndarray:
    """(S, E, 3) km Earth-fixed positions of every shell on the grid ``t`` (s after ``epoch``):
    J2 for Walker shells and clusters, SGP4 for real satellites (TLEs). The caller has budgeted
    the memory (lab.mission.budget)."""
    if all(s.model == "j2" for s in shells):
        return c_all.positions(t, model="j2", frame="itrs", max_memory_gb=math.inf)
    times = Time(epoch, scale="utc") + t * u.s
    return np.concatenate([c.positions(times if s.model == "sgp4" else t, model=s.model,
                                       frame="itrs", max_memory_gb=math.inf)
                           for s, c in zip(shells, cons, strict=True)])


@lru_cache(maxsize=12)  # the widgets' size curve has 9 sizes: keep them and the current one
def _geometry(shells: tuple[Shell, ...], stations: tuple[GroundStation, ...], epoch: str,
              dt: float, rules: ISLRules, isl_on: bool) -> Geometry:
    t = np.arange(0.0, DAY_S, dt)
    cons = [s.constellation(epoch) for s in shells]
    c_all = Constellation.concatenate(cons)
    r_all = _positions(shells, cons, c_all, epoch, t)  # (S, E, 3) km, Earth-fixed
    sun = _sun_itrs(epoch, dt)
    records, cols, start = [], [], 0
    for g, (s, c) in enumerate(zip(shells, cons, strict=True)):  # loop over shells (a few)
        rec, col = _shell_on_grid(s, c, r_all[start:start + s.total], start, dt, stations, sun,
                                  rules, isl_on, g)
        records.append(rec)
        cols.append(col)
        start = rec.stop
    cat = {k: np.concatenate([col[k] for col in cols]) for k in cols[0]}
    return Geometry(
        dt=dt, t=t, shells=tuple(records), alt=cat["a"] - R_EARTH, **cat,
        snapshot=np.ascontiguousarray(r_all[:, 0]), stations=stations,
        mask=np.array([st.min_elevation for st in stations]), constellation=c_all)


def scenario_stations(sc: Scenario) -> tuple[GroundStation, ...]:
    """The scenario's stations, plus the user's own terminal with ``direct_user_access``."""
    stations = stations_of(sc.network)
    if sc.direct_user_access:
        stations = (*stations, GroundStation("user terminal", sc.user[0], sc.user[1]))
    return stations


def geometry(scenario: str | Scenario, dt: float = 60.0, *,
             max_memory_gb: float | None = None) -> Geometry:
    """The cached time-grid geometry of ``scenario`` (positions, visibility, shadow, ISLs) at
    step ``dt`` s. Refuses (:class:`lab.mission.budget.MemoryLimitError`) when it would need more
    than the memory limit (``max_memory_gb``, ``$LAB_MAX_MEMORY_GB`` or 4 GB)."""
    sc = get_preset(scenario)
    dt = as_value(dt, "s", "dt", lo=1.0, hi=600.0)
    Estimate.geometry(sc.n_satellites, n_epochs(dt)).check(
        f"geometry of {sc.name!r} at dt={dt:g} s", max_memory_gb)
    return cached_geometry(sc, dt)


def clear_geometry_cache() -> None:
    """Forget every cached geometry (benchmarks time a cold start; memory is returned)."""
    _geometry.cache_clear()


def cached_geometry(sc: Scenario, dt: float) -> Geometry:
    """:func:`geometry` without the checks (the caller has validated ``dt`` and the memory).
    Keyed on the stations' sites: antennas and slew times do not change the geometry."""
    sites = tuple(st.site for st in scenario_stations(sc))
    return _geometry(sc.shells, sites, sc.epoch, float(dt), sc.isl_rules, bool(sc.isl_bps > 0))


def hops(g: Geometry, src: Any, dst: Any) -> tuple[np.ndarray, np.ndarray]:
    """In-plane and cross-plane hop counts on the +Grid between satellites of one shell.

    Shortest path on the grid: ring distance within a plane plus plane steps. In a Walker delta
    the seam between the last and the first plane shifts the slots by the phasing F, so both
    directions around the planes are tried. Broadcasts (e.g. src (N, 1) with dst (1, M)).
    """
    sh = g.shell[src]
    q, p, f = g.per_shell("slots")[sh], g.per_shell("planes")[sh], g.per_shell("phasing")[sh]
    k1, k2, p1, p2 = g.slot[src], g.slot[dst], g.plane[src], g.plane[dst]

    def ring(x: np.ndarray) -> np.ndarray:
        x = x % q
        return np.minimum(x, q - x)

    dpf, dpb = (p2 - p1) % p, (p1 - p2) % p
    dkf = ring(k2 - k1 - f * ((p1 + dpf) >= p))
    dkb = ring(k2 - k1 + f * ((p1 - dpb) < 0))
    fwd = dpf + dkf <= dpb + dkb
    wrap = g.per_shell("wrap_planes")[sh]
    dk = np.where(wrap, np.where(fwd, dkf, dkb), ring(k2 - k1))
    dp = np.where(wrap, np.where(fwd, dpf, dpb), np.abs(p2 - p1))
    return dk, dp
