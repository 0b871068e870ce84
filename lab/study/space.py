"""The points of a design study: a full grid or a table of points, and Latin-hypercube samples.

:func:`make_space` turns what the user gives into a :class:`Space`:

- a **mapping** ``parameter -> values``: every entry with a sequence of values is a dimension
  of a full grid (in the mapping's order; the last one varies fastest), every entry with a
  single value is fixed for all points;
- a **table** (a pandas DataFrame, one column per parameter, one row per point, e.g. from
  :func:`latin_hypercube`): a single ``point`` dimension, each column a coordinate along it.

Values are checked and converted to plain types (:func:`lab.study.parameters.coerce`) at once:
an unknown parameter, an empty list, a value of the wrong type or a repeated grid value is an
error before anything runs. A point is identified by its parameter values: the
:meth:`Space.identity` of a study (dimensions, coordinates, fixed values, metrics) is what a
Zarr store remembers, so that running the same study again resumes it and running a different
one into the same store is refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lab._validate import check_int
from lab.study.parameters import PARAMETERS, check_name, coerce

__all__ = ["POINT_DIM", "Space", "latin_hypercube", "make_space"]

POINT_DIM = "point"  # the dimension of a table of points
IDENTITY_FORMAT = "lab.study/1"


@dataclass(frozen=True)
class Space:
    """The points of a study. ``kind`` is ``"grid"`` or ``"table"``; ``dims`` the dimensions of
    the result (the varied parameters, or ``("point",)``); ``coords`` parameter -> 1-D array
    (a grid dimension's values, or a table column along ``point``); ``fixed`` the values every
    point shares."""

    kind: str
    dims: tuple[str, ...]
    coords: dict[str, np.ndarray]
    fixed: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of every result variable."""
        if self.kind == "table":
            return (len(next(iter(self.coords.values()))),)
        return tuple(len(self.coords[d]) for d in self.dims)

    @property
    def size(self) -> int:
        """Number of points."""
        return math.prod(self.shape)

    def point(self, flat: int) -> dict[str, Any]:
        """The parameter values (plain Python types) of point number ``flat`` (C order)."""
        values = dict(self.fixed)
        if self.kind == "table":
            values.update({k: v[flat].item() for k, v in self.coords.items()})
        else:
            idx = np.unravel_index(flat, self.shape) if self.dims else ()
            values.update({d: self.coords[d][i].item() for d, i in zip(self.dims, idx,
                                                                         strict=True)})
        return values

    def identity(self, metrics: Sequence[str]) -> dict[str, Any]:
        """What identifies the study (JSON-able): kind, dimensions, coordinates, fixed values
        and metrics."""
        return json.loads(json.dumps({
            "format": IDENTITY_FORMAT, "kind": self.kind, "dims": list(self.dims),
            "coords": {k: v.tolist() for k, v in self.coords.items()},
            "fixed": self.fixed, "metrics": list(metrics)}))

    def describe(self) -> str:
        """E.g. ``"grid n_satellites 4 x alt 3 = 12 points"``."""
        if self.kind == "table":
            return f"table of {self.size} points over {', '.join(self.coords)}"
        dims = " x ".join(f"{d} {len(self.coords[d])}" for d in self.dims) or "one point"
        return f"grid {dims} = {self.size} points"


def _is_sequence(value: Any) -> bool:
    return not isinstance(value, str | bytes | Mapping) and np.ndim(value) >= 1


def _coord(name: str, values: Sequence[Any]) -> np.ndarray:
    """The checked values of parameter ``name`` as a 1-D array of its plain type."""
    plain = [coerce(name, v) for v in values]
    kind = PARAMETERS[name].kind
    if kind is str:
        return np.array(plain, dtype=str)
    return np.array(plain, dtype={int: np.int64, float: np.float64, bool: bool}[kind])


def _grid(space: Mapping[str, Any], fixed: dict[str, Any]) -> Space:
    coords: dict[str, np.ndarray] = {}
    for name, values in space.items():
        if not _is_sequence(values):
            fixed[name] = coerce(name, values)
            continue
        if len(values) == 0:
            raise ValueError(f"the values of {name!r} are an empty list: give at least one "
                             "value (or leave the parameter out)")
        coords[name] = _coord(name, list(values))
        if len(np.unique(coords[name])) != len(coords[name]):
            raise ValueError(f"the values of {name!r} repeat ({coords[name].tolist()}): a grid "
                             "dimension lists each value once")
    return Space("grid", tuple(coords), coords, fixed)


def _table(frame: pd.DataFrame, fixed: dict[str, Any]) -> Space:
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ValueError(f"the table of points is empty ({frame.shape[0]} rows x "
                         f"{frame.shape[1]} columns): give one column per parameter and one "
                         "row per point")
    coords = {}
    for name in frame.columns:
        if not isinstance(name, str):
            raise TypeError(f"the table's columns must be parameter names (got {name!r})")
        coords[name] = _coord(name, frame[name].tolist())
    return Space("table", (POINT_DIM,), coords, fixed)


def make_space(space: Mapping[str, Any] | pd.DataFrame,
               fixed: Mapping[str, Any] | None = None) -> Space:
    """The checked :class:`Space` of a grid mapping or a table of points (see the module
    docstring); ``fixed``: values shared by every point (parameter -> one value)."""
    fixed_values = {k: coerce(k, v) for k, v in (fixed or {}).items()}
    if isinstance(space, pd.DataFrame):
        out = _table(space, fixed_values)
    elif isinstance(space, Mapping):
        out = _grid(space, fixed_values)
    else:
        raise TypeError("space must be a mapping parameter -> values (a grid) or a pandas "
                        f"DataFrame of points (got {type(space).__name__})")
    both = set(out.coords) & set(fixed or {})
    if both:
        raise ValueError(f"{', '.join(sorted(both))} is both varied and fixed: give it in one "
                         "place")
    return out


def _sample_column(name: str, spec: Any, u: np.ndarray) -> np.ndarray | list:
    """Stratified values ``u`` in [0, 1) mapped onto the range or choices ``spec``."""
    if isinstance(spec, Mapping):
        if set(spec) != {"choices"}:
            raise ValueError(f"the range of {name!r} must be (lo, hi), (lo, hi, 'log') or "
                             f"{{'choices': [...]}} (got {spec!r})")
        choices = [coerce(name, c) for c in spec["choices"]]
        if not choices:
            raise ValueError(f"the choices of {name!r} are an empty list")
        return [choices[int(k)] for k in np.floor(u * len(choices))]
    spec = list(spec)
    log = len(spec) == 3 and spec[2] == "log"
    if len(spec) != 2 + log or any(isinstance(x, str) for x in spec[:2]):
        if all(isinstance(x, str) for x in spec) and spec:  # a list of names: choices
            return _sample_column(name, {"choices": spec}, u)
        raise ValueError(f"the range of {name!r} must be (lo, hi), (lo, hi, 'log') or "
                         f"{{'choices': [...]}} (got {spec!r})")
    lo, hi = (float(coerce(name, x)) for x in spec[:2])
    if not lo < hi or (log and lo <= 0):
        raise ValueError(f"the range of {name!r} must have lo < hi{' and lo > 0 (log)' * log} "
                         f"(got {lo:g}, {hi:g})")
    x = np.exp(np.log(lo) + u * np.log(hi / lo)) if log else lo + u * (hi - lo)
    if PARAMETERS[name].kind is int:
        return np.clip(np.rint(x), math.ceil(lo), math.floor(hi)).astype(np.int64)
    return x


def latin_hypercube(ranges: Mapping[str, Any], n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` Latin-hypercube points over ``ranges`` (a table for :func:`lab.study.run`).

    ``ranges``: parameter -> ``(lo, hi)`` (uniform), ``(lo, hi, "log")`` (log-uniform) or
    ``{"choices": [...]}`` (equal shares; a list of names is read as choices). Each parameter's
    range is cut into ``n`` equal strata, each stratum sampled once, the strata shuffled
    independently per parameter (numpy ``default_rng(seed)``, parameters in the given order).
    Integer parameters are rounded.
    """
    n = check_int(n, "n (points)", lo=1)
    if not ranges:
        raise ValueError("ranges must give at least one parameter")
    rng = np.random.default_rng(check_int(seed, "seed", lo=0))
    columns = {}
    for name, spec in ranges.items():
        check_name(name)
        u = (rng.permutation(n) + rng.random(n)) / n
        columns[name] = _sample_column(name, spec, u)
    return pd.DataFrame(columns)
