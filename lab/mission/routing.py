"""Routes over a shell's laser links: +Grid hop counts in closed form, and the links a shell
can use (:attr:`lab.mission.grid.ShellGeometry.routing`).

:func:`hops` counts the in-plane and cross-plane hops of the shortest path on a Walker +Grid
(ring distance within a plane plus plane steps; in a Walker delta the seam between the last
and the first plane shifts the slots by the phasing F, so both directions around the planes are
tried). :func:`route` follows the kinds of link the shell can use: the whole grid, the ring of
each plane (only the in-plane links are usable: the planes are too far apart), the slot line
(only the cross-plane links: too few satellites per plane), or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from lab.mission.grid import Geometry

__all__ = ["hops", "route"]


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


def route(g: Geometry, src: Any, dst: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in-plane hops, cross-plane hops, reachable) from ``src`` to ``dst`` (one shell) over
    the links the shell can use (:attr:`ShellGeometry.routing`): the +Grid (:func:`hops`),
    the ring of the plane (``dst`` in the same plane), the slot line (same slot, plane to plane;
    across the seam only when the phasing keeps the slot, F = 0), or nothing (``dst == src``).
    Unreachable pairs get 0 hops. Broadcasts like :func:`hops`."""
    dk, dp = hops(g, src, dst)
    code = g.per_shell("routing_code")[g.shell[src]]
    if np.all(code == 0):
        return dk, dp, np.ones(np.shape(dk), dtype=bool)
    same_plane = g.plane[src] == g.plane[dst]
    same_slot = g.slot[src] == g.slot[dst]
    sh = g.shell[src]
    keep_seam = g.per_shell("wrap_planes")[sh] & (g.per_shell("phasing")[sh] == 0)
    dp_line = np.where(keep_seam, dp, np.abs(g.plane[dst] - g.plane[src]))
    reach = np.select([code == 0, code == 1, code == 2],
                      [True, same_plane, same_slot], np.asarray(src) == np.asarray(dst))
    dk = np.where(reach & (code <= 1), dk, 0)
    dp = np.where(reach, np.where(code == 0, dp, np.where(code == 2, dp_line, 0)), 0)
    return dk, dp, reach
