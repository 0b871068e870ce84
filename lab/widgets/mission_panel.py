"""Interactive panel over :mod:`lab.mission`: change the constellation, watch the response time.

``MissionPanel()`` builds ipywidgets controls (preset, satellites, planes, altitude, model size,
accelerator, station network) and three plotly figures in fixed slots of the panel: the
response-time distribution with its breakdown, the constellation on a globe, and the median
response time versus constellation size with the current point marked.

**The satellites slider is logarithmic** (a ``FloatLogSlider`` whose value is the count,
rounded to an integer; its readout shows and accepts the count): 12 -> 120 is as far as
120 -> 1,200. It reaches :data:`MAX_SATELLITES`, the largest size at which a move to a new size
(a new constellation: geometry computed afresh) still updates the panel within 0.3 s at the
95th percentile on the lab's 2-core machine (``benchmarks/bench_widgets.py``); the help text
under the slider says so, and the message line reports how long each update took.

**Every update draws each figure afresh, as a new widget that carries its whole state when it
is created.** plotly's in-place updates (restyle messages) were intermittently lost in a real
browser under load, and so were the data of a fresh ``go.FigureWidget``: plotly creates the
widget's comm (and the browser its model) in the middle of its constructor, with empty
``_widget_data``/``_widget_layout``, and sends the data in a second message. The browser
renders a view from the model as soon as the panel's slot names it, and plotly's view reads
``_widget_data`` once, at render (its ``do_data`` is empty): when the machine is busy and the
second message is applied after the view rendered, the figure stays empty axes (seen:
distribution and globe drawn as -1..6 / -1..4 while the small size plot was fine).
:class:`FullStateFigureWidget` opens its comm only after the constructor has set everything,
so the model is born complete and no later message is needed (tests/test_browser.py checks
every figure's data after a move, under CPU load). Large arrays go as NumPy float arrays
(binary buffers, NaN for a gap), not lists of Python floats.

The median is shown in an HTML widget with the CSS class ``ocl-median`` (its ``data-seconds``
attribute carries the number), so a browser test can read it.

The callbacks are plain methods (:meth:`MissionPanel.update`, :meth:`MissionPanel.recompute_curve`)
so tests drive the panel without a browser: set a slider's ``value`` (or
``panel.set(satellites=n)``) and the panel updates.
The message line (``panel.info``) lists every adjustment: plane counts moved to a divisor, a
total moved to an even Walker split, a value set beyond a slider's range (ipywidgets clamps it
silently; the panel says so), and "no request answered" when nothing comes back (the plots then
stay empty instead of failing).
"""

from __future__ import annotations

import html
import math
import time
from functools import lru_cache
from typing import Any

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from astropy.time import Time
from plotly.subplots import make_subplots
from traitlets import validate

from lab import mission
from lab.constants import R_EARTH
from lab.hardware import PROFILES
from lab.orbits.plots import earth_traces, sun_in_frame
from lab.widgets._panel import Panel

__all__ = ["CURVE_SIZES", "MAX_SATELLITES", "MODEL_SIZES_B", "FullStateFigureWidget",
           "MissionPanel", "count_of", "format_duration", "slider_fraction"]

#: Largest constellation of the satellites slider: moves to new sizes up to here update the
#: panel within 0.3 s at the 95th percentile (benchmarks/bench_widgets.py, 20 cold moves; on
#: the lab's 2-core machine with another user's process on one core, load ~2.4: p95 0.285 s
#: near 2,800, 0.308 s near 3,200, 0.39 s near 3,860).
MAX_SATELLITES = 3000
CURVE_SIZES = (12, 24, 48, 96, 200, 400, 800, 1600, 2800, MAX_SATELLITES)
#: Qwen3 dense model sizes in billions of parameters (Qwen3 technical report, 2025).
MODEL_SIZES_B = (0.6, 1.7, 4.0, 8.0, 14.0, 32.0)
#: One colour per term of the breakdown; the ground segment's terms (operator, booking,
#: acquisition, laser-link set-up) in greys and browns, next to the waits they add to.
TERM_COLORS = dict(zip(mission.TERMS, (
    "#7F7F7F", "#636EFA", "#8C564B", "#BCBD22", "#00CC96", "#C49C94", "#AB63FA", "#FFA15A",
    "#EF553B", "#19D3F3", "#FF6692", "#B6E880"), strict=True))
