"""Plotly figures for :mod:`lab.power` (used by notebook 02): :func:`timeline_figure` of a
:func:`~lab.power.simulate` run and :func:`year_figure` of :func:`~lab.power.sunlight_over_year`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from lab._validate import check_int
from lab.power.core import HOUR
from lab.power.timeline import require_dataset

__all__ = ["timeline_figure", "year_figure"]


def _two_panels(top: str, bottom: str, xlabel: str) -> go.Figure:
    """Two stacked panels sharing their x axis."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=(top, bottom))
    fig.update_xaxes(title_text=xlabel, row=2, col=1)
    return fig


def timeline_figure(ds: xr.Dataset, satellite: int = 0, title: str | None = None) -> go.Figure:
    """One satellite's :func:`~lab.power.simulate` timeline: powers in W (top) and state of
    charge in % (bottom) against hours since the start, eclipses shaded."""
    require_dataset(ds, "ds", "simulate",
                    ("elapsed", "generated", "served", "load", "state_of_charge", "eclipse"))
    s = ds.isel(satellite=check_int(satellite, "satellite", lo=0, hi=ds.sizes["satellite"] - 1))
    hours = s["elapsed"].values / HOUR
    fig = _two_panels("Power (W)", "Battery state of charge (%)", "hours since start")
    # "served" is noisy (prompts come and go); the smoother "load" goes on top, dashed and wider.
    for name, line in (("generated", {}), ("served", {"width": 1}),
                       ("load", {"dash": "dash", "width": 2.5})):
        fig.add_trace(go.Scatter(x=hours, y=s[name].values, name=name, mode="lines", line=line),
                      row=1, col=1)
    fig.add_trace(go.Scatter(x=hours, y=100 * s["state_of_charge"].values, name="state of charge",
                             mode="lines"), row=2, col=1)
    floor = 100 * (1 - ds.attrs.get("max_depth_of_discharge", 1.0))
    fig.add_hline(y=floor, line_dash="dash", line_color="red", row=2, col=1,
                  annotation_text="DoD floor")
    ecl = s["eclipse"].values.astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ecl, [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        x1 = hours[b] if b < hours.size else hours[-1]
        fig.add_vrect(x0=hours[a], x1=x1, fillcolor="gray", opacity=0.2, line_width=0)
    fig.update_yaxes(title_text="power (W)", row=1, col=1)
    fig.update_yaxes(title_text="state of charge (%)", row=2, col=1)
    fig.update_layout(height=520, title=title or "Power timeline (gray: eclipse)",
                      legend={"orientation": "h", "y": -0.15})
    return fig


def year_figure(year: xr.Dataset, labels: Sequence[str] | None = None,
                title: str | None = None) -> go.Figure:
    """:func:`~lab.power.sunlight_over_year` output on a calendar axis (UTC dates): beta angle
    (deg, top) and the longest eclipse per orbit (min, bottom), one colour per satellite
    (``labels``), with the equinoxes and solstices (:func:`lab.orbits.seasons`) marked."""
    from lab.orbits import seasons

    require_dataset(year, "year", "sunlight_over_year", ("day", "beta", "eclipse_minutes"))
    n_sat = year.sizes["satellite"]
    if labels is not None and len(labels) != n_sat:
        raise ValueError(f"labels must have one name per satellite ({n_sat}) (got {len(labels)})")
    fig = _two_panels("Beta angle (deg): the Sun's elevation above the orbit plane",
                      "Longest eclipse per orbit (min): 0 = in sunlight all orbit", "date (UTC)")
    dates = year["time"].values
    palette = qualitative.Plotly
    for i in range(n_sat):
        name = labels[i] if labels else f"satellite {i}"
        line = {"color": palette[i % len(palette)]}  # one colour per orbit in both panels
        fig.add_trace(go.Scatter(x=dates, y=year["beta"].values[i], name=name, mode="lines",
                                 line=line, legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=dates, y=year["eclipse_minutes"].values[i], name=name,
                                 mode="lines", line=line, legendgroup=name, showlegend=False),
                      row=2, col=1)
    fig.update_yaxes(title_text="beta (deg)", row=1, col=1)
    fig.update_yaxes(title_text="eclipse (min)", row=2, col=1)
    if dates.size > 1:
        for name, when in seasons(str(dates[0]), str(dates[-1])):
            x = np.datetime64(when.datetime64, "s")
            fig.add_vline(x=x, line_dash="dot", line_color="gray", row="all", col=1)
            fig.add_annotation(x=x, y=1.0, xref="x", yref="y domain", yanchor="top",
                               text=name.replace(" ", "<br>"), showarrow=False,
                               font={"size": 10}, bgcolor="rgba(255,255,255,0.7)")
    fig.update_layout(height=560,
                      title=title or "Beta angle and eclipses over the year: eclipses last "
                      "longest where |beta| is smallest")
    return fig
