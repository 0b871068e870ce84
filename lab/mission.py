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

The physics comes from the lab's own modules; this one only puts it together:

- constellations, positions and the Earth's shadow: :mod:`lab.orbits` (Walker shells with
  ``Constellation.walker_delta`` / ``walker_star``, J2 secular propagation, ITRS through the
  per-epoch GCRS->ITRS rotation, ``sun_position``, ``in_shadow``, ``raan_from_ltan``);
- stations, elevation, slant range, great-circle backhaul, link rates and the +Grid ISLs:
  :mod:`lab.links`;
- inference latency: :func:`lab.node.predict_latency`; battery: :class:`lab.power.Battery`.

Everything is vectorized: positions on a time grid over one day (default 60 s), the best
station's elevation margin per satellite and epoch, next-contact indices by reverse cumulative
minima, FIFO queues by cumulative sums (Lindley's recursion in closed form). There is no Python
loop over requests, satellites or epochs; the only loops are over shells and stations (a few).

Modelling choices (all stated, none tuned): circular Walker orbits with J2 secular drift;
WGS-84 stations with geodetic elevation masks; slant range from that elevation on a spherical
Earth; cylindrical shadow; a satellite serves when sunlit or while its battery lasts after it
entered the shadow; ISL hop lengths are the mean +Grid link lengths over the day; the day is
treated as periodic for requests whose answer would only come back after the end of the day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from astropy import units as u
from astropy.time import Time

from lab._validate import as_value, check_choice, check_int
from lab.constants import C_LIGHT, R_EARTH
from lab.hardware import HardwareProfile, get_profile
from lab.links import (
    LINK_PRESETS,
    STATION_NETWORKS,
    GroundStation,
    as_stations,
    elevation,
    geodetic_to_itrs,
    great_circle_distance,
    isl_state,
    slant_range,
)
from lab.node import predict_latency
from lab.orbits import (
    Constellation,
    gcrs_to_itrs,
    in_shadow,
    raan_from_ltan,
    sun_position,
    sun_synchronous_inclination,
)
from lab.power import Battery

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
    "next_contact",
    "next_true_index",
    "fifo_wait",
]

DEFAULT_EPOCH = "2025-05-14T04:12:00"  # UTC, Three-Body launch (lab.orbits.DEFAULT_EPOCH)
TERMS = (
    "wait_for_contact",
    "uplink",
    "isl_to_compute",
    "queueing",
    "inference",
    "isl_back",
    "wait_for_downlink",
    "downlink",
)
FIBER_SPEED = 0.67 * C_LIGHT  # km/s, light in optical fibre (refractive index ~1.5)
MIN_GRAZING_HEIGHT = 80.0  # km, a laser link must pass above the dense atmosphere (lab.links)
_BIG = np.iinfo(np.int64).max // 4
SWEEP_SIZES = (12, 48, 120, 300, 720, 1400, 2800)  # default sizes of sweep() and the CLI


# --------------------------------------------------------------------------------------------
# Scenario description
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shell:
    """A Walker shell (or a tight cluster flying as one point), realized by :mod:`lab.orbits`.

    total, planes, phasing : Walker T/P/F. ``planes`` must divide ``total``.
    alt : altitude in km. inc : inclination in deg (``None`` = sun-synchronous for ``alt``).
    raan_spread : deg over which the planes' RAANs are spread: 360 = Walker delta
        (``Constellation.walker_delta``), 180 = Walker star (``walker_star``), less = planes
        evenly from ``-spread/2`` to ``+spread/2`` around the first plane's node (e.g. a band of
        dawn-dusk planes around the terminator). ltan : local time of the ascending node in h
        (``lab.orbits.raan_from_ltan``; ``None`` = RAAN 0 at the epoch).
    kind : ``"walker"`` or ``"cluster"`` (all satellites at one point, e.g. Suncatcher's 1-km
        cluster; neighbours ``cluster_spacing`` km apart). compute_fraction : share of satellites
        that run inference (the others e.g. train).
    """

    total: int
    planes: int = 1
    phasing: int = 0
    alt: float = 550.0
    inc: float | None = None
    raan_spread: float = 360.0
    ltan: float | None = None
    kind: str = "walker"
    compute_fraction: float = 1.0
    cluster_spacing: float = 0.2
    name: str = "shell"

    def __post_init__(self) -> None:
        check_int(self.total, "total (satellites in the shell)", lo=1)
        check_int(self.planes, "planes", lo=1, hi=self.total)
        if self.total % self.planes:
            raise ValueError(f"planes must divide the number of satellites ({self.total}); "
                             f"got planes={self.planes}")
        check_int(self.phasing, "phasing", lo=0, hi=max(self.planes - 1, 0))
        as_value(self.alt, "km", "alt", lo=150.0, hi=40000.0)
        if self.inc is not None:
            as_value(self.inc, "deg", "inc", lo=0.0, hi=180.0)
        as_value(self.raan_spread, "deg", "raan_spread", lo=0.0, hi=360.0)
        if self.ltan is not None:
            as_value(self.ltan, "h", "ltan", lo=0.0, hi=24.0)
        check_choice(self.kind, ("walker", "cluster"), "kind")
        as_value(self.compute_fraction, "", "compute_fraction", lo=0.0, hi=1.0)

    @property
    def inclination(self) -> float:
        """Inclination in deg (``lab.orbits.sun_synchronous_inclination`` when ``inc`` is None)."""
        if self.inc is None:
            return float(sun_synchronous_inclination(self.alt).to_value(u.deg))
        return float(self.inc)

    def constellation(self, epoch: Any = DEFAULT_EPOCH) -> Constellation:
        """This shell as a :class:`lab.orbits.Constellation` at ``epoch``."""
        raan0 = 0.0 if self.ltan is None else float(raan_from_ltan(self.ltan, epoch).to_value(u.deg))
        if self.kind == "cluster":  # one orbit, every satellite on it (1 km: a point at this scale)
            one = Constellation.walker_delta(1, 1, 0, self.alt, self.inclination, epoch, raan0=raan0)
            return one[np.zeros(self.total, dtype=int)]
        if self.raan_spread == 360.0 or self.planes == 1:
            return Constellation.walker_delta(self.total, self.planes, self.phasing, self.alt,
                                              self.inclination, epoch, raan0=raan0)
        if self.raan_spread == 180.0:
            return Constellation.walker_star(self.total, self.planes, self.phasing, self.alt,
                                             self.inclination, epoch, raan0=raan0)
        # Narrower band of planes: the Walker pattern (slots, phasing) of walker_delta with the
        # planes' nodes moved to raan0 - spread/2 ... raan0 + spread/2.
        c = Constellation.walker_delta(self.total, self.planes, self.phasing, self.alt,
                                       self.inclination, epoch)
        node = raan0 - self.raan_spread / 2 + self.raan_spread * c.plane / (self.planes - 1)
        return Constellation(c.a.to_value(u.km), 0.0, c.inc.to_value(u.rad), np.radians(node),
                             0.0, c.nu.to_value(u.rad), c.epoch, plane=c.plane, slot=c.slot)


