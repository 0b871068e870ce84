"""What a kW-year and a million tokens cost in orbit and on the ground ("viable by 2030?").

Two layers, like :mod:`lab.orbits` and :mod:`lab.power`:

- a **unit-free vectorized core** :mod:`lab.economics.core` (plain floats/ndarrays in kg, W, Wh,
  m², years, USD): :func:`launched_power_price_core`, :func:`wright_price_core`,
  :func:`capital_recovery_factor`, :func:`cost_model` (one design or 100,000 samples per call);
- an **API** that accepts astropy Quantities and glues the core to the physics of the lab.

Modules (imports run one way; :mod:`lab.economics` sits beside :mod:`lab.mission` and uses
:mod:`lab.power`, :mod:`lab.orbits` (through :mod:`lab.examples`), :mod:`lab.node` and
:mod:`lab.hardware`; nothing below imports it):

================================  ===========================================================
:mod:`lab.economics.core`         the unit-free core above
:mod:`lab.economics.launch`       :func:`launched_power_price`, :func:`launch_price` (Wright's
                                  law), :func:`price_path` by year, Suncatcher's Table 1 and
                                  Starship cost cases
:mod:`lab.economics.design`       :func:`orbit_physics`: array, battery and radiator per watt
                                  from :mod:`lab.power` (sunlight over a year, ``size_for`` on
                                  the worst-eclipse day, ``radiator_area``)
:mod:`lab.economics.presets`      :data:`PRESETS` (the four real systems), :data:`DEFAULTS`,
                                  :data:`BASELINES` (hyperscale, constrained grid, gas-backed),
                                  every number with its source
:mod:`lab.economics.model`        :func:`evaluate` -> :class:`CostResult`: USD per kW-year,
                                  capex per W, USD per accelerator-hour and per million tokens
                                  (tokens/s and J/token from :func:`lab.node.predict_latency`),
                                  the break-even launch price, the first year orbit wins
:mod:`lab.economics.uncertainty`  :func:`monte_carlo` (P(orbit cheaper) by year), :func:`tornado`
:mod:`lab.economics.plots`        plotly figures (not imported here)
================================  ===========================================================

The lab's difference from the anchors it is checked against (tests/test_economics*.py): the
sunlight, eclipse, battery and radiator come from the orbit through :mod:`lab.power` (a dawn-dusk
orbit's real beta angle over the year, not an eclipse fraction typed in), and the tokens from the
roofline of the accelerator and model (:mod:`lab.node`).
"""

from lab.economics.core import (
    capital_recovery_factor,
    cost_model,
    launched_power_price_core,
    mean_surviving_fraction,
    wright_price_core,
)
from lab.economics.design import DesignPhysics, orbit_physics
from lab.economics.launch import (
    FALCON_9_PRICE,
    LEARNING,
    PRICE_PATHS,
    STARSHIP_COST_CASES,
    SUNCATCHER_TABLE_1,
    launch_price,
    launched_power_price,
    mass_for_price,
    price_path,
    terrestrial_power_spend,
)
from lab.economics.model import YEARS, CostResult, design_inputs, evaluate, token_rate
from lab.economics.presets import (
    BASELINES,
    DEFAULTS,
    PRESETS,
    SOURCES,
    Baseline,
    CostPreset,
    get_baseline,
    get_preset,
)
from lab.economics.uncertainty import (
    DISTRIBUTIONS,
    MC_YEARS,
    MonteCarloResult,
    monte_carlo,
    tornado,
)

__all__ = [
    "BASELINES", "DEFAULTS", "DISTRIBUTIONS", "FALCON_9_PRICE", "LEARNING", "MC_YEARS",
    "PRESETS", "PRICE_PATHS", "SOURCES", "STARSHIP_COST_CASES", "SUNCATCHER_TABLE_1", "YEARS",
    "Baseline", "CostPreset", "CostResult", "DesignPhysics", "MonteCarloResult",
    "capital_recovery_factor", "cost_model", "design_inputs", "evaluate", "get_baseline",
    "get_preset", "launch_price", "launched_power_price", "launched_power_price_core",
    "mass_for_price", "mean_surviving_fraction", "monte_carlo", "orbit_physics", "price_path",
    "terrestrial_power_spend", "token_rate", "tornado", "wright_price_core",
]
