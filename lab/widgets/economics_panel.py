"""Interactive panel over :mod:`lab.economics`: move the launch price, watch a token's cost.

``EconomicsPanel()`` builds ipywidgets controls (preset, terrestrial baseline, where the launch
price comes from, launch price, year and Starship flights per year, array specific power,
satellite lifetime, electricity price) and four plotly figures in fixed slots: the cost
waterfall, USD per million tokens versus launch price with the break-even marked, the tornado,
and the probability over the years that orbit is cheaper (a Monte Carlo of
:data:`PANEL_SAMPLES` samples with the sliders' specific power, lifetime and flights per year
held fixed; the ground's electricity price and PUE are drawn from Suncatcher's range, so the
probability does not collapse to 0 or 1 with one electricity price). Each update draws every
figure afresh and swaps it into its slot, like :class:`~lab.widgets.MissionPanel` (plotly's
in-place updates can be lost in a real browser).

The headline is an HTML widget with the CSS class ``ocl-econ`` whose ``data-orbit`` /
``data-ground`` / ``data-price`` attributes carry USD per million tokens and the launch price, so
a browser test can read them. Callbacks are plain methods (:meth:`EconomicsPanel.update`,
:meth:`EconomicsPanel.set`); ``last_update_s`` is how long the last update took (target < 0.3 s).
"""

from __future__ import annotations

import html
import math
import time
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from lab import economics
from lab.economics import plots
from lab.widgets._panel import Panel, sync_figure

__all__ = ["EconomicsPanel", "PANEL_SAMPLES", "PRICE_SOURCES"]

PANEL_SAMPLES = 10_000  # Monte Carlo samples per panel update
PRICE_SOURCES = ("launch price", "year + flights")
_FIXED = ("array_w_per_kg", "lifetime_y", "flights_per_year")  # held at the sliders' values


