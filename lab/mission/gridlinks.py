"""The laser links of a shell on the time grid: their mean lengths and which kinds are usable.

The response model routes over a shell's +Grid (:func:`lab.mission.grid.hops`): two in-plane
neighbours and one satellite in each adjacent plane. Its hop lengths are the mean in-plane and
cross-plane link lengths over the day, and each **kind** of link is usable on its own when its
links are up (:class:`lab.links.ISLRules`: range, grazing height) at least
:data:`USABLE_SHARE` of the time. A shell whose planes are far apart (a few planes spread
around the Earth) keeps its in-plane ring, always in range, and routes around it; a shell with
few satellites per plane (in-plane links through the Earth) may still link plane to plane.

The links' pairs: for a Walker delta shell whose phasing is under half a plane's shift
(``2 F < P``: every preset and every shell :func:`lab.mission.configure` makes), the
cross-plane partner of slot k is slot k of the next plane, and across the seam slot k + F:
exactly the pairs :func:`lab.links.isl_pairs` chooses (its nearest-in-argument-of-latitude
rule, tested equal), built here in closed form because the general rule compares every pair
of satellites of two planes (O(S^1.5) for a growing shell: seconds at 30,000 satellites).
Other shells (Walker star and band patterns, high phasing, clusters' neighbours, real
satellites) use :func:`lab.links.isl_pairs` itself.

The lengths reuse the positions already computed on the grid, sampled every ~30 minutes
(:data:`ISL_SAMPLE_S`); the link states come from :func:`lab.links.isl_state_from_positions`
a chunk of pairs at a time (bounded temporaries), into one (pairs, samples) array, so the means
are those of the whole array.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from lab.links import ISLRules, isl_pairs, isl_state_from_positions
from lab.mission.scenario import Shell
from lab.orbits import Constellation

__all__ = ["ISL_SAMPLE_S", "USABLE_SHARE", "LinkKinds", "isl_kinds", "isl_sample_step",
           "walker_grid_pairs"]

ISL_SAMPLE_S = 1800.0  # s: the link lengths are averaged over samples ~30 minutes apart
USABLE_SHARE = 0.9  # a kind of link is usable when its links are up this share of the time
_PAIR_CHUNK = 4096  # pairs whose states are computed at once (bounds the temporaries)


class LinkKinds(NamedTuple):
    """Mean link lengths (km) of a shell over the day and whether each kind is usable."""

    hop_in: float
    hop_cross: float
    in_plane_ok: bool
    cross_plane_ok: bool


def isl_sample_step(n_epochs: int, dt: float) -> int:
    """Every how many grid samples the link lengths are sampled (~:data:`ISL_SAMPLE_S`)."""
    return max(1, int(round(ISL_SAMPLE_S / dt))) if n_epochs > 1 else 1


def walker_grid_pairs(s: Shell) -> tuple[np.ndarray, np.ndarray] | None:
    """The +Grid pairs (P, 2) of Walker delta shell ``s`` (satellite k of plane p is index
    ``p * slots + k``) and their kind (True: cross-plane), in the order of
    :func:`lab.links.isl_pairs`; None when the closed form does not apply (see the module
    docstring)."""
    P, n = s.planes, s.total
    if s.kind != "walker" or s.raan_spread < 360 or 2 * s.phasing >= P:
        return None
    q = n // P
    base = np.arange(P)[:, None] * q
    k = np.arange(q)[None, :]
    if q >= 3:
        intra = np.stack([(base + k).ravel(), (base + (k + 1) % q).ravel()], axis=1)
    elif q == 2:
        intra = np.stack([base[:, 0], base[:, 0] + 1], axis=1)
    else:
        intra = np.zeros((0, 2), dtype=np.int64)
    cross = np.zeros((0, 2), dtype=np.int64)
    if P >= 2:
        cross = np.stack([(base[:-1] + k).ravel(), (base[1:] + k).ravel()], axis=1)
        if P >= 3:  # the seam of a Walker delta co-rotates: slot k -> slot k + F of plane 0
            seam = np.stack([(base[-1] + k).ravel(), ((k + s.phasing) % q).ravel()], axis=1)
            cross = np.concatenate([cross, seam])
    pairs = np.concatenate([intra, cross]).astype(np.int64)
    kind = np.r_[np.zeros(len(intra), bool), np.ones(len(cross), bool)]
    return pairs, kind


def _pairs(s: Shell, c: Constellation) -> tuple[np.ndarray, np.ndarray]:
    closed = walker_grid_pairs(s)
    return closed if closed is not None else isl_pairs(c, "+grid", return_kind=True)


def isl_kinds(s: Shell, c: Constellation, samples: np.ndarray, rules: ISLRules) -> LinkKinds:
    """Mean in-plane and cross-plane +Grid link lengths (km) of shell ``s`` (its
    constellation ``c``) over the day and whether each kind is usable (up at least
    :data:`USABLE_SHARE` of the time; a kind the shell has no links of counts as usable).
    ``samples`` (S, k, 3) km: the shell's positions at the sampled epochs."""
    pairs, cross = _pairs(s, c)
    if not pairs.size:
        return LinkKinds(0.0, 0.0, True, True)
    distance = np.empty((len(pairs), samples.shape[1]))
    up = np.empty((len(pairs), samples.shape[1]), dtype=bool)
    for i in range(0, len(pairs), _PAIR_CHUNK):  # loop over chunks of pairs
        st = isl_state_from_positions(samples, pairs[i:i + _PAIR_CHUNK],
                                      cross[i:i + _PAIR_CHUNK], rules)
        distance[i:i + _PAIR_CHUNK], up[i:i + _PAIR_CHUNK] = st.distance, st.up
    lengths, ok = [], []
    for kind in (False, True):
        sel = cross == kind
        lengths.append(float(distance[sel].mean()) if sel.any() else 0.0)
        ok.append((not sel.any()) or bool(up[sel].mean() >= USABLE_SHARE))
    return LinkKinds(lengths[0], lengths[1], ok[0], ok[1])
