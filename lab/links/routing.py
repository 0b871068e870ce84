"""Routing a message over the moving network: ground -> satellites -> ground, now or later.

The network is sampled every ``step`` seconds from ``t0``. In each snapshot the links are
uplinks (station -> satellite in view), downlinks (satellite -> station) and the ISLs that are
up; an edge costs its light time plus the serialization time ``size / rate`` (rate from a link
budget at the edge's length). :func:`route` is a pipeline of four named steps:

1. :func:`_snapshot_edges` -- the network's edges at one instant;
2. :func:`_earliest_arrival` -- an earliest-arrival search over the snapshots: every node that has
   received the message keeps it (store and forward), and each snapshot that can move it starts a
   multi-source Dijkstra (scipy.sparse.csgraph) from all holders;
3. :func:`_refine_arrival` -- when the target first becomes reachable in a snapshot, the instant
   it became reachable since the previous snapshot is found by bisection (to ``time_tol``, 1 s);
4. :func:`_assemble_route` -- the chain of predecessors back to the source, as a :class:`Route`.

When a path exists at ``t0`` the wait is zero. Light time and serialization are charged per hop;
the satellites' motion during the few milliseconds of a hop is neglected. Before searching, the
worst-case work (the whole horizon) is estimated and refused above the memory and run-time limits
(:func:`lab._validate.check_memory`, :func:`lab._validate.check_runtime`).
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

from lab._validate import as_time, as_value, check_int, check_memory, check_runtime
from lab.constants import C_LIGHT
from lab.links.budget import LinkBudget
from lab.links.geometry import _sin_elevation
from lab.links.isl import ISLRules, as_isl_rules, isl_pairs, isl_state_from_positions
from lab.links.stations import GroundStation, _station_arrays, as_stations
from lab.links.windows import itrs_positions

__all__ = ["Route", "latency_budget", "route"]

#: Run-time model of the search (s, measured on a 2-core x86 machine): per snapshot (the
#: GCRS -> ITRS rotation) and per satellite-snapshot (propagation, ISL and visibility masks).
SNAPSHOT_S = 2e-4
SATELLITE_SNAPSHOT_S = 4e-7


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


@dataclass(frozen=True)
class _Network:
    """What stays fixed while routing: satellites, ground segment, links, rules and the message."""

    constellation: Any
    model: str | None
    start: Time
    stations: list[GroundStation]
    pairs: np.ndarray  # (P, 2) ISL candidates
    cross: np.ndarray  # (P,) cross-plane
    rules: ISLRules
    bits: float
    uplink: LinkBudget
    downlink: LinkBudget
    isl: LinkBudget
    pos: np.ndarray = field(init=False)  # (G, 3) station ITRS km
    upv: np.ndarray = field(init=False)  # (G, 3) local up
    sin_mask: np.ndarray = field(init=False)  # (G,) sin(elevation mask)

    def __post_init__(self) -> None:
        pos, upv, mask = _station_arrays(tuple(self.stations))
        object.__setattr__(self, "pos", pos)
        object.__setattr__(self, "upv", upv)
        object.__setattr__(self, "sin_mask", np.sin(np.radians(mask)))

    @property
    def n_sat(self) -> int:
        return len(self.constellation)

    @property
    def n(self) -> int:
        """Nodes: satellites 0 .. S-1, then stations."""
        return self.n_sat + len(self.stations)

    def positions(self, t_off: np.ndarray) -> np.ndarray:
        """Earth-fixed positions (S, K, 3) km at ``t_off`` s after departure."""
        return itrs_positions(self.constellation, self.start + TimeDelta(t_off, format="sec"),
                              self.model)

    def visible(self, r: np.ndarray) -> np.ndarray:
        """(G, S, ...) bool: satellite above each station's mask, positions r (S, ..., 3)."""
        shape = (slice(None),) + (None,) * (r.ndim - 1)
        return _sin_elevation(r, self.pos, self.upv) > self.sin_mask[shape]

    def label(self, i: int):
        return int(i) if i < self.n_sat else self.stations[i - self.n_sat].name


@dataclass(frozen=True)
class _Edges:
    """Directed edges of one snapshot (parallel arrays): from, to, km, bit/s, s, cost s."""

    rows: np.ndarray
    cols: np.ndarray
    dist: np.ndarray
    rate: np.ndarray
    ser: np.ndarray
    cost: np.ndarray


