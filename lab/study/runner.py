""":func:`run`: a design study from the space of points to the xarray Dataset of results.

The pipeline, each step a named function of the package:

1. :func:`lab.study.space.make_space` checks the space (parameters, values, types);
   :func:`lab.study.metrics.check_metrics` the metrics; :func:`check_scheduler` the scheduler;
2. :func:`validate_points` builds the design of every point (``configure`` and the Scenario's
   checks, ~1 ms a point), so a value out of range is an error naming the point before any work;
3. :meth:`lab.study.store.Results.open` resumes the store (or refuses a different study);
4. the scheduler is connected (short timeout) only if points are missing;
5. the missing points run in process or on Dask and are recorded as they finish.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import xarray as xr

from lab.study.execute import (
    Progress,
    check_scheduler,
    dask_client,
    run_in_process,
    run_on_dask,
)
from lab.study.metrics import DEFAULT_METRICS, check_metrics
from lab.study.parameters import build_design
from lab.study.space import Space, make_space
from lab.study.store import Results

__all__ = ["run", "validate_points"]


def validate_points(space: Space) -> None:
    """Build the design of every point of ``space``; the first bad one raises the lab's
    ``ValueError``/``TypeError`` with the point's number and values in front."""
    seen: set[tuple] = set()
    for flat in range(space.size):
        values = space.point(flat)
        key = tuple(sorted(values.items()))
        if key in seen:  # a table may repeat a point
            continue
        seen.add(key)
        try:
            build_design(values)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"point {flat} of the study ({values}): {exc}") from None


def run(
    space: Mapping[str, Any] | pd.DataFrame,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    scheduler: Any = None,
    store: str | os.PathLike | None = None,
    progress: bool | Callable[[int, int], Any] = True,
    fixed: Mapping[str, Any] | None = None,
    connect_timeout: float = 10.0,
) -> xr.Dataset:
    """Run a design study and return its results as an ``xarray.Dataset``.

    space : a mapping ``parameter -> values`` (a full grid, one dimension per parameter with a
        list of values; single values are fixed) or a pandas DataFrame of points (one row per
        point: a ``point`` dimension), see :func:`lab.study.latin_hypercube`. The parameters are
        :data:`lab.study.PARAMETERS`. fixed : values shared by every point.
    metrics : names from :data:`lab.study.METRICS` (default :data:`lab.study.DEFAULT_METRICS`),
        one float64 data variable each, plus ``point_seconds`` and ``finished_at``.
    scheduler : None runs in this process; an int starts a LocalCluster of that many worker
        processes on 127.0.0.1 (closed afterwards); an address ``"tcp://host:8786"`` or a
        ``distributed.Client`` runs on that cluster (its workers must import ``lab``).
    store : a Zarr directory written as points finish; running the same study again resumes
        it (only missing points are computed); a different study there is a ``ValueError``.
    progress : a tqdm bar (True), nothing (False) or a callback ``progress(done, total)``.
    connect_timeout : s to reach a scheduler address and see a worker (``SchedulerError``).

    Every check runs before any work: unknown parameter or metric, empty list, value of the
    wrong type or out of range (every point is configured), unreachable scheduler.
    """
    sp = make_space(space, fixed)
    names = check_metrics(metrics)
    scheduler = check_scheduler(scheduler)
    if not (isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"progress must be True, False or a callable(done, total) "
                        f"(got {progress!r})")
    validate_points(sp)
    results = Results.open(sp, names, store)
    todo = results.missing()
    if todo.size == 0:
        return results.dataset()
    bar = Progress(sp.size, sp.size - todo.size, progress)
    try:
        if scheduler is None:
            results.create_store()
            run_in_process(sp, results, todo, bar)
        else:
            with dask_client(scheduler, connect_timeout) as client:
                results.create_store()
                run_on_dask(client, sp, results, todo, bar)
    finally:
        bar.close()
    return results.dataset()
