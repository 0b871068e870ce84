"""Response time of an orbital computer: send a prompt from the ground, get the answer back.

A request arrives at time ``t`` from a user. The operator's **mission control** turns it into an
uplink job; it waits until a satellite is in view of a ground station of the scenario's network
(or of the user's own terminal when the scenario has direct access), **books** an antenna of
that station, which slews and **acquires** the link, goes **up**, crosses inter-satellite links
(ISLs, set up first if they are not kept up) to a satellite that has an accelerator **and**
power, **queues** there, runs **prefill + decode** of its answer, and the answer crosses ISLs
**back** to a satellite in view of a station (waiting for the next pass if none is in view:
store-and-forward) and comes **down**. Every step is a column of
:attr:`ResponseTimes.breakdown` (seconds), in :data:`TERMS`:

=====================  ===================================================================
``operator``           mission control turns the prompt into an uplink job: ``operator_s``
                       (default 10 s, an assumption; presets state theirs)
``wait_for_contact``   until any satellite rises above the elevation mask of a station
``booking``            waiting for a free antenna of the contact's station: a FIFO queue with
                       ``antennas`` servers per station (:func:`lab.links.book_antennas`)
``acquisition``        a new contact: the antenna slews (``GroundStation.slew_s``, 20 s) and
                       the uplink locks (S band 10 s); the downlink locks (X band 3 s) and,
                       through another contact than the prompt's, slews first
                       (:data:`lab.links.BANDS`; :mod:`lab.mission.contact`)
``uplink``             ground backhaul + slant range / c + request bits / uplink rate(range)
                       (S-band telecommand: 256 kbit/s)
``isl_setup``          ``isl_setup_s`` (15 s) per route that needs a laser link that is not
                       kept up (``persistent_links``: in-plane links stay up by default)
``isl_to_compute``     hops x (hop length / c + request bits / ISL rate) on the +Grid
``queueing``           FIFO per serving satellite (+ waiting for power if none has any)
``inference``          prefill + decode of this request's answer length (roofline of
                       :func:`lab.node.predict_latency` with the KV cache and
                       :data:`lab.node.ON_ORBIT_EFFICIENCY`); answer lengths are lognormal
                       (:meth:`Scenario.answer_lengths`; Qwen3 thinking: median 1,000 tokens)
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
- the ground segment (stations with antennas and slew, band acquisition, antenna booking):
  :mod:`lab.links` (:class:`lab.links.GroundStation`, :data:`lab.links.BANDS`,
  :func:`lab.links.book_antennas`);
- inference latency: :func:`lab.node.predict_latency`; battery: :class:`lab.power.Battery`.

Everything is vectorized: positions on a time grid over one day (default 60 s), propagated a
chunk of satellites at a time and kept compactly (the elevation margin of the best station
near the stations' horizons, the runs of shadow: :mod:`lab.mission.compact`, bit-identical to
the dense satellite x epoch arrays), next-contact indices by reverse cumulative minima, FIFO queues by cumulative sums (Lindley's recursion in closed form; k antennas per
station by cyclic assignment, exact for equal hold times), each antenna's chain of contacts by
pointer doubling. There is no Python loop over requests, satellites or epochs; the only loops
are over shells and stations (a few).

Modelling choices (all stated, none tuned): circular Walker orbits with J2 secular drift, or
real satellites from their TLEs with SGP4 (Starcloud-1); any day of the year (``epoch``);
WGS-84 stations with geodetic elevation masks; slant range from that elevation on a spherical
Earth; cylindrical shadow; each request books an antenna of its contact's station, and an
antenna keeps its satellite while that one stays in view; a satellite serves when sunlit or
while its battery lasts after it entered the shadow (feeding the bus and the accelerator at its
eclipse cap, the power at which eclipse inference runs:
:func:`lab.mission.steps.battery_endurance_s`, the fast model of :func:`lab.power.simulate`,
checked against it in tests); ISL hop lengths are
the mean +Grid link lengths over the day; the day is treated as periodic for requests whose
answer would only come back after the end of the day.

The package, one concern per module (imports run down this list, never up):

=================  =============================================================================
``scenario``       :class:`Shell`, :class:`Scenario` (checked, units stored plain), networks
``presets``        :data:`PRESETS` for the real systems (shells from :mod:`lab.examples`), each
                   number with its source; :data:`ANSWER_LENGTHS`; :func:`get_preset`
``rescale``        :func:`configure`: a new size, plane count, altitude, model, network,
                   antennas, epoch, or another fleet of shells (``shells="starlink-gen1"``)
``budget``         the memory guard: estimate before allocating, refuse over the limit
``queueing``       :func:`next_true_index`, :func:`next_contact`, :func:`fifo_wait`
``compact``        the compact per-satellite-epoch storage: visibility entries, shadow runs
``gridlinks``      the laser links of a shell: mean lengths, which kinds are usable
``routing``        +Grid hop counts and routes over the usable kinds of link
``grid``           :func:`geometry`: the time-grid geometry built in chunks, one record per
                   shell; the cache bounded in bytes
``contact``        the ground segment's steps: antennas keep their satellites, booking, acquisition
``steps``          the seven steps of the model over a record of per-request arrays
``response``       :func:`response_times` (the pipeline), :class:`ResponseTimes`, the summary
``sweeps``         :func:`sweep`: response time versus constellation size
``sensitivities``  :func:`sensitivity`: which uncertain input moves the in-pass and day median
``service``        :func:`prompt_latency` (the inference time of one prompt of a scenario) and
                   :func:`service_time` (its share of a full batch: the inverse throughput)
``plots``          ``*_figure`` (plotly, imported on demand): the sensitivity's tornado,
                   :func:`~lab.mission.plots.tornado_figure`
=================  =============================================================================

Memory is bounded by chunking: the geometry a chunk of satellites at a time, the hop matrices
(requests x satellites) a chunk of pairs at a time; what grows with the constellation is what
is kept (~2 bytes per satellite-epoch over the Chinese stations: 100,000 satellites in under
2 GB). Before allocating, :func:`response_times`, :func:`geometry` and :func:`sweep` estimate
the peak memory and raise ``MemoryLimitError`` (a ``MemoryError`` and a ``ValueError``) over the
limit: ``max_memory_gb=``, else the environment variable ``LAB_MAX_MEMORY_GB``, else 4 GB
(:mod:`lab.mission.budget`). The geometry cache keeps up to 1 GB (``LAB_GEOMETRY_CACHE_GB``,
:func:`set_geometry_cache_limit`). The load (``requests_per_day``, or ``load=``) sets the
queues; ``requests`` is the sample the statistics are reported on (:mod:`lab.mission.response`). A day in which no request can be answered is a result, not an
error: ``summary["answered"]`` is 0, the percentiles are inf and a note says why.
"""

