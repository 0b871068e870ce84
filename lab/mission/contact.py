"""The ground segment in the response model: booking an antenna, slewing, acquiring and locking.

A request whose contact satellite is in view of a station needs one of that station's antennas
(:attr:`lab.links.GroundStation.antennas`; an antenna tracks one satellite at a time):

- **tracking**: a station keeps the satellite it tracks for as long as that satellite stays in
  view (its contact: :meth:`Geometry.contact_bounds`); requests
  during the contact use it. When it has set, the next request takes the best satellite in view
  then (:func:`sticky_contacts`). Switching to every newly risen, higher satellite would cost an
  acquisition each time and make large constellations slower, not faster;
- **acquisition**: the first request of a contact pays for the antenna to slew onto the
  satellite (:attr:`lab.links.GroundStation.slew_s`) and for the link to acquire and lock (the
  uplink band's :attr:`lab.links.LinkBudget.acquisition_s`); the others of the contact wait for
  the rest of that lock, if any (the acquisition term). The number of contacts does not depend
  on the number of antennas, so more antennas never add acquisitions;
- **booking**: once the contact is locked, each prompt holds an antenna of the station for its
  transmission; the station's antennas are a first-come-first-served queue with k servers
  (:func:`lab.links.book_antennas`; prompts of one size hold an antenna equally long, for which
  the cyclic assignment is exact). With one antenna prompts queue behind each other; with more,
  they go up in parallel. A request stays with its contact's station: it does not move to
  another station in view (a real scheduler could), so waits are an upper bound where stations
  overlap;
- the **downlink** is not booked (it rides on the contact's antenna; an approximation): an
  answer that is ready while its prompt's contact still runs comes down that contact and pays
  the downlink band's lock only; otherwise it comes down the best contact later, plus a slew.

Everything is vectorized over requests (sorting, searches, cumulative maxima and pointer
doubling along each antenna's chain of contacts: no loop over requests or passes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lab.links import book_antennas
from lab.mission.grid import Geometry

if TYPE_CHECKING:
    from lab.mission.steps import Context, RequestState

__all__ = ["book_and_acquire", "choose_contacts", "downlink_acquisition", "sticky_contacts",
           "track_end_time", "track_of"]

_DAY_TRACKS = np.int64(1) << 20  # > samples in a day: keeps days apart in a track key


def track_of(g: Geometry, sat: np.ndarray, index: np.ndarray, with_end: bool = False) -> Any:
    """Contact key of satellites ``sat`` at unwrapped grid indices ``index``: the satellite and
    the first sample of its current contact with its best station (-1: not in view); with
    ``with_end`` also the contact's end time (:func:`track_end_time`)."""
    E = g.t.size
    start, end = g.contact_bounds(sat, index % E)
    start = start.astype(np.int64)
    day = index // E
    key = np.where(start >= 0, (sat.astype(np.int64) * 64 + day % 64) * _DAY_TRACKS + start, -1)
    if not with_end:
        return key
    return key, _end_time(g, end, index)