def _snapshot_edges(net: _Network, rk: np.ndarray) -> _Edges:
    """Step 1: the edges of the network at one instant from positions ``rk`` (S, 3) km."""
    n_sat = net.n_sat
    isl_st = isl_state_from_positions(rk[:, None], net.pairs, net.cross, net.rules)
    iu = isl_st.up[:, 0]
    pi, pj, pd_ = net.pairs[iu, 0], net.pairs[iu, 1], isl_st.distance[iu, 0]
    g_idx, s_idx = np.nonzero(net.visible(rk))  # (G, S)
    rho = np.linalg.norm(rk[s_idx] - net.pos[g_idx], axis=1)
    rows = np.concatenate([pi, pj, n_sat + g_idx, s_idx])
    cols = np.concatenate([pj, pi, s_idx, n_sat + g_idx])
    dist = np.concatenate([pd_, pd_, rho, rho])
    rate = np.concatenate([np.tile(net.isl.data_rate_value(pd_) if pd_.size else pd_, 2),
                           net.uplink.data_rate_value(rho) if rho.size else rho,
                           net.downlink.data_rate_value(rho) if rho.size else rho])
    ok = rate > 0
    rows, cols, dist, rate = rows[ok], cols[ok], dist[ok], rate[ok]
    ser = net.bits / rate
    return _Edges(rows, cols, dist, rate, ser, dist / C_LIGHT + ser)


def _dijkstra(net: _Network, edges: _Edges, holder: np.ndarray):
    """Multi-source shortest paths from all holders: (cost s (n,), predecessor (n,))."""
    graph = csr_matrix((edges.cost, (edges.rows, edges.cols)), shape=(net.n, net.n))
    d, p, _ = dijkstra(graph, directed=True, indices=np.flatnonzero(holder), min_only=True,
                       return_predecessors=True)
    return d, p


def _active(isl_up: np.ndarray, vis: np.ndarray, holder: np.ndarray, pairs: np.ndarray,
            n_sat: int) -> np.ndarray:
    """(K,) bool: snapshots with an up edge between a holder and a non-holder."""
    hs, hg = holder[:n_sat], holder[n_sat:]
    a = (isl_up & (hs[pairs[:, 0]] ^ hs[pairs[:, 1]])[:, None]).any(axis=0)
    return a | (vis & (hg[:, None] ^ hs[None, :])[:, :, None]).any(axis=(0, 1))


def _refine_arrival(net: _Network, holder: np.ndarray, dst: np.ndarray, lo: float,
                    best: tuple, time_tol: float) -> tuple:
    """Step 3: bisect (lo, best[0]] for the first instant the target is reachable from the
    holders; ``best`` = (t, edges, d, p) of the snapshot where it is. Returns the refined one."""
    hi = best[0]
    while hi - lo > time_tol:
        mid = 0.5 * (lo + hi)
        e_m = _snapshot_edges(net, net.positions(np.array([mid]))[:, 0])
        d_m, p_m = _dijkstra(net, e_m, holder)
        if np.isfinite(d_m[dst]).any():
            hi, best = mid, (mid, e_m, d_m, p_m)
        else:
            lo = mid
    return best


@dataclass
class _Search:
    """Earliest-arrival state: who holds the message, since when, reached over which edge."""

    holder: np.ndarray  # (n,) bool
    reach_t: np.ndarray  # (n,) s since departure
    pred: np.ndarray  # (n,) predecessor node
    pred_edge: dict = field(default_factory=dict)  # node -> (t_s, km, bit/s, serialization s)
    found_t: float = np.inf
    found: int = -1

    @classmethod
    def start(cls, n: int, src: list[int]) -> _Search:
        holder = np.zeros(n, bool)
        holder[src] = True
        reach_t = np.full(n, np.inf)
        reach_t[src] = 0.0
        return cls(holder, reach_t, np.full(n, -1))

    def record(self, n: int, tk: float, edges: _Edges, d: np.ndarray, p: np.ndarray,
               dst: np.ndarray) -> bool:
        """Take the nodes newly reached at ``tk`` (Dijkstra ``d``, ``p``); False if none."""
        new = np.isfinite(d) & ~self.holder
        if not new.any():
            return False
        jn = np.flatnonzero(new)
        key = edges.rows.astype(np.int64) * n + edges.cols
        srt = np.argsort(key)
        e = srt[np.searchsorted(key[srt], p[jn].astype(np.int64) * n + jn)]
        self.pred[jn] = p[jn]
        for j, ei in zip(jn, e, strict=True):
            self.pred_edge[int(j)] = (float(tk), float(edges.dist[ei]), float(edges.rate[ei]),
                                      float(edges.ser[ei]))
        self.reach_t[new] = tk + d[new]
        self.holder |= new
        best = dst[np.argmin(self.reach_t[dst])]
        if np.isfinite(self.reach_t[best]) and self.reach_t[best] < self.found_t:
            self.found_t, self.found = float(self.reach_t[best]), int(best)
        return True


