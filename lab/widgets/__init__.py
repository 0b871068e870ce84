"""Interactive panels (ipywidgets + plotly) over the lab's models; one module per panel.

- :mod:`lab.widgets.mission_panel`: :class:`MissionPanel`, the response time of a prompt versus
  the constellation (notebook 05, ``make app``);
- :mod:`lab.widgets.economics_panel`: :class:`EconomicsPanel`, what a million tokens costs in
  orbit and on the ground versus the launch price (notebook 06).

Panels are thin: their callbacks are plain methods that call :mod:`lab.mission` (and friends),
so tests drive them without a browser, and a real-browser test drives them in chromium.
"""

from lab.widgets.economics_panel import EconomicsPanel
from lab.widgets.mission_panel import CURVE_SIZES, MODEL_SIZES_B, MissionPanel, format_duration

__all__ = ["CURVE_SIZES", "MODEL_SIZES_B", "EconomicsPanel", "MissionPanel", "format_duration"]