@dataclass(frozen=True)
class Scenario:
    """Everything that sets the response time of a prompt. Plain numbers in SI-ish units.

    ``network``: a :data:`lab.links.STATION_NETWORKS` name or a tuple of
    :class:`lab.links.GroundStation`. ``uplink`` / ``downlink``: :data:`lab.links.LINK_PRESETS`
    names (their link budgets give the rate at each slant range).
    ``sources`` maps each field name to where its value comes from (or ``"assumption: ..."``).
    """

    name: str
    shells: tuple[Shell, ...]
    network: str | tuple[GroundStation, ...] = "china"
    user: tuple[float, float] = (39.9, 116.4)  # lat, lon deg
    direct_user_access: bool = False
    hardware: str | HardwareProfile = "three-body-744"
    model_params: float = 8e9
    bytes_per_param: float = 1.0
    prompt_tokens: int = 200
    output_tokens: int = 256
    bytes_per_token: float = 4.0
    request_overhead_bytes: float = 2000.0
    uplink: str = "s-band-uplink"  # lab.links.LINK_PRESETS name
    downlink: str = "x-band-downlink"
    isl_bps: float = 100e9
    isl_max_range: float = 5400.0  # km
    max_batch: int = 32
    power_cap_w: float | None = None
    eclipse_cap_w: float | None = None
    battery_wh: float = 1000.0
    depth_of_discharge: float = 0.3
    bus_power_w: float = 100.0
    requests_per_day: int = 2000
    epoch: str = DEFAULT_EPOCH
    description: str = ""
    sources: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.shells:
            raise ValueError("shells must contain at least one Shell (0 satellites)")
        as_value(self.model_params, "", "model_params", lo=0, lo_inclusive=False)
        as_value(self.bytes_per_param, "", "bytes_per_param", lo=0, lo_inclusive=False)
        check_int(self.prompt_tokens, "prompt_tokens", lo=1)
        check_int(self.output_tokens, "output_tokens", lo=1)
        check_choice(self.uplink, LINK_PRESETS, "uplink")
        check_choice(self.downlink, LINK_PRESETS, "downlink")
        as_value(self.isl_max_range, "", "isl_max_range", lo=0, lo_inclusive=False)
        as_value(self.isl_bps, "", "isl_bps", lo=0)
        check_int(self.max_batch, "max_batch", lo=1)
        check_int(self.requests_per_day, "requests_per_day", lo=1)
        as_value(self.battery_wh, "", "battery_wh", lo=0)
        as_value(self.depth_of_discharge, "", "depth_of_discharge", lo=0, hi=1)
        as_value(self.user[0], "deg", "user latitude", lo=-90, hi=90)
        as_value(self.user[1], "deg", "user longitude", lo=-180, hi=180)

    @property
    def n_satellites(self) -> int:
        return int(sum(s.total for s in self.shells))

    @property
    def profile(self) -> HardwareProfile:
        return get_profile(self.hardware)

    def source(self, name: str) -> str:
        """Where the value of field ``name`` comes from."""
        return dict(self.sources).get(name, "assumption (no source recorded)")


def _stations(network: str | Sequence[Any]) -> tuple[GroundStation, ...]:
    """A network name (:data:`lab.links.STATION_NETWORKS`) or stations -> tuple of GroundStation.

    Objects with ``name``/``lat``/``lon`` (and optionally ``alt``, ``min_elevation``) are
    converted to :class:`lab.links.GroundStation` (which validates them)."""
    if isinstance(network, str):
        check_choice(network, STATION_NETWORKS, "network")
        return as_stations(network)
    out = [s if isinstance(s, GroundStation) else GroundStation(
        str(getattr(s, "name", f"station {i}")), s.lat, s.lon, getattr(s, "alt", 0.0),
        getattr(s, "min_elevation", 10.0)) for i, s in enumerate(network)]
    return as_stations(out, "network")


# --------------------------------------------------------------------------------------------
# Presets for the real systems (DESIGN.md facts; everything else says "assumption")
# --------------------------------------------------------------------------------------------
_COMMON_SOURCES = (
    ("prompt_tokens", "assumption: a short chat prompt (~150 words)"),
    ("output_tokens", "assumption: a paragraph-long answer"),
    ("bytes_per_token", "assumption: ~4 bytes of UTF-8 text per token"),
    ("request_overhead_bytes", "assumption: HTTP/JSON + protocol headers"),
    ("uplink", "lab.links LINK_PRESETS['s-band-uplink'] link budget (~18 Mbit/s)"),
    ("downlink", "lab.links LINK_PRESETS['x-band-downlink'] link budget (~220-550 Mbit/s; "
     "EO X-band ~220 Mbit/s peak, DESIGN.md)"),
    ("isl_max_range", "reference: Starlink laser links up to ~5,400 km (DESIGN.md)"),
    ("max_batch", "assumption: continuous batching of up to 32 requests per accelerator"),
    ("battery_wh", "assumption"), ("depth_of_discharge", "assumption"),
    ("bus_power_w", "assumption: avionics + ISL terminals"),
    ("requests_per_day", "assumption: classroom-scale load"),
    ("network", "China civil ground stations (AIRCAS Miyun/Kashgar/Sanya + TT&C sites)"),
    ("user", "assumption: a user in Beijing"),
    ("epoch", "Three-Body launch, 14 May 2025 (DESIGN.md)"),
)


def _src(**kw: str) -> tuple[tuple[str, str], ...]:
    d = dict(_COMMON_SOURCES)
    d.update(kw)
    return tuple(d.items())


