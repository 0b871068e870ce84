"""Input checking shared by every module: one place that turns bad input into a clear error.

Every public function of the lab accepts astropy Quantities or plain numbers (read in the
documented default unit). ``as_value`` converts either to a plain float / ndarray and checks
the allowed range, so an error always names the parameter, the range and the value received.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time

__all__ = [
    "as_value",
    "as_time",
    "as_times",
    "check_choice",
    "check_int",
    "check_memory",
    "check_runtime",
    "MemoryLimitError",
    "memory_limit_gb",
    "runtime_limit_s",
]


def _fmt(x: Any) -> str:
    arr = np.asarray(x)
    if arr.ndim == 0:
        return f"{float(arr):g}"
    return np.array2string(arr, threshold=6, precision=6)


def as_value(
    value: Any,
    unit: u.UnitBase | str,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_inclusive: bool = True,
    hi_inclusive: bool = True,
    allow_nan: bool = False,
) -> float | np.ndarray:
    """Return ``value`` as a plain float (scalar) or float64 array in ``unit``.

    ``value`` may be an astropy Quantity (any convertible unit) or a plain number/array, which is
    read in ``unit``. Raises ``TypeError`` for non-numeric input or incompatible units and
    ``ValueError`` for NaN/inf or values outside ``[lo, hi]`` (bounds in ``unit``).
    """
    unit = _unit(unit)
    if isinstance(value, u.Quantity):
        try:
            arr = value.to_value(unit)
        except u.UnitConversionError as exc:
            raise TypeError(
                f"{name} must be convertible to {unit} (got a quantity in {value.unit})"
            ) from exc
    elif isinstance(value, float | int) and not isinstance(value, bool):
        arr = float(value)  # the common case, kept cheap: no array, no unit text
    else:
        if isinstance(value, str | bytes) or value is None:
            raise TypeError(f"{name} must be {_expected(unit)} (got {value!r})")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be {_expected(unit)} (got {value!r})"
            ) from exc
    arr = np.asarray(arr, dtype=float)
    if not allow_nan and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (got {_fmt(arr)}{_unit_text(unit)})")
    finite = arr[np.isfinite(arr)] if allow_nan else arr
    if lo is not None and np.any(finite < lo if lo_inclusive else finite <= lo):
        op = "≥" if lo_inclusive else ">"
        _raise_range(name, arr, unit, f"{op} {lo:g}" if hi is None else None, lo, hi,
                     lo_inclusive, hi_inclusive)
    if hi is not None and np.any(finite > hi if hi_inclusive else finite >= hi):
        op = "≤" if hi_inclusive else "<"
        _raise_range(name, arr, unit, f"{op} {hi:g}" if lo is None else None, lo, hi,
                     lo_inclusive, hi_inclusive)
    return float(arr) if arr.ndim == 0 else arr


@lru_cache(maxsize=256)
def _unit(unit: u.UnitBase | str) -> u.UnitBase:
    """``astropy.units.Unit(unit)``, parsed once per spelling (as_value runs in hot loops)."""
    return u.Unit(unit)


def _unit_text(unit: u.UnitBase) -> str:
    return "" if unit == u.dimensionless_unscaled else f" {unit}"


def _raise_range(name: str, arr: np.ndarray, unit: u.UnitBase, one_sided: str | None,
                 lo: float | None, hi: float | None, lo_inc: bool, hi_inc: bool) -> None:
    """The ValueError of a value outside its range (text built only when raising)."""
    unit_s = _unit_text(unit)
    rng = f"{one_sided}{unit_s}" if one_sided else _range(lo, hi, lo_inc, hi_inc, unit_s)
    raise ValueError(f"{name} must be {rng} (got {_fmt(arr)}{unit_s})")


def _expected(unit: u.UnitBase) -> str:
    """What a value of ``unit`` may be given as, for error messages."""
    if unit == u.dimensionless_unscaled:
        return "a number"
    return f"a number (read in {unit}) or an astropy Quantity convertible to {unit}"


def _range(lo: float, hi: float, lo_inc: bool, hi_inc: bool, unit_s: str) -> str:
    return f"in {'[' if lo_inc else '('}{lo:g}, {hi:g}{']' if hi_inc else ')'}{unit_s}"


def as_time(value: Any, name: str = "time") -> Time:
    """Return ``value`` as an astropy ``Time`` (UTC); accepts Time, ISO strings, datetimes."""
    if isinstance(value, Time):
        return value
    try:
        return Time(value, scale="utc")
    except Exception as exc:  # astropy raises several types here
        raise TypeError(
            f"{name} must be an astropy Time, an ISO string like '2025-05-14T04:12:00' "
            f"or a datetime (got {value!r})"
        ) from exc


def as_times(value: Any, name: str = "times") -> Time:
    """Return ``value`` as a 1-D astropy ``Time`` with at least one epoch (a scalar -> 1 epoch).

    Raises ``ValueError`` for an empty array or more than one dimension (instead of flattening).
    """
    t = as_time(value, name)
    if t.ndim > 1:
        raise ValueError(f"{name} must be a single time or a 1-D array of times (got shape {t.shape})")
    t = t.reshape((1,)) if t.isscalar else t
    if t.size == 0:
        raise ValueError(f"{name} must contain at least 1 epoch (got an empty array)")
    return t


def check_choice(value: Any, choices: Iterable[Any], name: str) -> Any:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))} (got {value!r})")
    return value


def check_int(value: Any, name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an int, checking that it is integral and within ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer (got {value!r})")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is None:
            raise ValueError(f"{name} must be an integer ≥ {lo} (got {value})")
        if lo is None:
            raise ValueError(f"{name} must be an integer ≤ {hi} (got {value})")
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}] (got {value})")
    return value


# ------------------------------------------------------------------------------------------
# Resource guards: estimate before allocating, refuse with the estimate and the limit
# ------------------------------------------------------------------------------------------

MEMORY_ENV = "LAB_MAX_MEMORY_GB"
RUNTIME_ENV = "LAB_MAX_RUNTIME_S"
DEFAULT_MAX_RUNTIME_S = 600.0
DEFAULT_MAX_MEMORY_GB = 4.0


class MemoryLimitError(MemoryError, ValueError):
    """A computation would need more memory than the budget (:func:`check_memory`)."""


def _env_limit(var: str) -> float | None:
    raw = os.environ.get(var)
    if raw is None or not raw.strip():
        return None
    try:
        val = float(raw)
    except ValueError:
        raise ValueError(f"environment variable {var} must be a number > 0 (got {raw!r})") from None
    if np.isnan(val) or val <= 0:
        raise ValueError(f"environment variable {var} must be a number > 0, or inf "
                         f"(got {raw!r})")
    return val


def memory_limit_gb(limit_gb: Any = None) -> tuple[float, str]:
    """(memory budget in GB, where it came from): ``limit_gb``, else the environment variable
    ``LAB_MAX_MEMORY_GB``, else :data:`DEFAULT_MAX_MEMORY_GB` (4 GB). ``inf`` switches the
    guard off."""
    if limit_gb is not None:
        gb = as_value(limit_gb, u.GB, "max_memory_gb", lo=0, lo_inclusive=False, allow_nan=True)
        if not gb > 0:  # nan passes the range check with allow_nan (which lets inf through)
            raise ValueError(f"max_memory_gb must be a number of GB > 0, or inf (got {gb})")
        return float(gb), "max_memory_gb"
    env = _env_limit(MEMORY_ENV)
    if env is not None:
        return env, MEMORY_ENV
    return DEFAULT_MAX_MEMORY_GB, f"default {DEFAULT_MAX_MEMORY_GB:g} GB"


def runtime_limit_s(limit_s: Any = None) -> tuple[float, str]:
    """(run-time budget in s, where it came from): ``limit_s``, else the environment variable
    ``LAB_MAX_RUNTIME_S``, else 600 s."""
    if limit_s is not None:
        return as_value(limit_s, "s", "max_runtime_s", lo=0, lo_inclusive=False), "max_runtime_s"
    env = _env_limit(RUNTIME_ENV)
    if env is not None:
        return env, RUNTIME_ENV
    return DEFAULT_MAX_RUNTIME_S, "default"


def _fmt_bytes(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def _fmt_seconds(s: float) -> str:
    if s >= 86400:
        return f"{s / 86400:.3g} days"
    if s >= 3600:
        return f"{s / 3600:.3g} h"
    if s >= 60:
        return f"{s / 60:.3g} min"
    return f"{s:.3g} s"


def _how_to_raise(keyword: str | None, env: str) -> str:
    return (f"{keyword}=... or the environment variable {env}" if keyword
            else f"the environment variable {env}")


def check_memory(nbytes: float, what: str, limit_gb: Any = None, *,
                 keyword: str | None = "max_memory_gb") -> float:
    """Refuse to allocate about ``nbytes`` bytes for ``what`` when that is above the budget.

    The budget is ``limit_gb`` (GB) if given, else ``$LAB_MAX_MEMORY_GB``, else half the physical
    memory. Raises ``ValueError`` with the estimate, the limit and how to raise it (the caller's
    ``keyword``, None if it has none, and the environment variable); returns ``nbytes``
    otherwise. Call it *before* allocating, with an estimate of the peak.
    """
    limit, source = memory_limit_gb(limit_gb)
    if nbytes > limit * 1e9:
        raise MemoryLimitError(
            f"{what} would need about {_fmt_bytes(nbytes)} of memory, above the limit of "
            f"{_fmt_bytes(limit * 1e9)} ({source}); ask for less, or raise the limit with "
            f"{_how_to_raise(keyword, MEMORY_ENV)}"
        )
    return nbytes


def check_runtime(seconds: float, what: str, limit_s: Any = None, *,
                  keyword: str | None = "max_runtime_s") -> float:
    """Refuse work estimated at ``seconds`` of run time for ``what`` when above the budget.

    The budget is ``limit_s`` (s) if given, else ``$LAB_MAX_RUNTIME_S``, else 600 s. Raises
    ``ValueError`` with the estimate, the limit and how to raise it; returns ``seconds``.
    """
    limit, source = runtime_limit_s(limit_s)
    if seconds > limit:
        raise ValueError(
            f"{what} would take about {_fmt_seconds(seconds)}, above the limit of "
            f"{_fmt_seconds(limit)} ({source}); ask for less, or raise the limit with "
            f"{_how_to_raise(keyword, RUNTIME_ENV)}"
        )
    return seconds
