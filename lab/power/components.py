"""The hardware of a power system: :class:`SolarArray` and :class:`Battery`.

Frozen dataclasses checked on construction (plain numbers are m², W, Wh; Quantities are
converted), so a design that exists is physical. :func:`~lab.power.simulate` and
:func:`~lab.power.size_for` put one of each on every satellite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value, check_choice
from lab.constants import SOLAR_CONSTANT
from lab.power.core import array_power

__all__ = ["SolarArray", "Battery", "NORMALS"]

NORMALS = ("zenith", "nadir", "velocity", "anti-velocity", "orbit-normal", "anti-orbit-normal")
_NORMAL_RSW = {
    "zenith": (1.0, 0.0, 0.0),
    "nadir": (-1.0, 0.0, 0.0),
    "velocity": (0.0, 1.0, 0.0),
    "anti-velocity": (0.0, -1.0, 0.0),
    "orbit-normal": (0.0, 0.0, 1.0),
    "anti-orbit-normal": (0.0, 0.0, -1.0),
}
_FRACTION = {"lo": 0.0, "hi": 1.0, "lo_inclusive": False}  # (0, 1]: efficiencies, packing


def _scalar(obj: Any, name: str, unit: Any, **limits: Any) -> None:
    """Check field ``name`` of a frozen dataclass and store it as a plain float in ``unit``."""
    value = as_value(getattr(obj, name), unit, name, **limits)
    if np.ndim(value) != 0:
        raise TypeError(f"{name} must be a scalar (got shape {np.shape(value)})")
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class SolarArray:
    """A solar array.

    Parameters
    ----------
    area : array area in m² (Quantity or plain m²), ≥ 0.
    efficiency : cell efficiency at beginning of life, in (0, 1] (triple junction ≈ 0.30).
    degradation_per_year : fractional power loss per year in [0, 1) (radiation; LEO ≈ 0.5–3 %).
    packing : fraction of ``area`` covered by active cells, in (0, 1] (assumed 0.85).
    pointing : ``"sun"`` (the array tracks the Sun, incidence 0°) or ``"fixed"`` (body-mounted
        in the orbit frame, facing ``normal``).
    normal : for ``pointing="fixed"``: one of ``"zenith"``, ``"nadir"``, ``"velocity"``,
        ``"anti-velocity"``, ``"orbit-normal"``, ``"anti-orbit-normal"`` or a 3-vector
        (radial, along-track, cross-track). One-sided: light from behind gives nothing.
    """

    area: Any
    efficiency: Any = 0.30
    degradation_per_year: Any = 0.01
    packing: Any = 0.85
    pointing: str = "sun"
    normal: Any = "orbit-normal"

    def __post_init__(self) -> None:
        _scalar(self, "area", u.m**2, lo=0.0)
        _scalar(self, "efficiency", "", **_FRACTION)
        _scalar(self, "degradation_per_year", "", lo=0.0, hi=1.0, hi_inclusive=False)
        _scalar(self, "packing", "", **_FRACTION)
        check_choice(self.pointing, ("sun", "fixed"), "pointing")
        if self.pointing == "fixed":
            object.__setattr__(self, "normal", _normal_vector(self.normal))

    def power(self, cos_incidence: Any = 1.0, shadow: Any = 0.0, age: Any = 0.0,
              flux: Any = SOLAR_CONSTANT) -> np.ndarray | float:
        """Electrical power in W (plain float/ndarray), vectorized over all arguments.

        ``cos_incidence``: cosine of the Sun's angle from the array normal (ignored, = 1, for
        ``pointing="sun"``); ``shadow``: fraction of the solar disk hidden (0–1, from
        :func:`lab.orbits.in_shadow`); ``age`` in years; ``flux`` in W/m² (default 1361).
        """
        cos = 1.0 if self.pointing == "sun" else as_value(cos_incidence, "", "cos_incidence",
                                                           lo=-1.0, hi=1.0)
        p = array_power(
            self.area, self.efficiency, cos, as_value(shadow, "", "shadow", lo=0.0, hi=1.0),
            packing=self.packing, age=age, degradation_per_year=self.degradation_per_year,
            flux=flux,
        )
        return float(p) if p.ndim == 0 else p

    def with_area(self, area: Any) -> SolarArray:
        """The same array with another area."""
        return SolarArray(area, self.efficiency, self.degradation_per_year, self.packing,
                          self.pointing, self.normal)

    @property
    def specific_power(self) -> float:
        """Beginning-of-life power per m² of array in full, normal sunlight at 1 AU (W/m²)."""
        return SOLAR_CONSTANT * self.packing * self.efficiency


def _normal_vector(normal: Any) -> tuple[float, float, float]:
    if isinstance(normal, str):
        check_choice(normal, NORMALS, "normal")
        return _NORMAL_RSW[normal]
    vec = as_value(normal, "", "normal")
    if np.shape(vec) != (3,) or np.linalg.norm(vec) == 0:
        raise ValueError(f"normal must be one of {NORMALS} or a non-zero 3-vector (got {normal!r})")
    vec = np.asarray(vec) / np.linalg.norm(vec)
    return (float(vec[0]), float(vec[1]), float(vec[2]))


@dataclass(frozen=True)
class Battery:
    """A battery.

    Parameters
    ----------
    capacity : nameplate energy in Wh (Quantity or plain Wh), ≥ 0.
    max_depth_of_discharge : usable fraction of ``capacity`` in [0, 1]; LEO Li-ion packs that
        cycle ~5,500 times a year are usually kept to 20–40 % (default 0.3, an assumption).
    charge_efficiency, discharge_efficiency : in (0, 1] (Li-ion ≈ 0.95 each, ≈ 90 % round trip).
    max_charge_rate : largest power into the battery in W, > 0 (None: unlimited).
    max_discharge_rate : largest power the battery delivers in W, > 0 (None: unlimited).
    """

    capacity: Any
    max_depth_of_discharge: Any = 0.3
    charge_efficiency: Any = 0.95
    discharge_efficiency: Any = 0.95
    max_charge_rate: Any = None
    max_discharge_rate: Any = None

    def __post_init__(self) -> None:
        _scalar(self, "capacity", u.W * u.h, lo=0.0)
        _scalar(self, "max_depth_of_discharge", "", lo=0.0, hi=1.0)
        _scalar(self, "charge_efficiency", "", **_FRACTION)
        _scalar(self, "discharge_efficiency", "", **_FRACTION)
        for name in ("max_charge_rate", "max_discharge_rate"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.inf)
            else:
                _scalar(self, name, u.W, lo=0.0, lo_inclusive=False)

    @property
    def usable_energy(self) -> float:
        """Energy the loads can draw from full to the depth-of-discharge floor, in Wh."""
        return self.capacity * self.max_depth_of_discharge * self.discharge_efficiency

    @property
    def floor(self) -> float:
        """Stored energy at the depth-of-discharge limit, in Wh."""
        return self.capacity * (1.0 - self.max_depth_of_discharge)

    def with_capacity(self, capacity: Any) -> Battery:
        """The same battery chemistry and limits with another capacity."""
        return Battery(capacity, self.max_depth_of_discharge, self.charge_efficiency,
                       self.discharge_efficiency, _none_if_inf(self.max_charge_rate),
                       _none_if_inf(self.max_discharge_rate))


def _none_if_inf(x: float) -> float | None:
    return None if np.isinf(x) else x
