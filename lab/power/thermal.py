"""Heat: every watt a computer draws ends as heat that only radiation removes in orbit.

:func:`radiator_area` (how big a radiator must be), :func:`plate_temperature` (how hot a plate
runs) and :func:`absorbed_solar_power` (the sunlight it picks up): Quantities in and out over
the unit-free :func:`~lab.power.core.radiator_area_core` and
:func:`~lab.power.core.plate_temperature_core`, which check the inputs.

A panel's two faces need not see the same thing: :func:`radiator_area_faces` takes one sink
temperature per face (one face to the ~250 K Earth, the other to 3 K space). The Earth's
infrared is what a ~250 K sink stands for; sunlight reflected by the Earth (albedo, ~0.3)
is an extra load on the Earth-facing face, ``absorbed_solar_power(area, alpha,
flux=albedo * S0 * earth_view_factor(alt))`` at most (subsolar point), nothing at night.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value
from lab.constants import R_EARTH, SOLAR_CONSTANT
from lab.power.core import plate_temperature_core, radiator_area_core

__all__ = ["absorbed_solar_power", "earth_view_factor", "plate_temperature", "radiator_area",
           "radiator_area_faces"]


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


def radiator_area_faces(heat: Any, temperature: Any, face_sinks: Any,
                        emissivity: Any = 0.9) -> u.Quantity:
    """Area (Quantity m²) of a thin panel at ``temperature`` (K) that rejects ``heat`` (W) from
    faces that see different sinks: ``face_sinks`` holds one sink temperature (K) per radiating
    face, e.g. ``(250, 3) * u.K`` for one face towards the Earth and one towards deep space.

    ``Q = emissivity * sigma * A * sum_f (T**4 - T_f**4)``; with equal sinks it is
    :func:`radiator_area` with ``sides = len(face_sinks)``.
    """
    sinks = np.atleast_1d(as_value(face_sinks, u.K, "face_sinks", lo=0.0))
    if sinks.ndim != 1 or not 1 <= sinks.size <= 2:
        raise ValueError(f"face_sinks must hold one sink temperature per face, 1 or 2 values "
                         f"(got shape {sinks.shape})")
    q = as_value(heat, u.W, "heat", lo=0.0)
    # flux per face (W/m²) = 1 W over the area one face alone needs for 1 W
    flux = sum(1.0 / radiator_area_core(1.0, temperature, emissivity, 1, ts) for ts in sinks)
    return np.asarray(q, dtype=float) / flux * u.m**2


def earth_view_factor(alt: Any) -> float | np.ndarray:
    """View factor from a flat plate facing straight down (nadir) at altitude ``alt`` (km) to
    the Earth: ``(R / (R + h))**2`` (a sphere seen from above its surface)."""
    h = as_value(alt, u.km, "alt", lo=0.0)
    f = (R_EARTH / (R_EARTH + np.asarray(h, dtype=float))) ** 2
    return float(f) if np.ndim(f) == 0 else f
