"""lab.widgets without a browser: set the controls, the callbacks recompute and redraw.

Every test gets its own panel (a failure cannot leave a changed panel behind for the next
test); the geometry cache of lab.mission keeps building one cheap after the first."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lab.widgets import CURVE_SIZES, MissionPanel, format_duration
from lab.widgets.mission_panel import MAX_SATELLITES, count_of, slider_fraction


def _median_seconds(panel: MissionPanel) -> float:
    m = re.search(r'data-seconds="([0-9.eE+-]+)"', panel.median.value)
    assert m, panel.median.value
    return float(m.group(1))


@pytest.fixture
def panel():
    p = MissionPanel("three-body-12", requests=800)
    yield p
    p.widget.close()


def test_initial_state(panel):
    assert panel.satellites.value == 12 and panel.preset.value == "three-body-12"
    assert "ocl-median" in panel.median._dom_classes
    assert "ocl-satellites" in panel.satellites._dom_classes
    assert _median_seconds(panel) == pytest.approx(panel.result.summary["p50"], abs=1e-3)
    # the size curve covers 12 ... 2,800 and the current point is marked on it
    assert list(panel.fig_size.data[0].x) == list(CURVE_SIZES)
    assert panel.fig_size.data[2].x == (12,)
    assert len(panel.fig_globe.data[1].x) == 12


def test_moving_the_satellites_slider_updates_label_and_figures(panel):
    before = _median_seconds(panel)
    hist_before = np.asarray(panel.fig_dist.data[0].y).copy()
    panel.satellites.value = 2800  # fires the observer like a slider drag does
    after = _median_seconds(panel)
    assert after < before
    assert panel.result.summary["n_satellites"] == 2800
    assert len(panel.fig_globe.data[1].x) == 2800
    assert panel.fig_size.data[2].x == (2800,)
    assert not np.array_equal(np.asarray(panel.fig_dist.data[0].y), hist_before)
    # the decile bars are shares: they stack to 100 %
    shares = np.array([np.asarray(tr.y, dtype=float) for tr in panel.fig_dist.data[1:]])
    np.testing.assert_allclose(shares.sum(axis=0), 1.0, atol=1e-3)  # rounded for the browser
    panel.satellites.value = 12
    assert _median_seconds(panel) == pytest.approx(before, rel=1e-9)


def test_breakdown_plot_shows_the_ground_segment(panel):
    """Every term of lab.mission.TERMS, the ground segment's included, is a bar of the
    breakdown plot with its own colour; at 2,800 satellites the ground terms take a visible
    share (the operator's chain alone is ~10 s of ~1 min)."""
    from lab.mission import TERMS
    from lab.widgets.mission_panel import TERM_COLORS

    names = [tr.name for tr in panel.fig_dist.data[1:]]
    assert names == list(TERMS) and len(set(TERM_COLORS.values())) == len(TERMS)
    panel.set(satellites=2800)
    share = {tr.name: np.mean(np.asarray(tr.y, dtype=float)) for tr in panel.fig_dist.data[1:]}
    assert share["operator"] > 0.05 and share["acquisition"] > 0.0
    assert share["wait_for_contact"] < 0.01


def test_planes_slider_reports_adjusted_planes(panel):
    panel.set(satellites=100, planes=7)
    assert "do not divide" in panel.info.value
    assert panel.result.scenario.shells[0].planes in (5, 10)
    panel.set(planes=0)  # 0 = automatic: configure(planes=None)
    assert panel.result.scenario.shells[0].planes == 4
    assert "do not divide" not in panel.info.value


def test_current_point_sits_on_the_size_curve(panel):
    """The curve uses the label's requests, seed and time step: same median at 12 and 2,800."""
    for n in (12, 2800):
        panel.set(satellites=n, planes=0)
        i = list(CURVE_SIZES).index(n)
        assert panel.fig_size.data[2].y[0] == pytest.approx(panel.fig_size.data[0].y[i], abs=1e-3)
        assert panel.fig_size.data[0].y[i] == pytest.approx(_median_seconds(panel), abs=1e-3)


def test_auto_planes_note_is_shown_for_a_prime_count(panel):
    panel.set(satellites=839, planes=0)
    assert panel.result.scenario.n_satellites == 840
    assert panel.result.scenario.shells[0].planes == 8
    assert "839 satellites cannot form an even Walker shell" in panel.info.value
    assert "using 840 = 8 \u00d7 105" in panel.info.value
    assert panel.result.summary["in_view_share"] == 1.0
    panel.set(satellites=840)
    assert "cannot form" not in panel.info.value


def test_model_and_accelerator_change_inference_and_curve(panel):
    panel.set(satellites=2800)
    slow = panel.result.table.loc["inference", "p50"]
    curve_before = list(panel.fig_size.data[0].y)
    panel.model.value = 32.0  # observer: recomputes the curve and the result
    assert panel.result.table.loc["inference", "p50"] > slow
    assert list(panel.fig_size.data[0].y) != curve_before
    assert panel.progress.value == panel.progress.max
    panel.accelerator.value = "h100"
    assert panel.result.scenario.profile.name == "h100"


def test_preset_dropdown_resets_controls(panel):
    panel.preset.value = "star-compute-2800"
    assert panel.satellites.value == 2800
    assert panel.result.scenario.n_satellites == 2800
    assert len(panel.result.scenario.shells) == 2
    # the altitude slider shows the first shell but does not flatten both shells to it
    assert {s.alt for s in panel.result.scenario.shells} == {800.0, 550.0}
    panel.altitude.value = 600
    assert {s.alt for s in panel.result.scenario.shells} == {600.0}
    panel.preset.value = "three-body-12"
    assert panel.satellites.value == 12


def test_network_dropdown(panel):
    options = list(panel.network.options)
    assert "china" in options and "global" in options
    panel.network.value = "global"
    assert panel.result.summary["n_satellites"] == 12
    assert len(panel.fig_globe.data[2].x) == len(panel.result.geometry.stations) == 10


def test_out_of_range_count_is_reported_not_silently_clamped(panel):
    """ipywidgets clamps a value beyond a slider's range without a word: the panel says so."""
    panel.set(satellites=MAX_SATELLITES + 1000)
    assert panel.satellites.value == MAX_SATELLITES
    assert panel.result.summary["n_satellites"] == MAX_SATELLITES
    assert f"satellites: {MAX_SATELLITES + 1000} is outside the slider" in panel.info.value
    assert f"1\u2013{MAX_SATELLITES}; using {MAX_SATELLITES}" in panel.info.value
    panel.satellites.value = 90000  # same clamped value: no recompute, but still reported
    assert "satellites: 90000 is outside the slider" in panel.info.value
    panel.set(satellites=100)
    assert "outside the slider" not in panel.info.value
    panel.planes.value = -4
    assert panel.planes.value == 0 and "planes (0 = auto): -4 is outside" in panel.info.value


def test_no_request_answered_shows_never_and_empty_plots(panel):
    """A single satellite that never sees the polar stations: nothing comes back; the panel
    says so instead of failing in the histogram."""
    res = panel.set(preset="starcloud-1", network="polar")
    assert res.summary["answered"] == 0
    assert 'data-seconds="inf"' in panel.median.value and "never" in panel.median.value
    assert "no request answered" in panel.info.value
    assert len(panel.fig_dist.data[0].x) == 0
    assert panel.fig_size.data[2].x in (None, ())  # no current point to mark
    assert np.isnan(np.asarray(panel.fig_size.data[0].y, dtype=float)).all()  # no answer anywhere


def test_format_duration():
    assert format_duration(0.25) == "250 ms"
    assert format_duration(5.26) == "5.3 s"
    assert format_duration(600) == "10.0 min"
    assert format_duration(3 * 3600) == "3.0 h"
    assert format_duration(float("inf")) == "never"


def test_satellites_slider_is_logarithmic_and_maps_counts_both_ways(panel):
    """12 -> 120 is a decade of travel, like 120 -> 1,200 (it sat in the first 4 % of a linear
    slider); a count set or typed comes back as that count, a dragged position as the nearest
    whole count; the help text states the largest interactive size."""
    s = panel.satellites
    assert s.base ** s.min == 1 and count_of(s.base ** s.max) == MAX_SATELLITES
    decade = slider_fraction(120) - slider_fraction(12)
    assert decade == pytest.approx(slider_fraction(1200) - slider_fraction(120))
    assert decade > 0.25  # a quarter of the travel (was 4 %)
    for n in (1, 12, 839, 2800, MAX_SATELLITES):
        panel.set(satellites=n)
        assert s.value == n and panel.result.scenario.n_satellites in (n, n + 1)
    s.value = 10 ** 1.0801  # a dragged position between counts
    assert s.value == 12.0 and panel.result.scenario.n_satellites == 12
    assert f"{MAX_SATELLITES:,}" in panel.satellites_help.value and "0.3 s" in panel.satellites_help.value


def test_info_line_reports_the_update_time(panel):
    panel.set(satellites=300)
    m = re.search(r"Update took (\d+) ms", panel.info.value)
    assert m and int(m.group(1)) == round(panel.last_update_s * 1e3)
    assert 0 < panel.last_update_s < 30


def test_figures_are_born_with_their_data(monkeypatch):
    """Regression (browser: empty axes under load): a plotly FigureWidget opens its comm with
    empty data and layout and sends them in a second message, which a busy browser may apply
    after it has drawn the view. The panel's figures open their comm with everything."""
    import ipywidgets

    opened = []
    real = ipywidgets.comm.create_comm

    def spy(**kwargs):
        opened.append(kwargs["data"]["state"])
        return real(**kwargs)

    monkeypatch.setattr(ipywidgets.comm, "create_comm", spy)
    p = MissionPanel("three-body-12", requests=300)
    try:
        opened.clear()
        p.set(satellites=700)
        figs = [st for st in opened if st.get("_model_name") == "AnyModel"
                and "_widget_data" in st]
        assert len(figs) == 3
        for st in figs:
            assert st["_widget_layout"] and st["_widget_data"]
        def n_points(x):  # a list, or a NumPy array sent as a binary buffer (dtype, shape)
            return x["shape"][0] if isinstance(x, dict) else len(x)

        sizes = sorted(n_points(st["_widget_data"][1].get("x", [])) for st in figs)
        assert 700 in sizes  # the globe's satellites, in the first message
    finally:
        p.widget.close()


def _values(v) -> np.ndarray:
    """A figure's array: a list, an array, or plotly's base64 typed-array spec."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        shape = v.get("shape")
        return arr.reshape([int(x) for x in str(shape).split(",")] if shape else -1)
    return np.asarray(v, dtype=float)


def test_globe_shades_the_night_side_with_the_terminator(panel):
    """The globe shows the Sun at the scenario's epoch: the terminator 90 deg from the Sun's
    direction (astropy's get_sun in ITRS, an independent reference), the day side shaded
    towards the subsolar point."""
    from astropy.coordinates import ITRS, get_sun
    from astropy.time import Time

    names = [t.name for t in panel.fig_globe.data]
    assert "day/night terminator" in names and "direction of the Sun" in names
    t = Time(panel.result.scenario.epoch, scale="utc")
    sun = get_sun(t).transform_to(ITRS(obstime=t)).cartesian.xyz.value
    sun /= np.linalg.norm(sun)
    term = panel.fig_globe.data[names.index("day/night terminator")]
    ring = np.c_[np.asarray(term.x, float), np.asarray(term.y, float), np.asarray(term.z, float)]
    cos = ring @ sun / np.linalg.norm(ring, axis=1)
    assert np.abs(cos).max() < 2e-3  # 90 deg from the Sun, within ~0.1 deg
    earth = panel.fig_globe.data[0]
    xyz = np.stack([_values(earth[k]) for k in ("x", "y", "z")], axis=-1)
    brightest = xyz.reshape(-1, 3)[np.argmax(_values(earth.surfacecolor))]
    assert brightest @ sun / np.linalg.norm(brightest) > 0.98  # near the subsolar point
    panel.set(preset="starcloud-1")  # another epoch (26 Jul 2026): the terminator follows
    term2 = panel.fig_globe.data[names.index("day/night terminator")]
    assert not np.allclose(np.asarray(term2.x, float), ring[:, 0])