PRESETS: dict[str, Scenario] = {
    "three-body-12": Scenario(
        name="three-body-12",
        description="ADA Space Three-Body Computing Constellation: 12 satellites launched "
        "14 May 2025, one sun-synchronous plane.",
        shells=(Shell(total=12, planes=1, phasing=0, alt=535.0, inc=None, raan_spread=360.0,
                      ltan=22.5, name="SSO plane"),),
        network="china",
        hardware="three-body-744",
        model_params=8e9,
        bytes_per_param=1.0,
        isl_bps=100e9,
        eclipse_cap_w=150.0,
        sources=_src(
            shells="12 satellites, one SSO plane, ~500-600 km (DESIGN.md); 535 km and LTAN 22:30 "
            "(= 10:30 descending node) are assumptions within the reported range",
            hardware="744 TOPS per satellite (DESIGN.md / lab.hardware 'three-body-744')",
            model_params="8B-parameter model on board (DESIGN.md), Qwen3-8B class",
            bytes_per_param="assumption: int8 weights (the 744 TOPS figure is int8)",
            isl_bps="100 Gbps laser ISLs (DESIGN.md)",
            eclipse_cap_w="assumption: accelerator capped at 150 W on battery",
        ),
    ),
    "star-compute-2800": Scenario(
        name="star-compute-2800",
        description="The Star-Compute build-out: 2,800 satellites by 2035 (2,400 inference + "
        "400 training) in dawn-dusk SSO and low-inclination shells, 500-1,000 km.",
        shells=(
            Shell(total=1600, planes=40, phasing=1, alt=800.0, inc=None, raan_spread=60.0,
                  ltan=18.0, compute_fraction=2400 / 2800, name="dawn-dusk SSO"),
            Shell(total=1200, planes=30, phasing=1, alt=550.0, inc=45.0, raan_spread=360.0,
                  compute_fraction=2400 / 2800, name="low-inclination"),
        ),
        network="china",
        hardware="three-body-744",
        model_params=8e9,
        bytes_per_param=1.0,
        isl_bps=100e9,
        eclipse_cap_w=150.0,
        sources=_src(
            shells="2,800 satellites, dawn-dusk SSO + low-inclination shells, 500-1,000 km "
            "(DESIGN.md); the split 1,600/1,200, 800/550 km, 45 deg, 40/30 planes and the 60 deg "
            "RAAN spread around the terminator are assumptions",
            compute_fraction="2,400 inference + 400 training satellites (DESIGN.md)",
            hardware="assumption: same 744-TOPS computer as the first 12 satellites",
            model_params="8B-parameter model (DESIGN.md, as on the first satellites)",
            bytes_per_param="assumption: int8 weights",
            isl_bps="100 Gbps laser ISLs (DESIGN.md, as on the first satellites)",
            eclipse_cap_w="assumption",
        ),
    ),
    "suncatcher-81": Scenario(
        name="suncatcher-81",
        description="Google Project Suncatcher (arXiv 2511.19468): an 81-satellite cluster of "
        "radius 1 km in a 650 km dawn-dusk SSO with TPU v6e and Tbps optical ISLs.",
        shells=(Shell(total=81, planes=1, alt=650.0, inc=None, ltan=18.0, kind="cluster",
                      cluster_spacing=0.2, name="cluster"),),
        network="global",
        user=(37.4, -122.1),
        hardware="tpu-v6e",
        model_params=8e9,
        bytes_per_param=2.0,
        isl_bps=800e9,
        sources=_src(
            shells="81-satellite cluster, radius 1 km, dawn-dusk SSO 650 km, neighbours "
            "100-200 m apart (arXiv 2511.19468)",
            hardware="TPU v6e, radiation-tested (arXiv 2511.19468)",
            isl_bps="optical ISLs of tens of Tbps; bench 800 Gbps each way (arXiv 2511.19468)",
            model_params="assumption: the same 8B model as the Three-Body comparison",
            bytes_per_param="assumption: bf16 weights on TPU",
            network="assumption: a global commercial ground network (no ground segment published)",
            user="assumption: a user in Mountain View",
            downlink="assumption: lab.links 'x-band-downlink' budget (no ground link published)",
        ),
    ),
    "starcloud-1": Scenario(
        name="starcloud-1",
        description="Starcloud-1: one 60 kg satellite with an NVIDIA H100 80 GB, launched "
        "2 Nov 2025; trained a small GPT and ran Gemma on orbit.",
        shells=(Shell(total=1, planes=1, alt=350.0, inc=53.0, name="single"),),
        network="global",
        user=(47.6, -122.3),
        hardware="h100",
        model_params=2e9,
        bytes_per_param=2.0,
        isl_bps=0.0,
        power_cap_w=300.0,
        battery_wh=500.0,
        depth_of_discharge=0.5,
        sources=_src(
            shells="assumption: ~350 km, 53 deg (rideshare orbit; not in DESIGN.md)",
            hardware="one NVIDIA H100 80 GB (DESIGN.md)",
            model_params="Gemma ran on orbit (DESIGN.md); 2B size is an assumption",
            bytes_per_param="assumption: bf16",
            isl_bps="single satellite: no ISLs",
            power_cap_w="assumption: a 60 kg satellite cannot feed 700 W; capped at 300 W",
            network="assumption: a global commercial ground network",
            user="assumption: a user in Seattle",
        ),
    ),
}


def get_preset(name: str | Scenario) -> Scenario:
    """Return the preset called ``name`` (or ``name`` itself if it is a Scenario)."""
    if isinstance(name, Scenario):
        return name
    check_choice(name, PRESETS, "preset")
    return PRESETS[name]


