"""Glue to :mod:`lab.orbits`: which satellites, at which epochs (shared by timeline, sizing and
sunlight). :mod:`lab.orbits` is imported lazily, so ``import lab.power`` stays light."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time

from lab._validate import as_time, as_value
from lab.power.core import require_increasing

DEFAULT_STEP = 60.0  # s
DEFAULT_DURATION = 86400.0  # s


def as_constellation(obj: Any):
    """``obj`` (an Orbit, a list of Orbits or a Constellation) as a :class:`Constellation`."""
    from lab.orbits import Constellation, Orbit

    if isinstance(obj, Constellation):
        return obj
    if isinstance(obj, Orbit):
        return Constellation.from_orbits([obj])
    if isinstance(obj, Sequence) and obj and all(isinstance(o, Orbit) for o in obj):
        return Constellation.from_orbits(list(obj))
    raise TypeError(f"orbit must be a lab.orbits Orbit or Constellation (got {type(obj).__name__})")


def orbit_periods(c: Any) -> np.ndarray:
    """Orbital periods in s of every satellite (from the constellation's own attributes)."""
    return np.atleast_1d(np.asarray(c.period.to_value(u.s), dtype=float))


def _is_calendar(times: Any) -> bool:
    """True for astropy Time, ISO strings, datetimes (or nested sequences/arrays of them)."""
    first = times
    while isinstance(first, list | tuple) and first:
        first = first[0]
    if isinstance(first, np.ndarray):
        if first.dtype.kind in "MUS":
            return True
        first = first.flat[0] if first.dtype.kind == "O" and first.size else None
    return isinstance(first, Time | str | bytes | datetime | np.datetime64)


def resolve_times(c: Any, times: Any) -> tuple[Time, np.ndarray]:
    """``(Time (E,), seconds since the first epoch (E,))`` of ``times``.

    ``times``: None (one day from ``c.epoch`` in 60 s steps), a 1-D astropy Time (or ISO
    strings, datetimes) or seconds after ``c.epoch``; ≥ 2 strictly increasing epochs.
    """
    if times is None:
        secs = np.arange(0.0, DEFAULT_DURATION + 0.5 * DEFAULT_STEP, DEFAULT_STEP)
        return c.epoch + secs * u.s, secs
    if _is_calendar(times):
        t = as_time(times, "times")
        if t.ndim > 1:
            raise ValueError(f"times must be 1-D, one value per epoch (got shape {t.shape})")
        t = t.reshape(-1)
        secs = (t - t[0]).to_value(u.s) if t.size else np.zeros(0)
        return t, require_increasing(secs)
    try:
        abs_s = np.atleast_1d(as_value(times, u.s, "times"))
    except TypeError:
        if isinstance(times, u.Quantity):
            raise  # "times must be convertible to s"
        raise TypeError("times must be an astropy Time (1-D), ISO strings or seconds after the "
                        f"orbit epoch (got {times!r})") from None
    abs_s = require_increasing(abs_s)
    return c.epoch + abs_s * u.s, abs_s - abs_s[0]
