"""The time-grid geometry of a scenario: positions, visibility, shadow and ISLs over one day.

:func:`geometry` propagates every satellite once on a grid of one day (default 60 s) in the
Earth-fixed frame (J2 for Walker shells and clusters, SGP4 for real satellites), and keeps what
the response model needs, cached because it does not depend on the model or the load:

- per satellite and epoch, compactly (:mod:`lab.mission.compact`): the elevation margin of the
  best station (deg above its mask, from :func:`lab.links.elevation`) and that station at the
  samples near a station's horizon (:class:`~lab.mission.compact.Visibility`; the contacts
  follow from them), and the runs of samples in the Earth's shadow (cylindrical shadow,
  :func:`lab.orbits.in_shadow`; :class:`~lab.mission.compact.Runs`: sunlight and the time since
  the satellite entered the shadow follow from them). The accessors ``margin_at``,
  ``station_at``, ``sunlit_at``, ``since_eclipse_at`` read them at (satellite, epoch) pairs;
  the dense (S, E) arrays ``margin``, ``station``, ``sunlit``, ``since_eclipse`` are built on
  demand for small geometries (teaching, tests), never by the model;
- per satellite (S,): its shell, plane and slot, semi-major axis and altitude, accelerator;
- per shell, a :class:`ShellGeometry` record: its satellites, its +Grid (planes, slots per
  plane, phasing, seam), the mean in-plane and cross-plane laser-link lengths over the day and
  which kinds of link are usable (:mod:`lab.mission.gridlinks`), and its best satellite in view
  at every epoch.

**Memory is bounded by chunking.** The satellites are propagated a chunk at a time
(:data:`CHUNK_SAMPLES` satellite-epoch samples: positions (chunk, E, 3), never (S, E, 3)); each
chunk's visibility, shadow runs, best satellite per epoch, snapshot and link samples are kept
and its dense temporaries dropped. The GCRS -> ITRS rotation of the grid is computed once
(:mod:`lab.orbits.frames` caches it per grid) and reused by every chunk. Peak memory: the
chunk's temporaries (fixed) + what is kept (a few bytes per satellite-epoch near a horizon,
~100 bytes per satellite): :mod:`lab.mission.budget` states the ceiling. The result does not
depend on the chunk size, to the last bit (tests/test_mission_scale.py).

**The cache** keeps geometries up to a byte budget (:data:`DEFAULT_CACHE_GB`, the environment
variable ``LAB_GEOMETRY_CACHE_GB``, or :func:`set_geometry_cache_limit`), evicting the least
recently used; a geometry larger than the budget is returned, not kept. It is keyed on the
shells, the stations' sites (position, mask: not their antennas), the epoch, the step and the
link rules.

:func:`hops` counts +Grid hops between satellites of a shell in closed form; :func:`route`
follows the kinds of link the shell can use (a shell with only in-plane links routes around
its ring; one with only cross-plane links along its slot, plane to plane).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from astropy import units as u
from astropy.time import Time

from lab._validate import _env_limit, as_value, check_memory
from lab.constants import R_EARTH
from lab.links import GroundStation, ISLRules, elevation
from lab.mission._blas import one_blas_thread
from lab.mission.budget import CHUNK_SAMPLES, Estimate
from lab.mission.compact import FAR, Runs, Visibility
from lab.mission.gridlinks import LinkKinds, isl_kinds, isl_sample_step
from lab.mission.presets import get_preset
from lab.mission.routing import hops, route  # importable from here as before
from lab.mission.scenario import Scenario, Shell, stations_of
from lab.orbits import Constellation, gcrs_to_itrs, in_shadow, sun_position

__all__ = ["CHUNK_SAMPLES", "DEFAULT_CACHE_GB", "Geometry", "ShellGeometry", "build_geometry",
           "clear_geometry_cache", "geometry", "geometry_cache_info", "hops", "n_epochs", "route",
           "set_geometry_cache_limit"]

DAY_S = 86400.0
DEFAULT_CACHE_GB = 1.0  #: byte budget of the geometry cache (``LAB_GEOMETRY_CACHE_GB``)
CACHE_ENV = "LAB_GEOMETRY_CACHE_GB"
#: Threads propagating chunks side by side (``LAB_GEOMETRY_THREADS``). One: on the lab's shared
#: 2-core machine a second thread was no faster (and slower under load; measured with
#: benchmarks/bench_scale.py); an idle multi-core machine may set more.
DEFAULT_THREADS = 1
THREADS_ENV = "LAB_GEOMETRY_THREADS"
ROUTING = ("grid", "in-plane", "cross-plane", "none")


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
    in_plane_ok: bool  # the in-plane links are up >= 90 % of the time (and the shell has ISLs)
    cross_plane_ok: bool  # the cross-plane links are
    best_sat: np.ndarray  # (E,) int64 geometry index of the satellite with the best margin
    best_margin: np.ndarray  # (E,) float32 deg, that satellite's margin

    @property
    def satellites(self) -> slice:
        return slice(self.start, self.stop)

    @property
    def isl_ok(self) -> bool:
        """The whole +Grid is usable (both kinds of link)."""
        return self.in_plane_ok and self.cross_plane_ok

    @property
    def routing(self) -> str:
        """Which links routes use: "grid" (both kinds), "in-plane" (around the ring of each
        plane), "cross-plane" (along a slot, plane to plane) or "none"."""
        return ROUTING[self.routing_code]

    @property
    def routing_code(self) -> int:
        return (0 if self.isl_ok else 1 if self.in_plane_ok else 2 if self.cross_plane_ok
                else 3)

    def members(self, sat: np.ndarray) -> np.ndarray:
        """(N, m) geometry indices of the satellites reachable from each of ``sat`` (N,) over
        the usable links: the shell, the plane, the slot line or the satellite itself."""
        sat = np.asarray(sat, dtype=np.int64)
        local = sat - self.start
        q, p = self.slots, self.planes
        code = self.routing_code
        if code == 0:
            return np.broadcast_to(np.arange(self.start, self.stop), (sat.size, self.stop -
                                                                       self.start))
        if code == 1:
            return self.start + (local // q * q)[:, None] + np.arange(q)[None, :]
        if code == 2:
            return self.start + (local % q)[:, None] + (np.arange(p) * q)[None, :]
        return sat[:, None]


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
    # per satellite and epoch, compact (lab.mission.compact)
    visibility: Visibility  # margin (deg above the best station's mask) and that station
    shadow: Runs  # runs of samples in the Earth's shadow
    snapshot: np.ndarray  # (S, 3) km ITRS (Earth-fixed) positions at t = 0 (for the globe)
    stations: tuple[GroundStation, ...]
    mask: np.ndarray  # (St,) deg elevation masks of the stations
    constellation: Constellation

    @property
    def n_satellites(self) -> int:
        return int(self.shell.size)

    def per_shell(self, name: str) -> np.ndarray:
        """A field of the shell records as a (G,) array, e.g. ``per_shell("hop_in")``."""
        return np.array([getattr(s, name) for s in self.shells])

    def best_in_view(self) -> tuple[np.ndarray, np.ndarray]:
        """(G, E) best satellite and its margin of every shell at every epoch."""
        return (np.stack([s.best_sat for s in self.shells]),
                np.stack([s.best_margin for s in self.shells]))

    # -- per (satellite, epoch) lookups --------------------------------------------------------
    def margin_at(self, sat: Any, e: Any) -> np.ndarray:
        """float32 deg: elevation - mask of the best station (-180 far below every horizon)."""
        return self.visibility.margin_at(sat, e)

    def station_at(self, sat: Any, e: Any) -> np.ndarray:
        """int16: the best station of satellites ``sat`` at epochs ``e``."""
        return self.visibility.station_at(sat, e)

    def sunlit_at(self, sat: Any, e: Any) -> np.ndarray:
        """bool: satellite ``sat`` is in sunlight at epoch ``e``."""
        return ~self.shadow.contains(sat, e)

    def since_eclipse_at(self, sat: Any, e: Any) -> np.ndarray:
        """float32 s since the satellite entered the shadow (0 when sunlit)."""
        return self.shadow.since_start(sat, e).astype(np.float32) * np.float32(self.dt)

    def margin_rows(self, sats: Any) -> np.ndarray:
        """Dense (k, E) float32 margins of satellites ``sats`` (k,)."""
        return self.visibility.rows(np.asarray(sats))[0]

    def contact_bounds(self, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last sample (E-wrapped indices) of the contact of satellites ``sat`` at
        samples ``e`` (0 .. E-1): the run of samples in view of the same best station; (-1, -1)
        where the satellite is in view of no station. Contacts over midnight count as two."""
        return self.visibility.contact_bounds(sat, e)

    def unpowered(self, endurance_s: float) -> Runs:
        """The runs of samples without power: in the shadow for ``endurance_s`` s or longer
        (time since entering the shadow >= endurance, compared in float32 as the dense
        ``since_eclipse < endurance`` was)."""
        j = np.arange(self.t.size + 1)
        since = (j + 1).astype(np.float32) * np.float32(self.dt)
        off = ~(since < endurance_s)
        return self.shadow.after(int(np.argmax(off)) if off.any() else self.t.size + 1)

    def best_in_groups(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(K, E) best satellite and margin of each group of satellites ``members`` (K, m) at
        every epoch (the first satellite of a group on ties, as ``np.argmax``); dense rows are
        built a chunk of groups at a time."""
        members = np.asarray(members, dtype=np.int64)
        K, m = members.shape
        E = self.t.size
        best_sat = np.empty((K, E), dtype=np.int64)
        best_margin = np.empty((K, E), dtype=np.float32)
        step = max(1, CHUNK_SAMPLES // max(m * E, 1))
        for i in range(0, K, step):  # loop over chunks of groups
            rows = self.margin_rows(members[i:i + step].ravel()).reshape(-1, m, E)
            arg = np.argmax(rows, axis=1)
            best_sat[i:i + step] = np.take_along_axis(members[i:i + step], arg, axis=1)
            best_margin[i:i + step] = np.take_along_axis(rows, arg[:, None, :], axis=1)[:, 0]
        return best_sat, best_margin

    # -- dense views (small geometries: teaching and tests) -----------------------------------
    def _dense(self, what: str, itemsize: int) -> Any:
        S, E = self.n_satellites, self.t.size
        check_memory(S * E * (itemsize + 2.0), f"the dense {what} array of {S:,} satellites x "
                     f"{E:,} epochs (the model reads the compact geometry instead)")
        return np.arange(S)

    @property
    def margin(self) -> np.ndarray:
        """Dense (S, E) float32 margins (built on demand: use :meth:`margin_at` in code)."""
        return self.visibility.rows(self._dense("margin", 4))[0]

    @property
    def station(self) -> np.ndarray:
        """Dense (S, E) int16 best stations (built on demand)."""
        return self.visibility.rows(self._dense("station", 2))[1]

    @property
    def sunlit(self) -> np.ndarray:
        """Dense (S, E) bool sunlight (built on demand)."""
        return ~self.shadow.rows(self._dense("sunlit", 1))

    @property
    def since_eclipse(self) -> np.ndarray:
        """Dense (S, E) float32 s since entering the shadow (built on demand)."""
        sats = self._dense("since_eclipse", 4)
        e = np.arange(self.t.size)
        return self.since_eclipse_at(sats[:, None], e[None, :])

    @property
    def nbytes(self) -> int:
        """Bytes held by this geometry (what the cache counts)."""
        total = self.visibility.nbytes + self.shadow.nbytes
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                total += v.nbytes
        total += sum(s.best_sat.nbytes + s.best_margin.nbytes for s in self.shells)
        return int(total + 200 * self.n_satellites)  # + the constellation's elements


def n_epochs(dt: float) -> int:
    """Number of grid epochs in one day at step ``dt`` s."""
    return int(np.arange(0.0, DAY_S, dt).size)


def _view_margin(r: np.ndarray, stations: tuple[GroundStation, ...]) -> tuple[np.ndarray, ...]:
    """Best station and its elevation margin (deg) for ITRS positions ``r`` (C, E, 3) km.

    The elevations come from :func:`lab.links.elevation`, evaluated only where they matter:
    at samples above the station's horizon plane and at their neighbours in time (so that a
    pass can be interpolated from the sample before it). Elsewhere the margin is ``FAR``.
    The horizon-plane test of all stations is one (C E, 3) x (3, St) matrix product.
    """
    S, E, _ = r.shape
    flat = r.reshape(-1, 3)
    margin = np.full(S * E, FAR, dtype=np.float32)
    station = np.zeros(S * E, dtype=np.int16)
    up = np.array([st.up for st in stations]).reshape(-1, 3)
    height = up @ flat.T  # (St, C E) km along each station's vertical
    for j, st in enumerate(stations):  # loop over stations (a handful)
        above = (height[j] > st.itrs @ st.up).reshape(S, E)
        idx = np.flatnonzero(above | np.roll(above, 1, axis=1) | np.roll(above, -1, axis=1))
        m = (elevation(flat[idx], st) - st.min_elevation).astype(np.float32)
        better = m > margin[idx]
        margin[idx[better]] = m[better]
        station[idx[better]] = j
    return margin.reshape(S, E), station.reshape(S, E)


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


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    """``[start, stop)`` chunks of ``n`` satellites, ``size`` each; never a chunk of one
    satellite out of several (a one-row matrix product takes another BLAS path, which rounds
    differently)."""
    bounds = [*range(0, n, size), n]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


class _Chunk(NamedTuple):
    """What one chunk of satellites leaves behind (its dense temporaries are gone)."""

    visibility: tuple[np.ndarray, ...]  # Visibility.entries
    shadow: tuple[np.ndarray, np.ndarray]  # Runs.entries
    snapshot: np.ndarray  # (C, 3) km at t = 0
    samples: np.ndarray | None  # (C, k, 3) km every ~30 minutes, for the laser links
    best_sat: np.ndarray  # (E,) geometry index of the chunk's best satellite per epoch
    best_margin: np.ndarray  # (E,) float32 deg, its margin


def _chunk_on_grid(c: Constellation, model: str, times: Any, first: int, step: int | None,
                   grid: dict[str, Any]) -> _Chunk:
    """Propagate chunk ``c`` (satellites ``first ...`` of the geometry) on the grid (with one
    BLAS thread, :mod:`lab.mission._blas`) and keep what the model needs."""
    with one_blas_thread():
        r = c.positions(times, model=model, frame="itrs", max_memory_gb=math.inf)
        margin, station = _view_margin(r, grid["stations"])
        best = np.argmax(margin, axis=0)
        sunlit = in_shadow(r, grid["sun"], model="cylindrical") == 0.0
        return _Chunk(Visibility.entries(margin, station, first, grid["S"]),
                      Runs.entries(~sunlit, first), r[:, 0].copy(),
                      None if step is None else r[:, ::step].copy(), best + first,
                      margin[best, np.arange(margin.shape[1])])


def _map(fn: Callable[..., _Chunk], jobs: list[tuple[Any, ...]]) -> Iterator[_Chunk]:
    """``fn(*job)`` for every job, in order: the first here (it warms the caches of the time
    grid and the frames), the others on :func:`_pool`'s threads (NumPy releases the GIL)."""
    if not jobs:
        return
    yield fn(*jobs[0])
    pool = _pool()
    if pool is None or len(jobs) < 3:
        yield from (fn(*job) for job in jobs[1:])
    else:
        yield from pool.map(lambda job: fn(*job), jobs[1:])


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor | None:
    """Threads that propagate chunks side by side: ``$LAB_GEOMETRY_THREADS`` (default
    :data:`DEFAULT_THREADS`; 1: none, the calling thread does all). The chunks' results are
    merged in order, so the geometry does not depend on it (tested)."""
    n = int(_env_limit(THREADS_ENV) or DEFAULT_THREADS)
    return ThreadPoolExecutor(max_workers=n, thread_name_prefix="lab-geometry") if n > 1 else None


