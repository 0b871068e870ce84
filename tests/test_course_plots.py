"""The figures of notebooks 04-07 teach: every axis has a unit, every figure a title, every colour
a legend entry (or a label), and no two terms of the response time share a colour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lab import economics, study
from lab.economics import plots as cost_plots
from lab.mission import TERMS, response_times, sweep
from lab.mission import plots as mission_plots
from lab.node import plots as node_plots
from lab.node import recorded_calibration
from lab.study import plots as study_plots


def _axis_titles(fig) -> list[str]:
    layout = fig.layout.to_plotly_json()
    return [v.get("title", {}).get("text", "") for k, v in layout.items()
            if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict)]


def _has_unit(text: str) -> bool:
    return "(" in text and ")" in text


@pytest.fixture(scope="module")
def day():
    return response_times("three-body-12", requests=300, seed=0)


@pytest.fixture(scope="module")
def small_study():
    return study.run({"n_satellites": [12, 48], "alt": [550.0, 1000.0], "planes": [1, 3],
                      "network": ["china", "global"]},
                     fixed={"preset": "three-body-12", "requests": 200, "dt": 120, "seed": 0},
                     progress=False)


def test_mission_figures(day):
    fig = mission_plots.day_figure(day)
    assert fig.layout.title.text and fig.layout.yaxis.type == "log"
    assert all(_has_unit(t) for t in _axis_titles(fig)) and "UTC" in fig.layout.xaxis.title.text
    assert {d.name for d in fig.data} == {"a satellite is in view", "waits for a pass"}
    # regression: an annotation on a log axis sits at log10 of its value (it was placed at
    # 10^120 s and blew the axis up to 10^120)
    assert fig.layout.annotations[0].y == pytest.approx(np.log10(120.0))
    curve = sweep("three-body-12", [12, 120], requests=200, seed=0, progress=False)
    share = mission_plots.share_figure(curve)
    colours = [d.marker.color for d in share.data]
    assert len(set(colours)) == len(TERMS) == len(colours)  # twelve terms, twelve colours
    assert _has_unit(share.layout.yaxis.title.text)  # x: satellites, a count
    b = day.breakdown.iloc[:2]
    bars = mission_plots.breakdown_figure(b)
    assert bars.layout.xaxis.title.text == "time (s)"
    assert [d.marker.color for d in bars.data] == [mission_plots.TERM_COLORS[t] for t in TERMS]


def test_economics_figures():
    res = economics.evaluate("suncatcher-81", year=2030)
    figs = [cost_plots.waterfall_figure(res), cost_plots.token_cost_figure(res),
            cost_plots.tornado_figure(economics.tornado("suncatcher-81", launch_price=200)),
            cost_plots.probability_figure(economics.monte_carlo("suncatcher-81", 500)),
            cost_plots.learning_curve_figure()]
    for fig in figs:
        assert fig.layout.title.text, fig
        assert any(_has_unit(t) for t in _axis_titles(fig)), _axis_titles(fig)
    # the waterfall: orbit and ground side by side, each ending in its own total
    water = figs[0]
    assert [list(d.x)[-1] for d in water.data] == ["total", "total"]
    # regression: the $200/kg label sits at log10(200) on the log axis (it was at 10^200)
    learn = figs[-1]
    assert learn.layout.annotations[0].y == pytest.approx(np.log10(200.0))


def test_node_figures():
    rec = recorded_calibration()
    for fig in (node_plots.roofline_figure(), node_plots.calibration_figure(rec)):
        assert fig.layout.title.text
        assert all(_has_unit(t) for t in _axis_titles(fig) if t)


def test_study_figures(small_study):
    surface = study_plots.surface_figure(small_study, "mean")
    assert surface.layout.title.text and "altitude (km)" in _axis_titles(surface)
    assert surface.layout.coloraxis.colorbar.title.text == "mean (s)"
    ticks = np.asarray(surface.layout.coloraxis.colorbar.tickvals)
    assert np.allclose(10 ** ticks, np.rint(10 ** ticks))  # ticks at whole seconds
    pareto = study_plots.pareto_figure(small_study, x="n_used", y="p90", colour="network",
                                       symbol="planes")
    assert pareto.data[-1].name == "Pareto front"
    assert "(s)" in pareto.layout.yaxis.title.text
    bars = study_plots.sensitivity_figure(small_study, ["p50", "p90"])
    assert [d.name for d in bars.data] == ["median response time (s)",
                                           "90th percentile response time (s)"]
    assert bars.layout.legend.title.text == "metric"


def test_share_figure_of_a_plain_table():
    curve = pd.DataFrame({f"mean_{t}": [1.0, 2.0] for t in TERMS}, index=[10, 20])
    fig = mission_plots.share_figure(curve, title="t")
    assert sum(d.y[0] for d in fig.data) == pytest.approx(1.0)


def test_a_term_has_one_colour_in_the_notebook_and_in_the_panel():
    from lab.widgets.mission_panel import TERM_COLORS as PANEL

    assert mission_plots.TERM_COLORS == PANEL