def _chunk_cap(n_sat: int) -> int:
    """Snapshots per chunk: about 200,000 satellite-snapshots (at least 4, at most 2,048)."""
    return max(4, min(2048, 200_000 // max(n_sat, 1)))


def _chunks(n_offsets: int, n_sat: int, chunk: int | None) -> list[tuple[int, int]]:
    """Snapshot index ranges: small first (a path often exists at t0), doubling up to a cap."""
    cap = _chunk_cap(n_sat) if chunk is None else chunk
    bounds, c0, size = [], 0, 4 if chunk is None else cap
    while c0 < n_offsets:
        bounds.append((c0, min(c0 + size, n_offsets)))
        c0, size = c0 + size, min(2 * size, cap)
    return bounds


def _earliest_arrival(net: _Network, offsets: np.ndarray, src: list[int], dst: list[int],
                      time_tol: float, chunk: int | None) -> _Search:
    """Step 2: store-and-forward earliest-arrival search over the snapshots at ``offsets``."""
    state = _Search.start(net.n, src)
    dst_arr = np.array(dst)
    prev_t = None  # the previous grid time (target not reachable then)
    for c0, c1 in _chunks(len(offsets), net.n_sat, chunk):
        t_off = offsets[c0:c1]
        if t_off[0] >= state.found_t:
            break
        r = net.positions(t_off)  # (S, K, 3)
        # which snapshots can move the message at all? (an edge from a holder to a non-holder)
        isl_c = isl_state_from_positions(r, net.pairs, net.cross, net.rules).up  # (P, K)
        vis_c = net.visible(r)  # (G, S, K)
        act = _active(isl_c, vis_c, state.holder, net.pairs, net.n_sat)
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
            if tk >= state.found_t:
                break
            edges = _snapshot_edges(net, r[:, k - 1])
            d, p = _dijkstra(net, edges, state.holder)
            if prev_t is not None and np.isfinite(d[dst_arr]).any() and tk - prev_t > time_tol:
                # the target became reachable between two snapshots: bisect for the moment
                tk, edges, d, p = _refine_arrival(net, state.holder, dst_arr, prev_t,
                                                  (tk, edges, d, p), time_tol)
            prev_t = float(t_off[k - 1])
            if state.record(net.n, tk, edges, d, p, dst_arr):
                act = _active(isl_c, vis_c, state.holder, net.pairs, net.n_sat)
    return state


_SEGMENT_COLUMNS = ["from", "to", "kind", "t_s", "distance_km", "delay_s", "rate_bps",
                    "serialization_s"]


def _assemble_route(net: _Network, state: _Search, src: list[int]) -> Route:
    """Step 4: the path back from the target through the predecessors, as a :class:`Route`."""
    n_sat = net.n_sat
    if state.found < 0:
        nan = np.nan * u.s
        return Route([], 0, nan, nan, nan, np.inf * u.s, net.start, None,
                     pd.DataFrame(columns=_SEGMENT_COLUMNS), reachable=False)
    chain = [state.found]
    while chain[-1] not in src:
        chain.append(int(state.pred[chain[-1]]))
    chain.reverse()
    rows_out = []
    for a, b in zip(chain[:-1], chain[1:], strict=True):
        tk, dist, rate, ser = state.pred_edge[b]
        kind = "isl" if a < n_sat and b < n_sat else ("uplink" if a >= n_sat else "downlink")
        rows_out.append({"from": net.label(a), "to": net.label(b), "kind": kind, "t_s": tk,
                         "distance_km": dist, "delay_s": dist / C_LIGHT, "rate_bps": rate,
                         "serialization_s": ser})
    seg = pd.DataFrame(rows_out)
    prop = float(seg["delay_s"].sum())
    ser = float(seg["serialization_s"].sum())
    lat = prop + ser
    wait = state.found_t - lat
    wait = 0.0 if wait < 1e-9 else wait
    return Route(
        path=[net.label(i) for i in chain], hops=len(chain) - 1, latency=lat * u.s,
        propagation=prop * u.s, serialization=ser * u.s, wait=wait * u.s, departure=net.start,
        arrival=net.start + TimeDelta(state.found_t, format="sec"), segments=seg,
    )


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


def _check_search_budget(n_snapshots: int, n_sat: int, n_gs: int, chunk: int | None,
                         max_memory_gb: Any, max_runtime_s: Any) -> None:
    """Refuse a search whose worst case (no path until the horizon) is too big or too long."""
    what = f"route over {n_snapshots:,} snapshots of {n_sat:,} satellites"
    per_chunk = (_chunk_cap(n_sat) if chunk is None else chunk) * n_sat  # satellite-snapshots
    # the snapshot times, and per chunk: positions and their temporaries, masks
    check_memory(8.0 * n_snapshots + per_chunk * (100.0 + n_gs), what, max_memory_gb)
    check_runtime(n_snapshots * (SNAPSHOT_S + n_sat * SATELLITE_SNAPSHOT_S), what, max_runtime_s)


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
    rules: ISLRules | None = None,
    max_range: Any = None,
    min_grazing_height: Any = None,
    max_cross_latitude: Any = None,
    uplink: LinkBudget | str = "s-band-uplink",
    downlink: LinkBudget | str = "x-band-downlink",
    isl: LinkBudget | str = "optical-isl",
    time_tol: Any = 1.0,
    model: str | None = None,
    chunk: int | None = None,
    max_memory_gb: Any = None,
    max_runtime_s: Any = None,
) -> Route:
    """Earliest-arrival route of a ``size``-bit message from ``source`` to ``target`` from ``t0``.

    ``stations``: the ground segment (station, sequence or network name). ``source``/``target``:
    a satellite index, a GroundStation (added to the ground segment if needed), a sequence of
    stations or a network name (any of them). ``size`` in bit (or a Quantity: ``2 * u.kB``).
    Waits up to ``horizon`` s for contacts (store and forward); snapshots every ``step`` s, and
    the moment the target becomes reachable is refined by bisection to ``time_tol`` s. ISLs obey
    ``rules`` (:class:`~lab.links.ISLRules`; the ``max_range``, ``min_grazing_height``,
    ``max_cross_latitude`` keywords override its fields). Searches whose worst case exceeds
    ``max_memory_gb`` / ``max_runtime_s`` (defaults: ``$LAB_MAX_MEMORY_GB``, half the memory;
    ``$LAB_MAX_RUNTIME_S``, 600 s) are refused with the estimate.
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
    tol = as_value(time_tol, "s", "time_tol", lo=0.001)
    chunk = None if chunk is None else check_int(chunk, "chunk", lo=1)
    rl = as_isl_rules(rules, max_range=max_range, min_grazing_height=min_grazing_height,
                      max_cross_latitude=max_cross_latitude)
    n_snapshots = int(np.ceil((hz + 0.5 * h) / h)) if hz > 0 else 1  # len(offsets) below
    _check_search_budget(n_snapshots, n_sat, len(sts), chunk, max_memory_gb, max_runtime_s)
    pairs, cross = isl_pairs(constellation, pattern, return_kind=True)
    net = _Network(constellation, model, start, sts, pairs, cross, rl, bits,
                   _budget(uplink, "uplink"), _budget(downlink, "downlink"), _budget(isl, "isl"))
    offsets = np.arange(0.0, hz + 0.5 * h, h) if hz > 0 else np.array([0.0])
    state = _earliest_arrival(net, offsets, src, dst, tol, chunk)
    return _assemble_route(net, state, src)


def latency_budget(**legs: Route | float) -> pd.DataFrame:
    """Latency budget of a round trip: each keyword is a leg, a :class:`Route` or seconds.

    A Route contributes its wait, propagation and serialization; a number (e.g. inference time)
    one row. Returns rows (leg, component, seconds) plus a total row.
    """
    rows = []
    for leg, val in legs.items():
        if isinstance(val, Route):
            rows += [(leg, "wait for contact", val.wait.value),
                     (leg, "propagation", val.propagation.value),
                     (leg, "serialization", val.serialization.value)]
        else:
            rows.append((leg, "time", as_value(val, "s", leg, lo=0)))
    df = pd.DataFrame(rows, columns=["leg", "component", "seconds"])
    df = df[df["seconds"] > 0].reset_index(drop=True)
    total = pd.DataFrame([("total", "", df["seconds"].sum())], columns=df.columns)
    return pd.concat([df, total], ignore_index=True)
