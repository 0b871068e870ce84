"""Plotly figures for the orbit notebooks (kept here so notebook cells stay short).

One convention for every package: figures are ``*_figure`` functions in a ``plots`` module.
:func:`earth_traces` is the one Earth sphere (optionally with a graticule) that the orbit and link
globes draw on; it needs no map data, so it works offline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lab.constants import R_EARTH

__all__ = ["earth_traces", "globe_figure", "ground_track_figure", "shadow_figure"]


def earth_traces(radius: float = R_EARTH, *, color: str | Sequence[str] = ("#1f4e79", "#3c7dbf"),
                 opacity: float = 1.0, resolution: int = 37, graticule: float | None = None,
                 lighting: dict | None = None) -> list:
    """Plotly traces of the Earth: a sphere of ``radius`` km and, optionally, a graticule.

    ``color``: one colour, or two shaded south to north. ``resolution``: latitude samples
    (longitude gets ``2 * resolution - 1``). ``graticule``: spacing in deg of latitude/longitude
    lines drawn just above the surface (None: none). ``lighting``: plotly Surface lighting.
    Returns ``[Surface]`` or ``[Surface, Scatter3d]``, for ``go.Figure(traces)``.
    """
    import plotly.graph_objects as go

    lat = np.radians(np.linspace(-90, 90, resolution))[:, None]
    lon = np.radians(np.linspace(-180, 180, 2 * resolution - 1))[None, :]
    x, y, z = (radius * np.cos(lat) * np.cos(lon), radius * np.cos(lat) * np.sin(lon),
               radius * np.sin(lat) * np.ones_like(lon))
    lo_c, hi_c = (color, color) if isinstance(color, str) else color
    traces = [go.Surface(x=x, y=y, z=z, colorscale=[[0, lo_c], [1, hi_c]], showscale=False,
                         opacity=opacity, hoverinfo="skip", name="Earth",
                         **({"lighting": lighting} if lighting else {}))]
    if graticule:
        traces.append(_graticule(radius * 1.002, graticule))
    return traces


def _graticule(radius: float, spacing: float):
    """Latitude and longitude lines every ``spacing`` deg (one Scatter3d, NaN-separated)."""
    import plotly.graph_objects as go

    lines = []
    for la in np.radians(np.arange(-90 + spacing, 90, spacing)):
        lo = np.radians(np.linspace(-180, 180, 121))
        lines.append(np.stack([radius * np.cos(la) * np.cos(lo), radius * np.cos(la) * np.sin(lo),
                               radius * np.sin(la) * np.ones_like(lo)], axis=1))
    for lo in np.radians(np.arange(-180, 180, spacing)):
        la = np.radians(np.linspace(-90, 90, 61))
        lines.append(np.stack([radius * np.cos(la) * np.cos(lo), radius * np.cos(la) * np.sin(lo),
                               radius * np.sin(la)], axis=1))
    pts = np.concatenate([np.vstack([seg, [np.nan] * 3]) for seg in lines])
    return go.Scatter3d(x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], mode="lines",
                        line={"color": "rgba(90,110,140,0.6)", "width": 1}, hoverinfo="skip",
                        name=f"graticule ({spacing:g}°)")


def _default_camera(p: np.ndarray) -> dict:
    """Camera for a globe: when all tracks lie in one plane, an orthographic view 15° off the
    orbit normal (a low ring shows as an open ellipse, neither edge-on nor hidden behind the
    Earth's limb by perspective); else a fixed oblique perspective view."""
    pts = p.reshape(-1, 3)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) >= 3:
        _, sv, vt = np.linalg.svd(pts, full_matrices=False)
        if sv[2] < 0.2 * sv[0]:  # flat point cloud: one orbital plane
            n = vt[2] if vt[2][2] >= 0 else -vt[2]
            w = np.cross([0.0, 0.0, 1.0], n)
            w = w / np.linalg.norm(w) if np.linalg.norm(w) > 1e-6 else vt[0]
            d = 1.4 * (np.cos(np.radians(15)) * n + np.sin(np.radians(15)) * w)
            return {"eye": {"x": float(d[0]), "y": float(d[1]), "z": float(d[2])},
                    "projection": {"type": "orthographic"}}
    return {"eye": {"x": 1.2, "y": 1.2, "z": 0.7}}


def globe_figure(positions, groups: np.ndarray | None = None, title: str = "",
                 max_tracks: int = 60, marker_size: float = 3.0, names: Sequence[str] | None = None,
                 camera_eye: dict[str, float] | None = None):
    """3-D globe with orbit tracks and satellite markers.

    ``positions``: (S, E, 3) km (GCRS or ITRS). The first epoch gets a marker per satellite;
    at most ``max_tracks`` tracks are drawn (evenly chosen). ``groups`` (S,) ints colour the
    markers (e.g. the plane index). ``camera_eye``: plotly scene camera eye (x, y, z); by default
    a single orbital plane is seen 15° off its normal so the whole ring shows.
    """
    import plotly.graph_objects as go

    p = np.asarray(positions, dtype=float)
    if p.ndim == 2:
        p = p[None]
    S = p.shape[0]
    fig = go.Figure(earth_traces())
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
                             "camera": {"eye": camera_eye} if camera_eye else _default_camera(p)},
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

    # Models mostly agree, so later lines would hide earlier ones: the first is wide and pale,
    # the others narrow and dashed on top of it.
    styles = ({"width": 5, "color": "rgba(31,119,180,0.45)"}, {"width": 2, "dash": "dash"},
              {"width": 2, "dash": "dot"})
    fig = go.Figure()
    for k, (name, f) in enumerate(fractions.items()):
        fig.add_trace(go.Scatter(x=minutes, y=f, mode="lines", name=name, line_shape="linear",
                                 line=styles[min(k, len(styles) - 1)]))
    fig.update_layout(title=title, xaxis_title="minutes after epoch",
                      yaxis_title="fraction of the solar disk hidden", height=350,
                      yaxis_range=[-0.05, 1.05])
    return fig
