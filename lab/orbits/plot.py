"""Plotly helpers for the orbit notebooks (kept here so notebook cells stay short)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lab.constants import R_EARTH

__all__ = ["globe_figure", "ground_track_figure", "shadow_figure"]


def _earth_surface(n: int = 40):
    import plotly.graph_objects as go

    lat = np.linspace(-np.pi / 2, np.pi / 2, n)
    lon = np.linspace(-np.pi, np.pi, 2 * n)
    x = R_EARTH * np.outer(np.cos(lat), np.cos(lon))
    y = R_EARTH * np.outer(np.cos(lat), np.sin(lon))
    z = R_EARTH * np.outer(np.sin(lat), np.ones_like(lon))
    return go.Surface(x=x, y=y, z=z, colorscale=[[0, "#1f4e79"], [1, "#3c7dbf"]],
                      showscale=False, opacity=1.0, hoverinfo="skip", name="Earth")


def globe_figure(positions, groups: np.ndarray | None = None, title: str = "",
                 max_tracks: int = 60, marker_size: float = 3.0, names: Sequence[str] | None = None):
    """3-D globe with orbit tracks and satellite markers.

    ``positions``: (S, E, 3) km (GCRS or ITRS). The first epoch gets a marker per satellite;
    at most ``max_tracks`` tracks are drawn (evenly chosen). ``groups`` (S,) ints colour the
    markers (e.g. the plane index).
    """
    import plotly.graph_objects as go

    p = np.asarray(positions, dtype=float)
    if p.ndim == 2:
        p = p[None]
    S = p.shape[0]
    fig = go.Figure([_earth_surface()])
    pick = np.unique(np.linspace(0, S - 1, min(S, max_tracks)).astype(int))
    for k in pick:
        fig.add_trace(go.Scatter3d(x=p[k, :, 0], y=p[k, :, 1], z=p[k, :, 2], mode="lines",
                                   line={"width": 2, "color": "rgba(255,170,0,0.6)"},
                                   hoverinfo="skip", showlegend=False))
    color = groups if groups is not None else np.zeros(S)
    text = list(names) if names is not None else [f"sat {k}" for k in range(S)]
    fig.add_trace(go.Scatter3d(x=p[:, 0, 0], y=p[:, 0, 1], z=p[:, 0, 2], mode="markers",
                               marker={"size": marker_size, "color": color,
                                       "colorscale": "Turbo"},
                               text=text, hoverinfo="text", name="satellites"))
    lim = 1.05 * float(np.abs(p).max())
    axis = {"range": [-lim, lim], "visible": False}
    fig.update_layout(title=title, height=550, margin={"l": 0, "r": 0, "t": 40, "b": 0},
                      scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "cube",
                             "camera": {"eye": {"x": 1.2, "y": 1.2, "z": 0.7}}},
                      showlegend=False)
    return fig


def _break_dateline(lat: np.ndarray, lon: np.ndarray):
    """Insert NaNs where the longitude wraps so lines don't cross the whole map."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180) + 1
    return np.insert(lat, jumps, np.nan), np.insert(lon, jumps, np.nan)


def ground_track_figure(lat, lon, labels: Sequence[str] | None = None, title: str = "",
                        stations: dict[str, tuple[float, float]] | None = None,
                        basemap: str = "plain"):
    """Ground tracks on a world map: ``lat``, ``lon`` (S, E) degrees.

    ``basemap="plain"`` (default) draws an equirectangular latitude/longitude grid that works
    offline; ``"geo"`` uses plotly's geographic map with coastlines, which the browser loads from
    plotly's CDN (needs internet).
    """
    import plotly.graph_objects as go

    lat = np.atleast_2d(lat)
    lon = np.atleast_2d(lon)
    geo = basemap == "geo"
    if basemap not in ("plain", "geo"):
        raise ValueError(f"basemap must be one of 'plain', 'geo' (got {basemap!r})")
    Trace = go.Scattergeo if geo else go.Scatter

    def xy(la, lo):
        return {"lat": la, "lon": lo} if geo else {"x": lo, "y": la}

    fig = go.Figure()
    for k in range(lat.shape[0]):
        la, lo = _break_dateline(lat[k], lon[k])
        name = labels[k] if labels else f"sat {k}"
        fig.add_trace(Trace(**xy(la, lo), mode="lines", line={"width": 1.5}, name=name))
        fig.add_trace(Trace(**xy(lat[k, :1], lon[k, :1]), mode="markers", marker={"size": 7},
                            showlegend=False, hoverinfo="skip"))
    for name, (la, lo) in (stations or {}).items():
        fig.add_trace(Trace(**xy([la], [lo]), mode="markers+text", text=[name],
                            textposition="top center", name=name,
                            marker={"symbol": "triangle-up", "size": 10, "color": "black"}))
    if geo:
        fig.update_geos(projection_type="natural earth", showcountries=True, showland=True,
                        landcolor="#eeeeee")
    else:
        fig.update_xaxes(range=[-180, 180], dtick=30, title="longitude (deg)", zeroline=True)
        fig.update_yaxes(range=[-90, 90], dtick=30, title="latitude (deg)", zeroline=True,
                         scaleanchor="x", scaleratio=1)
    fig.update_layout(title=title, height=450, margin={"l": 40, "r": 10, "t": 40, "b": 40})
    return fig


def shadow_figure(minutes, fractions: dict[str, np.ndarray], title: str = ""):
    """Shadow fraction (0 sunlit .. 1 umbra) against time in minutes, one line per model."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, f in fractions.items():
        fig.add_trace(go.Scatter(x=minutes, y=f, mode="lines", name=name, line_shape="linear"))
    fig.update_layout(title=title, xaxis_title="minutes after epoch",
                      yaxis_title="fraction of the solar disk hidden", height=350,
                      yaxis_range=[-0.05, 1.05])
    return fig