SATELLITE_HELP = (
    f"<span class='ocl-help'>satellites: 1\u2013{MAX_SATELLITES:,} on a logarithmic slider "
    "(type a count in its box); a move to a new size recomputes a day of orbits and stays "
    f"under 0.3 s up to {MAX_SATELLITES:,} satellites</span>")


def count_of(value: float) -> int:
    """The satellite count of a slider value (the log slider's value rounded, at least 1)."""
    return max(1, int(round(float(value))))


def slider_fraction(count: float, max_count: float = MAX_SATELLITES) -> float:
    """Where ``count`` sits along the log slider from 1 to ``max_count`` (0 .. 1)."""
    return math.log10(max(float(count), 1.0)) / math.log10(max_count)


def _arr(values: Any, digits: int | None = 4) -> np.ndarray:
    """A float64 array for the browser (sent as a binary buffer; numpy int64 arrays do not
    survive the trip), rounded; inf and NaN (e.g. a size at which no request is answered)
    become NaN, which plotly draws as a gap."""
    arr = np.asarray(values, dtype=float).ravel()
    if digits is not None:
        arr = np.round(arr, digits) if digits else np.round(arr)
    return np.where(np.isfinite(arr), arr, np.nan)


def _js(values: Any, digits: int | None = 4) -> list[float | None]:
    """Plain Python floats (None for a gap): the form a figure's small lists take."""
    return [None if math.isnan(v) else float(v) for v in _arr(values, digits)]


class FullStateFigureWidget(go.FigureWidget):
    """A plotly ``FigureWidget`` whose comm opens only once its whole state is set.

    ``go.FigureWidget`` opens its comm inside its constructor, before it has set its data and
    layout, and sends them in a second message; a browser that renders the view in between
    draws empty axes for good (the module docstring). This subclass defers the comm to the end
    of the constructor, so the frontend's model is created with the figure's data and layout.
    Build the figure completely (a ``go.Figure``) and wrap it once: ``FullStateFigureWidget(fig)``.
    """

    _defer_open = True  # class default: Widget.__init__'s own open() waits

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._defer_open = False
        self.open()

    def open(self) -> None:
        if not self._defer_open:
            super().open()


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


def _range_text(slider: Any) -> str:
    if isinstance(slider, w.FloatLogSlider):
        return f"{count_of(slider.base ** slider.min)}\u2013{count_of(slider.base ** slider.max)}"
    return f"{slider.min}\u2013{slider.max}"


class _ClampReport:
    """Tells ``on_clamp(slider, asked, used)`` about every value set from Python, so that a
    value beyond the slider's range (which ipywidgets clamps silently) can be reported. In the
    browser, the slider's own readout clamps a typed value before it reaches the kernel, and
    shows the clamped value."""

    def __init__(self, on_clamp: Any = None, **kwargs: Any) -> None:
        self._on_clamp = on_clamp
        super().__init__(**kwargs)

    def _report(self, asked: Any, used: Any) -> Any:
        hook = getattr(self, "_on_clamp", None)  # None while the widget is being built
        if hook is not None:
            hook(self, asked, used)
        return used


class _ReportingIntSlider(_ClampReport, w.IntSlider):
    """An ``IntSlider`` with the clamp report of :class:`_ClampReport`."""

    @validate("value")
    def _validate_value(self, proposal: Any) -> int:
        return self._report(proposal["value"], super()._validate_value(proposal))


class _ReportingLogSlider(_ClampReport, w.FloatLogSlider):
    """The satellites slider: logarithmic, its value the count (see :func:`count_of`), with
    the clamp report of :class:`_ClampReport`."""

    @validate("value")
    def _validate_value(self, proposal: Any) -> float:
        used = float(count_of(super()._validate_value(proposal)))  # a whole count
        return self._report(proposal["value"], used)


def _dist_template() -> go.Figure:
    """The distribution figure without data: histogram (left), terms by decile (right)."""
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
    return fig


