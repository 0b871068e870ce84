"""Figures of :mod:`lab.mission` (plotly, imported on demand): ``*_figure`` functions.

- :func:`tornado_figure`: the sensitivity of a median response time to each uncertain input
  (:func:`lab.mission.sensitivity`), largest swing on top;
- :func:`breakdown_figure`: the terms of the response time of single prompts, stacked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lab._validate import check_choice
from lab.mission.response import TERMS

__all__ = ["breakdown_figure", "tornado_figure"]


def _fmt(value: float, unit: str) -> str:
    if unit == "bit/s":
        return f"{value / 1e3:g} kbit/s" if value < 1e6 else f"{value / 1e6:g} Mbit/s"
    return f"{value:g} {unit}".strip()


def tornado_figure(df: pd.DataFrame, outcome: str = "in_pass", *, title: str | None = None,
                   height: int = 420) -> Any:
    """A tornado plot of :func:`lab.mission.sensitivity`'s result: for every input a bar from the
    response time at its low value to the one at its high value, around the scenario's own
    median (the vertical line); ``outcome`` "in_pass" or "day"."""
    import plotly.graph_objects as go

    check_choice(outcome, ("in_pass", "day"), "outcome")
    base = float(df.attrs.get(f"{outcome}_s" if outcome == "day" else "in_pass_s", np.nan))
    d = df.sort_values(f"{outcome}_swing_s")
    lo, hi = d[f"{outcome}_low_s"].to_numpy(), d[f"{outcome}_high_s"].to_numpy()
    labels = [f"{name} ({_fmt(r.low, r.unit)} \u2013 {_fmt(r.high, r.unit)})"
              for name, r in d.iterrows()]
    fig = go.Figure([
        go.Bar(y=labels, x=lo - base, base=base, orientation="h", name="low value",
               marker_color="#1f77b4", hovertemplate="%{x:.1f} s"),
        go.Bar(y=labels, x=hi - base, base=base, orientation="h", name="high value",
               marker_color="#ff7f0e", hovertemplate="%{x:.1f} s"),
    ])
    what = "in-pass" if outcome == "in_pass" else "day"
    fig.add_vline(x=base, line_dash="dash", line_color="#444")
    fig.update_layout(
        barmode="overlay", height=height, margin=dict(l=10, r=20, t=50, b=40),
        title=title or f"{df.attrs.get('scenario', '')}: {what} median response time "
        f"{base:.0f} s, input by input",
        xaxis_title=f"{what} median response time (s)", legend=dict(orientation="h", y=-0.2))
    return fig


def breakdown_figure(breakdown: pd.DataFrame, labels: list[str] | None = None, *,
                     title: str = "where the time goes", height: int = 360) -> Any:
    """The terms of each row of a breakdown (e.g. single prompts), as stacked horizontal bars
    in s, one colour per term of :data:`lab.mission.TERMS`."""
    import plotly.graph_objects as go

    rows = labels or [str(i) for i in breakdown.index]
    fig = go.Figure([go.Bar(y=rows, x=breakdown[t].to_numpy(), name=t, orientation="h")
                     for t in TERMS])
    fig.update_layout(barmode="stack", height=height, title=title, xaxis_title="seconds",
                      margin=dict(l=10, r=10, t=50, b=40))
    return fig
