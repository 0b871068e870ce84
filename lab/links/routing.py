"""Routing a message over the moving network: ground -> satellites -> ground, now or later.

The network is sampled every ``step`` seconds from ``t0``. In each snapshot the links are
uplinks (station -> satellite in view), downlinks (satellite -> station) and the ISLs that are
up; an edge costs its light time plus the serialization time ``size / rate`` (rate from a link
budget at the edge's length). An earliest-arrival search runs over the snapshots: every node
that has received the message keeps it (store and forward), and each snapshot starts a
multi-source Dijkstra (scipy.sparse.csgraph) from all holders. The first snapshot in which the
target is reached gives the earliest arrival; the instant the target became reachable since the
previous snapshot is then found by bisection (to ``time_tol``, 1 s). When a path exists at ``t0``
the wait is zero. Light time and serialization are charged per hop; the satellites' motion during
the few milliseconds of a hop is neglected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from astropy import units as u
from astropy.time import Time, TimeDelta
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from lab._validate import as_time, as_value, check_int
from lab.constants import C_LIGHT
from lab.links.budget import LinkBudget
from lab.links.geometry import _sin_elevation
from lab.links.isl import _check_isl_args, _isl_from_positions, isl_pairs
from lab.links.stations import GroundStation, _station_arrays, as_stations
from lab.links.windows import itrs_positions

__all__ = ["Route", "route"]


@dataclass(frozen=True)
class Route:
    """Result of :func:`route`.

    ``path``: node labels (satellite indices as int, stations by name); ``hops``; ``latency``
    (s) = ``propagation`` + ``serialization`` summed over the hops; ``wait`` (s) spent stored on
    board (or on the ground) waiting for a contact; ``departure``/``arrival`` (Time);
    ``segments``: one row per hop (from, to, kind, t_s since departure, distance_km, delay_s,
    rate_bps, serialization_s). ``reachable`` is False when no route exists within the horizon.
    """

    path: list
    hops: int
    latency: u.Quantity
    propagation: u.Quantity
    serialization: u.Quantity
    wait: u.Quantity
    departure: Time
    arrival: Time | None
    segments: pd.DataFrame = field(repr=False)
    reachable: bool = True

    @property
    def total(self) -> u.Quantity:
        """Departure to arrival: wait + latency (s)."""
        return self.wait + self.latency


def _active(isl_up: np.ndarray, vis: np.ndarray, holder: np.ndarray, pairs: np.ndarray,
            n_sat: int) -> np.ndarray:
    """(K,) bool: snapshots with an up edge between a holder and a non-holder."""
    hs, hg = holder[:n_sat], holder[n_sat:]
    a = (isl_up & (hs[pairs[:, 0]] ^ hs[pairs[:, 1]])[:, None]).any(axis=0)
    return a | (vis & (hg[:, None] ^ hs[None, :])[:, :, None]).any(axis=(0, 1))


def _budget(b: LinkBudget | str, name: str) -> LinkBudget:
    if isinstance(b, LinkBudget):
        return b
    if isinstance(b, str):
        return LinkBudget.preset(b)
    raise TypeError(f"{name} must be a LinkBudget or a preset name (got {b!r})")


def _endpoint(spec: Any, n_sat: int, stations: list[GroundStation], name: str) -> list[int]:
    """Node ids of an endpoint: satellite index, station, sequence of stations or network name."""
    if isinstance(spec, int | np.integer) and not isinstance(spec, bool):
        return [check_int(spec, name, lo=0, hi=n_sat - 1)]
    try:
        sts = as_stations(spec, name)
    except TypeError as exc:
        raise TypeError(
            f"{name} must be a satellite index, a GroundStation, a sequence of them or a network name"
        ) from exc
    ids = []
    for s in sts:
        if s not in stations:
            stations.append(s)
        ids.append(n_sat + stations.index(s))
    return ids


def route(
    constellation: Any,
    stations: Any,
    source: Any,
    target: Any,
    t0: Any,
    size: Any = 8e3,
    *,
    step: Any = 60.0,
    horizon: Any = 86400.0,
    pattern: str = "+grid",
    max_range: Any = 5400.0,
    min_grazing_height: Any = 80.0,
    max_cross_latitude: Any = None,
    uplink: LinkBudget | str = "s-band-uplink",
    downlink: LinkBudget | str = "x-band-downlink",
    isl: LinkBudget | str = "optical-isl",
    time_tol: Any = 1.0,
    model: str | None = None,
    chunk: int | None = None,
) -> Route:
    """Earliest-arrival route of a ``size``-bit message from ``source`` to ``target`` from ``t0``.

    ``stations``: the ground segment (station, sequence or network name). ``source``/``target``:
    a satellite index, a GroundStation (added to the ground segment if needed), a sequence of
    stations or a network name (any of them). ``size`` in bit (or a Quantity: ``2 * u.kB``).
    Waits up to ``horizon`` s for contacts (store and forward); snapshots every ``step`` s, and
    the moment the target becomes reachable is refined by bisection to ``time_tol`` s.
    """
    sts = list(as_stations(stations))
    n_sat = len(constellation)
    src = _endpoint(source, n_sat, sts, "source")
    dst = _endpoint(target, n_sat, sts, "target")
    if set(src) & set(dst):
        raise ValueError("source and target must differ")
    start = as_time(t0, "t0")
    if start.ndim:
        raise ValueError("t0 must be a single time")
    bits = as_value(size, u.bit, "size", lo=0)
    h = as_value(step, "s", "step", lo=1, hi=3600)
    hz = as_value(horizon, "s", "horizon", lo=0)
    time_tol = as_value(time_tol, "s", "time_tol", lo=0.001)
    mr, mg, ml = _check_isl_args(max_range, min_grazing_height, max_cross_latitude)
    up_b, down_b, isl_b = _budget(uplink, "uplink"), _budget(downlink, "downlink"), _budget(isl, "isl")
    pairs, cross = isl_pairs(constellation, pattern, return_kind=True)
    pos, upv, mask = _station_arrays(tuple(sts))
    sin_mask = np.sin(np.radians(mask))
    n_gs = len(sts)
    n = n_sat + n_gs
    offsets = np.arange(0.0, hz + 0.5 * h, h) if hz > 0 else np.array([0.0])

    def snapshot(rk: np.ndarray):
        """Edges (rows, cols, distance, rate, serialization, cost) of the network at one instant."""
        isl_st = _isl_from_positions(rk[:, None], pairs, cross, mr, mg, ml)
        iu = isl_st.up[:, 0]
        pi, pj, pd_ = pairs[iu, 0], pairs[iu, 1], isl_st.distance[iu, 0]
        vis = _sin_elevation(rk, pos, upv) > sin_mask[:, None]  # (G, S)
        g_idx, s_idx = np.nonzero(vis)
        rho = np.linalg.norm(rk[s_idx] - pos[g_idx], axis=1)
        rows = np.concatenate([pi, pj, n_sat + g_idx, s_idx])
        cols = np.concatenate([pj, pi, s_idx, n_sat + g_idx])
        dist = np.concatenate([pd_, pd_, rho, rho])
        rate = np.concatenate([np.tile(isl_b.data_rate_value(pd_) if pd_.size else pd_, 2),
                               up_b.data_rate_value(rho) if rho.size else rho,
                               down_b.data_rate_value(rho) if rho.size else rho])
        ok = rate > 0
        rows, cols, dist, rate = rows[ok], cols[ok], dist[ok], rate[ok]
        ser = bits / rate
        return rows, cols, dist, rate, ser, dist / C_LIGHT + ser

    def search(edges, holder: np.ndarray):
        rows, cols, *_, cost = edges
        graph = csr_matrix((cost, (rows, cols)), shape=(n, n))
        d, p, _ = dijkstra(graph, directed=True, indices=np.flatnonzero(holder), min_only=True,
                           return_predecessors=True)
        return d, p

    def positions_at(t_off: np.ndarray) -> np.ndarray:
        return itrs_positions(constellation, start + TimeDelta(t_off, format="sec"), model)

    holder = np.zeros(n, bool)
    holder[src] = True
    reach_t = np.full(n, np.inf)  # s since departure
    reach_t[src] = 0.0
    pred = np.full(n, -1)
    pred_edge: dict[int, tuple] = {}
    found_t, found = np.inf, -1
    dst_arr = np.array(dst)
    prev_t = None  # the previous grid time (target not reachable then)
    cap = max(4, min(2048, 200_000 // max(n_sat, 1))) if chunk is None else check_int(chunk, "chunk", lo=1)
    bounds, c0, size_ = [], 0, 4 if chunk is None else cap
    while c0 < len(offsets):  # chunks of snapshots: small first (a path often exists at t0)
        bounds.append((c0, min(c0 + size_, len(offsets))))
        c0, size_ = c0 + size_, min(2 * size_, cap)
    for c0, c1 in bounds:
        t_off = offsets[c0:c1]
        if t_off[0] >= found_t:
            break
        r = positions_at(t_off)  # (S, K, 3)
        # which snapshots can move the message at all? (an edge from a holder to a non-holder)
        isl_c = _isl_from_positions(r, pairs, cross, mr, mg, ml).up  # (P, K)
        vis_c = _sin_elevation(r, pos, upv) > sin_mask[:, None, None]  # (G, S, K)
        act = _active(isl_c, vis_c, holder, pairs, n_sat)
        k = 0
        while k < len(t_off):
            nxt = np.flatnonzero(act[k:])
            if nxt.size == 0:
                prev_t = float(t_off[-1])
                break
            if nxt[0] > 0:
                prev_t = float(t_off[k + nxt[0] - 1])
            k += int(nxt[0])
            tk = float(t_off[k])
            k += 1
            if tk >= found_t:
                break
            edges = snapshot(r[:, k - 1])
            d, p = search(edges, holder)
            if prev_t is not None and np.isfinite(d[dst_arr]).any() and tk - prev_t > time_tol:
                # the target became reachable between two snapshots: bisect for the moment
                lo, hi, best = prev_t, tk, (tk, edges, d, p)
                while hi - lo > time_tol:
                    mid = 0.5 * (lo + hi)
                    e_m = snapshot(positions_at(np.array([mid]))[:, 0])
                    d_m, p_m = search(e_m, holder)
                    if np.isfinite(d_m[dst_arr]).any():
                        hi, best = mid, (mid, e_m, d_m, p_m)
                    else:
                        lo = mid
                tk, edges, d, p = best
            prev_t = float(t_off[k - 1])
            new = np.isfinite(d) & ~holder
            if not new.any():
                continue
            rows, cols, dist, rate, ser, _ = edges
            jn = np.flatnonzero(new)
            key = rows.astype(np.int64) * n + cols
            srt = np.argsort(key)
            e = srt[np.searchsorted(key[srt], p[jn].astype(np.int64) * n + jn)]
            pred[jn] = p[jn]
            for j, ei in zip(jn, e, strict=True):
                pred_edge[int(j)] = (float(tk), float(dist[ei]), float(rate[ei]), float(ser[ei]))
            reach_t[new] = tk + d[new]
            holder |= new
            act = _active(isl_c, vis_c, holder, pairs, n_sat)
            best_node = dst_arr[np.argmin(reach_t[dst_arr])]
            if np.isfinite(reach_t[best_node]) and reach_t[best_node] < found_t:
                found_t, found = float(reach_t[best_node]), int(best_node)
    if found < 0:
        empty = pd.DataFrame(columns=["from", "to", "kind", "t_s", "distance_km", "delay_s",
                                      "rate_bps", "serialization_s"])
        nan = np.nan * u.s
        return Route([], 0, nan, nan, nan, np.inf * u.s, start, None, empty, reachable=False)

    def label(i: int):
        return int(i) if i < n_sat else sts[i - n_sat].name

    chain = [found]
    while chain[-1] not in src:
        chain.append(int(pred[chain[-1]]))
    chain.reverse()
    rows_out = []
    for a, b in zip(chain[:-1], chain[1:], strict=True):
        tk, dist, rate, ser = pred_edge[b]
        kind = "isl" if a < n_sat and b < n_sat else ("uplink" if a >= n_sat else "downlink")
        rows_out.append({"from": label(a), "to": label(b), "kind": kind, "t_s": tk,
                         "distance_km": dist, "delay_s": dist / C_LIGHT, "rate_bps": rate,
                         "serialization_s": ser})
    seg = pd.DataFrame(rows_out)
    prop = float(seg["delay_s"].sum())
    ser = float(seg["serialization_s"].sum())
    lat = prop + ser
    wait = found_t - lat
    wait = 0.0 if wait < 1e-9 else wait
    return Route(
        path=[label(i) for i in chain], hops=len(chain) - 1, latency=lat * u.s,
        propagation=prop * u.s, serialization=ser * u.s, wait=wait * u.s, departure=start,
        arrival=start + TimeDelta(found_t, format="sec"), segments=seg,
    )