class EconomicsPanel(Panel):
    """The cost panel. Display it with ``panel.widget`` (or just ``panel``).

    ``preset``: a :data:`lab.economics.PRESETS` name; ``baseline``: a
    :data:`lab.economics.BASELINES` name; ``seed``: of the Monte Carlo.
    """

    def __init__(self, preset: str = "suncatcher-81", baseline: str = "hyperscale", *,
                 seed: int = 0) -> None:
        economics.get_preset(preset)
        economics.get_baseline(baseline)
        self.seed = seed
        self.result: economics.CostResult | None = None
        self.montecarlo: economics.MonteCarloResult | None = None
        self.last_update_s = math.nan
        style = {"description_width": "initial"}
        lay = w.Layout(width="430px")
        common = {"continuous_update": False, "style": style, "layout": lay}
        self.preset = w.Dropdown(options=list(economics.PRESETS), value=preset,
                                 description="preset", style=style, layout=lay)
        self.baseline = w.Dropdown(options=list(economics.BASELINES), value=baseline,
                                   description="ground baseline", style=style, layout=lay)
        self.price_source = w.ToggleButtons(options=list(PRICE_SOURCES), value=PRICE_SOURCES[0],
                                            description="launch price from", style=style)
        self.launch_price = w.FloatLogSlider(value=200.0, base=10, min=1.0, max=4.0, step=0.01,
                                             description="launch price (USD/kg)",
                                             readout_format=",.0f", **common)
        self.launch_price.add_class("ocl-launch-price")
        self.year = w.IntSlider(value=2030, min=2025, max=2045, description="year", **common)
        self.flights = w.IntSlider(value=180, min=0, max=400, step=1,
                                   description="Starship flights per year", **common)
        self.specific_power = w.IntSlider(value=100, min=20, max=300, step=5,
                                          description="array specific power (W/kg)", **common)
        self.lifetime = w.FloatSlider(value=5.0, min=1.0, max=15.0, step=0.5,
                                      description="satellite lifetime (years)", **common)
        self.electricity = w.FloatSlider(value=0.06, min=0.02, max=0.40, step=0.01,
                                         description="electricity (USD/kWh)",
                                         readout_format=".2f", **common)
        self.headline = w.HTML(value="")
        self.headline.add_class("ocl-econ")
        self.info = w.HTML(value="")
        names = ("fig_waterfall", "fig_tokens", "fig_tornado", "fig_probability")
        for name in names:
            setattr(self, name, go.FigureWidget())
        self._slots = {name: w.Box([getattr(self, name)]) for name in names}
        self._apply_preset(preset)
        self.update()
        self.preset.observe(self._on_preset, names="value")
        for c in (self.baseline, self.price_source, self.launch_price, self.year, self.flights,
                  self.specific_power, self.lifetime, self.electricity):
            c.observe(self.update, names="value")
        controls = w.VBox([self.preset, self.baseline, self.price_source, self.launch_price,
                           self.year, self.flights, self.specific_power, self.lifetime,
                           self.electricity], layout=w.Layout(min_width="450px"))
        self.widget = w.VBox([
            w.HBox([controls, w.VBox([self.headline, self.info],
                                     layout=w.Layout(flex="1 1 auto"))]),
            w.HBox([self._slots["fig_waterfall"], self._slots["fig_tokens"]]),
            w.HBox([self._slots["fig_tornado"], self._slots["fig_probability"]]),
        ])
        self.widget.add_class("ocl-econ-panel")

    def _apply_preset(self, name: str) -> None:
        p = economics.get_preset(name)
        life = p.overrides.get("lifetime_y", economics.DEFAULTS["lifetime_y"])
        with self._quiet():
            self.lifetime.value = float(life)

    def _on_preset(self, change: Any = None) -> None:
        if self._busy:
            return
        self._apply_preset(self.preset.value)
        self.update()

    # -- the model from the controls -----------------------------------------------------------
    def overrides(self) -> dict[str, float]:
        """The :func:`lab.economics.evaluate` inputs the sliders set."""
        return {"array_w_per_kg": float(self.specific_power.value),
                "lifetime_y": float(self.lifetime.value),
                "electricity_usd_per_kwh": float(self.electricity.value)}

    def current_launch_price(self) -> float:
        """USD/kg: the slider's, or the price path's in the chosen year at the chosen cadence."""
        if self.price_source.value == PRICE_SOURCES[0]:
            return float(self.launch_price.value)
        return float(economics.price_path(self.year.value, self.flights.value))

    def update(self, change: Any = None) -> economics.CostResult | None:
        """Recompute the costs for the current controls and redraw (the callback)."""
        if self._busy:
            return None
        t0 = time.perf_counter()
        price = self.current_launch_price()
        if self.price_source.value == PRICE_SOURCES[1]:
            with self._quiet():  # show the path's price on the (then passive) slider
                self.launch_price.value = price
        kw = {"baseline": self.baseline.value, **self.overrides()}
        res = economics.evaluate(self.preset.value, launch_price=price, **kw)
        res.path = {**res.path, "flights_per_year": float(self.flights.value)}
        self.result = res
        torn = economics.tornado(self.preset.value, launch_price=price, **kw)
        held = {k: v for k, v in self.overrides().items() if k in _FIXED}
        self.montecarlo = economics.monte_carlo(
            self.preset.value, PANEL_SAMPLES, seed=self.seed, launch_price=price, fixed=_FIXED,
            flights_per_year=float(self.flights.value), **held)
        self._show("fig_waterfall", plots.waterfall_figure(res))
        self._show("fig_tokens", plots.token_cost_figure(res))
        self._show("fig_tornado", plots.tornado_figure(torn))
        self._show("fig_probability", plots.probability_figure(self.montecarlo))
        self.last_update_s = time.perf_counter() - t0
        self._render_text(res)
        return res

    def _render_text(self, res: economics.CostResult) -> None:
        s = res.summary()
        o, g = s["usd_per_mtok"]["orbit"], s["usd_per_mtok"]["ground"]
        be = s["breakeven_launch_usd_per_kg"]
        year = s["first_year_orbit_wins"]
        self.headline.value = (
            f'<div class="ocl-econ-box" data-orbit="{o:.6g}" data-ground="{g:.6g}" '
            f'data-price="{res.launch_price:.6g}" style="font-size:1.4em;padding:6px">'
            f"A million tokens: <b>${o:,.3f}</b> in orbit, <b>${g:,.3f}</b> on the ground "
            f"({o / g:.2f}x) at ${res.launch_price:,.0f}/kg</div>")
        notes = [
            "break-even launch price: " + (f"${be:,.0f}/kg" if be > 0 else
                                           "none (orbit costs more even with free launches)"),
            "first year orbit wins on this price path: " + (str(year) if year else "none by 2060"),
            f"satellite: {', '.join(f'{m:,.0f} kg' for m in s['satellite_dry_kg'])} for "
            f"{', '.join(f'{x / 1e3:,.1f} kW' for x in s['satellite_load_w'])}; launch only "
            f"${s['launched_power_usd_per_kw_year']:,.0f}/kW-year (Suncatcher's metric)",
            f"{s['tokens_per_s_per_accelerator']:,.0f} tokens/s and "
            f"{s['joules_per_token']:.3f} J/token per accelerator (roofline)",
            f"update took {self.last_update_s * 1e3:.0f} ms",
        ]
        self.info.value = "<ul class='ocl-econ-info'>" + "".join(
            f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"

    def _show(self, name: str, fig: go.Figure) -> None:
        """Put ``fig`` (as a fresh FigureWidget) in the slot of figure ``name``."""
        widget = go.FigureWidget(fig)
        sync_figure(widget)
        old = getattr(self, name)
        setattr(self, name, widget)
        self._slots[name].children = (widget,)
        old.close()

    def set(self, **values: Any) -> economics.CostResult | None:
        """Set several controls at once (one recompute): ``panel.set(launch_price=100)``."""
        with self._quiet():
            if "preset" in values:
                self.preset.value = values.pop("preset")
                self._apply_preset(self.preset.value)
            for k, v in values.items():
                getattr(self, k).value = v
        return self.update()