def _globe_template(sun_hat: Any = (1.0, 0.0, 0.0)) -> go.Figure:
    """The globe without satellites: Earth with its night side shaded for the Sun's direction
    ``sun_hat`` (Earth-fixed), (satellites, stations: data[1], data[2]), coastlines, borders,
    the terminator and the Sun's direction (the last two traces); Earth-fixed, so the
    coastlines need no rotation."""
    earth, *rest = earth_traces(color="#1f4e79", resolution=19, coastlines=True,
                                coastline_spacing=1.0, sun=np.asarray(sun_hat, dtype=float))
    sats = go.Scatter3d(x=[], y=[], z=[], mode="markers", name="satellites",
                        marker=dict(size=2.5, color="#ffcc00"))
    stations = go.Scatter3d(x=[], y=[], z=[], mode="markers", name="ground stations",
                            marker=dict(size=5, color="#ff3333", symbol="diamond"))
    fig = go.Figure([earth, sats, stations, *rest])
    fig.update_layout(title="constellation at the start of the day (Earth-fixed, night shaded)",
                      title_font_size=13, height=420, width=480,
                      margin=dict(l=0, r=0, t=40, b=0), showlegend=False,
                      scene=dict(aspectmode="data", xaxis_visible=False, yaxis_visible=False,
                                 zaxis_visible=False))
    return fig


@lru_cache(maxsize=8)
def _globe_sun(epoch: str) -> dict[int, dict]:
    """The globe's traces that follow the Sun at ``epoch`` (UTC): the Earth's shading, the
    terminator and the Sun's direction, by trace index (computed once per epoch)."""
    data = _globe_template(sun_in_frame(Time(epoch, scale="utc"))).data
    n = len(data)
    return {0: {"surfacecolor": _arr(data[0].surfacecolor, None).reshape(
                np.shape(data[0].surfacecolor))},
            **{i: {k: _arr(data[i][k], 0) for k in ("x", "y", "z")} for i in (n - 2, n - 1)}}


def _size_template() -> go.Figure:
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
    return fig


_TEMPLATES = {"fig_dist": _dist_template, "fig_globe": _globe_template,
              "fig_size": _size_template}


