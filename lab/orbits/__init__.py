"""Earth orbits for the lab: single orbits, constellations, frames, the Sun and the shadow.

Layers, poliastro style (user -> propagation -> core):

- the user layer (Quantities in, Quantities out): :class:`Orbit`, :class:`Constellation`,
  :func:`sun_position`, :func:`beta_angle`, :func:`in_shadow`, :func:`eclipse_fraction`,
  :func:`sun_synchronous_inclination`, :func:`gcrs_to_itrs_matrix`, :func:`itrs_to_geodetic`;
- the propagation layer :mod:`lab.orbits.propagation` that Orbit and Constellation share
  (element arrays, model/kernel choice, frames; Orbit never imports Constellation);
- the vectorized core :mod:`lab.orbits.core` (plain float arrays in km, s, rad);
- :mod:`lab.orbits.planes` (grouping satellites into planes), :mod:`lab.orbits.tle`,
  :mod:`lab.orbits.frames`, :mod:`lab.orbits.sun`; figures in :mod:`lab.orbits.plots`
  (``*_figure``, and :func:`~lab.orbits.plots.earth_traces`, the shared Earth sphere), with
  coastlines and borders read offline by :mod:`lab.orbits.coastlines`.

Positions of a constellation are float64 arrays of shape (satellites, epochs, 3) in km.
Models: ``"kepler"`` (two-body), ``"j2"`` (two-body + secular J2), ``"sgp4"`` (TLEs).
Times are astropy Time in any scale (intervals are measured in TAI) or seconds after the epoch,
within 100 years of it.

>>> from lab.orbits import Constellation, time_grid
>>> shell = Constellation.walker_delta(2800, 40, 1, alt=550, inc=53)
>>> shell.positions(time_grid(duration=3600, step=30)).shape
(2800, 121, 3)
"""

from lab.orbits import core
from lab.orbits._time import DEFAULT_EPOCH, time_grid
from lab.orbits.constellation import Constellation
from lab.orbits.frames import (
    gcrs_to_itrs,
    gcrs_to_itrs_matrix,
    itrs_to_geodetic,
    teme_to_gcrs_matrix,
)
from lab.orbits.orbit import Orbit
from lab.orbits.sun import (
    beta_angle,
    eclipse_fraction,
    in_shadow,
    raan_from_ltan,
    seasons,
    sun_direction,
    sun_ecliptic_longitude,
    sun_position,
    sun_synchronous_inclination,
)
from lab.orbits.tle import parse_tle_text, tle_checksum, validate_tle

__all__ = [
    "DEFAULT_EPOCH",
    "Constellation",
    "Orbit",
    "beta_angle",
    "core",
    "eclipse_fraction",
    "gcrs_to_itrs",
    "gcrs_to_itrs_matrix",
    "in_shadow",
    "itrs_to_geodetic",
    "parse_tle_text",
    "raan_from_ltan",
    "seasons",
    "sun_direction",
    "sun_ecliptic_longitude",
    "sun_position",
    "sun_synchronous_inclination",
    "teme_to_gcrs_matrix",
    "time_grid",
    "tle_checksum",
    "validate_tle",
]
