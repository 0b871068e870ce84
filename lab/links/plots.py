"""Plotly figures for notebook 03 (kept here so notebook cells stay short).

One convention for every package: figures are ``*_figure`` functions in a ``plots`` module; the
tables they draw come from the module of their concept (:func:`lab.links.link_table`,
:func:`lab.links.in_view_count`, :func:`lab.links.latency_budget`). Globes draw on
:func:`lab.orbits.plots.earth_traces`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from astropy.time import TimeDelta

from lab._validate import as_time, as_value
from lab.links.budget import LinkBudget
from lab.links.geometry import elevation
from lab.links.isl import isl_state
from lab.links.routing import Route
from lab.links.stations import GroundStation, as_stations
from lab.links.windows import in_view_count, itrs_positions
from lab.orbits.plots import earth_traces

__all__ = [
    "elevation_figure",
    "in_view_figure",
    "latency_budget_figure",
    "passes_figure",
    "rates_figure",
    "route_globe_figure",
]


def elevation_figure(satellite: Any, station: GroundStation, start: Any, duration: Any = 86400.0,
                   step: Any = 30.0, *, model: str | None = None) -> go.Figure:
    """Elevation (deg) of one satellite over one station through a window, with the mask."""
    t0 = as_time(start, "start")
    dur = as_value(duration, "s", "duration", lo=0, lo_inclusive=False)
    h = as_value(step, "s", "step", lo=0, lo_inclusive=False)
    sec = np.arange(0.0, dur + h, h)
    r = itrs_positions(satellite, t0 + TimeDelta(sec, format="sec"), model)[0]
    el = elevation(r, station)
    x = np.datetime64(t0.utc.datetime64, "ns") + (sec * 1e9).astype("timedelta64[ns]")
    fig = go.Figure(go.Scatter(x=x, y=el, mode="lines", name="elevation"))
    fig.add_hline(y=station.min_elevation, line_dash="dash",
                  annotation_text=f"mask {station.min_elevation:g}°")
    fig.update_layout(title=f"Elevation seen from {station.name}: each rise above the dashed "
                      "mask is a pass", yaxis_title="elevation (deg)", xaxis_title="time (UTC)",
                      yaxis_range=[-90, 90], height=350, margin=dict(t=50, b=40))
    return fig


def passes_figure(contacts: pd.DataFrame, *, by: str = "station", max_rows: int = 2000,
                         title: str = "Passes") -> go.Figure:
    """Gantt chart of passes (one bar per pass, y = ``by`` column, colour = max elevation)."""
    df = contacts.head(max_rows)
    y = df[by].astype(str)
    dur_ms = (df["set"] - df["rise"]).dt.total_seconds() * 1e3
    fig = go.Figure(go.Bar(
        base=df["rise"], x=dur_ms, y=y, orientation="h",
        marker=dict(color=df["max_elevation"], colorscale="Viridis", showscale=True,
                    colorbar=dict(title="max el. (°)")),
        customdata=np.stack([df["satellite"], df["max_elevation"], df["duration_s"]], axis=1),
        hovertemplate="sat %{customdata[0]}<br>max %{customdata[1]:.1f}°<br>"
                      "%{customdata[2]:.0f} s<extra></extra>",
    ))
    fig.update_xaxes(type="date", title_text="time (UTC)")
    fig.update_yaxes(title_text=by)
    fig.update_layout(title=title, height=150 + 25 * y.nunique(), margin=dict(t=50, b=40),
                      bargap=0.3)
    return fig


def in_view_figure(tables: Mapping[str, pd.DataFrame], station: str, duration: float = 86400.0,
                 step: float = 30.0) -> go.Figure:
    """Satellites in view of ``station`` through the window: one panel per contacts table, each
    with its own y axis (0-1 for a 12-satellite plane next to dozens for a big shell)."""
    from plotly.subplots import make_subplots

    t = np.arange(0.0, duration, step)
    start = next((df.attrs["start"] for df in tables.values() if "start" in df.attrs), None)
    x = (t / 3600 if start is None else np.datetime64(start.utc.datetime64, "ns")
         + (t * 1e9).astype("timedelta64[ns]"))
    n = len(tables)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=list(tables))
    for row, (label, df) in enumerate(tables.items(), start=1):
        count = in_view_count(df, t, station=station)
        fig.add_trace(go.Scatter(x=x, y=count, mode="lines", name=label, line_shape="hv",
                                 fill="tozeroy"), row=row, col=1)
        fig.update_yaxes(title_text="satellites in view", rangemode="tozero", row=row, col=1,
                         dtick=1 if count.max(initial=0) <= 5 else None)  # whole satellites
    fig.update_xaxes(title_text="hours since the start" if start is None else "time (UTC)",
                     row=n, col=1)
    fig.update_layout(title=f"Satellites above the mask at {station}: zero means no way up",
                      showlegend=False, height=120 + 200 * n, margin=dict(t=70, b=40))
    return fig


def rates_figure(budgets: Sequence[LinkBudget], ranges: Any = None) -> go.Figure:
    """Data rate vs range for some link budgets (log y axis)."""
    d = np.linspace(200, 6000, 300) if ranges is None else np.asarray(ranges, dtype=float)
    fig = go.Figure()
    for b in budgets:
        fig.add_trace(go.Scatter(x=d, y=b.data_rate_value(d), mode="lines", name=b.name))
    fig.update_layout(xaxis_title="range (km)", yaxis_title="data rate (bit/s)", yaxis_type="log",
                      title="What a link carries at a given range", height=380,
                      margin=dict(t=50, b=40))
    return fig


def route_globe_figure(constellation: Any, time: Any, route: Route | None = None, *,
                     stations: Any = None, pattern: str = "+grid", max_edges: int = 6000,
                     model: str | None = None, center: tuple[float, float] | None = None) -> go.Figure:
    """3-D globe (Earth-fixed frame): satellites, the ISLs up at ``time``, stations, a route's path.

    Drawn with ``Scatter3d`` on a sphere with the coastlines and borders of
    :func:`lab.orbits.plots.earth_traces`, so it needs no map data from the internet; the night
    side, the terminator and the Sun's direction are those at ``time``.
    """
    t = as_time(time, "time")
    r = itrs_positions(constellation, t.reshape(1), model)[:, 0]
    fig = go.Figure(earth_traces(color="rgb(200,220,240)", graticule=30.0, coastlines=True,
                                 lighting=dict(ambient=0.85, diffuse=0.3, specular=0.05),
                                 sun=t, legend=True))
    stt = isl_state(constellation, t, pattern, model=model)
    pairs = stt.pairs[stt.up[:, 0]][:max_edges]
    if len(pairs):
        seg = np.full((len(pairs), 3, 3), np.nan)
        seg[:, 0], seg[:, 1] = r[pairs[:, 0]], r[pairs[:, 1]]
        seg = seg.reshape(-1, 3)
        fig.add_trace(go.Scatter3d(x=seg[:, 0], y=seg[:, 1], z=seg[:, 2], mode="lines",
                                   line=dict(width=1, color="rgba(110,110,200,0.45)"),
                                   name="laser links", hoverinfo="skip"))
    fig.add_trace(go.Scatter3d(x=r[:, 0], y=r[:, 1], z=r[:, 2], mode="markers",
                               marker=dict(size=2, color="navy"), name="satellites",
                               text=[f"sat {i}" for i in range(len(r))], hoverinfo="text"))
    sts = () if stations is None else as_stations(stations)
    if route is not None and route.reachable:
        known = {s.name: s.itrs for s in sts}
        path = [known.get(node) if isinstance(node, str) else r[node] for node in route.path]
        path = np.array([p for p in path if p is not None])
        fig.add_trace(go.Scatter3d(x=path[:, 0], y=path[:, 1], z=path[:, 2], mode="lines+markers",
                                   line=dict(width=6, color="crimson"), marker=dict(size=3),
                                   name=f"route ({route.hops} hops)"))
    if sts:
        g = np.array([s.itrs for s in sts])
        fig.add_trace(go.Scatter3d(x=g[:, 0], y=g[:, 1], z=g[:, 2], mode="markers+text",
                                   text=[s.name for s in sts], name="ground stations",
                                   marker=dict(size=5, symbol="diamond", color="darkgreen")))
    c_lat, c_lon = center if center is not None else (
        (float(np.mean([s.lat for s in sts])), float(np.mean([s.lon for s in sts]))) if sts else (20.0, 0.0))
    la, lo = np.radians(c_lat), np.radians(c_lon)
    eye = 1.8 * np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    hidden = dict(visible=False, showbackground=False)
    fig.update_layout(
        scene=dict(xaxis=hidden, yaxis=hidden, zaxis=hidden, aspectmode="data",
                   camera=dict(eye=dict(x=eye[0], y=eye[1], z=eye[2]))),
        height=560, margin=dict(t=60, b=0, l=0, r=0), legend=dict(x=0.0, y=0.98),
        title=f"Network at {t.utc.iso[:19]} UTC{': the route in red' if route is not None else ''}"
              "<br><sup>Earth-fixed frame (ITRS); night side and Sun as at that time</sup>",
    )
    return fig


def latency_budget_figure(table: pd.DataFrame, *, log: bool = True) -> go.Figure:
    """Horizontal bars of a :func:`lab.links.latency_budget` table (log x: ms next to minutes)."""
    df = table[table["leg"] != "total"]
    labels = df["leg"] + " · " + df["component"]
    fig = go.Figure(go.Bar(x=df["seconds"], y=labels, orientation="h",
                           text=[_fmt_s(s) for s in df["seconds"]], textposition="auto"))
    fig.update_layout(title=f"One round trip: {_fmt_s(float(table['seconds'].iloc[-1]))}: the "
                      "longest bar sets the response time",
                      xaxis_title="time (s, log scale)" if log else "time (s)",
                      xaxis_type="log" if log else "linear",
                      height=120 + 30 * len(df), margin=dict(t=50, b=40))
    return fig


def _fmt_s(s: float) -> str:
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    if s < 120:
        return f"{s:.1f} s"
    return f"{s / 60:.1f} min"