def _shell_on_grid(s: Shell, c: Constellation, start: int, grid: dict[str, Any],
                   out: dict[str, list], index: int) -> tuple[ShellGeometry, dict[str, np.ndarray]]:
    """Propagate shell ``s`` (its constellation ``c``, satellites ``start ...``) chunk by chunk:
    its record and its per-satellite columns; ``out`` collects the compact arrays."""
    n, t, E = s.total, grid["t"], grid["t"].size
    step = isl_sample_step(E, grid["dt"])
    links = grid["isl_on"] and s.kind != "cluster"
    samples = np.empty((n, len(range(0, E, step)), 3)) if links else None
    best_sat = np.zeros(E, dtype=np.int64)
    best_margin = np.full(E, -np.inf, dtype=np.float32)
    times = grid["times"]() if s.model == "sgp4" else t
    bounds = _chunks(n, grid["chunk"])
    jobs = [(c[i:j], s.model, times, start + i, step if links else None, grid)
            for i, j in bounds]
    for (i, j), part in zip(bounds, _map(_chunk_on_grid, jobs), strict=True):
        out["visibility"].append(part.visibility)
        out["shadow"].append(part.shadow)
        out["snapshot"][start + i:start + j] = part.snapshot
        better = part.best_margin > best_margin  # strict: the first satellite wins ties
        best_sat[better], best_margin[better] = part.best_sat[better], part.best_margin[better]
        if samples is not None:
            samples[i:j] = part.samples
    if s.kind == "cluster":
        kinds = LinkKinds(s.cluster_spacing, s.cluster_spacing, grid["isl_on"], grid["isl_on"])
    elif links:  # Walker shells, and real satellites (one ring, in catalogue order, for hops)
        kinds = isl_kinds(s, c, samples, grid["rules"])
    else:
        kinds = LinkKinds(0.0, 0.0, False, False)
    walker = s.kind == "walker"
    cols = {
        "shell": np.full(n, index), "plane": np.asarray(c.plane) if walker else np.zeros(n, int),
        "slot": np.asarray(c.slot) if walker else np.arange(n),
        "a": np.asarray(c.a.to_value(u.km)), "has_compute": _compute_mask(s),
    }
    record = ShellGeometry(
        name=s.name, start=start, stop=start + n, planes=s.planes if walker else 1,
        slots=n // s.planes if walker else n, phasing=s.phasing,
        wrap_planes=bool(s.raan_spread >= 360 and walker), hop_in=float(kinds.hop_in),
        hop_cross=float(kinds.hop_cross), in_plane_ok=bool(kinds.in_plane_ok),
        cross_plane_ok=bool(kinds.cross_plane_ok), best_sat=best_sat, best_margin=best_margin)
    return record, cols


