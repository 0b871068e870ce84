"""Contact windows (passes) of satellites over ground stations, for whole constellations at once.

Algorithm (vectorized over satellites x stations x epochs):

1. Earth-fixed positions on a coarse grid (``step``, default 60 s) from ``lab.orbits``.
2. sin(elevation) minus sin(mask) on the grid; sign changes bracket every rise and set, runs of
   positive samples are passes. Sampled local maxima just below the mask (within ``margin``) are
   kept as candidates for short passes that fall between two samples.
3. Between samples the trajectory is a cubic Hermite interpolant (node velocities from 4th-order
   central differences): about a metre of error at 60 s steps in LEO. Every rise and set is
   refined by a vectorized bisection on that interpolant to ``tol`` (default 0.01 s), the
   culmination by a vectorized golden-section search (to 0.1 s), all brackets at once.

Before propagating, the memory and run time of a window are estimated and refused above the
limits (:func:`lab._validate.check_memory`, :func:`lab._validate.check_runtime`): positions are
held for blocks of satellites, but the per-epoch rotation and time arrays span the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from astropy import units as u
from astropy.time import Time, TimeDelta

from lab._validate import as_time, as_times, as_value, check_memory, check_runtime
from lab.links.geometry import _sin_elevation
from lab.links.stations import GroundStation, _station_arrays, as_stations

__all__ = ["Pass", "contacts", "coverage_gaps", "default_model", "in_view_count", "itrs_positions",
           "passes", "ranges", "visibility_mask"]

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0

#: Cost model of a contact window (measured on a 2-core x86 machine): per epoch (time arrays,
#: GCRS -> ITRS rotation) and per satellite-epoch (positions, masks, refinement).
EPOCH_BYTES, SATELLITE_EPOCH_BYTES = 320.0, 260.0
EPOCH_S, SATELLITE_EPOCH_S = 2e-4, 2.6e-7


def _as_array(r: Any) -> np.ndarray:
    if isinstance(r, u.Quantity):
        r = r.to_value(u.km)
    return np.asarray(r, dtype=float)


def default_model(satellites: Any) -> str:
    """The propagator used when ``model=None``: "sgp4" for TLE orbits, else "j2".

    (An ``Orbit`` alone defaults to "kepler" in lab.orbits; contact windows use J2 so that
    ``passes(constellation[i], ...)`` agrees with ``contacts(constellation, ...)``.)
    """
    if getattr(satellites, "_satrec", None) is not None or getattr(satellites, "_satrecs", None):
        return "sgp4"
    return "j2"


def itrs_positions(satellites: Any, times: Time, model: str | None = None) -> np.ndarray:
    """Earth-fixed positions (S, E, 3) km of an ``Orbit`` or a ``Constellation`` at ``times``."""
    if not hasattr(satellites, "positions"):
        raise TypeError(
            "satellites must be a lab.orbits Orbit or Constellation (anything with "
            f".positions(times, frame='itrs')), got {type(satellites).__name__}"
        )
    model = model if model is not None else default_model(satellites)
    r = _as_array(satellites.positions(times, model=model, frame="itrs"))
    if r.ndim == 2:
        r = r[None]
    if r.ndim != 3 or r.shape[-1] != 3:
        raise ValueError(f"positions() returned shape {r.shape}, expected (S, E, 3) or (E, 3)")
    return r


def visibility_mask(satellites: Any, stations: Any, times: Any, model: str | None = None) -> np.ndarray:
    """Boolean (N, S, E): satellite s above station n's mask at each of ``times`` (Time array)."""
    t = as_times(times, "times")
    st = as_stations(stations)
    pos, up, mask = _station_arrays(st)
    r = itrs_positions(satellites, t, model)
    return _sin_elevation(r, pos, up) > np.sin(np.radians(mask))[:, None, None]