from __future__ import annotations

from lab.mission.budget import MemoryLimitError as MemoryLimitError
from lab.mission.grid import Geometry as Geometry
from lab.mission.grid import ShellGeometry as ShellGeometry
from lab.mission.grid import (
    clear_geometry_cache,
    geometry,
    geometry_cache_info,
    set_geometry_cache_limit,
)
from lab.mission.presets import ANSWER_LENGTHS, FLEETS, PRESETS, get_preset
from lab.mission.queueing import fifo_wait, next_contact, next_true_index
from lab.mission.rescale import configure
from lab.mission.response import TERMS, ResponseTimes, response_times
from lab.mission.scenario import DEFAULT_EPOCH as DEFAULT_EPOCH
from lab.mission.scenario import Scenario, Shell, network_names
from lab.mission.sensitivities import SENSITIVITY_INPUTS, sensitivity
from lab.mission.service import prompt_latency, service_time
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
    "sensitivity",
    "SENSITIVITY_INPUTS",
    "prompt_latency",
    "service_time",
    "ANSWER_LENGTHS",
    "network_names",
    "geometry",
    "clear_geometry_cache",
    "geometry_cache_info",
    "set_geometry_cache_limit",
    "FLEETS",
    "next_contact",
    "next_true_index",
    "fifo_wait",
]

# Also importable from here, outside __all__ as before: DEFAULT_EPOCH, FIBER_SPEED, SWEEP_SIZES,
# and the new Geometry, ShellGeometry, MemoryLimitError.
