"""Plotly figures for the orbit notebooks (kept here so notebook cells stay short).

One convention for every package: figures are ``*_figure`` functions in a ``plots`` module.
:func:`earth_traces` is the one Earth sphere (optionally with a graticule, coastlines and country
borders) that the orbit and link globes draw on. The coastlines come from an installed package
(:mod:`lab.orbits.coastlines`) and are drawn as ordinary line traces (``Scatter3d`` on a globe,
``Scatter``/``Scattergeo`` on a map), so every figure works offline: plotly's own geographic
base layers would be loaded from a CDN by the browser, and are switched off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lab._validate import as_time
from lab.constants import R_EARTH
from lab.orbits import coastlines as _coast

__all__ = ["earth_traces", "globe_figure", "ground_track_figure", "map_traces", "shadow_figure",
           "sun_in_frame", "sun_traces"]

#: Line colours of coastlines and borders on a dark and on a light background.
_MAP_LINES = {"dark": ("rgba(235,235,215,0.95)", "rgba(235,235,215,0.5)"),
              "light": ("rgba(60,60,60,0.9)", "rgba(110,110,110,0.6)")}


def _is_dark(color: str) -> bool:
    """True for a dark colour (hex or rgb()/rgba() string); named colours count as light."""
    from plotly.colors import hex_to_rgb, unlabel_rgb

    try:
        rgb = hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color)[:3]
    except (ValueError, IndexError, TypeError):
        return False
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128


def earth_traces(radius: float = R_EARTH, *, color: str | Sequence[str] = ("#1f4e79", "#3c7dbf"),
                 opacity: float = 1.0, resolution: int = 37, graticule: float | None = None,
                 lighting: dict | None = None, coastlines: bool = False,
                 borders: bool | None = None, rotation: np.ndarray | None = None,
                 coastline_spacing: float = 0.75, coastline_height: float = 0.01,
                 sun: Any = None, night_color: str | None = None, legend: bool = False) -> list:
    """Plotly traces of the Earth: a sphere of ``radius`` km and, optionally, a graticule,
    coastlines and country borders, and the Sun's direction with the day/night terminator.

    ``color``: one colour, or two shaded south to north (with ``sun``: terminator to subsolar
    point). ``resolution``: latitude samples
    (longitude gets ``2 * resolution - 1``). ``graticule``: spacing in deg of latitude/longitude
    lines drawn just above the surface (None: none). ``lighting``: plotly Surface lighting.
    ``coastlines``: draw the coastlines (:func:`lab.orbits.coastlines.coastlines`, offline),
    light on a dark sphere and dark on a light one; ``borders``: the country borders too
    (default: with the coastlines). ``coastline_spacing``: minimum spacing in deg of their
    points (larger is lighter). ``coastline_height``: their height above the surface as a
    fraction of ``radius`` (closer, WebGL's depth test hides them in patches: 0.01 suits a
    perspective camera, an orthographic one needs ~0.04). ``rotation``: (3, 3) matrix taking Earth-fixed (ITRS)
    vectors to the figure's frame, e.g. ``gcrs_to_itrs_matrix(t).T`` for a GCRS figure at epoch
    ``t`` (None: the figure is Earth-fixed).
    ``sun``: None (no Sun), an astropy ``Time`` (the Sun's direction then, by
    :func:`lab.orbits.sun_direction`, taken to the figure's frame through ITRS and ``rotation``)
    or a 3-vector already in the figure's frame (any length). It shades the night hemisphere
    (``night_color``; default: dark on a dark sphere, grey-blue on a light one) and adds the
    terminator and an arrow towards the Sun, both in the legend. ``legend``: list the
    coastlines and borders in the legend too.
    Returns ``[Surface, graticule?, coastlines?, borders?, terminator?, Sun arrow?]`` for
    ``go.Figure(traces)``.
    """
    import plotly.graph_objects as go

    lat = np.radians(np.linspace(-90, 90, resolution))[:, None]
    lon = np.radians(np.linspace(-180, 180, 2 * resolution - 1))[None, :]
    x, y, z = (radius * np.cos(lat) * np.cos(lon), radius * np.cos(lat) * np.sin(lon),
               radius * np.sin(lat) * np.ones_like(lon))
    lo_c, hi_c = (color, color) if isinstance(color, str) else color
    dark = _is_dark(lo_c) and _is_dark(hi_c)
    s_hat = None if sun is None else sun_in_frame(sun, rotation)
    shade = {}
    if s_hat is not None:  # colour by the Sun's elevation: night flat, day lo -> hi
        night = night_color or ("#07111f" if dark else "rgb(125,140,165)")
        shade = {"surfacecolor": (x * s_hat[0] + y * s_hat[1] + z * s_hat[2]) / radius,
                 "cmin": -1.0, "cmax": 1.0, "showlegend": True,
                 "colorscale": [[0, night], [0.49, night], [0.51, lo_c], [1, hi_c]]}
    traces = [go.Surface(x=x, y=y, z=z, showscale=False, opacity=opacity, hoverinfo="skip",
                         name="Earth (night side shaded)" if shade else "Earth",
                         **(shade or {"colorscale": [[0, lo_c], [1, hi_c]]}),
                         **({"lighting": lighting} if lighting else {}))]
    if graticule:
        traces.append(_graticule(radius * 1.002, graticule))
    if coastlines or borders:
        traces += _globe_map_lines(radius * (1 + coastline_height), coastlines, coastlines if borders is None
                                   else borders, dark, rotation, coastline_spacing, legend)
    if s_hat is not None:
        traces += sun_traces(s_hat, radius, height=max(coastline_height, 0.01))
    return traces


def sun_in_frame(sun: Any, rotation: np.ndarray | None = None) -> np.ndarray:
    """Unit vector towards the Sun in a figure's frame: ``sun`` is an astropy Time (GCRS Sun
    direction then, to ITRS, then by ``rotation``, ITRS -> figure; None: Earth-fixed) or a
    3-vector already in the figure's frame."""
    from astropy.time import Time

    if isinstance(sun, Time):
        from lab.orbits.frames import gcrs_to_itrs_matrix
        from lab.orbits.sun import sun_direction

        if not sun.isscalar:
            raise ValueError(f"sun must be a single time (got {sun.size} epochs)")
        vec = gcrs_to_itrs_matrix(sun) @ sun_direction(sun)
        if rotation is not None:
            vec = np.asarray(rotation, dtype=float) @ vec
    else:
        vec = np.asarray(sun, dtype=float)
        if vec.shape != (3,) or not np.all(np.isfinite(vec)) or not np.any(vec):
            raise ValueError(f"sun must be an astropy Time or a non-zero 3-vector (got {sun!r})")
    return vec / np.linalg.norm(vec)


