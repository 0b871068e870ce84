"""Epoch handling shared by Orbit and Constellation."""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.time import Time, TimeDelta

from lab._validate import as_time, as_value

__all__ = ["DEFAULT_EPOCH", "time_grid", "resolve_times"]

#: The lab's default epoch: launch of the ADA Space Three-Body constellation (UTC).
DEFAULT_EPOCH = Time("2025-05-14T04:12:00", scale="utc")


def time_grid(start=None, duration=86400.0, step=30.0) -> Time:
    """Evenly spaced epochs: ``start`` (default DEFAULT_EPOCH), ``duration`` and ``step`` in s.

    Returns a 1-D astropy Time with ``floor(duration / step) + 1`` epochs (both ends included
    when ``step`` divides ``duration``).
    """
    t0 = DEFAULT_EPOCH if start is None else as_time(start, "start")
    dur = as_value(duration, u.s, "duration", lo=0.0)
    st = as_value(step, u.s, "step", lo=0.0, lo_inclusive=False)
    n = int(np.floor(dur / st + 1e-9)) + 1
    return t0 + TimeDelta(np.arange(n) * st, format="sec")


def resolve_times(times, epoch: Time) -> tuple[np.ndarray, Time, bool]:
    """(seconds after ``epoch`` (E,), the epochs as Time (E,), was-scalar flag).

    ``times``: astropy Time (scalar or 1-D), an ISO string, or seconds after ``epoch`` given as a
    number, array or time Quantity.
    """
    if isinstance(times, Time) or isinstance(times, str):
        t = as_time(times, "times")
        scalar = t.isscalar
        t = t.reshape((1,)) if scalar else t.ravel()
        sec = np.asarray((t - epoch).to_value(u.s), dtype=float)
        return sec, t, scalar
    sec = as_value(times, u.s, "times")
    arr = np.atleast_1d(np.asarray(sec, dtype=float))
    scalar = np.ndim(sec) == 0
    arr = arr.ravel()
    return arr, epoch + TimeDelta(arr, format="sec"), scalar
