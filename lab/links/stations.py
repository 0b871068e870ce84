"""Ground stations, WGS-84 geodetic -> Earth-fixed (ITRS) coordinates, named station networks.

Station coordinates are rounded public values (about ±0.05°, enough for contact windows);
each network lists its sources next to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab._validate import as_value, check_choice

__all__ = [
    "GroundStation",
    "STATION_NETWORKS",
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
    """A ground antenna: geodetic ``lat``/``lon`` (deg), ``alt`` (km) and elevation mask (deg).

    Quantities are accepted (``lat=78.2 * u.deg``, ``alt=500 * u.m``) and stored as plain floats
    in deg / km. ``min_elevation`` is the elevation mask: a satellite is in view above it.
    """

    name: str
    lat: float
    lon: float
    alt: float = 0.0
    min_elevation: float = 10.0
    note: str = field(default="", compare=False)

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
        return GroundStation(self.name, self.lat, self.lon, self.alt, min_elevation, self.note)


def _gs(name: str, lat: float, lon: float, alt_m: float = 0.0, note: str = "") -> GroundStation:
    return GroundStation(name, lat, lon, alt_m / 1000.0, 10.0, note)


# China: the China Remote Sensing Satellite Ground Station network (Miyun, Kashi, Sanya; AIRCAS,
# http://www.radi.cas.cn), the Jiamusi 66 m deep-space station (CLTC), and the Xi'an Satellite
# Control Center (its TT&C headquarters; public coordinates of the city sites, rounded).
_CHINA = (
    _gs("Kashgar", 39.50, 75.93, 1300, "CRSGS Kashi station, Xinjiang"),
    _gs("Sanya", 18.31, 109.31, 20, "CRSGS Sanya station, Hainan"),
    _gs("Miyun", 40.45, 116.86, 90, "CRSGS Miyun station near Beijing"),
    _gs("Jiamusi", 46.49, 130.77, 200, "CLTC 66 m deep-space station, Heilongjiang"),
    _gs("Xi'an", 34.16, 108.98, 400, "Xi'an Satellite Control Center, Shaanxi"),
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

# Global: ten well-known sites on all continents (NASA Near Space Network, ESA ESTRACK,
# KSAT, SSC, CRSGS public site lists), used as the lab's default 10-station network.
_GLOBAL = (
    _gs("Svalbard", 78.23, 15.41, 500, "KSAT SvalSat"),
    _gs("Fairbanks", 64.86, -147.85, 200, "NASA NSN / ASF Fairbanks"),
    _gs("Kiruna", 67.86, 20.96, 400, "ESA ESTRACK / SSC Esrange"),
    _gs("Wallops", 37.94, -75.46, 10, "NASA Wallops Flight Facility"),
    _gs("Maspalomas", 27.76, -15.63, 200, "ESA ESTRACK Maspalomas"),
    _gs("Kashgar", 39.50, 75.93, 1300, "CRSGS Kashi"),
    _gs("Sanya", 18.31, 109.31, 20, "CRSGS Sanya"),
    _gs("Hartebeesthoek", -25.89, 27.69, 1400, "SANSA Hartebeesthoek"),
    _gs("Santiago", -33.15, -70.67, 700, "SSC Santiago"),
    _gs("Canberra", -35.40, 148.98, 680, "NASA DSN Canberra (Tidbinbilla)"),
)

STATION_NETWORKS: dict[str, tuple[GroundStation, ...]] = {
    "china": _CHINA,
    "ksat": _KSAT,
    "polar": _KSAT[:2],
    "global": _GLOBAL,
    # One station (Miyun, the CRSGS site near Beijing): the smallest network, for exercises
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
