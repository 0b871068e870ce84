"""What sets the response time: :class:`Shell` (a Walker shell, a cluster, or real satellites
from their TLEs) and :class:`Scenario`.

Both are frozen dataclasses checked on construction (a bad value raises a ``ValueError`` /
``TypeError`` naming the field, its unit and the allowed range). Dimensioned fields accept
astropy Quantities and are stored as plain numbers in the documented unit (km, deg, h, s, W, Wh,
bit/s, bytes), so a scenario hashes and compares by value (the geometry cache is keyed on it).
The epoch is a scenario parameter (any day of the year; stored as an ISO UTC string).

The ground segment's numbers: ``operator_s`` (mission control turns a prompt into an uplink
job), the stations' antennas and slew (:class:`lab.links.GroundStation`), the bands'
acquisition (:data:`lab.links.BANDS`) through the ``uplink`` / ``downlink`` budgets, and the
laser links' set-up ``isl_setup_s`` for links that are not kept up (``persistent_links``).
The answer length is a distribution: lognormal with median ``output_tokens`` and shape
``output_sigma`` (0: every answer has ``output_tokens``), capped at ``max_output_tokens``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_time, as_value, check_choice, check_int
from lab.hardware import HardwareProfile, get_profile
from lab.links import (
    LINK_PRESETS,
    STATION_NETWORKS,
    GroundStation,
    ISLRules,
    LinkBudget,
    as_stations,
)
from lab.node import Efficiency
from lab.node.roofline import as_efficiency, qwen3_kv_bytes
from lab.orbits import Constellation, sun_synchronous_inclination

__all__ = ["DEFAULT_EPOCH", "PERSISTENT_LINKS", "Scenario", "Shell", "link_budget",
           "network_names", "stations_of"]

DEFAULT_EPOCH = "2025-05-14T04:12:00"  # UTC, Three-Body launch (lab.orbits.DEFAULT_EPOCH)
#: Which laser links stay up (no set-up time): all, those within a plane, or none.
PERSISTENT_LINKS = ("all", "in-plane", "none")
SHELL_KINDS = ("walker", "cluster", "tle")


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
    kind : ``"walker"``, ``"cluster"`` (all satellites at one point, e.g. Suncatcher's 1-km
        cluster; neighbours ``cluster_spacing`` km apart) or ``"tle"``: real satellites from
        their two-line element sets ``tle`` (propagated with SGP4; build one with
        :meth:`Shell.from_tle`, which fills ``total``, ``alt`` and ``inc`` from the elements).
        compute_fraction : share of satellites that run inference (the others e.g. train).
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
    tle: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_int(self.total, "total (satellites in the shell)", lo=1)
        check_choice(self.kind, SHELL_KINDS, "kind")
        self._check_tle()
        check_int(self.planes, "planes", lo=1, hi=self.total)
        if self.kind != "tle" and self.total % self.planes:
            raise ValueError(f"planes must divide the number of satellites ({self.total}); "
                             f"got planes={self.planes}")
        check_int(self.phasing, "phasing", lo=0, hi=max(self.planes - 1, 0))
        _store(self, "alt", "km", lo=150.0, hi=40000.0)
        if self.inc is not None:
            _store(self, "inc", "deg", lo=0.0, hi=180.0)
        _store(self, "raan_spread", "deg", lo=0.0, hi=360.0)
        if self.ltan is not None:
            _store(self, "ltan", "h", lo=0.0, hi=24.0)
        _store(self, "compute_fraction", "", lo=0.0, hi=1.0)
        _store(self, "cluster_spacing", "km", lo=0.0, lo_inclusive=False)

    def _check_tle(self) -> None:
        """A "tle" shell has one (line1, line2) pair per satellite, checksums valid."""
        if self.kind != "tle":
            if self.tle:
                raise ValueError(f"tle is only used by shells of kind 'tle' (got kind="
                                 f"{self.kind!r} with {len(self.tle)} element sets)")
            return
        from lab.orbits import validate_tle

        pairs = tuple(validate_tle(*pair) for pair in self.tle)
        if len(pairs) != self.total:
            raise ValueError(f"a 'tle' shell needs one element set per satellite: total="
                             f"{self.total} but {len(pairs)} TLEs")
        object.__setattr__(self, "tle", pairs)

    @classmethod
    def from_tle(cls, text: str, *, name: str = "tle", compute_fraction: float = 1.0) -> Shell:
        """A shell of real satellites from TLE text (2- or 3-line format): SGP4 propagation;
        ``total``, ``alt`` and ``inc`` (mean altitude km and inclination deg of the elements,
        :func:`lab.examples.tle_mean_orbit`) come from the elements."""
        from lab.examples import tle_mean_orbit
        from lab.orbits import parse_tle_text

        sets = parse_tle_text(text)
        alt, inc = tle_mean_orbit(text)
        return cls(total=len(sets), planes=1, alt=alt, inc=inc, kind="tle", name=name,
                   compute_fraction=compute_fraction, tle=tuple((l1, l2) for _, l1, l2 in sets))
    @property
    def model(self) -> str:
        """Propagator of the shell: "sgp4" for real satellites (TLEs), else "j2"."""
        return "sgp4" if self.kind == "tle" else "j2"

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
        if self.kind == "tle":
            return Constellation.from_tle("\n".join(f"{a}\n{b}" for a, b in self.tle))
        if self.kind == "cluster":
            one = Constellation.walker(1, 1, 0, self.alt, self.inc, epoch, ltan=self.ltan)
            return one[np.zeros(self.total, dtype=int)]
        return Constellation.walker(self.total, self.planes, self.phasing, self.alt, self.inc,
                                    epoch, ltan=self.ltan, raan_spread=self.raan_spread)


@dataclass(frozen=True)
class Scenario:
    """Everything that sets the response time of a prompt. Plain numbers in SI-ish units.

    ``network``: a :data:`lab.links.STATION_NETWORKS` name or a tuple of
    :class:`lab.links.GroundStation` (sites, antennas, slew). ``uplink`` / ``downlink``:
    :data:`lab.links.LINK_PRESETS` names or :class:`lab.links.LinkBudget` objects (their budgets
    give the rate at each slant range, their band the acquisition time). ``operator_s``: s for
    the operator's mission control to turn a prompt into an uplink job. ``output_tokens`` is the
    median answer length, ``output_sigma`` the lognormal shape of its distribution (0: fixed),
    ``max_output_tokens`` its cap. ``isl_max_range`` (km) is the longest laser link; with the
    grazing-height rule it makes :attr:`isl_rules`; ``isl_setup_s`` is paid by a route that
    needs a link that is not kept up (``persistent_links``: "all", "in-plane" or "none").
    ``efficiency``: the fractions of the accelerator's peaks that inference reaches: a
    :class:`lab.node.Efficiency`, a number (both fractions), or None for
    :data:`lab.node.ON_ORBIT_EFFICIENCY` (published vLLM decode on a data-centre GPU: 77 % of
    the bandwidth roof). The KV cache read at every decode step is that of the Qwen3 model
    nearest in size to ``model_params`` (:attr:`kv_bytes_per_token`). ``power_cap_w`` caps the accelerator in sunlight, ``eclipse_cap_w`` on
    battery (default: the sunlight cap). ``epoch``: the start of the simulated day (UTC; any
    astropy Time or ISO string). ``sources`` maps each field name to where its value comes
    from (or ``"assumption: ..."``).
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
    output_tokens: int = 256  # median of the answer length
    output_sigma: float = 0.0  # lognormal shape of the answer length (0: fixed)
    max_output_tokens: int = 32768
    bytes_per_token: float = 4.0
    request_overhead_bytes: float = 2000.0
    operator_s: float = 10.0  # s, mission control: prompt -> uplink job
    uplink: str | LinkBudget = "s-band-uplink"  # lab.links.LINK_PRESETS name or budget
    downlink: str | LinkBudget = "x-band-downlink"
    isl_bps: float = 100e9  # bit/s per laser link
    isl_max_range: float = 5400.0  # km
    isl_setup_s: float = 15.0  # s to set up a laser link that is not kept up
    persistent_links: str = "in-plane"
    max_batch: int = 32
    efficiency: float | Efficiency | None = None
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
        check_int(self.output_tokens, "output_tokens (median answer length)", lo=1)
        _store(self, "output_sigma", "", lo=0.0, hi=3.0)
        check_int(self.max_output_tokens, "max_output_tokens", lo=self.output_tokens)
        _store(self, "bytes_per_token", "byte", lo=0)
        _store(self, "request_overhead_bytes", "byte", lo=0)
        _store(self, "operator_s", "s", lo=0.0, hi=86400.0)
        link_budget(self.uplink, "uplink")
        link_budget(self.downlink, "downlink")
        _store(self, "isl_max_range", "km", lo=0, lo_inclusive=False)
        _store(self, "isl_bps", "bit/s", lo=0)
        _store(self, "isl_setup_s", "s", lo=0.0, hi=3600.0)
        check_choice(self.persistent_links, PERSISTENT_LINKS, "persistent_links")
        check_int(self.max_batch, "max_batch", lo=1)
        if self.efficiency is not None and not isinstance(self.efficiency, Efficiency):
            _store(self, "efficiency", "", lo=0.0, hi=1.0, lo_inclusive=False)
        check_int(self.requests_per_day, "requests_per_day", lo=1)
        for cap in ("power_cap_w", "eclipse_cap_w"):
            if getattr(self, cap) is not None:
                _store(self, cap, "W", lo=0, lo_inclusive=False)
        _store(self, "battery_wh", "W h", lo=0)
        _store(self, "depth_of_discharge", "", lo=0, hi=1)
        _store(self, "bus_power_w", "W", lo=0)
        as_value(self.user[0], "deg", "user latitude", lo=-90, hi=90)
        as_value(self.user[1], "deg", "user longitude", lo=-180, hi=180)
        object.__setattr__(self, "epoch", epoch_text(self.epoch))

    @property
    def n_satellites(self) -> int:
        return int(sum(s.total for s in self.shells))

    @property
    def profile(self) -> HardwareProfile:
        return get_profile(self.hardware)

    @property
    def roofline_efficiency(self) -> Efficiency:
        """The :class:`lab.node.Efficiency` of inference (see ``efficiency``)."""
        return as_efficiency(self.efficiency, "scenario")

    @property
    def kv_bytes_per_token(self) -> float:
        """KV-cache bytes per token of context (bf16 cache) of the Qwen3 model nearest in
        parameters to ``model_params`` (:data:`lab.node.QWEN3`), 0 if none is within 25 %."""
        return qwen3_kv_bytes(self.model_params)

    @property
    def uplink_budget(self) -> LinkBudget:
        """The uplink's :class:`lab.links.LinkBudget` (a preset name resolved)."""
        return link_budget(self.uplink, "uplink")

    @property
    def downlink_budget(self) -> LinkBudget:
        """The downlink's :class:`lab.links.LinkBudget` (a preset name resolved)."""
        return link_budget(self.downlink, "downlink")

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

    def answer_lengths(self, n: int, seed: int = 0) -> np.ndarray:
        """(n,) int answer lengths (tokens) drawn from the scenario's distribution: lognormal
        with median ``output_tokens`` and shape ``output_sigma``, rounded and capped at
        ``max_output_tokens`` (all equal to ``output_tokens`` when ``output_sigma`` is 0). The
        draw uses its own stream of ``seed`` (the arrival times keep theirs)."""
        n = check_int(n, "n", lo=0)
        if self.output_sigma == 0:
            return np.full(n, self.output_tokens, dtype=np.int64)
        z = np.random.default_rng([check_int(seed, "seed", lo=0), 1]).standard_normal(n)
        tokens = np.rint(self.output_tokens * np.exp(self.output_sigma * z))
        return np.clip(tokens, 1, self.max_output_tokens).astype(np.int64)

    def source(self, name: str) -> str:
        """Where the value of field ``name`` comes from."""
        return dict(self.sources).get(name, "assumption (no source recorded)")


