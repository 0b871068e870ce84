"""Design studies: many constellation designs at once, on dask.distributed, as xarray + Zarr.

A mission designer does not ask about one constellation but which of thousands of designs
(size, planes, altitude, station network, accelerator, power cap, season, seed, ...) gives the
best response time. :func:`run` evaluates a grid or a table of such designs and returns an
``xarray.Dataset`` with one dimension per varied parameter (or a ``point`` dimension for a
table) and one variable per metric::

    from lab import study
    ds = study.run({"n_satellites": [12, 48, 120], "hardware": ["three-body-744", "h100"]},
                   fixed={"requests": 200, "dt": 120}, scheduler=2, store="study.zarr")
    ds.p50.sel(hardware="h100")

Design (one concern per module, imports run down this list):

==============  ============================================================================
``parameters``  the parameter registry (:data:`PARAMETERS`, grouped in :data:`GROUPS`: one
                entry per family, ``lab.economics``' costs one of them) and
                :func:`build_design`: a point's values -> a checked Scenario + run arguments
``metrics``     the metric registry (:data:`METRICS`: percentiles, in-view share, the mean
                of every :data:`lab.mission.TERMS` term, costs) and :func:`evaluate`, the whole
                computation of one point
``space``       :func:`make_space` (grid mapping or table -> :class:`Space`),
                :func:`latin_hypercube`
``store``       :class:`Results`: the Dataset in memory, mirrored to a Zarr store as points
                finish; resume; the study's identity
``execute``     in process, or on Dask (``LocalCluster``, an address or a ``Client``)
``runner``      :func:`run`: check everything, resume, compute the missing points
``spec``        :func:`load_spec`: the YAML spec of ``python -m lab study``
``analysis``    reading the results: :func:`best`, :func:`pareto_front`, :func:`sensitivity`
==============  ============================================================================

Determinism: a point's metrics depend only on its parameter values (arrival times come from
its ``seed``; :mod:`lab.mission` keeps no other state than a cache of the same arrays), and the
same function :func:`evaluate` runs in process and on every worker, so a study gives the same
numbers to the last bit serially, on a LocalCluster or on separate worker processes.

Dask is imported only when a study runs on it: ``import lab.study`` does not import it.
"""

from __future__ import annotations

from lab.study.analysis import best, pareto_front, sensitivity
from lab.study.execute import PointError, SchedulerError, local_workers
from lab.study.metrics import DEFAULT_METRICS, METRICS, RESPONSE_METRICS, Metric, evaluate
from lab.study.parameters import (
    GROUPS,
    PARAMETERS,
    Design,
    Group,
    Parameter,
    build_design,
    cost_of,
)
from lab.study.runner import run, validate_points
from lab.study.space import Space, latin_hypercube, make_space
from lab.study.spec import StudySpec, load_spec, parse_spec
from lab.study.store import Results

__all__ = [
    "run",
    "latin_hypercube",
    "load_spec",
    "parse_spec",
    "evaluate",
    "build_design",
    "cost_of",
    "make_space",
    "validate_points",
    "local_workers",
    "best",
    "pareto_front",
    "sensitivity",
    "PARAMETERS",
    "GROUPS",
    "METRICS",
    "DEFAULT_METRICS",
    "RESPONSE_METRICS",
    "Parameter",
    "Group",
    "Metric",
    "Design",
    "Space",
    "StudySpec",
    "Results",
    "PointError",
    "SchedulerError",
]
