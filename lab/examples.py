"""Shared example orbits and constellations, like poliastro's ``examples``.

Every notebook, the README and the mission presets build the real systems from here, so a number
such as "535 km, LTAN 22:30" is typed once. Each spec is a plain dict of
:meth:`lab.orbits.Constellation.walker` arguments (altitude km, inclination deg or ``None`` for
sun-synchronous, local time of the ascending node in hours, RAAN spread deg); ``SOURCES`` says
where each comes from or that it is an assumption.

Real element sets ship in ``lab/data`` with their source and epoch: Starcloud-1's public TLE
(:data:`STARCLOUD_1_TLE`, NORAD 66303). No public element sets of the Three-Body satellites
were found (searched: CelesTrak/Space-Track catalogue names, the launch of 14 May 2025), so
:data:`THREE_BODY` stays a Walker ring within the reported orbit.

>>> from lab import examples
>>> examples.three_body()
Constellation(Walker delta 97.5352°: 12/1/0 at 535 km, epoch=2025-05-14T04:12:00.000)
>>> len(examples.star_compute())
2800
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from lab.constants import MU_EARTH, R_EARTH
from lab.orbits import DEFAULT_EPOCH, Constellation, Orbit, parse_tle_text

__all__ = [
    "DEFAULT_EPOCH",
    "SOURCES",
    "STARCLOUD_1",
    "STARCLOUD_1_TLE",
    "STARCLOUD_1_TLE_EPOCH",
    "STAR_COMPUTE_SHELLS",
    "SUNCATCHER_81",
    "THREE_BODY",
    "iss_tle",
    "shell",
    "star_compute",
    "starcloud_1",
    "suncatcher_81",
    "three_body",
    "three_body_orbit",
    "tle_mean_orbit",
]

#: ADA Space's Three-Body Computing Constellation: the first 12 satellites, one SSO plane.
THREE_BODY: dict[str, Any] = {
    "total": 12, "planes": 1, "phasing": 0, "alt": 535.0, "inc": None, "ltan": 22.5,
    "raan_spread": 360.0,
}

#: The 2,800-satellite Star-Compute build-out as two Walker shells (dawn-dusk band + 45° shell).
STAR_COMPUTE_SHELLS: tuple[dict[str, Any], ...] = (
    {"total": 1600, "planes": 40, "phasing": 1, "alt": 800.0, "inc": None, "ltan": 18.0,
     "raan_spread": 60.0},
    {"total": 1200, "planes": 30, "phasing": 1, "alt": 550.0, "inc": 45.0, "ltan": None,
     "raan_spread": 360.0},
)

#: Google's Project Suncatcher: an 81-satellite, 1-km cluster in a 650 km dawn-dusk SSO.
SUNCATCHER_81: dict[str, Any] = {
    "total": 81, "planes": 1, "phasing": 0, "alt": 650.0, "inc": None, "ltan": 18.0,
    "raan_spread": 360.0,
}

_DATA = Path(__file__).resolve().parent / "data"


def _read_tle(name: str) -> str:
    """The element sets of ``lab/data/<name>`` without its comment lines (``#``)."""
    text = (_DATA / name).read_text(encoding="utf-8")
    return "\n".join(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def tle_mean_orbit(text: str) -> tuple[float, float]:
    """Mean altitude (km, from the mean motion: ``a = (mu / n^2)^(1/3)``) and inclination (deg)
    of the satellites of TLE ``text``, averaged: the circular orbit a Walker spec can stand for."""
    sets = parse_tle_text(text)
    n = [float(l2[52:63]) * 2.0 * math.pi / 86400.0 for _, _, l2 in sets]  # rad/s
    alt = [(MU_EARTH / m**2) ** (1.0 / 3.0) - R_EARTH for m in n]
    inc = [float(l2[8:16]) for _, _, l2 in sets]
    return sum(alt) / len(alt), sum(inc) / len(inc)


#: Starcloud-1's public element set (name line + two lines; lab/data/starcloud-1.tle, which
#: states the source), and its epoch (UTC).
STARCLOUD_1_TLE: str = _read_tle("starcloud-1.tle")
STARCLOUD_1_TLE_EPOCH = "2026-07-26T03:50:49.227"

#: Starcloud-1: one satellite with an NVIDIA H100, as a Walker spec: the mean altitude (~501 km)
#: and inclination (45.40 deg) of its public TLE (:data:`STARCLOUD_1_TLE`, :func:`tle_mean_orbit`).
STARCLOUD_1: dict[str, Any] = {
    "total": 1, "planes": 1, "phasing": 0, "alt": tle_mean_orbit(STARCLOUD_1_TLE)[0],
    "inc": tle_mean_orbit(STARCLOUD_1_TLE)[1], "ltan": None, "raan_spread": 360.0,
}

SOURCES: dict[str, str] = {
    "THREE_BODY": "12 satellites launched 14 May 2025 (Long March 2D, Jiuquan) into one "
    "sun-synchronous plane at ~500-600 km (ADA Space; DESIGN.md). 535 km and LTAN 22:30 "
    "(= 10:30 descending node) are assumptions within the reported range.",
    "STAR_COMPUTE_SHELLS": "2,800 satellites by 2035 in dawn-dusk SSO and low-inclination shells, "
    "500-1,000 km (Star-Compute plan; DESIGN.md). The split 1,600/1,200, 800/550 km, 45 deg, "
    "40/30 planes and the 60 deg band of dawn-dusk planes are assumptions.",
    "SUNCATCHER_81": "81-satellite cluster of radius 1 km in a 650 km dawn-dusk SSO (Project "
    "Suncatcher, arXiv 2511.19468). Modelled as 81 satellites at one point of one orbit.",
    "STARCLOUD_1": "Starcloud-1, launched 2 Nov 2025 (SpaceX Bandwagon-4, a mid-inclination "
    "rideshare) with one NVIDIA H100 80 GB on a 60 kg bus (DESIGN.md; CNBC, 10 Dec 2025). CNBC "
    "reported a 325 km orbit, but the satellite's public element set (NORAD 66303, "
    "lab/data/starcloud-1.tle) gives ~500 km at 45.4 deg, like Bandwagon-4's other payloads "
    "(Vast's Haven Demo: ~500 km): altitude and inclination are the TLE's mean elements.",
    "STARCLOUD_1_TLE": "Starcloud-1's real orbit: the public element set of NORAD 66303 "
    "(2025-248L; Space-Track.org via CelesTrak and SatNOGS DB, epoch 26 Jul 2026 03:50 UTC; "
    "lab/data/starcloud-1.tle), propagated with SGP4. Mean altitude ~500 km at 45.4 deg "
    "(CNBC's reported 325 km does not match the tracked orbit).",
}


def shell(spec: dict[str, Any], epoch: Any = None) -> Constellation:
    """The Walker shell described by ``spec`` (one of the dicts above) at ``epoch``."""
    return Constellation.walker(**spec, epoch=epoch)


def three_body(epoch: Any = None) -> Constellation:
    """The 12 Three-Body satellites (one SSO plane, 535 km, LTAN 22:30) at ``epoch``."""
    return shell(THREE_BODY, epoch)


def three_body_orbit(epoch: Any = None) -> Orbit:
    """The orbit of the first Three-Body satellite: the lab's reference single orbit."""
    return three_body(epoch)[0]


def star_compute(epoch: Any = None) -> Constellation:
    """The 2,800-satellite build-out: the shells of :data:`STAR_COMPUTE_SHELLS`, concatenated."""
    return Constellation.concatenate([shell(s, epoch) for s in STAR_COMPUTE_SHELLS])


def suncatcher_81(epoch: Any = None) -> Constellation:
    """The Suncatcher cluster: 81 satellites at one point of a 650 km dawn-dusk orbit (1 km is a
    point at the scale of ground contacts)."""
    import numpy as np

    one = shell({**SUNCATCHER_81, "total": 1}, epoch)
    return one[np.zeros(SUNCATCHER_81["total"], dtype=int)]


def starcloud_1(epoch: Any = None) -> Orbit:
    """Starcloud-1's orbit: its public TLE (:data:`STARCLOUD_1_TLE`, SGP4) when ``epoch`` is
    None, else the circular Walker approximation :data:`STARCLOUD_1` (~501 km, 45.4°) at
    ``epoch``."""
    if epoch is None:
        _, l1, l2 = STARCLOUD_1_TLE.splitlines()
        return Orbit.from_tle(l1, l2, name="STARCLOUD-1")
    return shell(STARCLOUD_1, epoch)[0]


def iss_tle() -> tuple[str, str]:
    """A real two-line element set: the ISS on 9 Dec 2019, the example of python-sgp4's and
    skyfield's documentation (CelesTrak), for SGP4 examples."""
    return (
        "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991",
        "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482",
    )
