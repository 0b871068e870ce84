"""Response time of an orbital computer: send a prompt from the ground, get the answer back.

A request arrives at time ``t`` from a user. It waits until a satellite is in view of a ground
station of the scenario's network (or of the user's own terminal when the scenario has direct
access), goes **up**, crosses inter-satellite links (ISLs) to a satellite that has an accelerator
**and** power, **queues** there, runs **prefill + decode**, and the answer crosses ISLs **back** to a
satellite in view of a station (waiting for the next pass if none is in view: store-and-forward)
and comes **down**. Every step is a column of :attr:`ResponseTimes.breakdown` (seconds):

=====================  ===================================================================
``wait_for_contact``   until any satellite rises above the elevation mask of a station
``uplink``             ground backhaul + slant range / c + request bits / uplink rate(range)
``isl_to_compute``     hops x (hop length / c + request bits / ISL rate) on the +Grid
``queueing``           FIFO per serving satellite (+ waiting for power if none has any)
``inference``          prefill + decode (roofline of :func:`lab.node.predict_latency`)
``isl_back``           hops x (hop length / c + answer bits / ISL rate)
``wait_for_downlink``  store-and-forward: until a satellite of the shell sees a station
``downlink``           slant range / c + answer bits / downlink rate(range) + backhaul
``total``              the sum
=====================  ===================================================================

The physics comes from the lab's own modules; this package only puts it together:

- constellations, positions and the Earth's shadow: :mod:`lab.orbits` (Walker shells with
  ``Constellation.walker``, J2 secular propagation, ITRS through the per-epoch GCRS->ITRS
  rotation, ``sun_position``, ``in_shadow``); the real systems' shells: :mod:`lab.examples`;
- stations, elevation, slant range, great-circle backhaul, link rates, the +Grid ISLs and
  their rules (:class:`lab.links.ISLRules`): :mod:`lab.links`;
- inference latency: :func:`lab.node.predict_latency`; battery: :class:`lab.power.Battery`.

Everything is vectorized: positions on a time grid over one day (default 60 s), the best
station's elevation margin per satellite and epoch, next-contact indices by reverse cumulative
minima, FIFO queues by cumulative sums (Lindley's recursion in closed form). There is no Python
loop over requests, satellites or epochs; the only loops are over shells and stations (a few).

Modelling choices (all stated, none tuned): circular Walker orbits with J2 secular drift;
WGS-84 stations with geodetic elevation masks; slant range from that elevation on a spherical
Earth; cylindrical shadow; a satellite serves when sunlit or while its battery lasts after it
entered the shadow (feeding the bus and the accelerator at its eclipse cap, the power at which
eclipse inference runs); ISL hop lengths are the mean +Grid link lengths over the day; the day is
treated as periodic for requests whose answer would only come back after the end of the day.

The package, one concern per module (imports run down this list, never up):

==============  ============================================================================
``scenario``    :class:`Shell`, :class:`Scenario` (checked, units stored plain), networks
``presets``     :data:`PRESETS` for the real systems (shells from :mod:`lab.examples`), each
                number with its source; :func:`get_preset`
``rescale``     :func:`configure`: a new size, plane count, altitude, model, network
``budget``      the memory guard: estimate before allocating, refuse over the limit
``queueing``    :func:`next_true_index`, :func:`next_contact`, :func:`fifo_wait`
``grid``        :func:`geometry`: the cached time-grid geometry, one record per shell; +Grid hops
``steps``       the seven steps of the model over a record of per-request arrays
``response``    :func:`response_times` (the pipeline), :class:`ResponseTimes`, the summary
``sweeps``      :func:`sweep`: response time versus constellation size
==============  ============================================================================

Memory: the model holds whole arrays (satellites x epochs, requests x satellites). Before
allocating, :func:`response_times`, :func:`geometry` and :func:`sweep` estimate the peak memory
and raise ``MemoryLimitError`` (a ``MemoryError`` and a ``ValueError``) over the limit:
``max_memory_gb=``, else the environment variable ``LAB_MAX_MEMORY_GB``, else 4 GB
(:mod:`lab.mission.budget`). A day in which no request can be answered is a result, not an
error: ``summary["answered"]`` is 0, the percentiles are inf and a note says why.
"""

from __future__ import annotations

from lab.mission.budget import MemoryLimitError as MemoryLimitError
from lab.mission.grid import Geometry as Geometry
from lab.mission.grid import ShellGeometry as ShellGeometry
from lab.mission.grid import clear_geometry_cache, geometry
from lab.mission.presets import PRESETS, get_preset
from lab.mission.queueing import fifo_wait, next_contact, next_true_index
from lab.mission.rescale import configure
from lab.mission.response import TERMS, ResponseTimes, response_times
from lab.mission.scenario import DEFAULT_EPOCH as DEFAULT_EPOCH
from lab.mission.scenario import Scenario, Shell, network_names
from lab.mission.steps import FIBER_SPEED as FIBER_SPEED
from lab.mission.sweeps import SWEEP_SIZES as SWEEP_SIZES
from lab.mission.sweeps import sweep

__all__ = [
    "Shell",
    "Scenario",
    "PRESETS",
    "ResponseTimes",
    "TERMS",
    "get_preset",
    "configure",
    "response_times",
    "sweep",
    "network_names",
    "geometry",
    "clear_geometry_cache",
    "next_contact",
    "next_true_index",
    "fifo_wait",
]

# Also importable from here, outside __all__ as before: DEFAULT_EPOCH, FIBER_SPEED, SWEEP_SIZES,
# and the new Geometry, ShellGeometry, MemoryLimitError.
