"""Reading a study's Dataset: the best designs, the Pareto front, which parameters matter.

Plain xarray/pandas over the Dataset :func:`lab.study.run` returns (or ``xarray.open_zarr``
reads from a store): nothing here recomputes a point. A metric that is not finite at a point
(e.g. ``p50`` = inf when no request of the day was answered, NaN when a point is missing) is
left out of the rankings and spreads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["best", "pareto_front", "sensitivity"]


def _table(ds: xr.Dataset, columns: Sequence[str]) -> pd.DataFrame:
    """One row per point: the parameters (coordinates) and ``columns``, finite rows only."""
    data_vars = [c for c in dict.fromkeys(columns) if c in ds.data_vars]
    missing = [c for c in columns if c not in ds.variables]
    if missing:
        raise ValueError(f"{', '.join(map(repr, missing))} is not a metric or parameter of the "
                         f"study (it has {', '.join(map(str, ds.variables))})")
    df = ds[data_vars].to_dataframe().reset_index()
    return df[np.isfinite(df[data_vars].to_numpy(dtype=float)).all(axis=1)]


def best(ds: xr.Dataset, by: str = "p50", n: int = 10,
         columns: Sequence[str] = ("p50", "p90", "mean", "in_view_share", "n_used",
                                   "usd_per_mtok")
         ) -> pd.DataFrame:
    """The ``n`` designs with the smallest ``by``: their parameters and ``columns`` (those the
    study has), sorted."""
    cols = [by, *(c for c in columns if c in ds.data_vars and c != by)]
    df = _table(ds, cols).sort_values(by, kind="stable").head(n)
    params = [c for c in df.columns if c not in ds.data_vars]
    return df.set_index([p for p in params if p != "point"] or params)[cols]


def pareto_front(ds: xr.Dataset, x: str = "n_used", y: str = "p50") -> pd.DataFrame:
    """The designs no other design beats on both ``x`` and ``y`` (smaller is better on both,
    e.g. satellites and median response time), sorted by ``x``: each is the fastest design for
    its ``x`` and faster than every design with a smaller ``x``."""
    df = _table(ds, [y, x] if x in ds.data_vars else [y]).sort_values([x, y], kind="stable")
    better = df[y].to_numpy() < np.minimum.accumulate(
        np.concatenate([[np.inf], df[y].to_numpy()[:-1]]))
    return df[better].reset_index(drop=True)


def sensitivity(ds: xr.Dataset, metric: str = "p50", log: bool = True) -> pd.Series:
    """Which parameters matter: for each dimension of a grid study, the spread (max - min) of
    ``metric`` along that dimension, averaged over every combination of the other dimensions
    (in decades, log10, when ``log``), largest first."""
    if metric not in ds.data_vars:
        raise ValueError(f"{metric!r} is not a metric of the study")
    v = ds[metric].where(np.isfinite(ds[metric]) & (ds[metric] > 0 if log else True))
    if log:
        v = np.log10(v)
    dims = [d for d in v.dims if d != "point"]
    if not dims:
        raise ValueError("sensitivity needs a grid study (one dimension per parameter); for a "
                         "table of points, fit or bin the metric against each column instead")
    spread = {d: float((v.max(d) - v.min(d)).mean()) for d in dims}
    name = f"spread of log10 {metric}" if log else f"spread of {metric}"
    return pd.Series(spread, name=name).sort_values(ascending=False)