def epoch_text(epoch: Any) -> str:
    """``epoch`` (astropy Time or ISO string, UTC) as an ISO string; checked."""
    try:
        t = as_time(epoch, "epoch")
    except (TypeError, ValueError) as exc:
        kind = ValueError if isinstance(epoch, str) else type(exc)
        raise kind(f"epoch must be a UTC date and time such as '2025-06-21T12:00:00' or an "
                   f"astropy Time (got {epoch!r})") from None
    if not t.isscalar:
        raise ValueError(f"epoch must be a single time (got {t.size} times)")
    return str(t.utc.isot)


def link_budget(link: str | LinkBudget, name: str = "link") -> LinkBudget:
    """A :data:`lab.links.LINK_PRESETS` name or a :class:`lab.links.LinkBudget` -> the budget."""
    if isinstance(link, LinkBudget):
        return link
    if not isinstance(link, str):
        raise TypeError(f"{name} must be a lab.links.LINK_PRESETS name or a LinkBudget "
                        f"(got {type(link).__name__})")
    check_choice(link, LINK_PRESETS, name)
    return LINK_PRESETS[link]


def network_names() -> list[str]:
    """Names of the ground-station networks (:data:`lab.links.STATION_NETWORKS`)."""
    return list(STATION_NETWORKS)


def stations_of(network: str | Sequence[Any]) -> tuple[GroundStation, ...]:
    """A network name (:data:`lab.links.STATION_NETWORKS`) or stations -> tuple of GroundStation.

    Objects with ``name``/``lat``/``lon`` (and optionally ``alt``, ``min_elevation``,
    ``antennas``) are
    converted to :class:`lab.links.GroundStation` (which validates them)."""
    if isinstance(network, str):
        check_choice(network, STATION_NETWORKS, "network")
        return as_stations(network)
    out = [s if isinstance(s, GroundStation) else GroundStation(
        str(getattr(s, "name", f"station {i}")), s.lat, s.lon, getattr(s, "alt", 0.0),
        getattr(s, "min_elevation", 10.0), antennas=getattr(s, "antennas", 1))
        for i, s in enumerate(network)]
    return as_stations(out, "network")
