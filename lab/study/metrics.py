"""What a design study measures at each point: the metric registry and :func:`evaluate`.

A :class:`Metric` is a name, a unit, a one-line doc and a function of the point's
:class:`lab.mission.ResponseTimes` and :class:`lab.study.parameters.Design` that returns one
float. :data:`METRICS` holds the response-time metrics (percentiles, in-view share, the mean
of every term of :data:`lab.mission.TERMS`, so a term added to the model appears here without
an edit) and those of every parameter group (:data:`lab.study.parameters.GROUPS`: the costs of
``lab.economics``).

:func:`evaluate` is the whole computation of one point, the same function whether it runs in
the caller's process or on a Dask worker: it builds the design, runs
:func:`lab.mission.response_times` (arrival times from the point's ``seed``) and reads the
metrics. It keeps no state between points except :mod:`lab.mission`'s geometry cache, which
returns the same arrays it would compute, so a point's metrics depend only on its values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lab.mission import TERMS, ResponseTimes, response_times
from lab.study.parameters import GROUPS, Design, Metric, build_design

__all__ = ["DEFAULT_METRICS", "METRICS", "RESPONSE_METRICS", "Metric", "check_metrics",
           "evaluate", "evaluate_many", "evaluate_timed"]


def _summary(key: str) -> Callable[[ResponseTimes, Design], float]:
    return lambda r, d: float(r.summary[key])


def _term_mean(term: str) -> Callable[[ResponseTimes, Design], float]:
    return lambda r, d: float(r.table.loc[term, "mean"])


_RESPONSE_METRICS = (
    Metric("p50", "s", "median response time of the answered requests", _summary("p50")),
    Metric("p90", "s", "90th percentile of the response time", _summary("p90")),
    Metric("p99", "s", "99th percentile of the response time", _summary("p99")),
    Metric("mean", "s", "mean response time of the answered requests", _summary("mean")),
    Metric("in_view_share", "", "share of requests sent while a satellite is in view",
           _summary("in_view_share")),
    Metric("answered_share", "", "share of requests answered within the day",
           lambda r, d: r.summary["answered"] / r.summary["n_requests"]),
    *(Metric(f"mean_{t}", "s", f"mean of the term {t!r} over the answered requests",
             _term_mean(t)) for t in TERMS),
    Metric("n_used", "", "satellites simulated (configure may round a size to an even "
           "Walker split)", lambda r, d: float(d.scenario.n_satellites)),
    Metric("planes_used", "", "orbital planes simulated, all shells",
           lambda r, d: float(sum(s.planes for s in d.scenario.shells))),
)

#: Every metric a study can record, by name.
METRICS: dict[str, Metric] = {m.name: m for m in
                              (*_RESPONSE_METRICS, *(m for g in GROUPS for m in g.metrics))}

#: The response-time metrics of a study: percentiles, in-view share, every term, size.
RESPONSE_METRICS: tuple[str, ...] = ("p50", "p90", "mean", "in_view_share",
                                     *(f"mean_{t}" for t in TERMS), "n_used")
#: The metrics of a study that does not choose: the response time and the cost (the first
#: point of a new orbit prices its power system over a year, ~1-2 s per process).
DEFAULT_METRICS: tuple[str, ...] = (*RESPONSE_METRICS, "usd_per_mtok", "fleet_usd_per_year")


def check_metrics(metrics: Sequence[str] | str) -> tuple[str, ...]:
    """``metrics`` as a tuple of known, distinct metric names (a clear error otherwise)."""
    names = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    if not names:
        raise ValueError("metrics must name at least one metric; the metrics are: "
                         f"{', '.join(METRICS)}")
    unknown = [m for m in names if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(map(repr, unknown))}; the metrics "
                         f"are: {', '.join(METRICS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"metrics must be distinct (got {list(names)})")
    return names


def evaluate(values: Mapping[str, Any], metrics: Sequence[str] = DEFAULT_METRICS
             ) -> dict[str, float]:
    """The metrics (name -> float) of one point (``values``: parameter -> value)."""
    design = build_design(values)
    result = response_times(design.scenario, **design.run)
    return {m: float(METRICS[m].of(result, design)) for m in metrics}


def evaluate_timed(values: Mapping[str, Any], metrics: Sequence[str]
                   ) -> tuple[list[float], float]:
    """(the metrics of :func:`evaluate` in the order of ``metrics``, wall time in s): the
    task a study runs for each point, in process or on a Dask worker."""
    t0 = time.perf_counter()
    out = evaluate(values, metrics)
    return [out[m] for m in metrics], time.perf_counter() - t0


def evaluate_many(points: Sequence[Mapping[str, Any]], metrics: Sequence[str]
                  ) -> tuple[list[tuple[list[float], float]], tuple[int, str] | None]:
    """:func:`evaluate_timed` for several points in a row (one Dask task, so that points that
    share a geometry share the worker's cache). Returns the results of the points done and,
    if a point failed, ``(its position in points, "ExceptionType: message")``; the points
    after a failed one are not run."""
    done: list[tuple[list[float], float]] = []
    for i, values in enumerate(points):
        try:
            done.append(evaluate_timed(values, metrics))
        except Exception as exc:
            return done, (i, f"{type(exc).__name__}: {exc}")
    return done, None
