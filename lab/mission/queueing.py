"""Vectorized building blocks of the response model: next contacts and FIFO queues.

Each works on whole arrays of requests at once (no Python loop over requests or epochs) and is
unit-tested against hand calculations and the textbook recursion:

- :func:`next_true_index`: first True at or after each position of a periodic sequence
  (a reverse cumulative minimum);
- :func:`next_contact`: earliest time at which a sampled, periodic elevation margin is >= 0,
  interpolating the zero crossing between samples;
- :func:`fifo_wait`: queueing delay of a FIFO per server, Lindley's recursion in closed form
  with cumulative sums (it lives in :mod:`lab.links.ground`, which also books the ground
  stations' antennas with it: :func:`lab.links.ground.book_antennas`).
"""

from __future__ import annotations

import numpy as np

from lab.links.ground import fifo_wait

__all__ = ["NEVER", "fifo_wait", "next_contact", "next_true_index"]

NEVER = np.iinfo(np.int64).max // 4  # index meaning "never" (and a cost meaning "unreachable")


def next_true_index(mask: np.ndarray) -> np.ndarray:
    """For a boolean array (..., E), the index of the first True at or after each position,
    over the periodic sequence repeated twice (length 2E); ``NEVER`` if never True."""
    m2 = np.concatenate([mask, mask], axis=-1)
    idx = np.where(m2, np.arange(m2.shape[-1]), NEVER)
    return np.flip(np.minimum.accumulate(np.flip(idx, -1), axis=-1), -1)


def next_contact(margin: np.ndarray, t: np.ndarray, dt: float,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Earliest time >= t (s) at which ``margin`` (periodic, sampled every dt) is >= 0.

    ``margin`` is (E,), or (R, E) with ``rows`` (N,) choosing the row of each request. Between
    samples the margin is interpolated linearly, so a pass starts at the zero crossing, not at
    the next grid point. Returns (time in s, may exceed the day; inf if never) and the grid
    index (unwrapped) of the first sample inside the pass.
    """
    m = np.atleast_2d(np.asarray(margin, dtype=float))
    E = m.shape[-1]
    r = np.zeros(np.shape(t), dtype=np.int64) if rows is None else np.asarray(rows)
    m2 = np.concatenate([m, m], axis=-1)
    nxt = next_true_index(m >= 0)
    k = np.floor(t / dt).astype(np.int64)
    frac = t / dt - k
    k = k % E
    m_now = m2[r, k] * (1 - frac) + m2[r, k + 1] * frac
    now = m_now >= 0
    j = nxt[r, np.minimum(k + 1, 2 * E - 1)]
    never = j >= NEVER
    jj = np.where(never, 1, j)
    m_prev, m_at = m2[r, jj - 1], m2[r, jj]
    cross = (jj - 1) * dt + dt * (-m_prev) / np.where(m_at > m_prev, m_at - m_prev, 1.0)
    day_shift = np.floor(t / dt / E) * E * dt
    tc = np.where(now, t, np.maximum(cross + day_shift, t))
    tc = np.where(never & ~now, np.inf, tc)
    j_now = np.where(m2[r, k + 1] > m2[r, k], k + 1, k)
    jout = np.where(now, j_now, jj) + (day_shift / dt).astype(np.int64)
    return tc, jout
