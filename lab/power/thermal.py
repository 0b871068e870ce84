"""Heat: every watt a computer draws ends as heat that only radiation removes in orbit.

:func:`radiator_area` (how big a radiator must be), :func:`plate_temperature` (how hot a plate
runs) and :func:`absorbed_solar_power` (the sunlight it picks up): Quantities in and out over
the unit-free :func:`~lab.power.core.radiator_area_core` and
:func:`~lab.power.core.plate_temperature_core`, which check the inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value
from lab.constants import SOLAR_CONSTANT
from lab.power.core import plate_temperature_core, radiator_area_core

__all__ = ["radiator_area", "plate_temperature", "absorbed_solar_power"]


def radiator_area(heat: Any, temperature: Any, emissivity: Any = 0.9, sides: int = 2,
                  sink_temperature: Any = 0.0) -> u.Quantity:
    """Radiator area (Quantity m²) that rejects ``heat`` (W) at ``temperature`` (K).

    ``A = Q / (sides * emissivity * sigma * (T**4 - T_sink**4))``. ``sides=2`` for a thin
    panel radiating from both faces; ``sink_temperature`` is the effective temperature of what
    the radiator sees (0–3 K deep space; ~250 K for a face that sees the Earth). Absorbed
    sunlight/albedo is not included: add it to ``heat``.
    """
    return radiator_area_core(heat, temperature, emissivity, sides, sink_temperature) * u.m**2


def plate_temperature(absorbed_power: Any, area: Any, emissivity: Any = 0.9, sides: int = 2,
                      sink_temperature: Any = 0.0) -> u.Quantity:
    """Equilibrium temperature (Quantity K) of a plate of ``area`` m² absorbing ``absorbed_power``
    W (electronics waste heat + absorbed sunlight, see :func:`absorbed_solar_power`)."""
    return plate_temperature_core(absorbed_power, area, emissivity, sides, sink_temperature) * u.K


def absorbed_solar_power(area: Any, absorptivity: Any = 0.2, cos_incidence: Any = 1.0,
                         flux: Any = SOLAR_CONSTANT) -> u.Quantity:
    """Sunlight absorbed by a surface, Quantity W: ``absorptivity * flux * area * cos``
    (white paint α ≈ 0.2, solar cells α ≈ 0.9; light from behind gives nothing)."""
    a = as_value(area, u.m**2, "area", lo=0.0)
    alpha = as_value(absorptivity, "", "absorptivity", lo=0.0, hi=1.0)
    cos = np.clip(as_value(cos_incidence, "", "cos_incidence", lo=-1.0, hi=1.0), 0.0, 1.0)
    f = as_value(flux, u.W / u.m**2, "flux", lo=0.0)
    return alpha * f * a * cos * u.W
