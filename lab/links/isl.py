"""Inter-satellite links (ISLs): +Grid topology, feasibility over time, the graph at one instant.

+Grid: every satellite links to the two neighbours in its own plane (ahead and behind) and to
one satellite in each adjacent plane, so four links per satellite. The seam between the last and
the first plane is linked only when the two planes co-rotate (Walker delta); a Walker star's
seam planes counter-rotate and are not.

Cross-plane partner rule (deterministic): planes of equal size are linked by one slot shift for
the whole plane pair (slot k <-> slot k + d), the shift whose partners are nearest in argument of
latitude on average (the Walker "same slot up to the phasing" convention, which
``lab.mission``'s closed-form hop count assumes). Shifts within :data:`TIE_FRACTION` of a slot of
the nearest are ties -- half-slot phasing (Kuiper's published shell) makes the two neighbours
exactly as near in argument of latitude -- and among ties the shift with the shortest mean link
length at the constellation's epoch wins (then the smaller shift). Planes of unequal size: each
satellite takes the nearest in argument of latitude, ties broken the same way by distance.

A link is up under :class:`ISLRules`: shorter than ``max_range``, line of sight above
``min_grazing_height`` (the dense atmosphere), and for cross-plane links at most
``max_cross_latitude`` (where adjacent planes cross and pointing rates explode).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np

from lab._validate import as_time, as_times, as_value, check_choice
from lab.constants import C_LIGHT
from lab.links.budget import LinkBudget
from lab.links.geometry import grazing_height
from lab.links.windows import default_model, itrs_positions

__all__ = ["ISLRules", "ISLState", "isl_state_from_positions", "TIE_FRACTION", "as_isl_rules", "isl_graph", "isl_pairs",
           "isl_state"]

PATTERNS = ("+grid", "in-plane", "none")

#: Candidate partners whose argument-of-latitude offset is within this fraction of a slot of the
#: nearest are ties, broken by link length (osculating elements from TLEs scatter ~0.1 % of a slot).
TIE_FRACTION = 0.05


def _check_isl_args(max_range: Any, min_grazing_height: Any, max_cross_latitude: Any):
    mr = as_value(max_range, "km", "max_range", lo=0, lo_inclusive=False)
    mg = as_value(min_grazing_height, "km", "min_grazing_height", lo=-7000, hi=100000)
    ml = None if max_cross_latitude is None else as_value(
        max_cross_latitude, "deg", "max_cross_latitude", lo=0, hi=90)
    return mr, mg, ml


@dataclass(frozen=True)
class ISLRules:
    """When a laser inter-satellite link can be up (km, deg; Quantities accepted).

    ``max_range``: longest link (Starlink's lasers reach ~5,400 km, DESIGN.md);
    ``min_grazing_height``: the line of sight must pass above the dense atmosphere (80 km,
    an assumption near the mesopause); ``max_cross_latitude``: cross-plane links are switched
    off above this latitude, where adjacent planes cross (None: never).
    """

    max_range: Any = 5400.0
    min_grazing_height: Any = 80.0
    max_cross_latitude: Any = None

    def __post_init__(self) -> None:
        mr, mg, ml = _check_isl_args(self.max_range, self.min_grazing_height,
                                     self.max_cross_latitude)
        object.__setattr__(self, "max_range", mr)
        object.__setattr__(self, "min_grazing_height", mg)
        object.__setattr__(self, "max_cross_latitude", ml)


def as_isl_rules(rules: ISLRules | None = None, *, max_range: Any = None,
                 min_grazing_height: Any = None, max_cross_latitude: Any = None) -> ISLRules:
    """``rules`` (default :class:`ISLRules()`) with each keyword that is not None replacing its
    field, so ``isl_state(c, t, max_range=4000)`` and ``isl_state(c, t, rules=...)`` both work."""
    if rules is None:
        rules = ISLRules()
    elif not isinstance(rules, ISLRules):
        raise TypeError(f"rules must be an ISLRules or None (got {type(rules).__name__})")
    given = {k: v for k, v in (("max_range", max_range), ("min_grazing_height", min_grazing_height),
                               ("max_cross_latitude", max_cross_latitude)) if v is not None}
    return replace(rules, **given) if given else rules


def _plane_slot(c: Any) -> tuple[np.ndarray, np.ndarray]:
    n = len(c)
    plane = np.asarray(getattr(c, "plane", np.zeros(n)), dtype=np.int64).reshape(-1)
    slot = np.asarray(getattr(c, "slot", np.arange(n)), dtype=np.int64).reshape(-1)
    if plane.shape != (n,) or slot.shape != (n,):
        raise ValueError("constellation.plane and .slot must have one entry per satellite")
    return plane, slot


def _arg_latitude(r: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Argument of latitude (rad) and unit orbit normal of states r, v (S, 3)."""
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    node = np.stack([-h[:, 1], h[:, 0], np.zeros(len(h))], axis=1)
    nn = np.linalg.norm(node, axis=1, keepdims=True)
    node = np.where(nn > 1e-9, node / np.where(nn > 0, nn, 1), np.array([1.0, 0.0, 0.0]))
    y = np.cross(h, node)
    return np.arctan2(np.einsum("ij,ij->i", r, y), np.einsum("ij,ij->i", r, node)), h


def _partners(ra: np.ndarray, ua: np.ndarray, rb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Index into plane b of the cross-plane partner of each satellite of plane a (module rule).

    ``ra``, ``rb``: positions (n, 3), (m, 3) at the epoch; ``ua``, ``ub``: arguments of latitude.
    """
    n, m = len(ua), len(ub)
    du = np.abs(np.angle(np.exp(1j * (ub[None, :] - ua[:, None]))))  # (n, m) rad
    dist = np.linalg.norm(rb[None, :, :] - ra[:, None, :], axis=-1)  # (n, m) km
    tie = TIE_FRACTION * 2.0 * np.pi / m
    if n != m:  # each satellite on its own
        near = du <= du.min(axis=1, keepdims=True) + tie
        return np.argmin(np.where(near, dist, np.inf), axis=1)
    k = np.arange(n)
    shifted = (k[None, :] + k[:, None]) % n  # [d, k] -> slot k + d of plane b
    mean_du = du[k[None, :], shifted].mean(axis=1)
    mean_dist = dist[k[None, :], shifted].mean(axis=1)
    near = mean_du <= mean_du.min() + tie
    d = int(np.argmin(np.where(near, mean_dist, np.inf)))
    return (k + d) % n


def _cross_pairs(constellation: Any, order: np.ndarray, starts: np.ndarray,
                 counts: np.ndarray) -> np.ndarray:
    """Cross-plane pairs (P, 2) between adjacent planes (and the seam if it co-rotates)."""
    n_planes = len(starts)
    epoch = getattr(constellation, "epoch", None)
    r, v = constellation.states(np.array([0.0]) if epoch is None else epoch.reshape(1),
                                model=default_model(constellation))
    r = np.asarray(getattr(r, "value", r), float)[:, 0]
    v = np.asarray(getattr(v, "value", v), float)[:, 0]
    ulat, h = _arg_latitude(r, v)
    normals = h[order[starts]]
    ang = np.arccos(np.clip(np.einsum("ij,ij->i", normals, np.roll(normals, -1, 0)), -1, 1))
    links = list(range(n_planes - 1))
    if n_planes >= 3 and ang[-1] <= 1.5 * np.median(ang[:-1]) + 1e-9:
        links.append(n_planes - 1)  # co-rotating seam (Walker delta)
    out = []
    for pa in links:  # loop over planes (tens), vectorized over satellites
        pb = (pa + 1) % n_planes
        ia = order[starts[pa] : starts[pa] + counts[pa]]
        ib = order[starts[pb] : starts[pb] + counts[pb]]
        out.append(np.stack([ia, ib[_partners(r[ia], ulat[ia], r[ib], ulat[ib])]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def isl_pairs(constellation: Any, pattern: str = "+grid", *, return_kind: bool = False):
    """Index pairs (P, 2) of the ISLs of ``pattern`` ("+grid", "in-plane", "none").

    In-plane pairs come first, then cross-plane pairs. With ``return_kind=True`` also returns a
    boolean (P,) array, True for cross-plane links. Uses ``constellation.plane``/``.slot`` and the
    satellites' states at the constellation epoch to pick cross-plane partners (module docstring).
    """
    check_choice(pattern, PATTERNS, "pattern")
    plane, slot = _plane_slot(constellation)
    n = len(plane)
    empty = np.zeros((0, 2), np.int64)
    if pattern == "none" or n < 2:
        return (empty, np.zeros(0, bool)) if return_kind else empty
    order = np.lexsort((slot, plane))
    ps = plane[order]
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    counts = np.diff(np.r_[starts, n])
    first = np.repeat(starts, counts)
    cnt = np.repeat(counts, counts)
    pos = np.arange(n) - first
    nxt = order[first + (pos + 1) % cnt]
    ok = (cnt >= 3) | ((cnt == 2) & (pos == 0))
    intra = np.stack([order[ok], nxt[ok]], axis=1)
    cross = empty
    if pattern == "+grid" and len(starts) >= 2:
        cross = _cross_pairs(constellation, order, starts, counts)
    pairs = np.concatenate([intra, cross])
    kind = np.r_[np.zeros(len(intra), bool), np.ones(len(cross), bool)]
    key = np.sort(pairs, axis=1)
    _, uniq = np.unique(key[:, 0] * n + key[:, 1], return_index=True)
    uniq.sort()
    pairs, kind = pairs[uniq], kind[uniq]
    return (pairs, kind) if return_kind else pairs


@dataclass(frozen=True)
class ISLState:
    """ISLs over a time grid: ``pairs`` (P, 2), ``cross`` (P,) bool, ``distance`` (P, E) km,
    ``up`` (P, E) bool (feasible: range, grazing height, latitude rule)."""

    pairs: np.ndarray
    cross: np.ndarray
    distance: np.ndarray
    up: np.ndarray


def isl_state_from_positions(r: np.ndarray, pairs: np.ndarray, cross: np.ndarray,
                             rules: ISLRules) -> ISLState:
    """Distances and feasibility of ``pairs`` (from :func:`isl_pairs`, with its ``cross``
    kinds) under ``rules``, from positions ``r`` (S, E, 3) km already computed (any
    Earth-centred frame): the unit-free core of :func:`isl_state`."""
    a = r[pairs[:, 0]]  # (P, E, 3)
    b = r[pairs[:, 1]]
    dist = np.linalg.norm(b - a, axis=-1)
    up = (dist <= rules.max_range) & (grazing_height(a, b) >= rules.min_grazing_height)
    if rules.max_cross_latitude is not None and cross.any():
        lim = np.sin(np.radians(rules.max_cross_latitude))
        sa = np.abs(a[..., 2]) / np.linalg.norm(a, axis=-1)
        sb = np.abs(b[..., 2]) / np.linalg.norm(b, axis=-1)
        up &= ~(cross[:, None] & ((sa > lim) | (sb > lim)))
    return ISLState(pairs, cross, dist, up)


def isl_state(
    constellation: Any,
    times: Any,
    pattern: str = "+grid",
    *,
    rules: ISLRules | None = None,
    max_range: Any = None,
    min_grazing_height: Any = None,
    max_cross_latitude: Any = None,
    model: str | None = None,
) -> ISLState:
    """ISL distances and feasibility of all ``pattern`` pairs at all ``times`` (Time, 1-D) at once.

    ``rules``: an :class:`ISLRules` (default ``ISLRules()``); the keywords override its fields.
    """
    rl = as_isl_rules(rules, max_range=max_range, min_grazing_height=min_grazing_height,
                      max_cross_latitude=max_cross_latitude)
    t = as_times(times, "times")
    pairs, cross = isl_pairs(constellation, pattern, return_kind=True)
    r = itrs_positions(constellation, t, model)
    return isl_state_from_positions(r, pairs, cross, rl)


def isl_graph(
    constellation: Any,
    time: Any,
    pattern: str = "+grid",
    max_range: Any = None,
    min_grazing_height: Any = None,
    *,
    max_cross_latitude: Any = None,
    rules: ISLRules | None = None,
    budget: LinkBudget | str = "optical-isl",
    model: str | None = None,
) -> nx.Graph:
    """The ISL network at ``time`` as a ``networkx.Graph``.

    Nodes are satellite indices (attributes ``plane``, ``slot``, ``r`` ITRS km); edges carry
    ``distance`` (km), ``delay`` (s, light time), ``rate`` (bit/s, from ``budget``) and ``kind``
    ("in-plane" / "cross-plane"). Links that break ``rules`` (:class:`ISLRules`; the
    ``max_range`` km, ``min_grazing_height`` km and ``max_cross_latitude`` deg keywords override
    its fields) are left out.
    """
    t = as_time(time, "time")
    if t.ndim:
        raise ValueError("time must be a single time (use isl_state for a grid)")
    lb = LinkBudget.preset(budget) if isinstance(budget, str) else budget
    rl = as_isl_rules(rules, max_range=max_range, min_grazing_height=min_grazing_height,
                      max_cross_latitude=max_cross_latitude)
    pairs, cross = isl_pairs(constellation, pattern, return_kind=True)
    r1 = itrs_positions(constellation, t.reshape(1), model)  # (S, 1, 3): one propagation
    st = isl_state_from_positions(r1, pairs, cross, rl)
    r = r1[:, 0]
    plane, slot = _plane_slot(constellation)
    g = nx.Graph()
    g.add_nodes_from(
        (i, {"plane": int(plane[i]), "slot": int(slot[i]), "r": r[i]}) for i in range(len(r))
    )
    up = st.up[:, 0]
    d = st.distance[up, 0]
    rate = lb.data_rate_value(d)
    for (i, j), dist, rt, cr in zip(st.pairs[up], d, rate, st.cross[up], strict=True):
        g.add_edge(int(i), int(j), distance=float(dist), delay=float(dist / C_LIGHT),
                   rate=float(rt), kind="cross-plane" if cr else "in-plane")
    g.graph["time"] = t
    return g
