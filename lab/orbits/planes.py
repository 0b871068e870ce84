"""Orbital planes of a set of satellites: grouping by gaps, and slots within a plane.

Satellites given one by one (``Constellation.from_orbits``, ``from_tle``) carry no plane number,
so it is inferred: two satellites share a plane when their orbit planes are less than
:data:`PLANE_TOLERANCE_DEG` apart, chained (single linkage) through the other satellites. The
angle between two orbit planes of inclination i whose nodes differ by ΔΩ is about sin i · ΔΩ, so

1. satellites are first split where the sorted inclinations jump by more than the tolerance;
2. within each inclination group the nodes are sorted around the circle and split where
   sin i · ΔΩ between neighbours jumps by more than the tolerance (the gap across 360° -> 0°
   counts too, so a plane straddling RAAN 0° stays one plane; near-equatorial orbits, whose
   node is ill-defined, fall into one plane by the same rule).

This is sort + gaps, vectorized; unlike rounding onto a fixed grid it does not split a plane whose
members scatter across a grid edge (osculating elements from TLEs scatter by a few hundredths of
a degree). Planes are numbered by inclination group, then by node; slots by argument of
latitude within each plane.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PLANE_TOLERANCE_DEG", "infer_planes", "slots_in_plane"]

#: Largest angle (deg) between orbit planes still counted as one plane. Real shells space their
#: planes by several degrees (Starlink 72 planes: 5° of node, Kuiper 34 planes: 10.6°), while
#: the osculating elements of one plane scatter by < 0.1°.
PLANE_TOLERANCE_DEG = 1.0

TAU = 2.0 * np.pi


def _runs(values: np.ndarray, tol: float) -> np.ndarray:
    """Labels 0, 1, ... of sorted-order runs of ``values`` split where the gap exceeds ``tol``."""
    order = np.argsort(values, kind="stable")
    new = np.r_[False, np.diff(values[order]) > tol]
    labels = np.empty(values.size, dtype=np.int64)
    labels[order] = np.cumsum(new)
    return labels


def _node_runs(group: np.ndarray, raan: np.ndarray, sin_i: np.ndarray, tol: float) -> np.ndarray:
    """Plane labels within inclination ``group``s: runs of nodes on the circle split by gaps."""
    n = raan.size
    order = np.lexsort((raan, group))
    g, node, s = group[order], raan[order], sin_i[order]
    same = g[1:] == g[:-1]
    cut = same & (np.diff(node) * 0.5 * (s[1:] + s[:-1]) > tol)
    start = np.r_[True, ~same | cut]
    run = np.cumsum(start) - 1  # run index in sorted order
    # the gap across 360° -> 0° closes the circle: join each group's last run to its first run
    first = np.flatnonzero(np.r_[True, ~same])  # first member of each group (sorted order)
    last = np.r_[first[1:] - 1, n - 1]
    wrap_gap = (node[first] + TAU - node[last]) * 0.5 * (s[first] + s[last])
    join = (wrap_gap <= tol) & (run[last] != run[first])
    if np.any(join):
        target = np.arange(run[-1] + 1)
        target[run[last[join]]] = run[first[join]]
        run = target[run]
    labels = np.empty(n, dtype=np.int64)
    labels[order] = np.unique(run, return_inverse=True)[1].ravel()  # 0 .. P-1 in sorted order
    return labels


def infer_planes(inc: np.ndarray, raan: np.ndarray, arg_lat: np.ndarray,
                 tol_deg: float = PLANE_TOLERANCE_DEG) -> tuple[np.ndarray, np.ndarray]:
    """(plane, slot) int arrays (S,) from inclination, node and argument of latitude (rad, (S,)).

    See the module docstring for the rule. Planes are numbered 0 .. P-1 by inclination group
    then node; slots 0 .. n-1 by argument of latitude in [0, 2π) within each plane.
    """
    inc = np.asarray(inc, dtype=float)
    tol = np.radians(tol_deg)
    group = _runs(inc, tol)
    node = np.remainder(np.asarray(raan, dtype=float), TAU)
    plane = _node_runs(group, node, np.sin(inc), tol)
    return plane, slots_in_plane(plane, np.remainder(arg_lat, TAU))


def slots_in_plane(plane: np.ndarray, key: np.ndarray | None = None) -> np.ndarray:
    """Index of each satellite within its plane, in order of ``key`` (default: satellite order)."""
    plane = np.asarray(plane, dtype=np.int64).ravel()
    n = plane.size
    order = (np.argsort(plane, kind="stable") if key is None
             else np.lexsort((np.asarray(key, dtype=float).ravel(), plane)))
    p = plane[order]
    start = np.r_[True, p[1:] != p[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    slot = np.empty(n, dtype=np.int64)
    slot[order] = np.arange(n) - first
    return slot
