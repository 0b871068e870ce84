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

Everything is vectorized: satellite positions on a time grid over one day (default 60 s),
visibility margins per satellite and station, next-contact indices by reverse cumulative minima,
FIFO queues by cumulative sums (Lindley's recursion in closed form). There is no Python loop
over requests, satellites or epochs; the only loops are over stations (a handful) and shells.

Modelling choices (all stated, none tuned): circular orbits with J2 secular drift (RAAN and
argument of latitude); Earth rotation by the Earth rotation angle (precession/nutation, ~0.35 deg,
ignored); spherical Earth for visibility; cylindrical shadow; the day is treated as periodic for
requests whose answer would only come back after the end of the simulated day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from lab._validate import as_value, check_choice, check_int
from lab.constants import C_LIGHT, J2, MU_EARTH, R_EARTH, TROPICAL_YEAR
from lab.hardware import HardwareProfile, get_profile

__all__ = [
    "Shell",
    "Station",
    "Scenario",
    "PRESETS",
    "NETWORKS",
    "ResponseTimes",
    "TERMS",
    "get_preset",
    "configure",
    "response_times",
    "sweep",
    "sso_inclination",
    "network_names",
    "geometry",
    "next_contact",
    "next_true_index",
    "fifo_wait",
    "slant_range",
]

DEFAULT_EPOCH = "2025-05-14T04:12:00"  # UTC, Three-Body launch (lab default epoch)
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
_BIG = np.iinfo(np.int64).max // 4


# --------------------------------------------------------------------------------------------
# Scenario description
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shell:
    """A Walker shell (or a tight cluster flying as one point).

    total, planes, phasing : Walker T/P/F. ``planes`` must divide ``total``.
    alt : altitude in km. inc : inclination in deg (``None`` = sun-synchronous for ``alt``).
    raan_spread : deg over which the planes' RAANs are spread (360 delta, 180 star, less for a
        cluster of planes around the terminator). ltan : local time of the ascending node in h
        (sets the RAAN of the first plane from the Sun; ``None`` = RAAN 0).
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
        """Inclination in deg (sun-synchronous when ``inc`` is None)."""
        return sso_inclination(self.alt) if self.inc is None else float(self.inc)


@dataclass(frozen=True)
class Station:
    """A ground station: name, latitude/longitude in deg, elevation mask in deg."""

    name: str
    lat: float
    lon: float
    min_elevation: float = 10.0


@dataclass(frozen=True)
class Scenario:
    """Everything that sets the response time of a prompt. Plain numbers in SI-ish units.

    ``sources`` maps each field name to where its value comes from (or ``"assumption: ..."``).
    """

    name: str
    shells: tuple[Shell, ...]
    network: str | tuple[Station, ...] = "china"
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
    uplink_bps: float = 10e6  # fallback peak rates when lab.links is not available
    downlink_bps: float = 220e6
    link_ref_range: float = 1000.0  # km at which the peak rates are reached
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
        for name in ("uplink_bps", "downlink_bps", "link_ref_range", "isl_max_range"):
            as_value(getattr(self, name), "", name, lo=0, lo_inclusive=False)
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


def sso_inclination(alt: float) -> float:
    """Sun-synchronous inclination in deg for a circular orbit at ``alt`` km (J2 only)."""
    a = R_EARTH + as_value(alt, "km", "alt", lo=0)
    n = math.sqrt(MU_EARTH / a**3)
    rate = 2 * math.pi / TROPICAL_YEAR
    cos_i = -rate / (1.5 * n * J2 * (R_EARTH / a) ** 2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos_i))))


# --------------------------------------------------------------------------------------------
# Station networks (used when lab.links does not provide one with that name)
# --------------------------------------------------------------------------------------------
NETWORKS: dict[str, tuple[Station, ...]] = {
    # Source: the Chinese civil remote-sensing ground station network (AIRCAS: Miyun, Kashgar,
    # Sanya; plus Jiamusi and Xi'an TT&C sites). Coordinates rounded to 0.1 deg. The 10 deg
    # elevation mask is an assumption (typical for X-band).
    "china": (
        Station("Miyun", 40.4, 116.9),
        Station("Kashgar", 39.5, 76.0),
        Station("Sanya", 18.3, 109.5),
        Station("Jiamusi", 46.8, 130.3),
        Station("Xi'an", 34.3, 108.9),
    ),
    # Source: well-known polar and mid-latitude commercial/agency sites (KSAT Svalbard, Fairbanks,
    # Wallops, Hartebeesthoek, Singapore, Santiago, Perth, Troll). Mask 10 deg: assumption.
    "global": (
        Station("Svalbard", 78.2, 15.4),
        Station("Fairbanks", 64.8, -147.7),
        Station("Wallops", 37.9, -75.5),
        Station("Hartebeesthoek", -25.9, 27.7),
        Station("Singapore", 1.4, 103.8),
        Station("Santiago", -33.1, -70.7),
        Station("Perth", -31.8, 115.9),
        Station("Troll", -72.0, 2.5),
    ),
    # A single station at the user's city (Beijing): the smallest network. Assumption.
    "single": (Station("Beijing", 39.9, 116.4),),
}


def _stations(network: str | Sequence[Any]) -> tuple[Station, ...]:
    """Resolve a network name (lab.links first, then NETWORKS) or a list of stations."""
    if isinstance(network, str):
        try:  # adapter: the links helper's presets when they exist
            from lab.links import get_network  # type: ignore[attr-defined]

            net = get_network(network)
            return tuple(Station(str(getattr(s, "name", f"st{i}")), float(_deg(s.lat)),
                                 float(_deg(s.lon)), float(_deg(getattr(s, "min_elevation", 10.0))))
                         for i, s in enumerate(net))
        except (ImportError, AttributeError, ValueError, KeyError, TypeError):
            pass
        check_choice(network, dict.fromkeys([*network_names(), *NETWORKS]), "network")
        return NETWORKS[network]
    out = []
    for i, s in enumerate(network):
        if isinstance(s, Station):
            out.append(s)
        else:
            out.append(Station(str(getattr(s, "name", f"st{i}")), float(_deg(s.lat)),
                               float(_deg(s.lon)), float(_deg(getattr(s, "min_elevation", 10.0)))))
    if not out:
        raise ValueError("network must contain at least one ground station")
    for s in out:
        as_value(s.lat, "deg", f"latitude of {s.name}", lo=-90, hi=90)
        as_value(s.lon, "deg", f"longitude of {s.name}", lo=-180, hi=180)
        as_value(s.min_elevation, "deg", f"min_elevation of {s.name}", lo=0, hi=90)
    return tuple(out)


def _deg(x: Any) -> float:
    return as_value(x, "deg", "angle")


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
    ("uplink_bps", "fallback only: assumption, S-band telecommand-class uplink, 10 Mbit/s"),
    ("downlink_bps", "fallback only: X-band Earth-observation downlink ~220 Mbit/s (DESIGN.md)"),
    ("link_ref_range", "fallback only: assumption, peak rate up to 1,000 km, then ~1/range^2"),
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
            downlink_bps="assumption: X-band class downlink (no ground link published)",
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
    with at least 8 satellites per plane (fewer leave in-plane laser links too long).
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
            else:  # auto: planes ~ sqrt(size), keeping >= 8 per plane (in-plane ISLs reach)
                p = _nearest_divisor(int(k), s.planes * math.sqrt(k / s.total),
                                     min(8, int(k)))
            if planes is not None and p != planes:
                notes.append(f"{s.name}: {planes} planes do not divide {k} satellites; "
                             f"using {p} planes")
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
        _stations(network)
        changes["network"] = network if isinstance(network, str) else tuple(_stations(network))
    return replace(sc, **changes), notes


# --------------------------------------------------------------------------------------------
# Geometry on a time grid (cached: it does not depend on the model or the load)
# --------------------------------------------------------------------------------------------
def _julian_date(epoch: str) -> float:
    from lab._validate import as_time

    return float(as_time(epoch, "epoch").utc.jd)


def _sun_unit(jd: np.ndarray) -> np.ndarray:
    """Unit vector to the Sun (GCRS-like, equator of date), Astronomical Almanac low-precision."""
    n = jd - 2451545.0
    L = np.radians(280.460 + 0.9856474 * n)
    g = np.radians(357.528 + 0.9856003 * n)
    lam = L + np.radians(1.915) * np.sin(g) + np.radians(0.020) * np.sin(2 * g)
    eps = np.radians(23.439 - 4e-7 * n)
    return np.stack([np.cos(lam), np.cos(eps) * np.sin(lam), np.sin(eps) * np.sin(lam)], axis=-1)


def _era(jd: np.ndarray) -> np.ndarray:
    """Earth rotation angle in rad (UT1 ~ UTC)."""
    return 2 * np.pi * np.mod(0.7790572732640 + 1.00273781191135448 * (jd - 2451545.0), 1.0)


@dataclass
class _Geometry:
    dt: float
    t: np.ndarray  # (E,) s
    # per satellite (S,)
    shell: np.ndarray
    plane: np.ndarray
    slot: np.ndarray
    a: np.ndarray
    cos_lambda: np.ndarray  # (G, St) cos of the max central angle per shell and station
    has_compute: np.ndarray
    # per satellite and epoch (S, E)
    margin: np.ndarray  # float32, cos(central angle) - cos(lambda_max), best station
    station: np.ndarray  # int16, best station for that satellite
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
    snapshot: np.ndarray  # (S, 3) km GCRS positions at t=0 (for the globe)
    stations: tuple[Station, ...]


def _shell_positions(s: Shell, t: np.ndarray, jd0: float) -> tuple[np.ndarray, ...]:
    """GCRS unit vectors (x, y, z each (S, E) float32) of a circular shell, J2 secular."""
    a = R_EARTH + s.alt
    inc = math.radians(s.inclination)
    n = math.sqrt(MU_EARTH / a**3)
    k = J2 * (R_EARTH / a) ** 2
    ci = math.cos(inc)
    raan_dot = -1.5 * n * k * ci
    u_dot = n * (1 + 0.75 * k * (5 * ci**2 - 1) + 0.75 * k * (3 * ci**2 - 1))
    q = s.total // s.planes
    if s.ltan is not None:
        sun = _sun_unit(np.array([jd0]))[0]
        raan0 = math.atan2(sun[1], sun[0]) + math.radians((s.ltan - 12.0) * 15.0)
    else:
        raan0 = 0.0
    if s.kind == "cluster":
        plane = np.zeros(s.total, dtype=int)
        slot = np.arange(s.total)
        u0 = np.zeros(s.total)
        raan_p = np.array([raan0])
    else:
        idx = np.arange(s.total)
        plane, slot = idx // q, idx % q
        step = math.radians(s.raan_spread) / s.planes if s.raan_spread >= 360 or s.planes == 1 \
            else math.radians(s.raan_spread) / max(s.planes - 1, 1)
        raan_p = raan0 + step * np.arange(s.planes) - (0 if s.raan_spread >= 360
                                                       else math.radians(s.raan_spread) / 2)
        u0 = 2 * np.pi * slot / q + 2 * np.pi * s.phasing * plane / s.total
    raan = raan_p[:, None] + raan_dot * t[None, :]  # (P, E)
    cO, sO = np.cos(raan), np.sin(raan)
    u = u0[:, None] + u_dot * t[None, :]
    cu, su = np.cos(u), np.sin(u)
    cOp, sOp = cO[plane], sO[plane]
    x = (cu * cOp - su * ci * sOp).astype(np.float32)
    y = (cu * sOp + su * ci * cOp).astype(np.float32)
    z = (su * math.sin(inc)).astype(np.float32)
    return x, y, z, plane, slot


def _cross_plane_length(s: Shell) -> float:
    """Mean distance (km) between same-slot satellites of adjacent planes over one orbit."""
    if s.planes == 1:
        return 0.0
    a = R_EARTH + s.alt
    inc = math.radians(s.inclination)
    spread = s.raan_spread if s.raan_spread >= 360 else s.raan_spread * s.planes / max(s.planes - 1, 1)
    d_raan = math.radians(spread) / s.planes
    du = 2 * np.pi * s.phasing / s.total
    u = np.linspace(0, 2 * np.pi, 72, endpoint=False)

    def pos(raan: float, uu: np.ndarray) -> np.ndarray:
        return a * np.stack([np.cos(uu) * math.cos(raan) - np.sin(uu) * math.cos(inc) * math.sin(raan),
                             np.cos(uu) * math.sin(raan) + np.sin(uu) * math.cos(inc) * math.cos(raan),
                             np.sin(uu) * math.sin(inc)])

    return float(np.linalg.norm(pos(0.0, u) - pos(d_raan, u + du), axis=0).mean())


def _link_feasible(a: float, length: float, max_range: float) -> bool:
    """Chord of ``length`` km between two satellites at radius ``a`` stays > 80 km above ground."""
    if length <= 0:
        return True
    grazing = math.sqrt(max(a**2 - (length / 2) ** 2, 0.0)) - R_EARTH
    return bool(length <= max_range and grazing >= 80.0)


@lru_cache(maxsize=6)
def _geometry(shells: tuple[Shell, ...], stations: tuple[Station, ...], epoch: str,
              dt: float, isl_max_range: float, isl_on: bool) -> _Geometry:
    t = np.arange(0.0, 86400.0, dt)
    jd0 = _julian_date(epoch)
    jd = jd0 + t / 86400.0
    era = _era(jd)
    sun = _sun_unit(jd).astype(np.float32)  # (E, 3)
    st_lat = np.radians([s.lat for s in stations])
    st_lon = np.radians([s.lon for s in stations])
    st_el = np.radians([s.min_elevation for s in stations])
    G = len(shells)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "shell", "plane", "slot", "a", "has_compute", "margin", "station",
        "sunlit", "since", "snap")}
    best_sat = np.zeros((G, t.size), dtype=np.int64)
    cos_lam = np.zeros((G, len(stations)))
    best_margin = np.full((G, t.size), -np.inf, dtype=np.float32)
    hop_in, hop_cross = np.zeros(G), np.zeros(G)
    isl_ok = np.zeros(G, dtype=bool)
    wrap, slots, planes = np.zeros(G, dtype=bool), np.zeros(G, dtype=int), np.zeros(G, dtype=int)
    phasing = np.zeros(G, dtype=int)
    offsets = np.zeros(G + 1, dtype=int)
    for g, s in enumerate(shells):  # loop over shells (a few), not satellites
        a = R_EARTH + s.alt
        x, y, z, plane, slot = _shell_positions(s, t, jd0)
        S = s.total
        # Station unit vectors in the inertial frame (rotate by the Earth rotation angle).
        margin = np.full((S, t.size), -np.inf, dtype=np.float32)
        station = np.zeros((S, t.size), dtype=np.int16)
        lam = np.arccos(R_EARTH * np.cos(st_el) / a) - st_el  # (St,) max central angle
        for j in range(len(stations)):  # loop over stations (a handful)
            ang = era + st_lon[j]
            nx = (np.cos(st_lat[j]) * np.cos(ang)).astype(np.float32)
            ny = (np.cos(st_lat[j]) * np.sin(ang)).astype(np.float32)
            nz = np.float32(np.sin(st_lat[j]))
            m = x * nx + y * ny + z * nz - np.float32(np.cos(lam[j]))
            better = m > margin
            np.copyto(margin, m, where=better)
            station[better] = j
        # Shadow (cylindrical): behind the Earth and within one Earth radius of the Sun line.
        d = x * sun[:, 0] + y * sun[:, 1] + z * sun[:, 2]
        shadow = (d < 0) & ((1 - d * d) * np.float32(a * a) < np.float32(R_EARTH**2))
        sunlit = ~shadow
        idx = np.where(sunlit, np.arange(t.size)[None, :], -1)
        last = np.maximum.accumulate(idx, axis=1)
        since = np.where(sunlit, 0.0, t[None, :] - np.where(last >= 0, t[np.maximum(last, 0)],
                                                              t[0] - dt)).astype(np.float32)
        ncomp = int(round(s.compute_fraction * S))
        has = np.zeros(S, dtype=bool)
        if ncomp:
            has[np.unique(np.linspace(0, S - 1, ncomp).round().astype(int))] = True
        cols["shell"].append(np.full(S, g))
        cols["plane"].append(plane)
        cols["slot"].append(slot)
        cols["a"].append(np.full(S, a))
        cos_lam[g] = np.cos(lam)
        cols["has_compute"].append(has)
        cols["margin"].append(margin)
        cols["station"].append(station)
        cols["sunlit"].append(sunlit)
        cols["since"].append(since)
        cols["snap"].append(a * np.stack([x[:, 0], y[:, 0], z[:, 0]], axis=-1))
        bs = np.argmax(margin, axis=0)
        best_sat[g] = bs + offsets[g]
        best_margin[g] = margin[bs, np.arange(t.size)]
        offsets[g + 1] = offsets[g] + S
        q = S // s.planes
        if s.kind == "cluster":
            hop_in[g], hop_cross[g] = s.cluster_spacing, s.cluster_spacing
        else:
            hop_in[g] = 2 * a * math.sin(math.pi / q) if q > 1 else 0.0
            hop_cross[g] = _cross_plane_length(s)
        isl_ok[g] = isl_on and _link_feasible(a, hop_in[g], isl_max_range) and \
            _link_feasible(a, hop_cross[g], isl_max_range)
        wrap[g] = s.raan_spread >= 360 and s.kind == "walker"
        phasing[g] = s.phasing
        slots[g], planes[g] = (S, 1) if s.kind == "cluster" else (q, s.planes)
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    return _Geometry(
        dt=dt, t=t, shell=cat["shell"], plane=cat["plane"], slot=cat["slot"], a=cat["a"],
        cos_lambda=cos_lam, has_compute=cat["has_compute"], margin=cat["margin"],
        station=cat["station"], sunlit=cat["sunlit"], since_eclipse=cat["since"],
        best_sat=best_sat, best_margin=best_margin, hop_in=hop_in, hop_cross=hop_cross,
        isl_ok=isl_ok, wrap_planes=wrap, phasing=phasing, slots=slots, planes=planes, offsets=offsets,
        snapshot=cat["snap"], stations=stations,
    )


def geometry(scenario: Scenario, dt: float = 60.0) -> _Geometry:
    """The cached time-grid geometry of ``scenario`` (positions, visibility, shadow)."""
    sc = get_preset(scenario)
    stations = _stations(sc.network)
    if sc.direct_user_access:
        stations = (*stations, Station("user terminal", sc.user[0], sc.user[1]))
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
    """E2E latency (s) of one request; lab.node.predict_latency when available."""
    try:  # adapter: the node helper's roofline (one line to switch)
        from lab.node.roofline import predict_latency

        res = predict_latency(profile, params, bpp, prompt, out, batch)
        e2el = res.e2el
        return float(e2el.to_value("s") if hasattr(e2el, "to_value") else np.asarray(e2el))
    except ImportError:
        pass
    # Fallback roofline: prefill compute-bound, decode bandwidth-bound (efficiencies: assumption).
    ops = 2.0 * params * prompt * batch
    prefill = ops / (profile.peak_tops * 1e12 * 0.4)
    per_token = max(params * bpp / (profile.memory_bandwidth_gbs * 1e9 * 0.7),
                    2.0 * params * batch / (profile.peak_tops * 1e12 * 0.4))
    return prefill + per_token * out


def _usable_wh(sc: Scenario) -> float:
    """Battery energy (Wh) usable in an eclipse: lab.power.Battery (DoD, discharge efficiency)."""
    try:  # adapter: the power helper's battery model
        from lab.power import Battery

        return float(Battery(sc.battery_wh, max_depth_of_discharge=sc.depth_of_discharge)
                     .usable_energy)
    except ImportError:
        return sc.battery_wh * sc.depth_of_discharge


def _rate(name: str, peak: float, ref: float, rng: np.ndarray) -> np.ndarray:
    """Link data rate (bit/s) at slant range ``rng`` km from lab.links' link budget ``name``;
    fallback: ``peak`` up to ``ref`` km, then ~1/range^2 (power-limited Shannon regime)."""
    try:  # adapter: the links helper's link budgets
        from lab.links import LINK_PRESETS

        return np.asarray(LINK_PRESETS[name].data_rate_value(np.maximum(rng, 1e-3)), dtype=float)
    except (ImportError, KeyError):
        return peak * np.minimum(1.0, (ref / np.maximum(rng, 1e-3)) ** 2)


def network_names() -> list[str]:
    """Names of the available ground-station networks (lab.links' presets, else NETWORKS)."""
    try:
        from lab.links import STATION_NETWORKS

        return list(STATION_NETWORKS)
    except ImportError:
        return list(NETWORKS)


def slant_range(a: np.ndarray | float, cos_gamma: np.ndarray | float) -> np.ndarray:
    """Distance (km) from a station on the surface to a satellite at radius ``a`` km whose
    sub-satellite point is a central angle gamma away (law of cosines)."""
    a = np.asarray(a, dtype=float)
    return np.sqrt(a**2 + R_EARTH**2 - 2 * a * R_EARTH * np.asarray(cos_gamma, dtype=float))


def _great_circle(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    c = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return R_EARTH * np.arccos(np.clip(c, -1, 1))


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
    ar = np.arange(t_arr.size)

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
    st_lat = np.array([s.lat for s in g.stations])
    st_lon = np.array([s.lon for s in g.stations])

    def slant(sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = np.maximum(g.margin[sat, e].astype(float), 0.0)
        st = g.station[sat, e].astype(int)
        cosg = np.clip(m + g.cos_lambda[g.shell[sat], st], -1, 1)
        rng_km = slant_range(g.a[sat], cosg)
        back = 0.0 if sc.direct_user_access else _great_circle(
            sc.user[0], sc.user[1], st_lat[st], st_lon[st]) / FIBER_SPEED
        return rng_km, back

    rng_up, back_up = slant(c_sat, je)
    uplink = back_up + rng_up / C_LIGHT + up_bits / _rate(sc.uplink, sc.uplink_bps, sc.link_ref_range, rng_up)
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
        inference, live_notes = _live_inference(sc, inference, uplink, t_arr, live_requests, server)
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
    downlink = rng_dn / C_LIGHT + down_bits / _rate(sc.downlink, sc.downlink_bps, sc.link_ref_range, rng_dn) \
        + back_dn

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
    df.index = pd.RangeIndex(ar.size, name="request")
    summary, table = _summarize(df)
    summary.update({
        "scenario": sc.name, "n_satellites": sc.n_satellites, "n_requests": int(t_arr.size),
        "planes": [s.planes for s in sc.shells], "seed": seed, "dt": dt,
        "in_view_share": float(np.mean(df["wait_for_contact"] == 0)),
    })
    return ResponseTimes(sc, df, summary, table, notes, g)


def _live_inference(sc: Scenario, inference: np.ndarray, uplink: np.ndarray, t_arr: np.ndarray,
                    k: int, server: Any) -> tuple[np.ndarray, list[str]]:
    """Replace the inference term of the first ``k`` requests by a real measurement.

    Each request goes through :class:`lab.node.emulator.LinkEmulator` with that request's
    uplink delay in each direction; the measured end-to-end latency minus the emulated
    round-trip delay is the inference term. The local CPU server with the tiny model is not the
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
            emu = LinkEmulator(srv, delay=delay, bandwidth=sc.uplink_bps).start()
            stack.callback(emu.stop)
            res = measure(emu, ["Why do satellites need sunlight to compute?"],
                          max_tokens=min(sc.output_tokens, 32))
            e2el = float(res.requests[0].e2el)
            out[i] = max(e2el - 2 * delay, 0.0)
    return out, [f"inference of the first {n} requests measured live (local vLLM server "
                 "through the link emulator; CPU speed, not the satellite's)"]


def sweep(
    scenario: str | Scenario,
    n_satellites: Iterable[int] = (12, 48, 120, 300, 720, 1400, 2800),
    requests: int | None = 1000,
    seed: int = 0,
    *,
    dt: float = 60.0,
    progress: bool = True,
    callback: Any = None,
) -> pd.DataFrame:
    """Response-time percentiles (s) versus constellation size.

    One row per size: p50, p90, p99, mean, the mean of every term, the dominant term and the
    planes used. ``progress`` shows a tqdm bar; ``callback(i, n)`` is called after each size.
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
        row["in_view_share"] = r.summary["in_view_share"]
        rows.append(row)
        if callback is not None:
            callback(i + 1, len(sizes))
    return pd.DataFrame(rows).set_index("n_satellites")