def track_end_time(g: Geometry, sat: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Time (s after the epoch, unwrapped like ``index``) at which the contact of satellites
    ``sat`` at grid indices ``index`` ends: half a step after its last sample in view (the
    index itself when the satellite is in view of no station)."""
    return _end_time(g, g.contact_bounds(sat, index % g.t.size)[1], index)


def _end_time(g: Geometry, end: np.ndarray, index: np.ndarray) -> np.ndarray:
    """End time (s, unwrapped like ``index``) of contacts whose last sample is ``end``."""
    E = g.t.size
    end = end.astype(np.int64)
    end = np.where(end >= 0, end + (index // E) * E, index)
    return (end + 0.5) * g.dt


def _on_chains(nxt: np.ndarray, first: np.ndarray) -> np.ndarray:
    """(N,) bool: the positions on the chains ``first -> nxt[first] -> ...`` (``nxt`` (N,) the
    next position of each, N for none; ``first`` (G,) the start of every chain). Pointer
    doubling: each round doubles the known part of every chain (log2 N rounds)."""
    n = nxt.size
    jump = np.append(nxt, n)  # position n (none) maps to itself
    x = first[:, None]
    while True:
        y = jump[x]  # positions L .. 2L-1 of every chain (jump = nxt^L)
        if np.all(y == n):
            break
        x = np.concatenate([x, y], axis=1)
        jump = jump[jump]
    on = np.zeros(n + 1, dtype=bool)
    on[x] = True
    return on[:n]


def sticky_contacts(server: np.ndarray, ready: np.ndarray, best: np.ndarray,
                    end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The satellite each request uses and the first request of its contact.

    ``server`` (N,) station id, ``ready`` (N,) s, ``best`` (N,) the best satellite in view at
    that time, ``end`` (N,) s when that satellite's contact ends. A station keeps its satellite
    while the contact runs; the first request after the end takes its own best satellite (a new
    contact). Returns (satellite (N,), index of the contact's first request (N,); a request
    with ``first[i] == i`` starts a new contact).
    """
    n = ready.size
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((ready, server))
    sv, t = server[order], ready[order]
    first = np.r_[True, sv[1:] != sv[:-1]]
    span = float(max(np.ptp(t), np.max(end) - np.min(t))) + 1.0
    group = np.cumsum(first) - 1
    key = group * span * 4 + (t - t.min())
    end_key = group * span * 4 + (end[order] - t.min())
    nxt = np.searchsorted(key, end_key, side="right")  # first request after the contact ends
    group_end = np.repeat(np.flatnonzero(np.r_[first[1:], True]) + 1, np.bincount(group))
    nxt = np.where(nxt < group_end, np.maximum(nxt, np.arange(n) + 1), n)
    new = _on_chains(nxt, np.flatnonzero(first))
    last_new = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    sat = np.empty(n, dtype=np.int64)
    head = np.empty(n, dtype=np.int64)
    sat[order] = best[order][last_new]
    head[order] = order[last_new]
    return sat, head


def choose_contacts(g: Geometry, station: np.ndarray, ready: np.ndarray, best: np.ndarray,
                    index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Satellite and first request of the contact of requests in contact at ``ready`` (s,
    finite) at grid ``index`` via ``station``, whose best satellite in view is ``best``: each
    station keeps its satellite while it is in view (:func:`sticky_contacts`)."""
    return sticky_contacts(station, ready, best, track_end_time(g, best, index))


def book_and_acquire(station: np.ndarray, ready: np.ndarray, head: np.ndarray,
                     transmit: np.ndarray, antennas: np.ndarray, slew: np.ndarray,
                     acquisition_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(booking, acquisition) in s of requests ready at ``ready`` (s) at ``station`` (index into
    ``antennas``/``slew``) whose contact starts with request ``head`` (:func:`choose_contacts`).

    The first request of a contact slews and acquires (``slew[station] + acquisition_s``); the
    others wait for the rest of that lock. Then each holds an antenna for its ``transmit`` s:
    the antennas are a FIFO queue (:func:`lab.links.book_antennas`).
    """
    first = head == np.arange(head.size)
    acq_first = np.where(first, slew[station] + acquisition_s, 0.0)
    locked = (ready + acq_first)[head]  # when the contact's link is up
    acquisition = np.maximum(locked - ready, 0.0)
    booking = book_antennas(station, ready + acquisition, transmit, antennas)
    return booking, acquisition


def downlink_acquisition(ctx: Context, req: RequestState) -> np.ndarray:
    """Acquisition (s) before each answer comes down: the downlink band's lock, plus the slew of
    the downlink station when the answer comes down through another contact than the prompt
    went up (0 for requests that never reach the ground: inf there)."""
    g = ctx.g
    e = req.downlink_index % g.t.size
    station = g.station_at(req.downlink_sat, e).astype(np.int64)
    same = ((req.downlink_sat == req.contact_sat) & (station == req.station)
            & (track_of(g, req.downlink_sat, req.downlink_index) == req.track))
    acq = ctx.down.acquisition_s + np.where(same, 0.0, ctx.slew[station])
    return np.where(np.isfinite(req.downlink_time), acq, 0.0)