def ranges(satellites: Any, station: GroundStation, times: Any, model: str | None = None) -> np.ndarray:
    """Slant range (km) from ``station`` to each satellite at ``times``: (S, E), or (E,) for an Orbit."""
    if not isinstance(station, GroundStation):
        raise TypeError(f"station must be a GroundStation (got {type(station).__name__})")
    t = as_times(times, "times")
    r = itrs_positions(satellites, t, model)
    d = np.linalg.norm(r - station.itrs, axis=-1)
    return d if len(d) > 1 or hasattr(satellites, "__len__") else d[0]


class _Track:
    """Hermite interpolation of sampled Earth-fixed positions.

    ``r`` has shape (S, M + 5, 3) on times (j - 2) * h, j = 0 .. M + 4 (two guard samples on each
    side), so sample k of the main grid (t = k h, k = 0 .. M) is r[:, k + 2].
    """

    def __init__(self, r: np.ndarray, h: float) -> None:
        self.flat = np.ascontiguousarray(r).reshape(-1, 3)
        self.h = h
        self.n_j = r.shape[1]
        self.m = r.shape[1] - 5

    def coeffs(self, s: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, ...]:
        """Node values and scaled derivatives (r0, d0, r1, d1) of segments [k, k+1], (K, 3) each."""
        base = s * self.n_j + k + 2
        f = self.flat
        rm2, rm1, r0, r1, r2, r3 = (np.take(f, base + o, axis=0) for o in (-2, -1, 0, 1, 2, 3))
        d0 = (rm2 - 8.0 * rm1 + 8.0 * r1 - r2) / 12.0  # h * velocity at node k
        d1 = (rm1 - 8.0 * r0 + 8.0 * r2 - r3) / 12.0
        return r0, d0, r1, d1

    @staticmethod
    def hermite(c: tuple[np.ndarray, ...], tau: np.ndarray) -> np.ndarray:
        r0, d0, r1, d1 = c
        tau = tau[:, None]
        t2 = tau * tau
        t3 = t2 * tau
        return (
            (2 * t3 - 3 * t2 + 1) * r0 + (t3 - 2 * t2 + tau) * d0 + (-2 * t3 + 3 * t2) * r1
            + (t3 - t2) * d1
        )

    def segment(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = t / self.h
        k = np.clip(np.floor(x).astype(np.int64), 0, self.m - 1)
        return k, x - k

    def __call__(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        k, tau = self.segment(t)
        return self.hermite(self.coeffs(s, k), tau)


def _sin_el_minus_mask(p, pos, up, sin_mask, n) -> np.ndarray:
    rho = p - pos[n]
    return np.einsum("ij,ij->i", rho, up[n]) / np.linalg.norm(rho, axis=1) - sin_mask[n]


def _f(track: _Track, pos, up, sin_mask, s, n, t) -> np.ndarray:
    """sin(elevation) - sin(mask) of satellite s from station n at time t (all (K,))."""
    return _sin_el_minus_mask(track(s, t), pos, up, sin_mask, n)


def _refine_in_segment(track: _Track, pos, up, sin_mask, s, n, k, tol) -> np.ndarray:
    """Root of sin(el) - sin(mask) inside grid segment [k, k+1] (sign change there), in s."""
    if s.size == 0:
        return np.zeros(0)
    c = track.coeffs(s, k)
    g = lambda tau: _sin_el_minus_mask(track.hermite(c, tau), pos, up, sin_mask, n)  # noqa: E731
    tau = _bisect(g, np.zeros(s.size), np.ones(s.size), tol / track.h)
    return (k + tau) * track.h


def _bisect(fun, lo: np.ndarray, hi: np.ndarray, tol: float) -> np.ndarray:
    """Vectorized bisection: f(lo) and f(hi) have opposite signs; returns the root to ``tol``."""
    lo = lo.copy()
    hi = hi.copy()
    if lo.size == 0:
        return lo
    flo_pos = fun(lo) > 0
    width = float(np.max(hi - lo))
    for _ in range(max(1, int(np.ceil(np.log2(max(width, tol) / tol))))):
        mid = 0.5 * (lo + hi)
        same = (fun(mid) > 0) == flo_pos
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def _golden_max(fun, a: np.ndarray, b: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized golden-section search for the maximum of unimodal ``fun`` on [a, b]."""
    a = a.copy()
    b = b.copy()
    if a.size == 0:
        return a, a
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = fun(c), fun(d)
    width = float(np.max(b - a))
    n_iter = max(1, int(np.ceil(np.log(max(width, tol) / tol) / -np.log(_GOLDEN))))
    for _ in range(n_iter):
        left = fc > fd  # maximum in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        x = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        fx = fun(x)
        d_new = np.where(left, c, x)
        fd_new = np.where(left, fc, fx)
        c = np.where(left, x, d)
        fc = np.where(left, fx, fd)
        d, fd = d_new, fd_new
    # the ends count too (a pass cut by the window edge peaks at the edge)
    xs = np.stack([a, 0.5 * (c + d), b])
    fs = np.stack([fun(a), fun(xs[1]), fun(b)])
    best = np.argmax(fs, axis=0)
    idx = np.arange(a.size)
    return xs[best, idx], fs[best, idx]


def _find_passes(
    r: np.ndarray,
    h: float,
    duration: float,
    stations: tuple[GroundStation, ...],
    *,
    margin: float,
    tol: float,
    chunk_elems: int = 4_000_000,
) -> dict[str, np.ndarray]:
    """Core: passes of all satellites in ``r`` (S, M+5, 3) over ``stations``; plain arrays out."""
    pos, up, mask = _station_arrays(stations)
    sin_mask = np.sin(np.radians(mask))
    sin_low = np.sin(np.radians(np.maximum(mask - margin, -90.0)))
    n_sta = len(stations)
    n_sat, m = r.shape[0], r.shape[1] - 5
    main = slice(2, m + 3)  # k = 0 .. m
    rises: list[tuple[np.ndarray, ...]] = []
    peaks: list[tuple[np.ndarray, ...]] = []
    chunk = max(1, chunk_elems // (n_sta * (m + 1)))
    for s0 in range(0, n_sat, chunk):
        rc = r[s0 : s0 + chunk, main]
        f = _sin_elevation(rc, pos, up) - sin_mask[:, None, None]  # (N, Sc, m+1)
        above = (f > 0).view(np.int8)
        pad = np.zeros(above.shape[:2] + (1,), np.int8)
        edges = np.diff(np.concatenate([pad, above, pad], axis=2), axis=2)
        n_r, s_r, k_r = np.nonzero(edges == 1)  # first sample above the mask
        _, _, k_s = np.nonzero(edges == -1)  # first sample below again (m + 1: still up at end)
        rises.append((n_r, s_r + s0, k_r, k_s))
        mid = f[:, :, 1:-1]
        cand = (mid >= f[:, :, :-2]) & (mid > f[:, :, 2:]) & (mid <= 0)
        cand &= mid + sin_mask[:, None, None] > sin_low[:, None, None]
        n_p, s_p, k_p = np.nonzero(cand)
        peaks.append((n_p, s_p + s0, k_p + 1))
    n_r, s_r, k_r, k_s = (np.concatenate(x) for x in zip(*rises, strict=True))
    n_p, s_p, k_p = (np.concatenate(x) for x in zip(*peaks, strict=True))
    track = _Track(r, h)

    # --- passes seen on the grid: refine rise and set
    rise = k_r * h
    i = np.flatnonzero(k_r > 0)
    rise[i] = _refine_in_segment(track, pos, up, sin_mask, s_r[i], n_r[i], k_r[i] - 1, tol)
    set_ = np.minimum(k_s - 1, m) * h
    i = np.flatnonzero(k_s <= m)
    set_[i] = _refine_in_segment(track, pos, up, sin_mask, s_r[i], n_r[i], k_s[i] - 1, tol)

    # --- short passes hidden between two samples
    if n_p.size:
        g = lambda t: _f(track, pos, up, sin_mask, s_p, n_p, t)  # noqa: E731
        t_pk, f_pk = _golden_max(g, (k_p - 1) * h, (k_p + 1) * h, 0.05)
        keep = f_pk > 0
        n_p, s_p, k_p, t_pk = n_p[keep], s_p[keep], k_p[keep], t_pk[keep]
        gk = lambda t: _f(track, pos, up, sin_mask, s_p, n_p, t)  # noqa: E731
        r_p = _bisect(gk, (k_p - 1) * h, t_pk, tol)
        e_p = _bisect(gk, t_pk, (k_p + 1) * h, tol)
        n_r = np.concatenate([n_r, n_p])
        s_r = np.concatenate([s_r, s_p])
        rise = np.concatenate([rise, r_p])
        set_ = np.concatenate([set_, e_p])
        k_r = np.concatenate([k_r, k_p])
        k_s = np.concatenate([k_s, k_p])
    start_cut = k_r == 0
    end_cut = k_s > m
    rise = np.clip(rise, 0.0, duration)
    set_ = np.clip(set_, 0.0, duration)
    end_cut |= set_ >= duration
    keep = set_ > rise
    n_r, s_r, rise, set_, start_cut, end_cut = (
        x[keep] for x in (n_r, s_r, rise, set_, start_cut, end_cut)
    )

    # --- culmination: golden section on [rise, set] (one maximum per pass, as in LEO)
    g = lambda t: _f(track, pos, up, sin_mask, s_r, n_r, t)  # noqa: E731
    culm, fmax = _golden_max(g, rise, set_, 0.1)
    max_el = np.degrees(np.arcsin(np.clip(fmax + sin_mask[n_r], -1, 1)))
    order = np.lexsort((n_r, s_r, rise))
    return {
        "satellite": s_r[order],
        "station_index": n_r[order],
        "rise_s": rise[order],
        "culm_s": culm[order],
        "set_s": set_[order],
        "max_elevation": max_el[order],
        "partial": (start_cut | end_cut)[order],
    }


def _grid(satellites: Any, start: Any, duration: Any, step: Any, model: str | None):
    t0 = as_time(start, "start")
    if t0.ndim:
        raise ValueError("start must be a single time")
    dur = as_value(duration, "s", "duration", lo=0, lo_inclusive=False)
    h = as_value(step, "s", "step", lo=0.5, hi=3600)
    if np.ndim(dur) or np.ndim(h):
        raise TypeError("duration and step must be scalars")
    m = max(2, int(np.ceil(dur / h)))
    t = (np.arange(m + 5) - 2) * h
    times = t0 + TimeDelta(t, format="sec")
    return t0, dur, h, itrs_positions(satellites, times, model)


def _check_window_budget(what: str, n_sat: int, n_ep: int, block: int, max_memory_gb: Any,
                         max_runtime_s: Any) -> None:
    """Refuse a contact window whose memory or run time (cost model above) is over the limit."""
    check_memory(n_ep * EPOCH_BYTES + min(n_sat, block) * n_ep * SATELLITE_EPOCH_BYTES, what,
                 max_memory_gb)
    check_runtime(n_ep * EPOCH_S + n_sat * n_ep * SATELLITE_EPOCH_S, what, max_runtime_s)


def contacts(
    constellation: Any,
    stations: Any,
    start: Any,
    duration: Any = 86400.0,
    step: Any = 60.0,
    *,
    model: str | None = None,
    margin: float = 3.0,
    tol: float = 0.01,
    max_samples: int = 5_000_000,
    max_memory_gb: Any = None,
    max_runtime_s: Any = None,
) -> pd.DataFrame:
    """All passes of all satellites over all ``stations`` in [start, start + duration].

    ``constellation``: a ``lab.orbits`` Constellation (or one Orbit); ``stations``: a station, a
    sequence or a network name; ``model``: propagator (default "j2", "sgp4" for TLEs); ``duration`` and ``step`` in s. ``step`` is the coarse grid
    (passes shorter than a step are still found if their sampled peak lies within ``margin`` deg
    of the mask). Returns one row per pass, sorted by rise: ``satellite`` (index), ``station``
    (name), ``station_index``, ``rise_s``, ``culm_s``, ``set_s`` (float s since start),
    ``duration_s``, ``max_elevation`` (deg), ``partial`` (cut by the window), and ``rise``,
    ``culmination``, ``set`` as UTC ``datetime64[ns]``. ``df.attrs["start"]`` is the start Time.
    Positions are held for at most ``max_samples`` satellite-epochs at a time (blocks of
    satellites for long windows). Windows whose estimated memory or run time exceeds
    ``max_memory_gb`` / ``max_runtime_s`` (defaults ``$LAB_MAX_MEMORY_GB`` or half the memory,
    ``$LAB_MAX_RUNTIME_S`` or 600 s) are refused with the estimate.
    """
    st = as_stations(stations)
    n_sat = len(constellation) if hasattr(constellation, "__len__") else 1
    dur = as_value(duration, "s", "duration", lo=0, lo_inclusive=False)
    h = as_value(step, "s", "step", lo=0.5, hi=3600)
    n_ep = int(np.ceil(dur / h)) + 5
    block = max(1, max_samples // n_ep)
    _check_window_budget(f"contacts of {n_sat:,} satellites x {len(st)} stations over "
                         f"{n_ep:,} epochs", n_sat, n_ep, block, max_memory_gb, max_runtime_s)
    if n_sat <= block:  # one go
        t0, dur, h, r = _grid(constellation, start, duration, step, model)
        res = _find_passes(r, h, dur, st, margin=margin, tol=tol)
        return _frame(res, st, t0, dur)
    parts = []  # long windows: blocks of satellites keep the position array bounded
    for s0 in range(0, n_sat, block):
        t0, dur, h, r = _grid(constellation[s0 : s0 + block], start, duration, step, model)
        res = _find_passes(r, h, dur, st, margin=margin, tol=tol)
        res["satellite"] = res["satellite"] + s0
        parts.append(res)
    res = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((res["station_index"], res["satellite"], res["rise_s"]))
    return _frame({k: v[order] for k, v in res.items()}, st, t0, dur)


def _frame(res: dict[str, np.ndarray], st, t0: Time, dur: float) -> pd.DataFrame:
    names = np.array([s.name for s in st], dtype=object)
    base = np.datetime64(t0.utc.datetime64, "ns")
    df = pd.DataFrame(
        {
            "satellite": res["satellite"].astype(np.int64),
            "station": names[res["station_index"]],
            "station_index": res["station_index"].astype(np.int64),
            "rise_s": res["rise_s"],
            "culm_s": res["culm_s"],
            "set_s": res["set_s"],
            "duration_s": res["set_s"] - res["rise_s"],
            "max_elevation": res["max_elevation"],
            "partial": res["partial"],
        }
    )
    for col, src in (("rise", "rise_s"), ("culmination", "culm_s"), ("set", "set_s")):
        df[col] = base + np.round(df[src].to_numpy() * 1e9).astype("timedelta64[ns]")
    df.attrs["start"] = t0
    df.attrs["duration_s"] = dur
    return df


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite over a station: times as astropy Time, ``max_elevation`` in deg."""

    station: str
    rise: Time
    culmination: Time
    set: Time
    max_elevation: u.Quantity
    partial: bool = False

    @property
    def duration(self) -> u.Quantity:
        """Time between rise and set (s)."""
        return ((self.set - self.rise).to_value(u.s)) * u.s


def passes(
    satellite: Any,
    station: GroundStation,
    start: Any,
    duration: Any = 86400.0,
    step: Any = 60.0,
    *,
    model: str | None = None,
    tol: float = 0.01,
    max_memory_gb: Any = None,
    max_runtime_s: Any = None,
) -> list[Pass]:
    """Passes of one satellite (an ``Orbit``, e.g. from a TLE, or ``constellation[i]``) over a station.

    Found on a coarse grid of ``step`` s and refined by root finding (rise/set to ``tol`` s,
    culmination by golden section to 0.1 s). Passes cut by the window have ``partial=True``.
    ``model``: propagator (default "j2"; "sgp4" for an orbit from a TLE; "kepler"). Refused
    above the memory / run-time limits like :func:`contacts`.
    """
    if not isinstance(station, GroundStation):
        raise TypeError(f"station must be a GroundStation (got {type(station).__name__})")
    dur = as_value(duration, "s", "duration", lo=0, lo_inclusive=False)
    h = as_value(step, "s", "step", lo=0.5, hi=3600)
    n_ep = int(np.ceil(dur / h)) + 5
    _check_window_budget(f"passes over {n_ep:,} epochs", 1, n_ep, 1, max_memory_gb, max_runtime_s)
    t0, dur, h, r = _grid(satellite, start, duration, step, model)
    if r.shape[0] != 1:
        raise ValueError("satellite must be a single Orbit; use contacts() for constellations")
    res = _find_passes(r, h, dur, (station,), margin=3.0, tol=tol)
    if not res["rise_s"].size:
        return []
    times = t0 + TimeDelta(np.stack([res["rise_s"], res["culm_s"], res["set_s"]]), format="sec")
    return [
        Pass(station.name, times[0, i], times[1, i], times[2, i],
             float(res["max_elevation"][i]) * u.deg, bool(res["partial"][i]))
        for i in range(res["rise_s"].size)
    ]


def in_view_count(contacts: pd.DataFrame, times_s: Any, *, station: str | None = None) -> np.ndarray:
    """Number of satellites above the mask at ``times_s`` (s since the contacts' start), from a
    :func:`contacts` table (one station's name, or any station)."""
    df = contacts if station is None else contacts[contacts["station"] == station]
    t = np.asarray(times_s, dtype=float)
    rises = np.sort(df["rise_s"].to_numpy())
    sets = np.sort(df["set_s"].to_numpy())
    return np.searchsorted(rises, t, side="right") - np.searchsorted(sets, t, side="right")


def coverage_gaps(contacts_df: pd.DataFrame, duration: Any = None, *, station: str | None = None) -> pd.DataFrame:
    """Intervals with no satellite in view, from a :func:`contacts` table.

    ``station``: one station's name (default: any station of the table counts as coverage).
    Returns ``start_s``, ``end_s``, ``length_s`` (s since the contacts' start), longest first.
    """
    dur = contacts_df.attrs.get("duration_s") if duration is None else as_value(duration, "s", "duration", lo=0)
    if dur is None:
        raise ValueError("duration is needed (the table has no 'duration_s' attribute)")
    df = contacts_df if station is None else contacts_df[contacts_df["station"] == station]
    order = np.argsort(df["rise_s"].to_numpy(), kind="stable")
    rise = df["rise_s"].to_numpy()[order]
    end = np.maximum.accumulate(df["set_s"].to_numpy()[order]) if len(df) else np.array([])
    starts = np.concatenate([[0.0], end])
    ends = np.concatenate([rise, [dur]])
    ok = ends - starts > 0
    gaps = pd.DataFrame({"start_s": starts[ok], "end_s": ends[ok]})
    gaps["length_s"] = gaps["end_s"] - gaps["start_s"]
    return gaps.sort_values("length_s", ascending=False, ignore_index=True)
