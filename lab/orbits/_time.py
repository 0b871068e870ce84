"""Epochs and time intervals shared by Orbit and Constellation.

Inside the propagators time is float seconds of TAI (= SI seconds on the geoid, the rate of TT)
after an epoch. Intervals are therefore always measured between the two instants in TAI,
whatever scale the user's ``Time`` is in (UTC, TT, TDB, TCG ...), and seconds are added back to
an epoch in TAI too: measuring in the given scale (TDB, TCG) and adding the number back as TAI
seconds would land milliseconds off the instant asked for. Spans are limited to
:data:`MAX_SPAN_S` (a century) either side of the epoch: the secular models, the TLEs and the
Earth-orientation tables mean nothing beyond, and far dates fail deep inside ERFA.
"""

from __future__ import annotations

import numpy as np
from astropy import units as u
from astropy.time import Time, TimeDelta

from lab._validate import as_time, as_times, as_value, check_memory

__all__ = [
    "DEFAULT_EPOCH",
    "MAX_SPAN_S",
    "add_seconds",
    "resolve_dt",
    "resolve_times",
    "seconds_between",
    "time_grid",
]

#: The lab's default epoch: launch of the ADA Space Three-Body constellation (UTC).
DEFAULT_EPOCH = Time("2025-05-14T04:12:00", scale="utc")

#: Largest propagation span either side of an epoch (s): 100 Julian years.
MAX_SPAN_S = 100 * 365.25 * 86400.0

#: Peak bytes per epoch of an astropy Time array and its scale conversions (estimate).
TIME_BYTES_PER_EPOCH = 160


def time_grid(start=None, duration=86400.0, step=30.0) -> Time:
    """Evenly spaced epochs: ``start`` (default DEFAULT_EPOCH), ``duration`` and ``step`` in s.

    Returns a 1-D astropy Time with ``floor(duration / step) + 1`` epochs (both ends included
    when ``step`` divides ``duration``).
    """
    t0 = DEFAULT_EPOCH if start is None else as_time(start, "start")
    dur = as_value(duration, u.s, "duration", lo=0.0, hi=MAX_SPAN_S)
    st = as_value(step, u.s, "step", lo=0.0, lo_inclusive=False)
    n = int(np.floor(dur / st + 1e-9)) + 1
    check_memory(n * TIME_BYTES_PER_EPOCH, f"time_grid of {n:,} epochs", keyword=None)
    return add_seconds(t0, np.arange(n) * st)


def seconds_between(t: Time, epoch: Time) -> np.ndarray | float:
    """SI seconds from ``epoch`` to ``t`` (either may be in any time scale), measured in TAI."""
    return (t.tai - epoch.tai).to_value(u.s)


def add_seconds(epoch: Time, sec) -> Time:
    """``epoch`` plus ``sec`` SI seconds (TAI), returned in the epoch's own time scale."""
    out = epoch.tai + TimeDelta(sec, format="sec", scale="tai")
    return out if epoch.scale == "tai" else getattr(out, epoch.scale)


def _check_span(sec, name: str) -> None:
    big = np.abs(np.asarray(sec, dtype=float)) > MAX_SPAN_S
    if np.any(big):
        worst = float(np.asarray(sec, dtype=float)[big].flat[0])
        raise ValueError(
            f"{name} must lie within ±{MAX_SPAN_S:.4g} s (100 years) of the epoch "
            f"(got {worst:g} s)"
        )


def resolve_times(times, epoch: Time) -> tuple[np.ndarray, Time, bool]:
    """(seconds after ``epoch`` (E,), the epochs as Time (E,), was-scalar flag).

    ``times``: astropy Time (scalar or 1-D, any scale), an ISO string, or seconds after ``epoch``
    given as a number, 1-D array or time Quantity. Raises ``ValueError`` for an empty or 2-D
    ``times`` and for epochs more than 100 years from ``epoch``.
    """
    if isinstance(times, Time | str):
        scalar = isinstance(times, str) or times.isscalar
        t = as_times(times, "times")
        sec = np.asarray(seconds_between(t, epoch), dtype=float)
        _check_span(sec, "times")
        return sec, t, scalar
    sec = as_value(times, u.s, "times")
    if np.ndim(sec) > 1:
        raise ValueError(
            f"times must be a number or a 1-D array of seconds (got shape {np.shape(sec)})"
        )
    arr = np.atleast_1d(np.asarray(sec, dtype=float))
    if arr.size == 0:
        raise ValueError("times must contain at least 1 epoch (got an empty array)")
    _check_span(arr, "times")
    return arr, add_seconds(epoch, arr), np.ndim(sec) == 0


def resolve_dt(dt, epoch: Time) -> tuple[float, Time]:
    """(seconds after ``epoch``, the new epoch) for one step ``dt``: seconds, a time Quantity,
    or a target Time/ISO string in any scale (the new epoch is then that instant, in the
    scale of ``epoch``)."""
    if isinstance(dt, Time | str):
        t = as_time(dt, "dt")
        if not t.isscalar:
            raise TypeError("dt must be a single time or a scalar (use positions() for many epochs)")
        sec = float(seconds_between(t, epoch))
        _check_span(sec, "dt")
        return sec, t if t.scale == epoch.scale else getattr(t, epoch.scale)
    sec = as_value(dt, u.s, "dt")
    if np.ndim(sec) != 0:
        raise TypeError("dt must be a scalar (use positions() for many epochs)")
    _check_span(sec, "dt")
    return float(sec), add_seconds(epoch, sec)
