"""The ground segment at work: booking antennas (a FIFO queue with k servers per station).

An antenna tracks one satellite at a time. A contact (slew onto the satellite, acquire and lock
the link, send) holds one antenna of its station; a request that finds every antenna of its
station busy waits. With ``k`` antennas a station is a first-come-first-served queue with ``k``
servers, solved here without a loop over requests:

- :func:`fifo_wait`: one server per id, Lindley's recursion in closed form with cumulative sums
  (``finish_i = C_i + max_{j<=i}(ready_j - C_{j-1})``, ``C`` the running sum of service times);
- :func:`assign_antennas`: the ``i``-th request of a station (in order of arrival) takes antenna
  ``i mod k`` (cyclic assignment);
- :func:`book_antennas`: both together, the waits of a k-server FIFO per station.

Cyclic assignment is **exact** when every request holds its antenna equally long (then the
antenna that frees first is always the one taken k requests earlier; tests/test_links.py checks
it against a reference simulation loop). With one antenna it is Lindley's recursion for any hold
times. With unequal holds and several antennas it is an approximation (a request may wait longer
or shorter than under the earliest-free rule). :mod:`lab.mission` books antennas for the
transmission of prompts, which is equally long for prompts of the same size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lab._validate import check_int

__all__ = ["assign_antennas", "book_antennas", "fifo_wait"]


def fifo_wait(server: np.ndarray, ready: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Queueing delay of a FIFO per server (Lindley's recursion, closed form with cumsums).

    ``server`` (N,) int ids, ``ready`` (N,) arrival times at the server, ``service`` (N,) s.
    finish_i = C_i + max_{j<=i}(ready_j - C_{j-1}) within each server, C = cumsum(service).
    A request that finds its server free waits exactly 0 (rounding noise of the sums, below a
    nanosecond per second of the times, is dropped).
    """
    n = ready.size
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((ready, server))
    sv, r, s = server[order], ready[order], service[order]
    start_grp = np.r_[True, sv[1:] != sv[:-1]]
    csum = np.cumsum(s)
    grp_id = np.cumsum(start_grp) - 1
    base = (csum - s)[start_grp][grp_id]  # cumsum before the group's first request
    c = csum - base  # within-group cumsum including i
    c_prev = c - s
    key = r - c_prev
    span = float(np.ptp(key)) + float(np.abs(key).max()) + 1.0
    shifted = key + grp_id * span * 4  # keeps groups apart for one global running maximum
    run = np.maximum.accumulate(shifted) - grp_id * span * 4
    finish = c + run
    wait = finish - s - r
    out = np.empty(n)
    # the cumulative sums leave rounding noise (~1e-11 s) where a request finds the server
    # free: that is no wait (a caller may tell "waited" from "did not" by wait > 0)
    out[order] = np.where(wait > 1e-9 * (np.abs(r) + np.abs(c) + 1.0), wait, 0.0)
    return out


def _antenna_counts(station: np.ndarray, antennas: Any) -> np.ndarray:
    """(N,) number of antennas of each request's station; ``antennas`` per station (St,)."""
    k = np.asarray(antennas)
    if k.ndim != 1 or k.size == 0:
        raise ValueError(f"antennas must list the antennas of every station (got {antennas!r})")
    for i, n in enumerate(k.tolist()):
        check_int(n, f"antennas of station {i}", lo=1)
    if station.size and (station.min() < 0 or station.max() >= k.size):
        raise ValueError(f"station indices must be in [0, {k.size - 1}] (got "
                         f"{int(station.min())}..{int(station.max())})")
    return k.astype(np.int64)[station]


def assign_antennas(station: np.ndarray, ready: np.ndarray, antennas: Any) -> np.ndarray:
    """Antenna (0 .. k-1) of each request: cyclic over the station's requests in ``ready`` order.

    ``station`` (N,) int index into ``antennas`` (St,), the antenna count of every station.
    """
    station = np.asarray(station, dtype=np.int64)
    k = _antenna_counts(station, antennas)
    if station.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((ready, station))
    st = station[order]
    first = np.r_[True, st[1:] != st[:-1]]
    start = np.flatnonzero(first)
    rank = np.arange(st.size) - np.repeat(start, np.diff(np.r_[start, st.size]))
    out = np.empty(st.size, dtype=np.int64)
    out[order] = rank % k[order]
    return out


def book_antennas(station: np.ndarray, ready: np.ndarray, hold: np.ndarray, antennas: Any,
                  antenna: np.ndarray | None = None) -> np.ndarray:
    """Waits (s) for a free antenna: a FIFO queue with ``antennas[s]`` servers per station ``s``.

    ``station`` (N,) station index of each request, ``ready`` (N,) s when it could start, ``hold``
    (N,) s it keeps the antenna (e.g. the transmission of a prompt). ``antenna`` (N,): the
    assignment (default :func:`assign_antennas`, cyclic: exact for equal hold times and for one
    antenna; see the module docstring).
    """
    station = np.asarray(station, dtype=np.int64)
    ready = np.asarray(ready, dtype=float)
    hold = np.asarray(hold, dtype=float)
    if np.any(hold < 0):
        raise ValueError(f"hold must be >= 0 s (got {float(hold.min()):g} s)")
    if antenna is None:
        antenna = assign_antennas(station, ready, antennas)
    k_max = int(np.max(antennas)) if station.size else 1
    return fifo_wait(station * k_max + antenna, ready, hold)
