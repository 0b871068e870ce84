"""Orbital Compute Lab: can a constellation of satellites answer an LLM prompt from the ground?

Modules (one per concept):

- :mod:`lab.orbits`   Earth orbits, constellations, frames, sun and shadow (vectorized).
- :mod:`lab.power`    solar arrays, batteries, compute loads, radiators.
- :mod:`lab.links`    ground stations, passes, link budgets, inter-satellite links, routing.
- :mod:`lab.node`     a real vLLM inference server, its measurement and a roofline model.
- :mod:`lab.mission`  the response time of a prompt sent from the ground.
- :mod:`lab.widgets`  ipywidgets/plotly panels over the modules above.

Importing :mod:`lab` configures astropy for offline use: no IERS table is ever downloaded.
Submodules are imported lazily, so ``import lab`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from lab._offline import configure_offline

__version__ = "0.1.0"

configure_offline()

_SUBMODULES = ("constants", "hardware", "orbits", "power", "links", "node", "mission", "widgets")

__all__ = ["__version__", "configure_offline", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"lab.{name}")
    raise AttributeError(f"module 'lab' has no attribute {name!r}")
