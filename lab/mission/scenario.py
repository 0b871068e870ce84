"""What sets the response time: :class:`Shell` (a Walker shell or a cluster) and :class:`Scenario`.

Both are frozen dataclasses checked on construction (a bad value raises a ``ValueError`` /
``TypeError`` naming the field, its unit and the allowed range). Dimensioned fields accept
astropy Quantities and are stored as plain numbers in the documented unit (km, deg, h, W, Wh,
bit/s, bytes), so a scenario hashes and compares by value (the geometry cache is keyed on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value, check_choice, check_int
from lab.hardware import HardwareProfile, get_profile
from lab.links import LINK_PRESETS, STATION_NETWORKS, GroundStation, ISLRules, as_stations
from lab.orbits import Constellation, sun_synchronous_inclination

__all__ = ["DEFAULT_EPOCH", "Scenario", "Shell", "network_names", "stations_of"]

DEFAULT_EPOCH = "2025-05-14T04:12:00"  # UTC, Three-Body launch (lab.orbits.DEFAULT_EPOCH)


def _store(obj: Any, name: str, unit: str, **limits: Any) -> None:
    """Check field ``name`` of the frozen ``obj`` (in ``unit``) and store it as a plain float."""
    object.__setattr__(obj, name, as_value(getattr(obj, name), unit, name, **limits))


@dataclass(frozen=True)
class Shell:
    """A Walker shell (or a tight cluster flying as one point), realized by :mod:`lab.orbits`.

    total, planes, phasing : Walker T/P/F. ``planes`` must divide ``total``.
    alt : altitude in km. inc : inclination in deg (``None`` = sun-synchronous for ``alt``).
    raan_spread : deg over which the planes' RAANs are spread: 360 = Walker delta, 180 = Walker
        star, less = planes evenly from ``-spread/2`` to ``+spread/2`` around the first plane's
        node (e.g. a band of dawn-dusk planes around the terminator); see
        :meth:`lab.orbits.Constellation.walker`. ltan : local time of the ascending node in h
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
        _store(self, "alt", "km", lo=150.0, hi=40000.0)
        if self.inc is not None:
            _store(self, "inc", "deg", lo=0.0, hi=180.0)
        _store(self, "raan_spread", "deg", lo=0.0, hi=360.0)
        if self.ltan is not None:
            _store(self, "ltan", "h", lo=0.0, hi=24.0)
        check_choice(self.kind, ("walker", "cluster"), "kind")
        _store(self, "compute_fraction", "", lo=0.0, hi=1.0)
        _store(self, "cluster_spacing", "km", lo=0.0, lo_inclusive=False)

    @property
    def inclination(self) -> float:
        """Inclination in deg (``lab.orbits.sun_synchronous_inclination`` when ``inc`` is None)."""
        if self.inc is None:
            return float(sun_synchronous_inclination(self.alt).to_value(u.deg))
        return float(self.inc)

    def constellation(self, epoch: Any = DEFAULT_EPOCH) -> Constellation:
        """This shell as a :class:`lab.orbits.Constellation` at ``epoch``
        (:meth:`lab.orbits.Constellation.walker`; a cluster is one orbit, every satellite on it:
        1 km is a point at the scale of ground contacts)."""
        if self.kind == "cluster":
            one = Constellation.walker(1, 1, 0, self.alt, self.inc, epoch, ltan=self.ltan)
            return one[np.zeros(self.total, dtype=int)]
        return Constellation.walker(self.total, self.planes, self.phasing, self.alt, self.inc,
                                    epoch, ltan=self.ltan, raan_spread=self.raan_spread)


@dataclass(frozen=True)
class Scenario:
    """Everything that sets the response time of a prompt. Plain numbers in SI-ish units.

    ``network``: a :data:`lab.links.STATION_NETWORKS` name or a tuple of
    :class:`lab.links.GroundStation`. ``uplink`` / ``downlink``: :data:`lab.links.LINK_PRESETS`
    names (their link budgets give the rate at each slant range). ``isl_max_range`` (km) is the
    longest laser link; with the grazing-height rule it makes :attr:`isl_rules`.
    ``power_cap_w`` caps the accelerator in sunlight, ``eclipse_cap_w`` on battery (default: the
    sunlight cap). ``sources`` maps each field name to where its value comes from (or
    ``"assumption: ..."``).
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
    isl_bps: float = 100e9  # bit/s per laser link
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
        _store(self, "model_params", "", lo=0, lo_inclusive=False)
        _store(self, "bytes_per_param", "byte", lo=0, lo_inclusive=False)
        check_int(self.prompt_tokens, "prompt_tokens", lo=1)
        check_int(self.output_tokens, "output_tokens", lo=1)
        _store(self, "bytes_per_token", "byte", lo=0)
        _store(self, "request_overhead_bytes", "byte", lo=0)
        check_choice(self.uplink, LINK_PRESETS, "uplink")
        check_choice(self.downlink, LINK_PRESETS, "downlink")
        _store(self, "isl_max_range", "km", lo=0, lo_inclusive=False)
        _store(self, "isl_bps", "bit/s", lo=0)
        check_int(self.max_batch, "max_batch", lo=1)
        check_int(self.requests_per_day, "requests_per_day", lo=1)
        for cap in ("power_cap_w", "eclipse_cap_w"):
            if getattr(self, cap) is not None:
                _store(self, cap, "W", lo=0, lo_inclusive=False)
        _store(self, "battery_wh", "W h", lo=0)
        _store(self, "depth_of_discharge", "", lo=0, hi=1)
        _store(self, "bus_power_w", "W", lo=0)
        as_value(self.user[0], "deg", "user latitude", lo=-90, hi=90)
        as_value(self.user[1], "deg", "user longitude", lo=-180, hi=180)

    @property
    def n_satellites(self) -> int:
        return int(sum(s.total for s in self.shells))

    @property
    def profile(self) -> HardwareProfile:
        return get_profile(self.hardware)

    @property
    def isl_rules(self) -> ISLRules:
        """When a laser link is up (:class:`lab.links.ISLRules`): ``isl_max_range`` and the
        links' default grazing height above the dense atmosphere."""
        return ISLRules(max_range=self.isl_max_range)

    @property
    def eclipse_power_w(self) -> float:
        """Accelerator power on battery (W): the eclipse cap (else the sunlight cap), never more
        than the accelerator's peak. Battery endurance and eclipse inference both use it."""
        cap = self.eclipse_cap_w if self.eclipse_cap_w is not None else self.power_cap_w
        peak = float(self.profile.peak_power_w)
        return peak if cap is None else min(float(cap), peak)

    def source(self, name: str) -> str:
        """Where the value of field ``name`` comes from."""
        return dict(self.sources).get(name, "assumption (no source recorded)")


def network_names() -> list[str]:
    """Names of the ground-station networks (:data:`lab.links.STATION_NETWORKS`)."""
    return list(STATION_NETWORKS)


def stations_of(network: str | Sequence[Any]) -> tuple[GroundStation, ...]:
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
