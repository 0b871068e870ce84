"""Interactive panel over :mod:`lab.mission`: change the constellation, watch the response time.

``MissionPanel()`` builds ipywidgets controls (preset, satellites, planes, altitude, model size,
accelerator, station network) and three plotly ``FigureWidget``s in fixed slots of the panel:
the response-time distribution with its breakdown, the constellation on a globe, and the median
response time versus constellation size with the current point marked. Every update draws each
figure as a fresh ``FigureWidget`` from its full state and swaps it into its slot: plotly's
in-place update messages were intermittently lost in a real browser under load (the size plot's
marker, then the globe, stayed behind; see tests/test_browser.py), while a widget's initial
state always arrives.
The median is shown in an HTML widget with the CSS class ``ocl-median`` (its ``data-seconds``
attribute carries the number), so a browser test can read it.

The callbacks are plain methods (:meth:`MissionPanel.update`, :meth:`MissionPanel.recompute_curve`)
so tests drive the panel without a browser: set a slider's ``value`` and the panel updates.
The message line (``panel.info``) lists every adjustment: plane counts moved to a divisor, a
total moved to an even Walker split, a value set beyond a slider's range (ipywidgets clamps it
silently; the panel says so), and "no request answered" when nothing comes back (the plots then
stay empty instead of failing).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from traitlets import validate

from lab import mission
from lab.constants import R_EARTH
from lab.hardware import PROFILES
from lab.orbits.plots import earth_traces

__all__ = ["MissionPanel", "format_duration", "CURVE_SIZES", "MODEL_SIZES_B"]

CURVE_SIZES = (12, 24, 48, 96, 200, 400, 800, 1600, 2800)
#: Qwen3 dense model sizes in billions of parameters (Qwen3 technical report, 2025).
MODEL_SIZES_B = (0.6, 1.7, 4.0, 8.0, 14.0, 32.0)
#: One colour per term of the breakdown; the ground segment's terms (operator, booking,
#: acquisition, laser-link set-up) in greys and browns, next to the waits they add to.
TERM_COLORS = dict(zip(mission.TERMS, (
    "#7F7F7F", "#636EFA", "#8C564B", "#BCBD22", "#00CC96", "#C49C94", "#AB63FA", "#FFA15A",
    "#EF553B", "#19D3F3", "#FF6692", "#B6E880"), strict=True))


def _js(values: Any, digits: int | None = 4) -> list[float | None]:
    """Plain Python floats for the browser (numpy int64 arrays do not survive the trip);
    inf and NaN (e.g. a size at which no request is answered) become gaps (None)."""
    arr = np.asarray(values, dtype=float)
    if digits is not None:
        arr = np.round(arr, digits) if digits else np.round(arr)
    return [float(v) if np.isfinite(v) else None for v in arr.ravel()]


class _ReportingIntSlider(w.IntSlider):
    """An ``IntSlider`` that tells ``on_clamp(slider, asked, used)`` about every value set
    from Python, so that a value beyond its range (which ipywidgets clamps silently) can be
    reported. In the browser, the slider's own readout clamps a typed value before it reaches
    the kernel, and shows the clamped value."""

    def __init__(self, on_clamp: Any = None, **kwargs: Any) -> None:
        self._on_clamp = on_clamp
        super().__init__(**kwargs)

    @validate("value")
    def _validate_value(self, proposal: Any) -> int:
        used = super()._validate_value(proposal)
        hook = getattr(self, "_on_clamp", None)
        if hook is not None:
            hook(self, proposal["value"], used)
        return used


def _sync(fig: go.FigureWidget) -> None:
    """Store the figure's full state in its synced traits.

    plotly 7's FigureWidget sends updates as transient restyle messages; a view that connects
    later (Voila renders after the notebook has run; a re-opened notebook) only sees the
    ``_widget_data``/``_widget_layout`` traits, which plotly sets once at construction.
    """
    fig._widget_data = deepcopy(fig._data)
    fig._widget_layout = deepcopy(fig._layout_obj._props)


def format_duration(seconds: float) -> str:
    """A human-readable duration: '850 ms', '5.3 s', '2.3 min', '1.4 h'."""
    if not np.isfinite(seconds):
        return "never"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class MissionPanel:
    """The response-time panel. Display it with ``panel.widget`` (or just ``panel``).

    Parameters: ``preset`` to start from, ``requests`` per day simulated, ``dt`` time step (s),
    ``seed`` of the arrival times. The response-time-versus-size curve uses the same requests,
    seed and time step as the median label, so the current point sits on the curve (at 12
    satellites the median sits on the edge of a bimodal distribution and moves by a factor of
    several with the request sample; see notebook 05).
    """

    def __init__(self, preset: str = "three-body-12", *, requests: int = 2000, dt: float = 60.0,
                 seed: int = 0) -> None:
        mission.get_preset(preset)
        self.requests, self.dt, self.seed = requests, dt, seed
        self.curve_seconds = math.nan
        self.result: mission.ResponseTimes | None = None
        self.curve = None
        self.last_update_s = math.nan
        self._busy = False
        self._notes: list[str] = []  # of the last update
        self._clamped: dict[str, str] = {}  # slider description -> "asked X, using Y"
        style = {"description_width": "initial"}
        lay = w.Layout(width="430px")
        clamp = {"on_clamp": self._note_clamp, "continuous_update": False, "style": style,
                 "layout": lay}
        self.preset = w.Dropdown(options=list(mission.PRESETS), value=preset,
                                 description="preset", style=style, layout=lay)
        self.satellites = _ReportingIntSlider(value=12, min=1, max=2800, step=1,
                                              description="satellites", **clamp)
        self.satellites.add_class("ocl-satellites")
        self.planes = _ReportingIntSlider(value=0, min=0, max=100,
                                          description="planes (0 = auto)", **clamp)
        self.altitude = _ReportingIntSlider(value=550, min=300, max=1200, step=5,
                                            description="altitude (km)", **clamp)
        self.model = w.SelectionSlider(options=[(f"{b:g}B", b) for b in MODEL_SIZES_B], value=8.0,
                                       description="model size", continuous_update=False,
                                       style=style, layout=lay)
        self.accelerator = w.Dropdown(options=list(PROFILES), value="three-body-744",
                                      description="accelerator", style=style, layout=lay)
        self.network = w.Dropdown(options=mission.network_names(), value="china",
                                  description="station network", style=style, layout=lay)
        self.median = w.HTML(value="")
        self.median.add_class("ocl-median")
        self.info = w.HTML(value="")
        self.progress = w.IntProgress(value=0, min=0, max=len(CURVE_SIZES),
                                      description="curve", style=style, layout=lay)
        self.fig_dist = self._make_dist_figure()
        self.fig_globe = self._make_globe_figure()
        self.fig_size = self._make_size_figure()
        self._slots = {name: w.Box([getattr(self, name)])
                       for name in ("fig_dist", "fig_globe", "fig_size")}
        self._apply_preset(preset)
        self._sweep_curve()
        self.update()  # draws the three figures
        self.preset.observe(self._on_preset, names="value")
        for c in (self.satellites, self.planes):
            c.observe(self.update, names="value")
        for c in (self.altitude, self.model, self.accelerator, self.network):
            c.observe(self._on_physics, names="value")
        controls = w.VBox([self.preset, self.satellites, self.planes, self.altitude, self.model,
                           self.accelerator, self.network, self.progress],
                          layout=w.Layout(min_width="450px", overflow="visible"))
        self.widget = w.VBox([
            w.HBox([controls, w.VBox([self.median, self.info], layout=w.Layout(flex="1 1 auto"))]),
            self._slots["fig_dist"], w.HBox([self._slots["fig_globe"], self._slots["fig_size"]]),
        ])
        self.widget.add_class("ocl-panel")

    # -- display ------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- scenario from the controls -----------------------------------------------------------
    def scenario(self) -> tuple[mission.Scenario, list[str]]:
        """The scenario the controls describe, and notes (e.g. plane count adjusted).
        The planes slider's 0 means automatic (``planes=None`` in :func:`mission.configure`)."""
        base = mission.get_preset(self.preset.value)
        return mission.configure(
            base, n_satellites=self.satellites.value, planes=self.planes.value or None,
            **self._physics(base))

    def _physics(self, base: mission.Scenario) -> dict[str, Any]:
        """The :func:`mission.configure` arguments of the physics controls (not the size)."""
        return dict(alt=self._alt(base), model_params=float(self.model.value) * 1e9,
                    hardware=self.accelerator.value, network=self.network.value)

    def _alt(self, base: mission.Scenario) -> float | None:
        """The altitude slider overrides every shell only once it leaves the preset's value."""
        alt = float(self.altitude.value)
        return None if abs(alt - round(base.shells[0].alt)) < 0.5 else alt

    def _apply_preset(self, name: str) -> None:
        sc = mission.get_preset(name)
        net = sc.network if isinstance(sc.network, str) else self.network.value
        prof = sc.profile.name
        with self._quiet():
            self.satellites.value = sc.n_satellites
            self.planes.value = 0
            self.altitude.value = int(round(sc.shells[0].alt))
            self.model.value = min(MODEL_SIZES_B, key=lambda b: abs(math.log(b * 1e9 / sc.model_params)))
            if prof in PROFILES:
                self.accelerator.value = prof
            if net in self.network.options:
                self.network.value = net

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set controls without triggering the callbacks."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    # -- callbacks ----------------------------------------------------------------------------
    def _note_clamp(self, slider: w.IntSlider, asked: Any, used: int) -> None:
        """A control was set (from Python): remember whether ipywidgets clamped the value."""
        name = slider.description
        if asked == used:
            self._clamped.pop(name, None)
            return
        self._clamped[name] = (f"{name}: {asked} is outside the slider's range "
                               f"{slider.min}\u2013{slider.max}; using {used}")
        if not self._busy and self.result is not None:
            self._render_info()  # also when the clamped value equals the current one

    def _on_preset(self, change: Any = None) -> None:
        if self._busy:
            return
        self._apply_preset(self.preset.value)
        self._sweep_curve()
        self.update()

    def _on_physics(self, change: Any = None) -> None:
        if self._busy:
            return
        self._sweep_curve()
        self.update()

    def update(self, change: Any = None) -> mission.ResponseTimes | None:
        """Recompute the response times for the current controls and redraw (the callback)."""
        if self._busy:
            return None
        t0 = time.perf_counter()
        sc, notes = self.scenario()
        res = mission.response_times(sc, requests=self.requests, seed=self.seed, dt=self.dt)
        self.result = res
        self._notes = [*notes, *res.notes]
        self._draw_dist(res)
        self._draw_globe(res)
        self._redraw_size()  # the current point on the curve
        s = res.summary
        self.last_update_s = time.perf_counter() - t0
        self.median.value = (
            f'<div class="ocl-median-box" data-seconds="{s["p50"]:.3f}" '
            f'style="font-size:1.6em;padding:6px">Median response time: '
            f'<b class="ocl-median-value">{format_duration(s["p50"])}</b></div>')
        self._render_info()
        return res

    def _render_info(self) -> None:
        """The message line: the scenario, headline numbers and every note."""
        if self.result is None:
            return
        sc, s = self.result.scenario, self.result.summary
        planes = " + ".join(f"{sh.total}/{sh.planes}" for sh in sc.shells)
        extra = "".join(f"<li>{html.escape(n)}</li>"
                        for n in [*self._clamped.values(), *self._notes])
        self.info.value = (
            f"<div class='ocl-info'>{sc.n_satellites} satellites (satellites/planes: {planes}),"
            f" p90 {format_duration(s['p90'])}, mean {format_duration(s['mean'])};"
            f" largest term on average: <b>{s['dominant']}</b>;"
            f" {100 * s['in_view_share']:.0f}% of prompts find a satellite in view."
            f" Update took {self.last_update_s * 1e3:.0f} ms.<ul>{extra}</ul></div>")

    def recompute_curve(self) -> None:
        """Median response time versus size for the current physics (shows progress), redrawn."""
        self._sweep_curve()
        self._redraw_size()

    def _sweep_curve(self) -> None:
        """Sweep the curve without drawing it (the callbacks draw it in :meth:`update`)."""
        preset = mission.get_preset(self.preset.value)
        base, _ = mission.configure(preset, **self._physics(preset))
        self.progress.value = 0
        self.progress.bar_style = "info"

        def step(i: int, n: int) -> None:
            self.progress.value = i

        t0 = time.perf_counter()
        self.curve = mission.sweep(base, CURVE_SIZES, requests=self.requests, seed=self.seed,
                                   dt=self.dt, progress=False, callback=step)
        self.curve_seconds = time.perf_counter() - t0
        self.progress.bar_style = "success"

    # -- figures ------------------------------------------------------------------------------
    def _make_dist_figure(self) -> go.FigureWidget:
        fig = make_subplots(rows=1, cols=2, column_widths=[0.42, 0.58], horizontal_spacing=0.12,
                            subplot_titles=("distribution of response time",
                                            "where the time goes, by decile of response time"))
        fig.add_trace(go.Bar(x=[], y=[], name="requests", marker_color="#444",
                             showlegend=False), row=1, col=1)
        for term in mission.TERMS:
            fig.add_trace(go.Bar(x=[], y=[], name=term, marker_color=TERM_COLORS[term]),
                          row=1, col=2)
        # explicit width and spacing: the two subplot titles and the right y-axis title must
        # not run into the histogram (the legend takes the right margin)
        fig.update_layout(barmode="stack", height=380, width=1180, bargap=0,
                          margin=dict(l=60, r=170, t=50, b=50),
                          legend=dict(font=dict(size=10), x=1.02, xanchor="left", y=1.0))
        fig.update_annotations(font_size=13)
        fig.update_xaxes(type="log", title_text="response time (s)", row=1, col=1)
        fig.update_yaxes(title_text="requests", row=1, col=1)
        fig.update_xaxes(title_text="requests sorted by response time (decile)", row=1, col=2)
        fig.update_yaxes(title_text="share of the response time", tickformat=".0%", row=1, col=2)
        return go.FigureWidget(fig)

    def _make_globe_figure(self) -> go.FigureWidget:
        # Earth-fixed: the coastlines need no rotation. Traces: Earth, satellites, stations
        # (data[1], data[2], filled in by _draw_globe), then coastlines and borders.
        earth, *coasts = earth_traces(color="#1f4e79", resolution=19, coastlines=True,
                                      coastline_spacing=1.0)
        sats = go.Scatter3d(x=[], y=[], z=[], mode="markers", name="satellites",
                            marker=dict(size=2.5, color="#ffcc00"))
        stations = go.Scatter3d(x=[], y=[], z=[], mode="markers", name="ground stations",
                                marker=dict(size=5, color="#ff3333", symbol="diamond"))
        fig = go.Figure([earth, sats, stations, *coasts])
        fig.update_layout(title="constellation at the start of the day (Earth-fixed)", height=420,
                          width=480, margin=dict(l=0, r=0, t=40, b=0), showlegend=False,
                          scene=dict(aspectmode="data", xaxis_visible=False, yaxis_visible=False,
                                     zaxis_visible=False))
        return go.FigureWidget(fig)

    def _make_size_figure(self) -> go.FigureWidget:
        fig = go.Figure([
            go.Scatter(x=[], y=[], mode="lines+markers", name="median"),
            go.Scatter(x=[], y=[], mode="lines+markers", name="p90", line=dict(dash="dot")),
            go.Scatter(x=[], y=[], mode="markers", name="current",
                       marker=dict(size=16, color="red", symbol="star")),
        ])
        # legend inside the top-right corner (the curve falls with size, that corner is empty);
        # a legend right of the plot was cut off at this width
        fig.update_layout(title="response time versus constellation size", height=420, width=520,
                          xaxis=dict(type="log", title="satellites"),
                          yaxis=dict(type="log", title="response time (s)"),
                          legend=dict(x=0.98, y=0.98, xanchor="right", yanchor="top",
                                      bgcolor="rgba(255,255,255,0.8)", borderwidth=1),
                          margin=dict(l=60, r=20, t=40, b=40))
        return go.FigureWidget(fig)

    def _draw_dist(self, res: mission.ResponseTimes) -> None:
        """Histogram of the answered requests' response times and the terms by decile."""
        b = res.breakdown[np.isfinite(res.breakdown["total"].to_numpy())]
        fig = self._make_dist_figure()
        if b.empty:  # no request answered: empty plots (the message line says why)
            self._show("fig_dist", fig)
            return
        tot = b["total"].to_numpy()
        edges = np.logspace(np.log10(max(tot.min(), 0.1)) - 0.01, np.log10(tot.max()) + 0.01, 41)
        counts, _ = np.histogram(tot, bins=edges)
        centers = np.sqrt(edges[:-1] * edges[1:])
        dec = np.array_split(np.argsort(tot), 10)
        labels = [f"{10 * i}-{10 * (i + 1)}%" for i in range(10)]
        terms = b[list(mission.TERMS)].to_numpy()
        share = np.array([terms[d].mean(axis=0) for d in dec])
        share = share / np.maximum(share.sum(axis=1, keepdims=True), 1e-12)
        with fig.batch_update():
            fig.data[0].x = _js(centers)
            fig.data[0].y = _js(counts)
            fig.data[0].width = _js(np.diff(edges))
            # pad the log x range by a bin on each side so the outer bars are not clipped
            step = np.log10(edges[1] / edges[0])
            fig.layout.xaxis.range = _js([np.log10(edges[0]) - step, np.log10(edges[-1]) + step])
            for i, _term in enumerate(mission.TERMS):
                fig.data[i + 1].x = labels
                fig.data[i + 1].y = _js(share[:, i])
        self._show("fig_dist", fig)

    def _draw_globe(self, res: mission.ResponseTimes) -> None:
        g = res.geometry
        p = g.snapshot  # Earth-fixed (ITRS) positions at the epoch, km
        x, y = p[:, 0], p[:, 1]
        lat = np.radians([st.lat for st in g.stations])
        lon = np.radians([st.lon for st in g.stations])
        fig = self._make_globe_figure()
        with fig.batch_update():
            sats = fig.data[1]
            sats.x, sats.y, sats.z = _js(x, 0), _js(y, 0), _js(p[:, 2], 0)
            sats.marker.color = np.where(g.has_compute, "#ffcc00", "#aaaaaa").tolist()
            r = R_EARTH * 1.01
            fig.data[2].x = _js(r * np.cos(lat) * np.cos(lon), 0)
            fig.data[2].y = _js(r * np.cos(lat) * np.sin(lon), 0)
            fig.data[2].z = _js(r * np.sin(lat), 0)
        self._show("fig_globe", fig)

    def _redraw_size(self) -> None:
        """Draw the size curve and the current point."""
        fig = self._make_size_figure()
        with fig.batch_update():
            if self.curve is not None:
                for i, col in enumerate(("p50", "p90")):
                    fig.data[i].x = _js(self.curve.index)
                    fig.data[i].y = _js(self.curve[col])
            p50 = math.nan if self.result is None else self.result.summary["p50"]
            if math.isfinite(p50):
                fig.data[2].x = [int(self.result.summary["n_satellites"])]
                fig.data[2].y = [float(max(p50, 1e-3))]
        self._show("fig_size", fig)

    def _show(self, name: str, fig: go.FigureWidget) -> None:
        """Put the freshly drawn ``fig`` in the slot of figure ``name``; close the old widget."""
        _sync(fig)
        old = getattr(self, name)
        setattr(self, name, fig)
        self._slots[name].children = (fig,)
        old.close()

    # -- convenience for tests and notebooks --------------------------------------------------
    def set(self, **values: Any) -> mission.ResponseTimes | None:
        """Set several controls at once (one recompute): ``panel.set(satellites=2800, planes=0)``."""
        with self._quiet():
            if "preset" in values:
                self.preset.value = values.pop("preset")
                self._apply_preset(self.preset.value)
                values.setdefault("altitude", self.altitude.value)
            for k, v in values.items():
                getattr(self, k).value = v
        if {"altitude", "model", "accelerator", "network"} & set(values):
            self._sweep_curve()
        return self.update()