def sun_traces(sun_hat: np.ndarray, radius: float = R_EARTH, *, height: float = 0.01,
               arrow: tuple[float, float] = (1.03, 1.3)) -> list:
    """The day/night terminator (the great circle at 90° from the Sun, drawn ``height`` x
    ``radius`` above the surface) and an arrow towards the Sun from ``arrow[0]`` to
    ``arrow[1]`` Earth radii, as two legend-labelled Scatter3d traces (frame of ``sun_hat``)."""
    import plotly.graph_objects as go

    s = np.asarray(sun_hat, dtype=float)
    s = s / np.linalg.norm(s)
    e1 = np.cross(s, [0.0, 0.0, 1.0] if abs(s[2]) < 0.9 else [1.0, 0.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(s, e1)
    ang = np.linspace(0.0, 2.0 * np.pi, 181)[:, None]
    ring = radius * (1 + height) * (np.cos(ang) * e1 + np.sin(ang) * e2)
    tip = np.outer(arrow, s) * radius
    return [go.Scatter3d(x=ring[:, 0], y=ring[:, 1], z=ring[:, 2], mode="lines",
                         line={"color": "#b04fd0", "width": 4, "dash": "dash"},
                         hoverinfo="skip", name="day/night terminator"),
            go.Scatter3d(x=tip[:, 0], y=tip[:, 1], z=tip[:, 2], mode="lines+markers+text",
                         line={"color": "gold", "width": 8},
                         marker={"size": [0, 7], "color": "gold", "symbol": "diamond"},
                         text=["", "Sun"], textposition="top center", hoverinfo="skip",
                         name="direction of the Sun")]


def _map_lines(coastlines: bool, borders: bool, spacing: float
               ) -> list[tuple[str, np.ndarray, int]]:
    """(name, (N, 2) lon/lat deg, style index) of the coastline and border lines asked for."""
    out = []
    if coastlines:
        out.append(("coastlines", _coast.coastlines(spacing_deg=spacing), 0))
    if borders:
        out.append(("borders", _coast.borders(spacing_deg=max(spacing, 1.0)), 1))
    return out


def _globe_map_lines(radius: float, coastlines: bool, borders: bool, dark: bool,
                     rotation: np.ndarray | None, spacing: float, legend: bool = False) -> list:
    """Scatter3d lines of coastlines and/or borders on a sphere of ``radius`` km."""
    import plotly.graph_objects as go

    colors = _MAP_LINES["dark" if dark else "light"]
    traces = []
    for name, lonlat, style in _map_lines(coastlines, borders, spacing):
        xyz = _coast.lonlat_to_xyz(lonlat, radius)
        if rotation is not None:
            xyz = xyz @ np.asarray(rotation, dtype=float).T
        xyz = xyz.astype(np.float32)  # half the bytes in the browser; ~1 m at Earth's radius
        traces.append(go.Scatter3d(x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="lines",
                                   line={"color": colors[style], "width": 2 - style},
                                   hoverinfo="skip", name=name, showlegend=legend))
    return traces


def map_traces(*, geo: bool = False, coastlines: bool = True, borders: bool = True,
               spacing: float = 0.5) -> list:
    """Coastlines and borders for a 2-D map: ``Scatter`` lines (x = longitude, y = latitude, deg)
    or, with ``geo=True``, ``Scattergeo`` lines; drawn from local data (works offline)."""
    import plotly.graph_objects as go

    colors = _MAP_LINES["light"]
    traces = []
    for name, lonlat, style in _map_lines(coastlines, borders, spacing):
        lat, lon = _break_dateline(lonlat[:, 1], lonlat[:, 0])
        where = {"lat": lat, "lon": lon} if geo else {"x": lon, "y": lat}
        trace = go.Scattergeo if geo else go.Scatter
        traces.append(trace(**where, mode="lines", hoverinfo="skip", name=name,
                            showlegend=False, line={"color": colors[style], "width": 1.2 - 0.4 * style}))
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
                 camera_eye: dict[str, float] | None = None, epoch=None,
                 coastlines: bool = True, sun: bool = True, group_label: str = "plane"):
    """3-D globe with orbit tracks and satellite markers, over the continents.

    ``positions``: (S, E, 3) km, GCRS (inertial) when ``epoch`` is given, else Earth-fixed
    (ITRS). The first epoch gets a marker per satellite; at most ``max_tracks`` tracks are drawn
    (evenly chosen). ``groups`` (S,) ints colour the markers (e.g. the plane index), explained by
    a colour bar titled ``group_label``.
    ``camera_eye``: plotly scene camera eye (x, y, z); by default a single orbital plane is seen
    15° off its normal so the whole ring shows. ``epoch``: time (astropy Time) of the first
    positions: the coastlines are turned to where the Earth was then (the tracks that follow
    are inertial) and, with ``sun``, the night side, the terminator and the Sun's direction are
    drawn as at ``epoch``. ``coastlines``: draw coastlines and borders (offline data). The
    frame (inertial GCRS or Earth-fixed ITRS) is stated under the title.
    """
    import plotly.graph_objects as go

    p = np.asarray(positions, dtype=float)
    if p.ndim == 2:
        p = p[None]
    S = p.shape[0]
    rotation = None
    if epoch is not None:
        from lab.orbits.frames import gcrs_to_itrs_matrix

        epoch = as_time(epoch, "epoch")
        rotation = gcrs_to_itrs_matrix(epoch).T  # ITRS -> GCRS at the epoch
    camera = {"eye": camera_eye} if camera_eye else _default_camera(p)
    ortho = camera.get("projection", {}).get("type") == "orthographic"
    with_sun = sun and epoch is not None
    fig = go.Figure(earth_traces(coastlines=coastlines, rotation=rotation,
                                 coastline_height=0.04 if ortho else 0.01,
                                 sun=epoch if with_sun else None, legend=True))
    pick = np.unique(np.linspace(0, S - 1, min(S, max_tracks)).astype(int))
    for n, k in enumerate(pick):
        fig.add_trace(go.Scatter3d(x=p[k, :, 0], y=p[k, :, 1], z=p[k, :, 2], mode="lines",
                                   line={"width": 2, "color": "rgba(255,170,0,0.6)"},
                                   hoverinfo="skip", legendgroup="tracks", showlegend=n == 0,
                                   name=f"orbit tracks ({len(pick)} of {S})"))
    color = groups if groups is not None else np.zeros(S)
    bar = {"colorbar": {"title": {"text": group_label}, "len": 0.5, "thickness": 12}}
    text = list(names) if names is not None else [f"sat {k}" for k in range(S)]
    fig.add_trace(go.Scatter3d(x=p[:, 0, 0], y=p[:, 0, 1], z=p[:, 0, 2], mode="markers",
                               marker={"size": marker_size, "color": color, "colorscale": "Turbo",
                                       "showscale": groups is not None,
                                       **(bar if groups is not None else {})},
                               text=text, hoverinfo="text",
                               name="satellites at the start" + (f" (colour: {group_label})"
                                                                 if groups is not None else "")))
    lim = max(1.05 * float(np.abs(p).max()), 1.35 * R_EARTH if with_sun else 0.0)
    axis = {"range": [-lim, lim], "visible": False}
    frame = "Earth-fixed frame (ITRS)"
    if epoch is not None:
        drawn = "Earth, coastlines, night side and Sun" if with_sun else "Earth and coastlines"
        frame = f"inertial frame (GCRS): {drawn} as at {epoch.utc.iso[:16]} UTC"
    fig.update_layout(title={"text": f"{title}<br><sup>{frame}</sup>" if title else frame},
                      height=550, margin={"l": 0, "r": 0, "t": 60, "b": 0},
                      scene={"xaxis": axis, "yaxis": axis, "zaxis": axis, "aspectmode": "cube",
                             "camera": camera},
                      showlegend=True,
                      legend={"x": 0.0, "y": 0.98, "bgcolor": "rgba(255,255,255,0.7)"})
    return fig


def _break_dateline(lat: np.ndarray, lon: np.ndarray):
    """Insert NaNs where the longitude wraps so lines don't cross the whole map."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180) + 1
    return np.insert(lat, jumps, np.nan), np.insert(lon, jumps, np.nan)


def ground_track_figure(lat, lon, labels: Sequence[str] | None = None, title: str = "",
                        stations: dict[str, tuple[float, float]] | None = None,
                        basemap: str = "plain"):
    """Ground tracks on a world map with coastlines and borders: ``lat``, ``lon`` (S, E) deg.

    ``basemap="plain"`` (default) draws an equirectangular latitude/longitude grid;
    ``"geo"`` uses plotly's geographic map (projection "natural earth"). Both draw the lab's
    own coastlines (:mod:`lab.orbits.coastlines`) as line traces, so both work offline
    (plotly's own coastline layers, loaded from a CDN by the browser, are switched off).
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

    fig = go.Figure(map_traces(geo=geo))  # under the tracks
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
        fig.update_geos(projection_type="natural earth", showcoastlines=False,
                        showcountries=False, showland=False, showocean=False, showlakes=False,
                        showrivers=False, showsubunits=False, showframe=True)
    else:
        fig.update_xaxes(range=[-180, 180], dtick=30, title="longitude (deg)", zeroline=True)
        fig.update_yaxes(range=[-90, 90], dtick=30, title="latitude (deg)", zeroline=True,
                         scaleanchor="x", scaleratio=1)
    fig.update_layout(title=title, height=450, margin={"l": 40, "r": 10, "t": 40, "b": 40})
    return fig


def shadow_figure(minutes, fractions: dict[str, np.ndarray], title: str = "",
                  zoom: tuple[np.ndarray, dict[str, np.ndarray]] | None = None):
    """Shadow fraction (0 sunlit .. 1 umbra) against time in minutes, one line per model.

    ``zoom``: ``(seconds, fractions)`` sampled finely around one shadow edge, drawn in a second
    panel (the penumbra lasts seconds: a few samples of the full plot).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    # Models mostly agree, so later lines would hide earlier ones: the first is wide and pale,
    # the others narrow and dashed on top of it.
    styles = ({"width": 5, "color": "rgba(31,119,180,0.45)"},
              {"width": 2, "dash": "dash", "color": "#d62728"},
              {"width": 2, "dash": "dot", "color": "#2ca02c"})
    panels = [(minutes, fractions)] + ([zoom] if zoom is not None else [])
    fig = make_subplots(rows=1, cols=len(panels), column_widths=[0.6, 0.4][:len(panels)],
                        subplot_titles=(["whole window", "zoom on a shadow edge: the penumbra"]
                                        if zoom is not None else None))
    for col, (x, fracs) in enumerate(panels, start=1):
        for k, (name, f) in enumerate(fracs.items()):
            fig.add_trace(go.Scatter(x=x, y=f, mode="lines", name=name, line_shape="linear",
                                     line=styles[min(k, len(styles) - 1)], legendgroup=name,
                                     showlegend=col == 1), row=1, col=col)
    fig.update_xaxes(title_text="minutes after the start", row=1, col=1)
    if zoom is not None:
        fig.update_xaxes(title_text="seconds around the shadow edge", row=1, col=2)
    fig.update_yaxes(title_text="fraction of the solar disk hidden", range=[-0.05, 1.05])
    fig.update_layout(title=title, height=350)
    return fig