class MissionPanel(Panel):
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
        self._notes: list[str] = []  # of the last update
        self._clamped: dict[str, str] = {}  # slider description -> "asked X, using Y"
        style = {"description_width": "initial"}
        lay = w.Layout(width="430px")
        clamp = {"on_clamp": self._note_clamp, "continuous_update": False, "style": style,
                 "layout": lay}
        self.preset = w.Dropdown(options=list(mission.PRESETS), value=preset,
                                 description="preset", style=style, layout=lay)
        self.satellites = _ReportingLogSlider(
            value=12, base=10, min=0.0, max=math.log10(MAX_SATELLITES), step=0.005,
            readout_format=".0f", description="satellites", **clamp)
        self.satellites.add_class("ocl-satellites")
        self.satellites_help = w.HTML(value=SATELLITE_HELP, layout=lay)
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
        # the figures' templates as plotly JSON (validated once, here)
        self._templates = {name: make().to_plotly_json() for name, make in _TEMPLATES.items()}
        self._slots = {name: w.Box([]) for name in _TEMPLATES}
        self._drawn: tuple[Any, ...] | None = None  # the scenario the figures show
        self._apply_preset(preset)
        self._sweep_curve()
        self.update()  # draws the three figures
        self.preset.observe(self._on_preset, names="value")
        for c in (self.satellites, self.planes):
            c.observe(self.update, names="value")
        for c in (self.altitude, self.model, self.accelerator, self.network):
            c.observe(self._on_physics, names="value")
        controls = w.VBox([self.preset, self.satellites, self.satellites_help, self.planes,
                           self.altitude, self.model, self.accelerator, self.network,
                           self.progress],
                          layout=w.Layout(min_width="450px", overflow="visible"))
        self.widget = w.VBox([
            w.HBox([controls, w.VBox([self.median, self.info], layout=w.Layout(flex="1 1 auto"))]),
            self._slots["fig_dist"], w.HBox([self._slots["fig_globe"], self._slots["fig_size"]]),
        ])
        self.widget.add_class("ocl-panel")

    # -- display ------------------------------------------------------------------------------
    # -- scenario from the controls -----------------------------------------------------------
    def scenario(self) -> tuple[mission.Scenario, list[str]]:
        """The scenario the controls describe, and notes (e.g. plane count adjusted).
        The planes slider's 0 means automatic (``planes=None`` in :func:`mission.configure`)."""
        base = mission.get_preset(self.preset.value)
        return mission.configure(
            base, n_satellites=count_of(self.satellites.value), planes=self.planes.value or None,
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

    # -- callbacks ----------------------------------------------------------------------------
    def _note_clamp(self, slider: Any, asked: Any, used: float) -> None:
        """A control was set (from Python): remember whether ipywidgets clamped the value."""
        name = slider.description
        log = isinstance(slider, w.FloatLogSlider)
        if log:  # its values are rounded to whole counts: only the range clamps
            inside = (slider.base ** slider.min - 0.5 <= float(asked)
                      <= slider.base ** slider.max + 0.5)
        else:
            inside = asked == used
        if inside:
            self._clamped.pop(name, None)
            return
        shown = count_of(used) if log else used
        asked = f"{asked:g}" if isinstance(asked, float) else asked
        self._clamped[name] = (f"{name}: {asked} is outside the slider's range "
                               f"{_range_text(slider)}; using {shown}")
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
        key = (sc, id(self.curve))
        if key == self._drawn and self.result is not None:  # e.g. 12.02 -> 12.05: same count
            self._notes = [*notes, *self.result.notes]
            self._render_info()
            return self.result
        res = mission.response_times(sc, requests=self.requests, seed=self.seed, dt=self.dt)
        self.result = res
        self._notes = [*notes, *res.notes]
        self._draw_dist(res)
        self._draw_globe(res)
        self._redraw_size()  # the current point on the curve
        self._drawn = key
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
    def _show(self, name: str, traces: dict[int, dict] | None = None,
              layout: dict | None = None) -> None:
        """Draw figure ``name`` afresh: its template with ``traces`` (index -> properties) and
        ``layout`` (top-level keys) replaced, as a new :class:`FullStateFigureWidget` in its
        slot; close the old widget. The template was validated when it was built and the data
        are plain float arrays and lists, so plotly's validation (~20 ms a figure) is skipped;
        nothing mutates the template (its dicts are copied where a key changes)."""
        tmpl = self._templates[name]
        data = [dict(t) for t in tmpl["data"]]
        for i, props in (traces or {}).items():
            data[i].update(props)
        widget = FullStateFigureWidget({"data": data, "layout": {**tmpl["layout"], **(layout or {})}},
                                       _validate=False)
        old = getattr(self, name, None)
        setattr(self, name, widget)
        self._slots[name].children = (widget,)
        if old is not None:
            old.close()

    def _draw_dist(self, res: mission.ResponseTimes) -> None:
        """Histogram of the answered requests' response times and the terms by decile."""
        b = res.breakdown[np.isfinite(res.breakdown["total"].to_numpy())]
        if b.empty:  # no request answered: empty plots (the message line says why)
            self._show("fig_dist")
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
        traces = {0: {"x": _arr(centers), "y": _arr(counts), "width": _arr(np.diff(edges))}}
        traces.update({i + 1: {"x": labels, "y": _arr(share[:, i])}
                       for i in range(len(mission.TERMS))})
        # pad the log x range by a bin on each side so the outer bars are not clipped
        step = np.log10(edges[1] / edges[0])
        xaxis = {**self._templates["fig_dist"]["layout"]["xaxis"],
                 "range": _js([np.log10(edges[0]) - step, np.log10(edges[-1]) + step])}
        self._show("fig_dist", traces, {"xaxis": xaxis})

    def _draw_globe(self, res: mission.ResponseTimes) -> None:
        g = res.geometry
        p = g.snapshot  # Earth-fixed (ITRS) positions at the epoch, km
        lat = np.radians([st.lat for st in g.stations])
        lon = np.radians([st.lon for st in g.stations])
        r = R_EARTH * 1.01
        sats = self._templates["fig_globe"]["data"][1]
        self._show("fig_globe", {
            **_globe_sun(res.scenario.epoch),
            1: {"x": _arr(p[:, 0], 0), "y": _arr(p[:, 1], 0), "z": _arr(p[:, 2], 0),
                "marker": {**sats["marker"], "color": g.has_compute.astype(float), "cmin": 0.0,
                           "cmax": 1.0, "colorscale": [[0, "#aaaaaa"], [1, "#ffcc00"]]}},
            2: {"x": _arr(r * np.cos(lat) * np.cos(lon), 0),
                "y": _arr(r * np.cos(lat) * np.sin(lon), 0), "z": _arr(r * np.sin(lat), 0)}})

    def _redraw_size(self) -> None:
        """Draw the size curve and the current point."""
        traces: dict[int, dict] = {}
        if self.curve is not None:
            for i, col in enumerate(("p50", "p90")):
                traces[i] = {"x": _arr(self.curve.index), "y": _arr(self.curve[col])}
        p50 = math.nan if self.result is None else self.result.summary["p50"]
        if math.isfinite(p50):
            traces[2] = {"x": [int(self.result.summary["n_satellites"])],
                         "y": [float(max(p50, 1e-3))]}
        self._show("fig_size", traces)

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
