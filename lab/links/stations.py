"""Ground stations, WGS-84 geodetic -> Earth-fixed (ITRS) coordinates, named station networks.

A :class:`GroundStation` is a site: where it is, its elevation mask, how many antennas it has
(an antenna tracks one satellite at a time, so ``antennas`` is how many satellites the site can
talk to at once; 1 unless a source gives the count) and how long an antenna takes to slew onto
a satellite that is already in view (``slew_s``). Acquiring and locking the link once the
antenna points is a property of the band (:data:`lab.links.budget.BANDS`).

Networks list only sites that can serve a commercial LEO operator (no deep-space antennas, no
control centres). Station coordinates are rounded public values (about ±0.05°, enough for
contact windows); every station carries its source (or "approximate ...") in ``note``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from lab._validate import as_value, check_choice, check_int

__all__ = [
    "GroundStation",
    "STATION_NETWORKS",
    "DEFAULT_SLEW_S",
    "WGS84_A",
    "WGS84_F",
    "as_stations",
    "geodetic_to_itrs",
    "get_network",
    "local_up",
]

WGS84_A = 6378.137  # km, semi-major axis
WGS84_F = 1.0 / 298.257223563  # flattening
_E2 = WGS84_F * (2.0 - WGS84_F)  # first eccentricity squared

#: s for an antenna to slew onto a satellite in view (assumption: a 3-13 m tracking dish moves
#: at ~3-10 deg/s, so pointing from stow or the previous satellite takes ~10-40 s; 20 s here).
DEFAULT_SLEW_S = 20.0
MAX_ANTENNAS = 1000  # more antennas than any site has (KSAT SvalSat: ~100)


def geodetic_to_itrs(lat: Any, lon: Any, alt: Any = 0.0) -> np.ndarray:
    """WGS-84 geodetic latitude/longitude (deg) and height (km) -> ITRS position (..., 3) km.

    Vectorized (broadcasts its arguments); matches ``astropy.coordinates.EarthLocation.from_geodetic``
    to well below a millimetre.
    """
    lat = np.radians(np.asarray(lat, dtype=float))
    lon = np.radians(np.asarray(lon, dtype=float))
    alt = np.asarray(alt, dtype=float)
    sl, cl = np.sin(lat), np.cos(lat)
    n = WGS84_A / np.sqrt(1.0 - _E2 * sl * sl)  # prime-vertical radius of curvature
    x = (n + alt) * cl * np.cos(lon)
    y = (n + alt) * cl * np.sin(lon)
    z = (n * (1.0 - _E2) + alt) * sl
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def local_up(lat: Any, lon: Any) -> np.ndarray:
    """Unit normal of the WGS-84 ellipsoid (local "up") at geodetic lat/lon (deg), shape (..., 3)."""
    lat = np.radians(np.asarray(lat, dtype=float))
    lon = np.radians(np.asarray(lon, dtype=float))
    return np.stack(
        np.broadcast_arrays(np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)),
        axis=-1,
    )


@dataclass(frozen=True)
class GroundStation:
    """A ground station: geodetic ``lat``/``lon`` (deg), ``alt`` (km), elevation mask (deg),
    its number of ``antennas`` and their slew time ``slew_s`` (s).

    Quantities are accepted (``lat=78.2 * u.deg``, ``alt=500 * u.m``) and stored as plain floats
    in deg / km / s. ``min_elevation`` is the elevation mask: a satellite is in view above it.
    ``antennas`` (an integer >= 1): satellites the site can track at once (one per antenna).
    ``slew_s``: time for an antenna to point at a satellite already in view (before the link
    acquires and locks). ``note``: the source of the site.
    """

    name: str
    lat: float
    lon: float
    alt: float = 0.0
    min_elevation: float = 10.0
    note: str = field(default="", compare=False)
    antennas: int = 1
    slew_s: float = DEFAULT_SLEW_S

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string (got {self.name!r})")
        object.__setattr__(self, "lat", as_value(self.lat, "deg", "lat", lo=-90, hi=90))
        object.__setattr__(self, "lon", as_value(self.lon, "deg", "lon", lo=-180, hi=180))
        object.__setattr__(self, "alt", as_value(self.alt, "km", "alt", lo=-0.5, hi=100))
        object.__setattr__(
            self, "min_elevation", as_value(self.min_elevation, "deg", "min_elevation", lo=0, hi=90)
        )
        for attr in ("lat", "lon", "alt", "min_elevation"):
            if np.ndim(getattr(self, attr)) != 0:
                raise TypeError(f"{attr} must be a scalar")
        object.__setattr__(self, "antennas", check_int(
            self.antennas, f"antennas of station {self.name!r}", lo=1, hi=MAX_ANTENNAS))
        object.__setattr__(self, "slew_s", float(as_value(
            self.slew_s, "s", f"slew_s of station {self.name!r}", lo=0.0, hi=3600.0)))

    @property
    def itrs(self) -> np.ndarray:
        """Earth-fixed (ITRS/WGS-84) position, ndarray (3,) in km."""
        return geodetic_to_itrs(self.lat, self.lon, self.alt)

    @property
    def up(self) -> np.ndarray:
        """Local vertical (ellipsoid normal) unit vector, ndarray (3,)."""
        return local_up(self.lat, self.lon)

    @property
    def location(self):
        """The station as an ``astropy.coordinates.EarthLocation``."""
        from astropy import units as u
        from astropy.coordinates import EarthLocation

        return EarthLocation.from_geodetic(self.lon * u.deg, self.lat * u.deg, self.alt * u.km)

    def with_mask(self, min_elevation: Any) -> GroundStation:
        """A copy of this station with another elevation mask (deg)."""
        return replace(self, min_elevation=min_elevation)

    def with_antennas(self, antennas: int) -> GroundStation:
        """A copy of this station with another number of antennas."""
        return replace(self, antennas=antennas)

    @property
    def site(self) -> GroundStation:
        """The site alone (1 antenna, no slew): what visibility and geometry depend on."""
        if self.antennas == 1 and self.slew_s == 0.0:
            return self
        return _site(self)


@lru_cache(maxsize=256)
def _site(station: GroundStation) -> GroundStation:
    """:attr:`GroundStation.site`, built once per station (the geometry cache asks often)."""
    return replace(station, antennas=1, slew_s=0.0)


def _gs(name: str, lat: float, lon: float, alt_m: float = 0.0, note: str = "",
        antennas: int = 1) -> GroundStation:
    return GroundStation(name, lat, lon, alt_m / 1000.0, 10.0, note, antennas)


# China: the five receiving stations of the China Remote Sensing Satellite Ground Station (RSGS)
# of AIRCAS, which receives data from more than 30 Chinese and foreign Earth-observation
# satellites in S, X and Ka band (AIRCAS, "China Remote Sensing Satellite Ground Station",
# english.aircas.cas.cn, 2026; USGS Landsat ground station page "BJC"). Miyun (1986), Kashi
# (2008), Sanya (2010), Lijiang (2024: four S/X/Ka antenna systems, 2,827 m, Yulong County
# ~28 km from Lijiang city; AIRCAS news 30 Sep 2024) and Mohe (2025, China's northernmost).
# Coordinates: public values of the sites (Miyun, Kashi, Sanya), approximate for Lijiang and
# Mohe (the town); antenna counts: 4 at Lijiang (sourced), 1 elsewhere (no public count for
# the antennas a commercial operator can book).
_CHINA = (
    _gs("Kashgar", 39.50, 75.93, 1300, "RSGS Kashi station, Xinjiang (AIRCAS)"),
    _gs("Sanya", 18.31, 109.31, 20, "RSGS Sanya station, Hainan (AIRCAS)"),
    _gs("Miyun", 40.45, 116.86, 90, "RSGS Miyun station near Beijing (AIRCAS)"),
    _gs("Lijiang", 26.87, 100.03, 2827, "RSGS Lijiang station, Yunnan: 4 S/X/Ka antennas "
        "(AIRCAS, Sep 2024); coordinates approximate", antennas=4),
    _gs("Mohe", 52.97, 122.54, 300, "RSGS Mohe station, Heilongjiang (AIRCAS, 2025); "
        "coordinates approximate (Mohe town)"),
)

# KSAT-like polar network: Kongsberg Satellite Services' public site list
# (https://www.ksat.no/ground-network-services/): SvalSat (Svalbard) and TrollSat (Antarctica)
# see every polar orbit on every revolution; Tromsø, Inuvik, Punta Arenas, Hartebeesthoek and
# Mauritius add mid/low-latitude contacts.
_KSAT = (
    _gs("Svalbard", 78.23, 15.41, 500, "SvalSat, Platåberget"),
    _gs("Troll", -72.01, 2.53, 1270, "TrollSat, Queen Maud Land"),
    _gs("Tromsø", 69.66, 18.94, 100, "KSAT Tromsø"),
    _gs("Inuvik", 68.32, -133.55, 100, "Inuvik Satellite Station Facility"),
    _gs("Punta Arenas", -52.94, -70.85, 50, "KSAT Punta Arenas"),
    _gs("Hartebeesthoek", -25.89, 27.69, 1400, "SANSA Hartebeesthoek (KSAT partner)"),
    _gs("Mauritius", -20.50, 57.45, 400, "KSAT Mauritius"),
)

# Global: ten well-known LEO sites on all continents (NASA Near Space Network, ESA ESTRACK,
# KSAT, SSC, RSGS public site lists), used as the lab's default 10-station network. No
# deep-space antennas: the Canberra DSN complex of earlier versions is replaced by SSC's
# Western Australian Space Centre (Dongara), a commercial LEO site.
_GLOBAL = (
    _gs("Svalbard", 78.23, 15.41, 500, "KSAT SvalSat"),
    _gs("Fairbanks", 64.86, -147.85, 200, "NASA NSN / ASF Fairbanks"),
    _gs("Kiruna", 67.86, 20.96, 400, "ESA ESTRACK / SSC Esrange"),
    _gs("Wallops", 37.94, -75.46, 10, "NASA Wallops Flight Facility"),
    _gs("Maspalomas", 27.76, -15.63, 200, "ESA ESTRACK Maspalomas"),
    _gs("Kashgar", 39.50, 75.93, 1300, "RSGS Kashi (AIRCAS)"),
    _gs("Sanya", 18.31, 109.31, 20, "RSGS Sanya (AIRCAS)"),
    _gs("Hartebeesthoek", -25.89, 27.69, 1400, "SANSA Hartebeesthoek"),
    _gs("Santiago", -33.15, -70.67, 700, "SSC Santiago"),
    _gs("Dongara", -29.05, 115.35, 250, "SSC Western Australian Space Centre (Mingenew/"
        "Dongara)"),
)

STATION_NETWORKS: dict[str, tuple[GroundStation, ...]] = {
    "china": _CHINA,
    "ksat": _KSAT,
    "polar": _KSAT[:2],
    "global": _GLOBAL,
    # One station (Miyun, the RSGS site near Beijing): the smallest network, for exercises
    # ("how much does a second station help?") and the direct-user-access comparison.
    "single": _CHINA[2:3],
}


def get_network(name: str) -> tuple[GroundStation, ...]:
    """The named ground-station network: one of ``STATION_NETWORKS`` ("china", "ksat", "polar",
    "global", "single")."""
    check_choice(name, STATION_NETWORKS, "network")
    return STATION_NETWORKS[name]


def as_stations(stations: Any, name: str = "stations") -> tuple[GroundStation, ...]:
    """Normalize a station, a network name or a sequence of stations to a tuple of stations."""
    if isinstance(stations, GroundStation):
        return (stations,)
    if isinstance(stations, str):
        return get_network(stations)
    if isinstance(stations, Iterable):
        out = tuple(stations)
        if not out or not all(isinstance(s, GroundStation) for s in out):
            raise TypeError(
                f"{name} must be a GroundStation, a non-empty sequence of GroundStation or a "
                f"network name from {sorted(STATION_NETWORKS)} (got {stations!r})"
            )
        return out
    raise TypeError(f"{name} must be a GroundStation, a sequence of them or a network name (got {stations!r})")


def _station_arrays(stations: Sequence[GroundStation]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions (N,3) km, up vectors (N,3), masks (N,) deg) of a station tuple."""
    lat = np.array([s.lat for s in stations])
    lon = np.array([s.lon for s in stations])
    alt = np.array([s.alt for s in stations])
    mask = np.array([s.min_elevation for s in stations])
    return geodetic_to_itrs(lat, lon, alt), local_up(lat, lon), mask
