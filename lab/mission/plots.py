"""Figures of :mod:`lab.mission` (plotly, imported on demand): ``*_figure`` functions.

- :func:`day_figure`: every prompt of a day, response time against the time it was sent (UTC),
  coloured by whether a satellite was in view: the passes are the valleys;
- :func:`tornado_figure`: the sensitivity of a median response time to each uncertain input
  (:func:`lab.mission.sensitivity`), largest swing on top;
- :func:`breakdown_figure`: the terms of the response time of single prompts, stacked;
- :func:`share_figure`: the share of each term in the mean response time, per row of a
  :func:`lab.mission.sweep` (e.g. per constellation size).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lab._validate import check_choice
from lab.mission.response import TERMS

__all__ = ["TERM_COLORS", "breakdown_figure", "day_figure", "share_figure", "tornado_figure"]

#: One distinct colour per term of :data:`lab.mission.TERMS` (twelve: plotly's default cycle
#: has ten and would give two terms the same colour); the same colours as the mission panel's
#: decile plot (``lab.widgets.mission_panel.TERM_COLORS``), so a term looks the same everywhere.
TERM_COLORS = dict(zip(TERMS, (
    "#7F7F7F", "#636EFA", "#8C564B", "#BCBD22", "#00CC96", "#C49C94", "#AB63FA", "#FFA15A",
    "#EF553B", "#19D3F3", "#FF6692", "#B6E880"), strict=True))


def _log_annotation(fig: Any, y: float, text: str) -> None:
    """A dotted horizontal line at ``y`` on a log y axis, labelled at the right (plotly places
    an annotation on a log axis at log10 of its value)."""
    fig.add_hline(y=y, line_dash="dot", line_color="#444")
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=float(np.log10(y)),
                       yanchor="bottom", text=text, showarrow=False,
                       bgcolor="rgba(255,255,255,0.8)")


def day_figure(result: Any, *, reference_s: float | None = 120.0,
               reference: str = "2 minutes (reported)", title: str | None = None,
               height: int = 400) -> Any:
    """Every answered prompt of a :class:`lab.mission.ResponseTimes`: its response time (s, log
    scale) against the time it was sent (UTC), coloured by whether a satellite was in view of a
    station when it was sent; a dotted line at ``reference_s``."""
    import plotly.graph_objects as go

    b = result.breakdown
    sent = pd.Timestamp(result.scenario.epoch) + pd.to_timedelta(b["arrival"], unit="s")
    in_view = (b["wait_for_contact"] == 0).to_numpy()
    fig = go.Figure()
    for mask, name, colour in ((in_view, "a satellite is in view", "#1f77b4"),
                               (~in_view, "waits for a pass", "#ff7f0e")):
        fig.add_trace(go.Scattergl(x=sent[mask], y=b["total"].to_numpy()[mask], mode="markers",
                                   name=name, marker={"size": 4, "color": colour}))
    if reference_s is not None:
        _log_annotation(fig, reference_s, reference)
    day = pd.Timestamp(result.scenario.epoch).strftime("%d %b %Y")
    fig.update_layout(
        height=height, legend_title_text="when the prompt is sent",
        title=title or f"{result.scenario.name} over one day ({day})<br><sup>low while a "
        "satellite passes over the stations; between passes the prompts wait (the falling "
        "arcs)</sup>",
        xaxis_title="prompt sent (UTC)", yaxis=dict(type="log", title="response time (s, log "
                                                    "scale)"))
    return fig


def share_figure(curve: pd.DataFrame, *, title: str | None = None, height: int = 420) -> Any:
    """Stacked bars: each term's share of the mean response time (``mean_<term>`` columns of
    :func:`lab.mission.sweep`), one bar per row (e.g. per constellation size)."""
    import plotly.graph_objects as go

    share = curve[[f"mean_{t}" for t in TERMS]].to_numpy()
    share = share / share.sum(axis=1, keepdims=True)
    rows = [str(n) for n in curve.index]
    fig = go.Figure([go.Bar(x=rows, y=share[:, i], name=term,
                            marker_color=TERM_COLORS[term]) for i, term in enumerate(TERMS)])
    fig.update_layout(barmode="stack", height=height, yaxis_tickformat=".0%",
                      xaxis_title="satellites", yaxis_title="share of the mean response time (%)",
                      legend_title_text="term", legend_traceorder="normal",
                      title=title or "Where the time goes as the constellation grows")
    return fig


def _fmt(value: float, unit: str) -> str:
    if unit == "bit/s":
        return f"{value / 1e3:.3g} kbit/s" if value < 1e6 else f"{value / 1e6:.3g} Mbit/s"
    return f"{value:.3g} {unit}".strip()


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
        go.Bar(y=labels, x=lo - base, base=base, orientation="h", name="input at its low value",
               marker_color="#1f77b4", hovertemplate="%{x:.1f} s"),
        go.Bar(y=labels, x=hi - base, base=base, orientation="h",
               name="input at its high value", marker_color="#ff7f0e",
               hovertemplate="%{x:.1f} s"),
    ])
    what = "in-pass" if outcome == "in_pass" else "day"
    fig.add_vline(x=base, line_dash="dash", line_color="#444")
    fig.update_layout(
        barmode="overlay", height=height, margin=dict(l=10, r=20, t=50, b=40),
        title=title or f"{df.attrs.get('scenario', '')}: {what} median response time "
        f"{base:.0f} s (dashed), input by input<br><sup>the longest bars are the assumptions "
        "that matter most</sup>",
        xaxis_title=f"{what} median response time (s)", legend=dict(orientation="h", y=-0.2))
    return fig


def breakdown_figure(breakdown: pd.DataFrame, labels: list[str] | None = None, *,
                     title: str = "where the time goes", height: int = 360) -> Any:
    """The terms of each row of a breakdown (e.g. single prompts), as stacked horizontal bars
    in s, one colour per term of :data:`lab.mission.TERMS`."""
    import plotly.graph_objects as go

    rows = labels or [str(i) for i in breakdown.index]
    fig = go.Figure([go.Bar(y=rows, x=breakdown[t].to_numpy(), name=t, orientation="h",
                            marker_color=TERM_COLORS[t]) for t in TERMS])
    fig.update_layout(barmode="stack", height=height, title=title, xaxis_title="time (s)",
                      legend_title_text="term", legend_traceorder="normal",
                      margin=dict(l=10, r=10, t=50, b=40))
    return fig
