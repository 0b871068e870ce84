"""Power and heat of a compute satellite: solar array, eclipse, battery, compute load, radiator.

Two layers, like :mod:`lab.orbits`:

- a **unit-free vectorized core** :mod:`lab.power.core` (plain floats/ndarrays in W, Wh, s,
  m², K): :func:`array_power`, :func:`integrate_battery`, :func:`battery_drawdown`,
  :func:`radiator_area_core`, :func:`plate_temperature_core`;
- an **API** that accepts astropy Quantities (plain numbers: m², W, Wh, K, s) and glues the
  core to the orbit.

Modules (imports run one way: core <- components, loads <- timeline <- sizing; nothing here is
imported by :mod:`lab.orbits` or :mod:`lab.hardware`):

============================  ===============================================================
:mod:`lab.power.core`         the unit-free core above
:mod:`lab.power.components`   :class:`SolarArray`, :class:`Battery`
:mod:`lab.power.loads`        :class:`ComputeLoad`, :class:`Loads`, :func:`job_schedule`,
                              :func:`prompt_schedule`
:mod:`lab.power.timeline`     :func:`illumination`, :func:`simulate`, :func:`energy_budget`
:mod:`lab.power.sizing`       :func:`size_for` -> :class:`SizingResult` (a pipeline of steps)
:mod:`lab.power.sunlight`     :func:`sunlight_over_year`, :func:`sso_orbit`
:mod:`lab.power.thermal`      :func:`radiator_area`, :func:`radiator_area_faces`,
                              :func:`plate_temperature`, :func:`absorbed_solar_power`,
                              :func:`earth_view_factor`
:mod:`lab.power.plots`        :func:`~lab.power.plots.timeline_figure`,
                              :func:`~lab.power.plots.year_figure` (plotly; not imported here)
============================  ===============================================================

Geometry (positions, Sun, Earth shadow, the node of a sun-synchronous orbit) comes from
:mod:`lab.orbits`; accelerator watts come from :mod:`lab.hardware`. Timelines are
:class:`xarray.Dataset` objects with dimensions ``(satellite, time)``.

Time discretization of :func:`simulate`: sample ``k`` holds the (constant) powers over the step
``[t_k, t_k + dt_k)`` with ``dt_k = t_{k+1} - t_k`` (the last step repeats the previous one);
``stored_energy[k]`` is the battery content at ``t_k``, the start of that step, and
``final_stored_energy`` the content after the last step. So, exactly,
``sum((generated - served - losses - curtailed) * dt) = final_stored_energy - stored_energy[0]``.

Load policy: the bus (platform) load has priority and may use the battery down to the
depth-of-discharge floor; compute may use it down to the floor plus ``compute_reserve``; when
power runs short compute is throttled to its idle power, then switched off, and the timeline
records the shortfall. The state of charge never leaves ``[1 - DoD, 1]``.

The battery recurrence is sequential in time: the only Python loop over epochs (NumPy over all
satellites, and over candidate designs in :func:`size_for`).
"""

from lab.power.components import Battery, SolarArray
from lab.power.core import (
    array_power,
    battery_drawdown,
    integrate_battery,
    plate_temperature_core,
    radiator_area_core,
)
from lab.power.loads import ComputeLoad, Loads, job_schedule, prompt_schedule
from lab.power.sizing import SizingResult, size_for
from lab.power.sunlight import sso_orbit, sunlight_over_year
from lab.power.thermal import (
    absorbed_solar_power,
    earth_view_factor,
    plate_temperature,
    radiator_area,
    radiator_area_faces,
)
from lab.power.timeline import energy_budget, illumination, simulate

__all__ = [
    "SolarArray",
    "Battery",
    "ComputeLoad",
    "Loads",
    "SizingResult",
    "array_power",
    "integrate_battery",
    "battery_drawdown",
    "job_schedule",
    "prompt_schedule",
    "illumination",
    "simulate",
    "energy_budget",
    "size_for",
    "sunlight_over_year",
    "sso_orbit",
    "radiator_area",
    "radiator_area_faces",
    "earth_view_factor",
    "radiator_area_core",
    "plate_temperature",
    "plate_temperature_core",
    "absorbed_solar_power",
]