def _build(shells: tuple[Shell, ...], stations: tuple[GroundStation, ...], epoch: str,
           dt: float, rules: ISLRules, isl_on: bool, chunk: int | None = None) -> Geometry:
    """The geometry of ``shells``, propagated ``chunk`` satellites at a time."""
    t = np.arange(0.0, DAY_S, dt)
    cons = [s.constellation(epoch) for s in shells]
    S = sum(s.total for s in shells)
    grid = {"t": t, "dt": dt, "stations": stations, "sun": _sun_itrs(epoch, dt), "rules": rules,
            "isl_on": isl_on, "chunk": max(2, chunk or CHUNK_SAMPLES // t.size), "S": S,
            "times": lambda: Time(epoch, scale="utc") + t * u.s}
    out: dict[str, Any] = {"visibility": [], "shadow": [], "snapshot": np.empty((S, 3))}
    records, cols, start = [], [], 0
    for g, (s, c) in enumerate(zip(shells, cons, strict=True)):  # loop over shells (a few)
        rec, col = _shell_on_grid(s, c, start, grid, out, g)
        records.append(rec)
        cols.append(col)
        start = rec.stop
    cat = {k: np.concatenate([col[k] for col in cols]) for k in cols[0]}
    return Geometry(
        dt=dt, t=t, shells=tuple(records), alt=cat["a"] - R_EARTH, **cat,
        visibility=Visibility.concatenate(out["visibility"], S, t.size),
        shadow=Runs.concatenate(out["shadow"], S, t.size), snapshot=out["snapshot"],
        stations=stations, mask=np.array([st.min_elevation for st in stations]),
        constellation=Constellation.concatenate(cons))


# ---------------------------------------------------------------------------------- the cache
class _GeometryCache:
    """Least-recently-used geometries up to a byte budget (thread-safe)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Any, Geometry] = OrderedDict()
        self._lock = threading.Lock()
        self.limit_gb: float | None = None  # None: $LAB_GEOMETRY_CACHE_GB or the default

    def limit_bytes(self) -> float:
        gb = self.limit_gb if self.limit_gb is not None else _env_limit(CACHE_ENV)
        return (DEFAULT_CACHE_GB if gb is None else gb) * 1e9

    def get(self, key: Any, build: Callable[[], Geometry]) -> Geometry:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        g = build()
        with self._lock:
            self._entries[key] = g
            self._evict()
        return g

    def _evict(self) -> None:
        limit = self.limit_bytes()
        total = sum(g.nbytes for g in self._entries.values())
        while self._entries and total > limit:  # the oldest first (a new, too large one too)
            total -= self._entries.popitem(last=False)[1].nbytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def info(self) -> dict[str, float]:
        with self._lock:
            return {"entries": len(self._entries),
                    "bytes": float(sum(g.nbytes for g in self._entries.values())),
                    "limit_bytes": self.limit_bytes()}


_CACHE = _GeometryCache()


def set_geometry_cache_limit(gb: float | None) -> None:
    """Byte budget of the geometry cache in GB (None: ``$LAB_GEOMETRY_CACHE_GB``, else
    :data:`DEFAULT_CACHE_GB`; 0 keeps nothing); the least recently used geometries go first."""
    _CACHE.limit_gb = None if gb is None else as_value(gb, "", "gb (geometry cache limit)",
                                                        lo=0.0)
    with _CACHE._lock:
        _CACHE._evict()


def geometry_cache_info() -> dict[str, float]:
    """The cache's ``entries``, ``bytes`` held and ``limit_bytes``."""
    return _CACHE.info()


def clear_geometry_cache() -> None:
    """Forget every cached geometry (benchmarks time a cold start; memory is returned)."""
    _CACHE.clear()


def scenario_stations(sc: Scenario) -> tuple[GroundStation, ...]:
    """The scenario's stations, plus the user's own terminal with ``direct_user_access``."""
    stations = stations_of(sc.network)
    if sc.direct_user_access:
        stations = (*stations, GroundStation("user terminal", sc.user[0], sc.user[1]))
    return stations


def _key(sc: Scenario, dt: float) -> tuple[Any, ...]:
    sites = tuple(st.site for st in scenario_stations(sc))
    return (sc.shells, sites, sc.epoch, float(dt), sc.isl_rules, bool(sc.isl_bps > 0))


def geometry(scenario: str | Scenario, dt: float = 60.0, *,
             max_memory_gb: float | None = None) -> Geometry:
    """The cached time-grid geometry of ``scenario`` (positions, visibility, shadow, ISLs) at
    step ``dt`` s. Refuses (:class:`lab.mission.budget.MemoryLimitError`) when it would need more
    than the memory limit (``max_memory_gb``, ``$LAB_MAX_MEMORY_GB`` or 4 GB)."""
    sc = get_preset(scenario)
    dt = as_value(dt, "s", "dt", lo=1.0, hi=600.0)
    Estimate.geometry(sc.n_satellites, n_epochs(dt), len(scenario_stations(sc))).check(
        f"geometry of {sc.name!r} at dt={dt:g} s", max_memory_gb)
    return cached_geometry(sc, dt)


def cached_geometry(sc: Scenario, dt: float) -> Geometry:
    """:func:`geometry` without the checks (the caller has validated ``dt`` and the memory).
    Keyed on the stations' sites: antennas and slew times do not change the geometry."""
    key = _key(sc, dt)
    return _CACHE.get(key, lambda: _build(*key))


def build_geometry(scenario: str | Scenario, dt: float = 60.0, *,
                   chunk_satellites: int | None = None) -> Geometry:
    """A new (uncached) geometry, propagated ``chunk_satellites`` at a time (default
    :data:`CHUNK_SAMPLES` / epochs; the whole fleet at once when >= its size). The result
    does not depend on the chunk size (tests compare chunked and unchunked)."""
    sc = get_preset(scenario)
    dt = as_value(dt, "s", "dt", lo=1.0, hi=600.0)
    key = _key(sc, dt)
    return _build(*key, chunk=chunk_satellites)