# --------------------------------------------------------------------------------------------
# Rescaling a scenario (widgets / sweep)
# --------------------------------------------------------------------------------------------
def _nearest_divisor(n: int, target: float, min_per_plane: int = 1) -> int:
    """The divisor of ``n`` nearest to ``target`` (log scale) leaving >= ``min_per_plane``."""
    divs = np.array([d for d in range(1, n + 1) if n % d == 0 and n // d >= min_per_plane]
                    or [1])
    return int(divs[np.argmin(np.abs(np.log(divs) - math.log(max(target, 1e-9))))])


def _auto_planes(k: int, target: float, min_per_plane: int) -> int | None:
    """Auto plane count for ``k`` satellites: a divisor within a factor 2 of ``target``.

    ``target`` is clamped to >= 1 (small shells have one plane); each plane keeps
    ``min_per_plane`` satellites. None if no divisor qualifies.
    """
    t = max(target, 1.0)
    p = _nearest_divisor(k, t, min_per_plane)
    ok = t / 2 - 1e-9 <= p <= 2 * t + 1e-9 and k // p >= min_per_plane
    return p if ok else None


def _auto_shell(k: int, total0: int, planes0: int, hi: int) -> tuple[int, int]:
    """``(total, planes)`` for an auto-planed shell of about ``k`` satellites.

    Planes scale with sqrt(size) from the preset's ``planes0`` at ``total0``, with >= 8
    satellites per plane. When no divisor of ``k`` is within a factor 2 of that target (a prime
    such as 839 only splits into 1 or 839 planes), the nearest total that has one is used
    (839 -> 840 = 8 x 105; ties go up).
    """
    for d in range(k + 1):
        for kk in (k + d, k - d) if d else (k,):
            if 1 <= kk <= hi:
                p = _auto_planes(kk, planes0 * math.sqrt(kk / total0), min(8, kk))
                if p is not None:
                    return kk, p
    return k, _nearest_divisor(k, planes0 * math.sqrt(k / total0), min(8, k))  # pragma: no cover


def configure(
    scenario: str | Scenario,
    *,
    n_satellites: int | None = None,
    planes: int | None = None,
    alt: float | None = None,
    model_params: float | None = None,
    hardware: str | HardwareProfile | None = None,
    network: str | Sequence[Any] | None = None,
) -> tuple[Scenario, list[str]]:
    """A copy of ``scenario`` with a new size/geometry/model; returns ``(scenario, notes)``.

    ``n_satellites`` is split over the shells in proportion to their sizes. Plane counts must
    divide each shell's total: the nearest valid count (on a log scale) is taken and ``notes``
    says so. Without ``planes``, planes scale with sqrt(size) to keep planes and slots balanced,
    with at least 8 satellites per plane (fewer leave in-plane laser links too long); a shell
    total with no divisor within a factor 2 of that target (e.g. a prime) is moved to the
    nearest total that has one, with a note (839 -> 840 = 8 x 105).
    """
    sc = get_preset(scenario)
    notes: list[str] = []
    shells = list(sc.shells)
    if n_satellites is not None:
        n = check_int(n_satellites, "n_satellites", lo=1, hi=100_000)
        sizes = np.array([s.total for s in shells], dtype=float)
        alloc = np.floor(n * sizes / sizes.sum()).astype(int)
        rem = n - alloc.sum()
        order = np.argsort(-(n * sizes / sizes.sum() - alloc))
        alloc[order[:rem]] += 1
        new = []
        for s, k in zip(shells, alloc, strict=True):
            if k == 0:
                continue
            if s.kind == "cluster":
                new.append(replace(s, total=int(k), planes=1, phasing=0))
                continue
            if planes is not None:
                p = _nearest_divisor(int(k), float(planes))
                if p != planes:
                    notes.append(f"{s.name}: {planes} planes do not divide {k} satellites; "
                                 f"using {p} planes")
            else:  # auto: planes ~ sqrt(size), keeping >= 8 per plane (in-plane ISLs reach)
                target = s.planes * math.sqrt(k / s.total)
                kk, p = _auto_shell(int(k), s.total, s.planes, 100_000)
                if kk != k:
                    notes.append(f"{s.name}: {k} satellites cannot form an even Walker shell "
                                 f"near {max(target, 1.0):.0f} planes; using {kk} = {p} \u00d7 "
                                 f"{kk // p}")
                    k = kk
            new.append(replace(s, total=int(k), planes=p, phasing=min(s.phasing, p - 1)))
        if len(new) < len(shells):
            notes.append(f"{n} satellites: only {len(new)} of {len(shells)} shells kept")
        shells = new
    elif planes is not None:
        check_int(planes, "planes", lo=1)
        new = []
        for s in shells:
            p = _nearest_divisor(s.total, planes) if s.kind == "walker" else 1
            if p != planes:
                notes.append(f"{s.name}: {planes} planes do not divide {s.total} satellites; "
                             f"using {p} planes")
            new.append(replace(s, planes=p, phasing=min(s.phasing, p - 1)))
        shells = new
    if alt is not None:
        a = as_value(alt, "km", "alt", lo=150.0, hi=40000.0)
        shells = [replace(s, alt=a) for s in shells]
    changes: dict[str, Any] = {"shells": tuple(shells)}
    if model_params is not None:
        changes["model_params"] = as_value(model_params, "", "model_params", lo=0,
                                           lo_inclusive=False)
    if hardware is not None:
        changes["hardware"] = get_profile(hardware).name if isinstance(hardware, str) else hardware
    if network is not None:
        stations = _stations(network)  # validates
        changes["network"] = network if isinstance(network, str) else stations
    return replace(sc, **changes), notes


# --------------------------------------------------------------------------------------------
# Geometry on a time grid (cached: it does not depend on the model or the load)
# --------------------------------------------------------------------------------------------
@dataclass
class _Geometry:
    dt: float
    t: np.ndarray  # (E,) s after the epoch
    # per satellite (S,)
    shell: np.ndarray
    plane: np.ndarray
    slot: np.ndarray
    a: np.ndarray  # km, semi-major axis
    alt: np.ndarray  # km
    has_compute: np.ndarray
    # per satellite and epoch (S, E)
    margin: np.ndarray  # float32 deg: elevation - mask of the best station (_FAR far below)
    station: np.ndarray  # int16, that station
    sunlit: np.ndarray  # bool
    since_eclipse: np.ndarray  # float32 s since the satellite entered the shadow (0 if sunlit)
    # per shell: (G, E)
    best_sat: np.ndarray
    best_margin: np.ndarray
    # ISL hop lengths per shell (km) and feasibility
    hop_in: np.ndarray
    hop_cross: np.ndarray
    isl_ok: np.ndarray
    wrap_planes: np.ndarray
    phasing: np.ndarray
    slots: np.ndarray
    planes: np.ndarray
    offsets: np.ndarray
    snapshot: np.ndarray  # (S, 3) km ITRS (Earth-fixed) positions at t = 0 (for the globe)
    stations: tuple[GroundStation, ...]
    mask: np.ndarray  # (St,) deg elevation masks of the stations
    constellation: Constellation


_FAR = np.float32(-180.0)  # margin of samples far below every station's horizon


def _view_margin(r: np.ndarray, stations: tuple[GroundStation, ...]) -> tuple[np.ndarray, ...]:
    """Best station and its elevation margin (deg) for ITRS positions ``r`` (S, E, 3) km.

    The elevations come from :func:`lab.links.elevation`, evaluated only where they matter:
    at samples above the station's horizon plane and at their neighbours in time (so that a
    pass can be interpolated from the sample before it). Elsewhere the margin is ``_FAR``.
    """
    S, E, _ = r.shape
    flat = r.reshape(-1, 3)
    margin = np.full(S * E, _FAR, dtype=np.float32)
    station = np.zeros(S * E, dtype=np.int16)
    for j, st in enumerate(stations):  # loop over stations (a handful)
        above = (flat @ st.up > st.itrs @ st.up).reshape(S, E)
        idx = np.flatnonzero(above | np.roll(above, 1, axis=1) | np.roll(above, -1, axis=1))
        m = (elevation(flat[idx], st) - st.min_elevation).astype(np.float32)
        better = m > margin[idx]
        margin[idx[better]] = m[better]
        station[idx[better]] = j
    return margin.reshape(S, E), station.reshape(S, E)


def _isl_lengths(c: Constellation, t: np.ndarray, max_range: float) -> tuple[float, float, bool]:
    """Mean in-plane and cross-plane +Grid link lengths (km) over the day, and whether the
    shell's +Grid is usable: every kind of link up (lab.links range and grazing-height rule)
    at least 90 % of the time. Sampled every ~30 minutes (:func:`lab.links.isl_state`)."""
    step = max(1, int(round(1800.0 / (t[1] - t[0])))) if t.size > 1 else 1
    st = isl_state(c, c.epoch + t[::step] * u.s, "+grid", max_range=max_range,
                   min_grazing_height=MIN_GRAZING_HEIGHT, model="j2")
    if not st.pairs.size:
        return 0.0, 0.0, True
    lengths, ok = [], True
    for kind in (False, True):
        sel = st.cross == kind
        lengths.append(float(st.distance[sel].mean()) if sel.any() else 0.0)
        ok &= (not sel.any()) or bool(st.up[sel].mean() >= 0.9)
    return lengths[0], lengths[1], ok


@lru_cache(maxsize=4)
def _sun_itrs(epoch: str, dt: float) -> np.ndarray:
    """The Sun (E, 3) km on the day's grid, rotated to ITRS like the satellites (the shadow
    geometry does not depend on the frame)."""
    times = Time(epoch, scale="utc") + np.arange(0.0, 86400.0, dt) * u.s
    return gcrs_to_itrs(sun_position(times).to_value(u.km), times)


@lru_cache(maxsize=6)
def _geometry(shells: tuple[Shell, ...], stations: tuple[GroundStation, ...], epoch: str,
              dt: float, isl_max_range: float, isl_on: bool) -> _Geometry:
    t = np.arange(0.0, 86400.0, dt)
    cons = [s.constellation(epoch) for s in shells]
    c_all = Constellation.concatenate(cons)
    r_all = c_all.positions(t, model="j2", frame="itrs")  # (S, E, 3) km, Earth-fixed
    sun = _sun_itrs(epoch, dt)
    G = len(shells)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "shell", "plane", "slot", "a", "has_compute", "margin", "station", "sunlit", "since")}
    best_sat = np.zeros((G, t.size), dtype=np.int64)
    best_margin = np.full((G, t.size), _FAR, dtype=np.float32)
    hop_in, hop_cross = np.zeros(G), np.zeros(G)
    isl_ok = np.zeros(G, dtype=bool)
    wrap, slots, planes = np.zeros(G, dtype=bool), np.zeros(G, dtype=int), np.zeros(G, dtype=int)
    phasing = np.zeros(G, dtype=int)
    offsets = np.zeros(G + 1, dtype=int)
    for g, (s, c) in enumerate(zip(shells, cons, strict=True)):  # loop over shells (a few)
        S = s.total
        offsets[g + 1] = offsets[g] + S
        r = r_all[offsets[g]:offsets[g + 1]]
        margin, station = _view_margin(r, stations)
        sunlit = in_shadow(r, sun, model="cylindrical") == 0.0
        k = np.arange(t.size, dtype=np.int32)
        last = np.maximum.accumulate(np.where(sunlit, k, np.int32(-1)), axis=1)  # last sunlit
        since = (k - last).astype(np.float32) * np.float32(dt)  # 0 when sunlit
        ncomp = int(round(s.compute_fraction * S))
        has = np.zeros(S, dtype=bool)
        if ncomp:
            has[np.unique(np.linspace(0, S - 1, ncomp).round().astype(int))] = True
        cols["shell"].append(np.full(S, g))
        cols["plane"].append(np.asarray(c.plane) if s.kind == "walker" else np.zeros(S, int))
        cols["slot"].append(np.asarray(c.slot) if s.kind == "walker" else np.arange(S))
        cols["a"].append(np.asarray(c.a.to_value(u.km)))
        cols["has_compute"].append(has)
        cols["margin"].append(margin)
        cols["station"].append(station)
        cols["sunlit"].append(sunlit)
        cols["since"].append(since)
        bs = np.argmax(margin, axis=0)
        best_sat[g] = bs + offsets[g]
        best_margin[g] = margin[bs, np.arange(t.size)]
        if s.kind == "cluster":
            hop_in[g] = hop_cross[g] = s.cluster_spacing
            isl_ok[g] = isl_on
        elif isl_on:
            hop_in[g], hop_cross[g], isl_ok[g] = _isl_lengths(c, t, isl_max_range)
        wrap[g] = s.raan_spread >= 360 and s.kind == "walker"
        phasing[g] = s.phasing
        slots[g], planes[g] = (S, 1) if s.kind == "cluster" else (S // s.planes, s.planes)
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return _Geometry(
        dt=dt, t=t, shell=cat["shell"], plane=cat["plane"], slot=cat["slot"], a=cat["a"],
        alt=cat["a"] - R_EARTH, has_compute=cat["has_compute"], margin=cat["margin"],
        station=cat["station"], sunlit=cat["sunlit"], since_eclipse=cat["since"],
        best_sat=best_sat, best_margin=best_margin, hop_in=hop_in, hop_cross=hop_cross,
        isl_ok=isl_ok, wrap_planes=wrap, phasing=phasing, slots=slots, planes=planes,
        offsets=offsets, snapshot=np.ascontiguousarray(r_all[:, 0]), stations=stations,
        mask=np.array([st.min_elevation for st in stations]), constellation=c_all,
    )


def geometry(scenario: str | Scenario, dt: float = 60.0) -> _Geometry:
    """The cached time-grid geometry of ``scenario`` (positions, visibility, shadow, ISLs)."""
    sc = get_preset(scenario)
    stations = _stations(sc.network)
    if sc.direct_user_access:
        stations = (*stations, GroundStation("user terminal", sc.user[0], sc.user[1]))
    return _geometry(sc.shells, stations, sc.epoch, float(dt), float(sc.isl_max_range),
                     bool(sc.isl_bps > 0))


# --------------------------------------------------------------------------------------------
# Vectorized building blocks (each is unit-tested against hand calculations)
# --------------------------------------------------------------------------------------------
def next_true_index(mask: np.ndarray) -> np.ndarray:
    """For a boolean array (..., E), the index of the first True at or after each position,
    over the periodic sequence repeated twice (length 2E); ``_BIG`` if never True."""
    m2 = np.concatenate([mask, mask], axis=-1)
    idx = np.where(m2, np.arange(m2.shape[-1]), _BIG)
    return np.flip(np.minimum.accumulate(np.flip(idx, -1), axis=-1), -1)


def next_contact(margin: np.ndarray, t: np.ndarray, dt: float,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Earliest time >= t (s) at which ``margin`` (periodic, sampled every dt) is >= 0.

    ``margin`` is (E,), or (R, E) with ``rows`` (N,) choosing the row of each request. Between
    samples the margin is interpolated linearly, so a pass starts at the zero crossing, not at
    the next grid point. Returns (time in s, may exceed the day; inf if never) and the grid
    index (unwrapped) of the first sample inside the pass.
    """
    m = np.atleast_2d(np.asarray(margin, dtype=float))
    E = m.shape[-1]
    r = np.zeros(np.shape(t), dtype=np.int64) if rows is None else np.asarray(rows)
    m2 = np.concatenate([m, m], axis=-1)
    nxt = next_true_index(m >= 0)
    k = np.floor(t / dt).astype(np.int64)
    frac = t / dt - k
    k = k % E
    m_now = m2[r, k] * (1 - frac) + m2[r, k + 1] * frac
    now = m_now >= 0
    j = nxt[r, np.minimum(k + 1, 2 * E - 1)]
    never = j >= _BIG
    jj = np.where(never, 1, j)
    m_prev, m_at = m2[r, jj - 1], m2[r, jj]
    cross = (jj - 1) * dt + dt * (-m_prev) / np.where(m_at > m_prev, m_at - m_prev, 1.0)
    day_shift = np.floor(t / dt / E) * E * dt
    tc = np.where(now, t, np.maximum(cross + day_shift, t))
    tc = np.where(never & ~now, np.inf, tc)
    j_now = np.where(m2[r, k + 1] > m2[r, k], k + 1, k)
    jout = np.where(now, j_now, jj) + (day_shift / dt).astype(np.int64)
    return tc, jout


def fifo_wait(server: np.ndarray, ready: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Queueing delay of a FIFO per server (Lindley's recursion, closed form with cumsums).

    ``server`` (N,) int ids, ``ready`` (N,) arrival times at the server, ``service`` (N,) s.
    finish_i = C_i + max_{j<=i}(ready_j - C_{j-1}) within each server, C = cumsum(service).
    """
    n = ready.size
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((ready, server))
    sv, r, s = server[order], ready[order], service[order]
    start_grp = np.r_[True, sv[1:] != sv[:-1]]
    csum = np.cumsum(s)
    grp_id = np.cumsum(start_grp) - 1
    base = (csum - s)[start_grp][grp_id]  # cumsum before the group's first request
    c = csum - base  # within-group cumsum including i
    c_prev = c - s
    key = r - c_prev
    span = float(np.ptp(key)) + float(np.abs(key).max()) + 1.0
    shifted = key + grp_id * span * 4  # keeps groups apart for one global running maximum
    run = np.maximum.accumulate(shifted) - grp_id * span * 4
    finish = c + run
    wait = finish - s - r
    out = np.empty(n)
    out[order] = np.maximum(wait, 0.0)
    return out


def _hops(g: _Geometry, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In-plane and cross-plane hop counts on the +Grid between satellites of one shell.

    Shortest path on the grid: ring distance within a plane plus plane steps. In a Walker delta
    the seam between the last and the first plane shifts the slots by the phasing F, so both
    directions around the planes are tried. Broadcasts (e.g. src (N, 1) with dst (1, M)).
    """
    sh = g.shell[src]
    q, p, f = g.slots[sh], g.planes[sh], g.phasing[sh]
    k1, k2, p1, p2 = g.slot[src], g.slot[dst], g.plane[src], g.plane[dst]

    def ring(x: np.ndarray) -> np.ndarray:
        x = x % q
        return np.minimum(x, q - x)

    dpf, dpb = (p2 - p1) % p, (p1 - p2) % p
    dkf = ring(k2 - k1 - f * ((p1 + dpf) >= p))
    dkb = ring(k2 - k1 + f * ((p1 - dpb) < 0))
    fwd = dpf + dkf <= dpb + dkb
    wrap = g.wrap_planes[sh]
    dk = np.where(wrap, np.where(fwd, dkf, dkb), ring(k2 - k1))
    dp = np.where(wrap, np.where(fwd, dpf, dpb), np.abs(p2 - p1))
    return dk, dp


def _roofline(profile: HardwareProfile, params: float, bpp: float, prompt: int, out: int,
              batch: int) -> float:
    """E2E latency (s) of one request: :func:`lab.node.predict_latency`."""
    return float(predict_latency(profile, params, bpp, prompt, out, batch).e2el)


def _usable_wh(sc: Scenario) -> float:
    """Battery energy (Wh) usable in an eclipse: lab.power.Battery (DoD, discharge efficiency)."""
    return float(Battery(sc.battery_wh, max_depth_of_discharge=sc.depth_of_discharge)
                 .usable_energy)


def _rate(name: str, rng: np.ndarray) -> np.ndarray:
    """Data rate (bit/s) of the lab.links link budget ``name`` at slant range ``rng`` km."""
    return np.asarray(LINK_PRESETS[name].data_rate_value(np.maximum(rng, 1e-3)), dtype=float)


def network_names() -> list[str]:
    """Names of the ground-station networks (:data:`lab.links.STATION_NETWORKS`)."""
    return list(STATION_NETWORKS)


def _backhaul(user: tuple[float, float], stations: Sequence[GroundStation]) -> np.ndarray:
    """Fibre delay (s) from the user to each station: great-circle distance / FIBER_SPEED."""
    return great_circle_distance(geodetic_to_itrs(*user), np.array([s.itrs for s in stations]),
                                 radius=R_EARTH) / FIBER_SPEED


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------
@dataclass
class ResponseTimes:
    """Result of :func:`response_times`: ``breakdown`` (one row per request, seconds),
    ``summary`` (dict of headline numbers), ``table`` (percentiles of every term)."""

    scenario: Scenario
    breakdown: pd.DataFrame
    summary: dict[str, Any]
    table: pd.DataFrame
    notes: list[str]
    geometry: _Geometry

    def __repr__(self) -> str:
        s = self.summary
        return (f"ResponseTimes({self.scenario.name}: {s['n_satellites']} satellites, "
                f"{s['n_requests']} requests, median {s['p50']:.1f} s, p90 {s['p90']:.1f} s, "
                f"dominant term {s['dominant']!r})")


def _summarize(df: pd.DataFrame) -> tuple[dict[str, float | str], pd.DataFrame]:
    cols = [*TERMS, "total"]
    v = df[cols].to_numpy()
    finite = np.isfinite(v[:, -1])
    v = v[finite]
    table = pd.DataFrame(
        {"mean": v.mean(axis=0), "p50": np.percentile(v, 50, axis=0),
         "p90": np.percentile(v, 90, axis=0), "p99": np.percentile(v, 99, axis=0)},
        index=cols,
    )
    total_mean = table.loc["total", "mean"]
    table["share"] = table["mean"] / total_mean if total_mean > 0 else 0.0
    dominant = str(table.loc[list(TERMS), "mean"].idxmax())
    med_row = np.argsort(v[:, -1])[len(v) // 2]
    summary = {
        "p50": float(table.loc["total", "p50"]), "p90": float(table.loc["total", "p90"]),
        "p99": float(table.loc["total", "p99"]), "mean": float(total_mean),
        "dominant": dominant,
        "dominant_at_median": str(TERMS[int(np.argmax(v[med_row, :-1]))]),
        "unanswered": int((~finite).sum()),
    }
    return summary, table


def response_times(
    scenario: str | Scenario,
    n_satellites: int | None = None,
    requests: int | None = None,
    seed: int = 0,
    *,
    arrival_times: Sequence[float] | np.ndarray | None = None,
    dt: float = 60.0,
    live: bool = False,
    live_requests: int = 3,
    server: Any = None,
) -> ResponseTimes:
    """Response time of every request of one simulated day, broken down term by term.

    scenario : a preset name or :class:`Scenario`. n_satellites : rescale its shells (see
    :func:`configure`). requests : number of requests over the day (default: the scenario's
    ``requests_per_day``), arrival times uniform (Poisson process given the count) from a
    ``seed``-ed RNG; or give ``arrival_times`` in s after the scenario epoch. dt : time grid step
    in s. live : measure the inference term of ``live_requests`` requests with the real vLLM
    server through :class:`lab.node.LinkEmulator` (``server`` = a running InferenceServer or URL;
    started if None).
    """
    sc = get_preset(scenario)
    notes: list[str] = []
    if n_satellites is not None:
        sc, notes = configure(sc, n_satellites=n_satellites)
    dt = as_value(dt, "s", "dt", lo=1.0, hi=600.0)
    rng = np.random.default_rng(check_int(seed, "seed", lo=0))
    if arrival_times is not None:
        t_arr = np.atleast_1d(as_value(arrival_times, "s", "arrival_times", lo=0.0))
    else:
        n_req = sc.requests_per_day if requests is None else check_int(requests, "requests", lo=1)
        t_arr = np.sort(rng.uniform(0.0, 86400.0, n_req))
    g = geometry(sc, dt)
    prof = sc.profile
    up_bits = 8 * (sc.prompt_tokens * sc.bytes_per_token + sc.request_overhead_bytes)
    down_bits = 8 * (sc.output_tokens * sc.bytes_per_token + sc.request_overhead_bytes)
    E = g.t.size

    # 1. wait for a contact: the best shell/satellite over all stations.
    best_shell = np.argmax(g.best_margin, axis=0)
    m_all = g.best_margin[best_shell, np.arange(E)]
    t_c, j_c = next_contact(m_all, t_arr, dt)
    if not np.all(np.isfinite(t_c)):
        notes.append("no satellite ever comes into view of the network: requests unanswered")
    je = j_c % E
    c_sat = g.best_sat[best_shell[je], je]
    c_sh = g.shell[c_sat]

    # 2. uplink: backhaul + light time + serialization at the slant range.
    backhaul = _backhaul(sc.user, g.stations)

    def slant(sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slant range (km) at the station's elevation, and the backhaul (s) to that station."""
        st = g.station[sat, e].astype(int)
        el = np.clip(np.maximum(g.margin[sat, e].astype(float), 0.0) + g.mask[st], 0.0, 90.0)
        rng_km = slant_range(g.alt[sat], el).to_value(u.km)
        return rng_km, (0.0 if sc.direct_user_access else backhaul[st])

    rng_up, back_up = slant(c_sat, je)
    up_rate = _rate(sc.uplink, rng_up)
    uplink = back_up + rng_up / C_LIGHT + up_bits / up_rate
    t1 = t_c + uplink

    # 3. choose the serving satellite: nearest (hops) in the same shell with compute and power.
    e1 = np.floor(np.where(np.isfinite(t1), t1, 0) / dt).astype(np.int64) % E
    lat1 = np.full(t_arr.size, _BIG, dtype=np.int64)
    k_sat = c_sat.copy()
    isl_ok = g.isl_ok[c_sh]
    battery_s = _usable_wh(sc) * 3600.0 / (sc.bus_power_w + (sc.power_cap_w or prof.peak_power_w))
    powered = g.sunlit | (g.since_eclipse < battery_s)
    for gi in range(len(g.offsets) - 1):  # loop over shells (a few)
        rows = np.nonzero(c_sh == gi)[0]
        if rows.size == 0:
            continue
        lo, hi = g.offsets[gi], g.offsets[gi + 1]
        cand = np.arange(lo, hi)
        if not g.isl_ok[gi]:
            cost = np.where(g.has_compute[c_sat[rows]], 0, _BIG)
            k_sat[rows] = c_sat[rows]
            lat1[rows] = cost
            continue
        # Most requests are served by the contact satellite itself (0 hops); only the others
        # need the (rows x satellites) hop matrix.
        self_ok = g.has_compute[c_sat[rows]] & powered[c_sat[rows], e1[rows]]
        k_sat[rows] = c_sat[rows]
        lat1[rows] = 0
        rows = rows[~self_ok]
        if rows.size == 0:
            continue
        dk, dp = _hops(g, c_sat[rows][:, None], cand[None, :])
        hops = dk + dp
        ok = g.has_compute[cand][None, :] & powered[cand[None, :], e1[rows, None]]
        cost = np.where(ok, hops, _BIG)
        best = np.argmin(cost, axis=1)
        fallback = cost[np.arange(rows.size), best] >= _BIG
        if fallback.any():  # nobody powered: nearest computer, wait for its power
            cost2 = np.where(g.has_compute[cand][None, :], hops, _BIG)
            best = np.where(fallback, np.argmin(cost2, axis=1), best)
        k_sat[rows] = cand[best]
        lat1[rows] = np.where(g.has_compute[cand[best]], 0, _BIG)
    if np.any(lat1 >= _BIG):
        notes.append("some requests reach no satellite with an accelerator: unanswered")
    dk, dp = _hops(g, c_sat, k_sat)
    sh = c_sh
    isl_delay = lambda k_in, k_x, bits: (  # noqa: E731
        k_in * g.hop_in[sh] / C_LIGHT + k_x * g.hop_cross[sh] / C_LIGHT
        + (k_in + k_x) * (bits / sc.isl_bps if sc.isl_bps > 0 else 0.0))
    isl_to = np.where(isl_ok, isl_delay(dk, dp, up_bits), 0.0)
    t2 = t1 + isl_to

    # 4. power: wait until the serving satellite has power (only if it has none now).
    e2 = np.floor(np.where(np.isfinite(t2), t2, 0) / dt).astype(np.int64)
    pw_now = powered[k_sat, e2 % E]
    power_wait = np.zeros(t_arr.size)
    if not pw_now.all():
        rows = np.nonzero(~pw_now)[0]
        nxt = next_true_index(powered[k_sat[rows]])
        jn = nxt[np.arange(rows.size), np.minimum(e2[rows] % E + 1, 2 * E - 1)]
        tn = np.where(jn >= _BIG, np.inf, jn * dt + np.floor(e2[rows] / E) * E * dt)
        power_wait[rows] = np.maximum(tn - t2[rows], 0.0)
    t3 = t2 + power_wait

    # 5. queueing + inference (power-capped on battery).
    e3 = np.floor(np.where(np.isfinite(t3), t3, 0) / dt).astype(np.int64) % E
    on_batt = ~g.sunlit[k_sat, e3]
    cap_sun = sc.power_cap_w
    cap_ecl = sc.eclipse_cap_w if sc.eclipse_cap_w is not None else cap_sun

    def lat(cap: float | None, batch: int) -> float:
        p = prof if cap is None or cap >= prof.peak_power_w else prof.with_power_cap(cap)
        return _roofline(p, sc.model_params, sc.bytes_per_param, sc.prompt_tokens,
                         sc.output_tokens, batch)

    B = sc.max_batch
    l1 = np.where(on_batt, lat(cap_ecl, 1), lat(cap_sun, 1))
    lB = np.where(on_batt, lat(cap_ecl, B), lat(cap_sun, B))
    finite = np.isfinite(t3)
    queue = np.zeros(t_arr.size)
    queue[finite] = fifo_wait(k_sat[finite], t3[finite], (lB / B)[finite])
    inference = np.where(queue > 0, lB, l1)
    queueing = power_wait + queue
    t4 = t3 + queue + inference
    if live:
        inference, live_notes = _live_inference(sc, inference, uplink, up_rate, live_requests,
                                                 server)
        notes.extend(live_notes)
        t4 = t3 + queue + inference

    # 6. back to a satellite in view (store-and-forward), 7. downlink.
    d_sat = k_sat.copy()
    t5 = np.full(t_arr.size, np.inf)
    j5 = np.zeros(t_arr.size, dtype=np.int64)
    for gi in range(len(g.offsets) - 1):
        rows = np.nonzero((c_sh == gi) & np.isfinite(t4))[0]
        if rows.size == 0:
            continue
        if g.isl_ok[gi]:
            tc2, jc2 = next_contact(g.best_margin[gi].astype(float), t4[rows], dt)
            t5[rows], j5[rows] = tc2, jc2
            d_sat[rows] = g.best_sat[gi, jc2 % E]
        else:  # no ISLs: the serving satellite itself must pass over a station
            sats, inv = np.unique(k_sat[rows], return_inverse=True)
            t5[rows], j5[rows] = next_contact(g.margin[sats], t4[rows], dt, rows=inv)
    dk2, dp2 = _hops(g, k_sat, d_sat)
    isl_back = np.where(isl_ok, isl_delay(dk2, dp2, down_bits), 0.0)
    wait_down = t5 - t4
    rng_dn, back_dn = slant(d_sat, j5 % E)
    downlink = rng_dn / C_LIGHT + down_bits / _rate(sc.downlink, rng_dn) + back_dn

    unanswered = (lat1 >= _BIG) | ~np.isfinite(t_c)
    df = pd.DataFrame({
        "arrival": t_arr,
        "wait_for_contact": t_c - t_arr,
        "uplink": uplink,
        "isl_to_compute": isl_to,
        "queueing": queueing,
        "inference": inference,
        "isl_back": isl_back,
        "wait_for_downlink": wait_down,
        "downlink": downlink,
    })
    df["total"] = df[list(TERMS)].sum(axis=1)
    df.loc[unanswered, "total"] = np.inf
    df["contact_sat"] = c_sat
    df["compute_sat"] = k_sat
    df["downlink_sat"] = d_sat
    df["hops_up"] = dk + dp
    df["hops_back"] = dk2 + dp2
    df["on_battery"] = on_batt
    df.index = pd.RangeIndex(t_arr.size, name="request")
    summary, table = _summarize(df)
    summary.update({
        "scenario": sc.name, "n_satellites": sc.n_satellites, "n_requests": int(t_arr.size),
        "planes": [s.planes for s in sc.shells], "seed": seed, "dt": dt,
        "in_view_share": float(np.mean(df["wait_for_contact"] == 0)),
    })
    return ResponseTimes(sc, df, summary, table, notes, g)


def _live_inference(sc: Scenario, inference: np.ndarray, uplink: np.ndarray, rate: np.ndarray,
                    k: int, server: Any) -> tuple[np.ndarray, list[str]]:
    """Replace the inference term of the first ``k`` requests by a real measurement.

    Each request goes through :class:`lab.node.emulator.LinkEmulator` with that request's
    uplink delay in each direction and its uplink rate (bit/s); the measured end-to-end
    latency minus the emulated round-trip delay is the inference term. The local CPU server with the tiny model is not the
    satellite's accelerator: this shows that the pipeline is real, not the on-orbit speed.
    """
    from contextlib import ExitStack

    from lab.node.emulator import LinkEmulator
    from lab.node.measure import measure
    from lab.node.server import InferenceServer

    out = inference.copy()
    n = min(check_int(k, "live_requests", lo=1), inference.size)
    with ExitStack() as stack:
        srv = server if server is not None else stack.enter_context(InferenceServer())
        for i in range(n):
            delay = float(uplink[i])
            emu = LinkEmulator(srv, delay=delay, bandwidth=float(rate[i])).start()
            stack.callback(emu.stop)
            res = measure(emu, ["Why do satellites need sunlight to compute?"],
                          max_tokens=min(sc.output_tokens, 32))
            e2el = float(res.requests[0].e2el)
            out[i] = max(e2el - 2 * delay, 0.0)
    return out, [f"inference of the first {n} requests measured live (local vLLM server "
                 "through the link emulator; CPU speed, not the satellite's)"]


def sweep(
    scenario: str | Scenario,
    n_satellites: Iterable[int] = SWEEP_SIZES,
    requests: int | None = 1000,
    seed: int = 0,
    *,
    dt: float = 60.0,
    progress: bool = True,
    callback: Any = None,
) -> pd.DataFrame:
    """Response-time percentiles (s) versus constellation size.

    One row per size: p50, p90, p99, mean, the mean of every term, the dominant term, the
    planes used and ``n_used``, the satellites actually simulated (auto planes may move a prime
    total to the nearest one with an even Walker split, see :func:`configure`). ``progress`` shows a tqdm bar; ``callback(i, n)`` is called after each size.
    """
    sizes = [check_int(n, "n_satellites", lo=1, hi=100_000) for n in n_satellites]
    if not sizes:
        raise ValueError("n_satellites must list at least one size")
    from tqdm.auto import tqdm

    rows = []
    for i, n in enumerate(tqdm(sizes, disable=not progress, desc="sweep", leave=False)):
        r = response_times(scenario, n_satellites=n, requests=requests, seed=seed, dt=dt)
        row = {"n_satellites": n, **{k: r.summary[k] for k in ("p50", "p90", "p99", "mean")}}
        row.update({f"mean_{t}": float(r.table.loc[t, "mean"]) for t in TERMS})
        row["dominant"] = r.summary["dominant"]
        row["dominant_at_median"] = r.summary["dominant_at_median"]
        row["planes"] = "+".join(str(s.planes) for s in r.scenario.shells)
        row["n_used"] = r.scenario.n_satellites  # may differ from n (see configure's notes)
        row["in_view_share"] = r.summary["in_view_share"]
        rows.append(row)
        if callback is not None:
            callback(i + 1, len(sizes))
    return pd.DataFrame(rows).set_index("n_satellites")

