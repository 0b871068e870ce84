"""Links and latency: ground stations, passes, link budgets, inter-satellite links, routing.

A prompt reaches an orbital computer only when a ground station sees a satellite; then it can
cross laser links between satellites. This package computes, for whole constellations at once:

- geometry: :func:`elevation`, :func:`visibility`, :func:`slant_range`, :func:`light_delay`;
- the ground segment: stations (:class:`GroundStation`: site, elevation mask, number of
  antennas, slew time) and named networks of LEO sites (:data:`STATION_NETWORKS`, each station
  with its source); link acquisition per band (:data:`BANDS`: from pointing to locked);
- booking antennas: :func:`book_antennas` (a FIFO queue with k antennas per station),
  :func:`assign_antennas`, :func:`fifo_wait` (module :mod:`lab.links.ground`);
- contact windows: :func:`passes` (one satellite) and :func:`contacts` (constellation x stations);
- link budgets: :class:`LinkBudget`, :data:`LINK_PRESETS` (S-band telecommand uplinks at
  256 kbit/s and 2 Mbit/s, X- and Ka-band downlinks, an optical ground link, optical ISL);
- inter-satellite links: :func:`isl_pairs`, :func:`isl_state`, :func:`isl_graph` (networkx);
- routing over time, with store and forward: :func:`route` -> :class:`Route`;
  :func:`latency_budget` of a round trip;
- tables: :func:`link_table` (budgets side by side), :func:`in_view_count` (from contacts);
- figures in :mod:`lab.links.plots` (``*_figure``; plotly, imported on demand).

The ISL rules (range, grazing height, cross-plane latitude) are one :class:`ISLRules` record;
``isl_state``, ``isl_graph`` and ``route`` take ``rules=`` and still accept the three keywords.
Long windows and searches are refused above the memory / run-time limits
(``LAB_MAX_MEMORY_GB``, ``LAB_MAX_RUNTIME_S``). Plain numbers are km, s, deg, W, Hz; Quantities
are accepted everywhere.
"""

from lab.links.budget import (
    BANDS,
    DVBS2_MODCODS,
    LINK_PRESETS,
    LinkBudget,
    free_space_path_loss,
    link_table,
)
from lab.links.geometry import (
    central_angle,
    elevation,
    grazing_height,
    great_circle_distance,
    light_delay,
    slant_range,
    visibility,
)
from lab.links.ground import assign_antennas, book_antennas, fifo_wait
from lab.links.isl import (
    ISLRules,
    ISLState,
    as_isl_rules,
    isl_graph,
    isl_pairs,
    isl_state,
    isl_state_from_positions,
)
from lab.links.routing import Route, latency_budget, route
from lab.links.stations import (
    STATION_NETWORKS,
    GroundStation,
    as_stations,
    geodetic_to_itrs,
    get_network,
)
from lab.links.windows import (
    Pass,
    contacts,
    coverage_gaps,
    in_view_count,
    itrs_positions,
    passes,
    ranges,
    visibility_mask,
)

__all__ = [
    "BANDS",
    "DVBS2_MODCODS",
    "ISLRules",
    "ISLState",
    "LINK_PRESETS",
    "STATION_NETWORKS",
    "GroundStation",
    "LinkBudget",
    "Pass",
    "Route",
    "as_isl_rules",
    "assign_antennas",
    "book_antennas",
    "as_stations",
    "central_angle",
    "contacts",
    "coverage_gaps",
    "elevation",
    "fifo_wait",
    "free_space_path_loss",
    "geodetic_to_itrs",
    "get_network",
    "grazing_height",
    "great_circle_distance",
    "in_view_count",
    "isl_graph",
    "isl_pairs",
    "isl_state",
    "isl_state_from_positions",
    "itrs_positions",
    "latency_budget",
    "light_delay",
    "link_table",
    "passes",
    "ranges",
    "route",
    "slant_range",
    "visibility",
    "visibility_mask",
]
