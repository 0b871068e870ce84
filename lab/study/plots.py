"""Plotly figures of a design study (notebook 07): ``*_figure`` functions, plotly imported on
demand. Each takes the xarray ``Dataset`` of :func:`lab.study.run` (or its Pareto front) and
says in its title what to look at; every axis has its unit and every colour a legend.

- :func:`surface_figure`: a metric over two grid dimensions, one panel per value of a third,
  the best value over a fourth (e.g. the mean response time over size x altitude, best plane
  count, one panel per station network);
- :func:`pareto_figure`: every design as a point, and the Pareto front of :func:`pareto_front`;
- :func:`sensitivity_figure`: :func:`lab.study.sensitivity` of several metrics, grouped bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from lab.study.analysis import pareto_front, sensitivity

__all__ = ["LABELS", "pareto_figure", "sensitivity_figure", "surface_figure"]

#: Axis labels (with units) of the study's parameters and metrics.
LABELS = {
    "n_satellites": "satellites", "n_used": "satellites simulated", "alt": "altitude (km)",
    "planes": "planes", "network": "station network", "hardware": "accelerator",
    "p50": "median response time (s)", "p90": "90th percentile response time (s)",
    "mean": "mean response time (s)", "fleet_usd_per_year": "fleet cost (USD per year)",
    "usd_per_mtok": "cost of a million tokens (USD)", "in_view_share": "prompts in view (share)",
}


def _label(name: str) -> str:
    return LABELS.get(name, name)


def surface_figure(ds: xr.Dataset, metric: str = "mean", *, x: str = "n_satellites",
                   y: str = "alt", facet: str = "network", best_over: str = "planes",
                   select: Mapping[str, Any] | None = None, height: int = 360) -> Any:
    """log10 of ``metric`` over ``x`` and ``y`` (one panel per ``facet`` value), the lowest
    value over ``best_over``, at ``select`` (e.g. ``{"hardware": "three-body-744"}``)."""
    import plotly.express as px

    da = ds[metric].sel(**dict(select or {}))
    if best_over in da.dims:
        da = da.min(best_over)
    da = np.log10(da).transpose(facet, y, x)
    where = ", ".join(f"{k} {v}" for k, v in (select or {}).items())
    fig = px.imshow(da, facet_col=facet, x=[str(v) for v in da[x].values],
                    y=[f"{v:g}" for v in da[y].values],
                    color_continuous_scale="Viridis", aspect="auto", origin="lower",
                    labels={"color": _label(metric), "x": _label(x), "y": _label(y)},
                    title=f"{_label(metric).capitalize()}, {where}, best {best_over}"
                    "<br><sup>dark = fast: read each panel from left (few satellites) to "
                    "right</sup>")
    fig.for_each_annotation(lambda a: a.update(text=a.text.replace(f"{facet}=",
                                                                   f"{_label(facet)}: ")))
    lo, hi = float(da.min()), float(da.max())
    ticks = [t for t in (1, 3, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400)
             if lo - 0.05 <= np.log10(t) <= hi + 0.05]
    fig.update_layout(height=height, margin=dict(t=80), coloraxis_colorbar=dict(
        title=f"{metric} (s)", tickvals=list(np.log10(ticks)), ticktext=[f"{t:g}" for t in ticks]))
    return fig


def pareto_figure(ds: xr.Dataset, x: str = "n_used", y: str = "p90", *,
                  colour: str = "hardware", symbol: str = "network",
                  front: pd.DataFrame | None = None, height: int = 450) -> Any:
    """Every design of ``ds`` as a point of ``x`` against ``y`` (log-log), coloured by
    ``colour`` and marked by ``symbol``, with the Pareto front (:func:`pareto_front`) as a
    black staircase."""
    import plotly.express as px
    import plotly.graph_objects as go

    front = pareto_front(ds, x=x, y=y) if front is None else front
    table = ds[[y, x]].to_dataframe().reset_index()
    hover = [d for d in ds[y].dims]
    fig = px.scatter(table, x=x, y=y, color=colour if colour in table else None,
                     symbol=symbol if symbol in table else None, log_x=True, log_y=True,
                     opacity=0.6, height=height, hover_data=hover,
                     labels={k: _label(k) for k in (x, y, colour, symbol)},
                     title=f"Every design and the Pareto front (black)<br><sup>{_label(y)} "
                     f"versus {_label(x)}: down and left is better</sup>")
    fig.add_trace(go.Scatter(x=front[x], y=front[y], mode="lines+markers", name="Pareto front",
                             line={"color": "black", "shape": "hv"}))
    return fig


def sensitivity_figure(ds: xr.Dataset, metrics: Sequence[str] = ("p50", "p90", "mean",
                                                                 "usd_per_mtok"),
                       *, height: int = 360) -> Any:
    """:func:`lab.study.sensitivity` (spread in decades) of each metric, grouped by
    parameter."""
    import plotly.graph_objects as go

    spread = {m: sensitivity(ds, m) for m in metrics}
    fig = go.Figure([go.Bar(x=s.index, y=s.values, name=_label(m)) for m, s in spread.items()])
    fig.update_layout(barmode="group", height=height, xaxis_title="parameter",
                      yaxis_title="spread (decades: 1 = a factor of 10)",
                      legend_title_text="metric",
                      title="How far each parameter moves each metric<br><sup>the tallest bars "
                      "matter most</sup>")
    return fig
