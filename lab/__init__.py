"""Orbital Compute Lab: can a constellation of satellites answer an LLM prompt from the ground?

Modules (one per concept). Imports run one way: notebooks -> widgets -> mission, economics -> examples ->
orbits / power / links / node (siblings; power and links use orbits) -> hardware, constants.


- :mod:`lab.widgets`  ipywidgets/plotly panels over the modules below.
- :mod:`lab.study`    design studies: many designs at once, on dask.distributed, as xarray/Zarr.
- :mod:`lab.mission`  the response time of a prompt sent from the ground.
- :mod:`lab.economics` what a kW-year and a million tokens cost in orbit and on the ground.
- :mod:`lab.examples` the real systems' orbits and constellations, shared by every notebook.
- :mod:`lab.orbits`   Earth orbits, constellations, frames, sun and shadow (vectorized).
- :mod:`lab.power`    solar arrays, batteries, compute loads, radiators.
- :mod:`lab.links`    ground stations, passes, link budgets, inter-satellite links, routing.
- :mod:`lab.node`     a real vLLM inference server, its measurement and a roofline model.
- :mod:`lab.hardware`, :mod:`lab.constants` accelerator profiles and physical constants.

:mod:`lab.cli` is the command line (``python -m lab``).

Importing :mod:`lab` configures astropy for offline use: no IERS table is ever downloaded.
Submodules are imported lazily, so ``import lab`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from lab._offline import configure_offline

__version__ = "0.1.0"

configure_offline()

_SUBMODULES = ("constants", "hardware", "orbits", "examples", "power", "links", "node", "mission",
               "economics", "study", "widgets")

__all__ = ["__version__", "configure_offline", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"lab.{name}")
    raise AttributeError(f"module 'lab' has no attribute {name!r}")
