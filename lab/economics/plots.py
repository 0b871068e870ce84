"""Plotly figures of :mod:`lab.economics` (each function ends in ``_figure``; plain ``go.Figure``).

- :func:`waterfall_figure` — USD per million tokens by category, orbit and ground;
- :func:`token_cost_figure` — USD per million tokens versus launch price, break-even marked;
- :func:`tornado_figure` — :func:`~lab.economics.tornado` as horizontal bars;
- :func:`probability_figure` — P(orbit cheaper) and P(launch below power spend) by year;
- :func:`learning_curve_figure` — the launch price path by year for several cadences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from lab.economics.launch import FALCON_9_PRICE, price_path

__all__ = ["learning_curve_figure", "probability_figure", "token_cost_figure",
           "tornado_figure", "waterfall_figure"]

LAUNCH_GRID = np.geomspace(10.0, 10_000.0, 61)  # USD/kg on the token-cost plot


def _floats(values: Any, digits: int = 5) -> list[float]:
    """Plain rounded floats (a browser gets JSON numbers, not numpy scalars)."""
    return [float(v) for v in np.round(np.asarray(values, dtype=float).ravel(), digits)]


def waterfall_figure(result: Any, height: int = 360, width: int = 560) -> go.Figure:
    """A cost waterfall: each category's USD per million tokens, orbit (left) and ground
    (right), each ending in its total (dark bar)."""
    from plotly.subplots import make_subplots

    parts = result.breakdown()
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("orbit", "ground"))
    for col, (side, colour) in enumerate((("orbit", "#1f77b4"), ("ground", "#2ca02c")), 1):
        names = list(parts[side])
        vals = [parts[side][k] for k in names]
        fig.add_trace(go.Waterfall(
            name=side, orientation="v", x=[*names, "total"], y=_floats([*vals, 0.0]),
            measure=["relative"] * len(names) + ["total"],
            increasing={"marker": {"color": colour}}, decreasing={"marker": {"color": colour}},
            totals={"marker": {"color": "#444"}}, connector={"line": {"color": "#999"}}),
            row=1, col=col)
    fig.update_layout(title=f"{result.preset.name} at ${result.launch_price:,.0f}/kg: where a "
                      "token's cost goes<br><sup>each bar adds one cost; the dark bar is the "
                      "total</sup>", height=height, width=width, showlegend=False,
                      margin=dict(l=60, r=20, t=80, b=90))
    fig.update_yaxes(title_text="cost (USD per million tokens)", row=1, col=1)
    return fig


def token_cost_figure(result: Any, height: int = 360, width: int = 560) -> go.Figure:
    """USD per million tokens in orbit versus launch price, the ground as a line, the
    break-even launch price and the current price marked."""
    orbit = result.usd_per_mtok_at(LAUNCH_GRID)
    ground = float(result.raw["ground"]["usd_per_mtok"])
    be = result.breakeven_launch_price
    fig = go.Figure([
        go.Scatter(x=_floats(LAUNCH_GRID), y=_floats(orbit), mode="lines", name="orbit"),
        go.Scatter(x=_floats(LAUNCH_GRID[[0, -1]]), y=[ground, ground], mode="lines",
                   name="ground", line=dict(dash="dash")),
        go.Scatter(x=[result.launch_price], y=_floats(result.usd_per_mtok_at(
            result.launch_price)), mode="markers", name="current",
            marker=dict(size=13, color="red", symbol="star")),
    ])
    label = (f"break-even at ${be:,.0f}/kg (dotted)" if be > 0 else
             "no break-even: orbit costs more even with free launches")
    if be > 0:
        fig.add_vline(x=be, line_dash="dot", line_color="green")
    fig.update_layout(title=f"A token's cost versus the launch price<br><sup>{label}</sup>",
                      height=height, width=width,
                      xaxis=dict(type="log", title="launch price (USD/kg)"),
                      yaxis=dict(type="log", title="cost (USD per million tokens)"),
                      legend=dict(x=0.02, y=0.98), margin=dict(l=60, r=20, t=50, b=50))
    return fig


def tornado_figure(df: Any, height: int = 360, width: int = 560,
                   title: str = "What moves the orbit / ground cost ratio most<br><sup>each "
                   "input from its low to its high end; 1 (dotted) = break-even</sup>"
                   ) -> go.Figure:
    """Horizontal bars from the nominal value to each input's low and high ends."""
    d = df.iloc[::-1]
    nominal = float(d["nominal"].iloc[0])
    names = [str(i) for i in d.index]
    fig = go.Figure([
        go.Bar(y=names, x=_floats(d["at_low"] - nominal), base=nominal, orientation="h",
               name="input at its low end", marker_color="#1f77b4"),
        go.Bar(y=names, x=_floats(d["at_high"] - nominal), base=nominal, orientation="h",
               name="input at its high end", marker_color="#ff7f0e"),
    ])
    fig.add_vline(x=1.0, line_dash="dot", line_color="green")
    fig.update_layout(title=title, barmode="overlay", height=height, width=width,
                      xaxis_title="orbit / ground cost per token (ratio)",
                      legend=dict(x=0.55, y=0.02), margin=dict(l=170, r=20, t=60, b=50))
    return fig


def probability_figure(mc: Any, height: int = 360, width: int = 560) -> go.Figure:
    """P(orbit cheaper per token) and Suncatcher's P(launched power price below the terrestrial
    power spend), by year, from :func:`~lab.economics.monte_carlo`."""
    years = [int(y) for y in mc.years]
    fig = go.Figure([
        go.Scatter(x=years, y=_floats(mc.p_orbit_cheaper, 4), mode="lines+markers",
                   name="all-in cost per token"),
        go.Scatter(x=years, y=_floats(mc.p_launch_below_power, 4), mode="lines+markers",
                   name="launch only vs power spend (Suncatcher)", line=dict(dash="dot")),
    ])
    fig.update_layout(title="Probability that orbit is cheaper, by year<br><sup>launch alone "
                      "(Suncatcher's criterion) versus all costs in</sup>", height=height,
                      width=width, yaxis=dict(range=[0, 1], title="probability (%)",
                                              tickformat=".0%"),
                      xaxis_title="year", legend=dict(x=0.02, y=0.98),
                      margin=dict(l=60, r=20, t=50, b=50))
    return fig


def learning_curve_figure(flights: Any = (0, 20, 52, 180), years: Any = None,
                          height: int = 360, width: int = 560) -> go.Figure:
    """Launch price by year (:func:`~lab.economics.price_path`) for several flight cadences."""
    yrs = np.arange(2025, 2046) if years is None else np.asarray(years)
    fig = go.Figure()
    for n in flights:
        label = "Falcon 9 only" if n == 0 else f"{n} Starship flights/year"
        fig.add_trace(go.Scatter(x=[int(y) for y in yrs], y=_floats(price_path(yrs, n), 1),
                                 mode="lines", name=label))
    fig.add_hline(y=200, line_dash="dot", line_color="green")
    # an annotation on a log axis is placed at log10 of its value (plotly)
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=float(np.log10(200)),
                       yanchor="bottom", text="$200/kg (Suncatcher)", showarrow=False)
    fig.update_layout(title=f"Launch price paths: more flights, more mass launched, lower "
                      f"prices<br><sup>today ${FALCON_9_PRICE:,.0f}/kg (Falcon 9)</sup>",
                      height=height, width=width,
                      yaxis=dict(type="log", title="launch price (USD/kg, log scale)"),
                      legend_title_text="cadence",
                      xaxis_title="year", margin=dict(l=60, r=20, t=50, b=50))
    return fig
