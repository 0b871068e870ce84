"""Input checking shared by every module: one place that turns bad input into a clear error.

Every public function of the lab accepts astropy Quantities or plain numbers (read in the
documented default unit). ``as_value`` converts either to a plain float / ndarray and checks
the allowed range, so an error always names the parameter, the range and the value received.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from astropy import units as u
from astropy.time import Time

__all__ = ["as_value", "as_time", "check_choice", "check_int"]


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
    unit = u.Unit(unit)
    if isinstance(value, u.Quantity):
        try:
            arr = value.to_value(unit)
        except u.UnitConversionError as exc:
            raise TypeError(
                f"{name} must be convertible to {unit} (got a quantity in {value.unit})"
            ) from exc
    else:
        if isinstance(value, str | bytes) or value is None:
            raise TypeError(f"{name} must be a number or an astropy Quantity in {unit} (got {value!r})")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be a number or an astropy Quantity in {unit} (got {value!r})"
            ) from exc
    arr = np.asarray(arr, dtype=float)
    unit_s = "" if unit == u.dimensionless_unscaled else f" {unit}"
    if not allow_nan and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (got {_fmt(arr)}{unit_s})")
    finite = arr[np.isfinite(arr)] if allow_nan else arr
    if lo is not None:
        bad = finite < lo if lo_inclusive else finite <= lo
        if np.any(bad):
            op = "≥" if lo_inclusive else ">"
            rng = f"{op} {lo:g}{unit_s}" if hi is None else _range(lo, hi, lo_inclusive, hi_inclusive, unit_s)
            raise ValueError(f"{name} must be {rng} (got {_fmt(arr)}{unit_s})")
    if hi is not None:
        bad = finite > hi if hi_inclusive else finite >= hi
        if np.any(bad):
            op = "≤" if hi_inclusive else "<"
            rng = f"{op} {hi:g}{unit_s}" if lo is None else _range(lo, hi, lo_inclusive, hi_inclusive, unit_s)
            raise ValueError(f"{name} must be {rng} (got {_fmt(arr)}{unit_s})")
    return float(arr) if arr.ndim == 0 else arr


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
