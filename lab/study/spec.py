"""A study written down: the YAML spec of ``python -m lab study SPEC.yaml`` (:func:`load_spec`).

A spec has ``fixed`` (values shared by every point), exactly one of ``grid`` (parameter ->
list of values: a full grid) or ``sample`` (``n``, ``seed`` and ``ranges`` for
:func:`lab.study.latin_hypercube`), and optionally ``metrics`` (names of
:data:`lab.study.METRICS`)::

    fixed: {preset: three-body-12, requests: 200, dt: 120}
    grid:
      n_satellites: [12, 48, 120]
      hardware: [three-body-744, h100]
    metrics: [p50, p90, mean, in_view_share]

YAML reads ``8e9`` as a string: numbers given as strings are read as numbers for numeric
parameters. The example of the repository is ``studies/example.yaml``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lab.study.metrics import DEFAULT_METRICS, check_metrics
from lab.study.parameters import PARAMETERS, check_name
from lab.study.space import latin_hypercube

__all__ = ["StudySpec", "load_spec", "parse_spec"]

_KEYS = {"fixed", "grid", "sample", "metrics", "description"}


@dataclass(frozen=True)
class StudySpec:
    """What :func:`lab.study.run` needs: ``space`` (grid mapping or table), ``fixed`` values,
    ``metrics`` names and a free-text ``description``."""

    space: Mapping[str, Any] | pd.DataFrame
    fixed: dict[str, Any]
    metrics: tuple[str, ...]
    description: str = ""


def _number(name: str, value: Any) -> Any:
    """A numeric-looking string (YAML's ``8e9``) as a number for numeric parameters."""
    if isinstance(value, str) and PARAMETERS[name].kind in (int, float):
        try:
            return float(value)
        except ValueError:
            return value  # coerce() will say what is wrong
    return value


def _numbers(name: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_number(name, v) for v in value]
    return _number(name, value)


def _mapping(spec: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = spec.get(key) or {}
    if not isinstance(value, Mapping):
        raise TypeError(f"the spec's {key!r} must be a mapping parameter -> value(s) "
                        f"(got {value!r})")
    return {check_name(str(k)): _numbers(str(k), v) for k, v in value.items()}


def parse_spec(spec: Mapping[str, Any]) -> StudySpec:
    """A :class:`StudySpec` from the parsed YAML mapping (clear errors for a malformed one)."""
    if not isinstance(spec, Mapping):
        raise TypeError(f"a study spec must be a mapping (got {type(spec).__name__})")
    unknown = set(spec) - _KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in the study spec; the keys are: "
                         f"{', '.join(sorted(_KEYS))}")
    if ("grid" in spec) == ("sample" in spec):
        raise ValueError("a study spec needs exactly one of 'grid' (lists of values) or "
                         "'sample' (n, seed and ranges of a Latin hypercube)")
    if "grid" in spec:
        space: Mapping[str, Any] | pd.DataFrame = _mapping(spec, "grid")
    else:
        sample = spec["sample"]
        if not isinstance(sample, Mapping) or set(sample) - {"n", "seed", "ranges"} \
                or "n" not in sample or "ranges" not in sample:
            raise ValueError("the spec's 'sample' must be a mapping with n, ranges and "
                             f"optionally seed (got {sample!r})")
        space = latin_hypercube(_mapping(sample, "ranges"), sample["n"], sample.get("seed", 0))
    metrics = check_metrics(spec.get("metrics") or DEFAULT_METRICS)
    return StudySpec(space, _mapping(spec, "fixed"), metrics, str(spec.get("description", "")))


def load_spec(path: str | os.PathLike) -> StudySpec:
    """Read and check the YAML study spec at ``path``."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study spec {str(path)!r} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"study spec {str(path)!r} is not valid YAML: {exc}") from None
    return parse_spec(raw)
