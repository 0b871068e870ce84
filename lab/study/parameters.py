"""What a design study may vary: the parameter registry and how one point becomes a design.

A point of a study is a plain mapping ``parameter -> value`` (strings, ints, floats, bools: what a
Zarr coordinate and a YAML file can hold). :func:`build_design` turns it into a :class:`Design`
(a checked :class:`lab.mission.Scenario` plus the arguments of
:func:`lab.mission.response_times`) by running the :data:`GROUPS` in order. Each
:class:`Group` owns some parameters and knows how to apply them:

=============  ===========================================================================
``configure``  ``preset`` and the arguments of :func:`lab.mission.configure` (size, planes,
               altitude, model, accelerator, station network)
``shells``     fields set on every shell (``inc``: inclination, ``compute_fraction``)
``scenario``   plain :class:`lab.mission.Scenario` fields (``epoch`` = season, power caps,
               battery, laser links, tokens, ...), set with ``dataclasses.replace`` so that
               the Scenario's own checks run
``run``        the arguments of :func:`lab.mission.response_times`: ``requests``, ``seed``,
               ``dt``
``economics``  the cost of the design (:func:`lab.economics.evaluate`): ``launch_price``,
               ``lifetime_y``, ``baseline``; its metrics: USD per million tokens in orbit and
               on the ground, the fleet's cost per year, the break-even launch price
=============  ===========================================================================

Adding a group is one entry in :data:`GROUPS`: its parameters, an
``apply(design, values) -> design`` and the :class:`Metric` entries it adds
(:mod:`lab.study.metrics` collects every group's metrics). The economics group shows the
pattern: its ``apply`` only checks its values; its metrics price the design once
(:func:`cost_of`, kept in ``design.cache``) from the same Scenario the response time uses.

Every check is the lab's own (``configure``, ``Scenario``, ``Shell``, ``lab._validate``), so a
bad value gets the same message as anywhere else in the lab; :func:`build_design` is cheap
(about 1 ms), which is why a study validates every point before any work starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lab._validate import as_time, as_value, check_choice, check_int
from lab.mission import PRESETS, Scenario, configure, get_preset

__all__ = ["DEFAULT_PRESET", "GROUPS", "PARAMETERS", "Design", "Group", "Metric", "Parameter",
           "build_design", "check_name", "coerce", "cost_of"]

DEFAULT_PRESET = "three-body-12"  # the preset of a point that does not name one


@dataclass(frozen=True)
class Parameter:
    """One parameter a study may vary: its ``name``, Python ``kind`` (int, float, str or
    bool), ``unit`` (an astropy unit a Quantity is converted to; ``""`` when none), a one-line
    ``doc`` and the ``label`` of the unit (default: ``unit``; e.g. ``USD/kg`` for ``1 / kg``)."""

    name: str
    kind: type
    unit: str
    doc: str
    label: str | None = None

    @property
    def unit_label(self) -> str:
        return self.unit if self.label is None else self.label


@dataclass(frozen=True)
class Design:
    """One point made concrete: the checked ``scenario``, the ``run`` arguments of
    :func:`lab.mission.response_times` (requests, seed, dt), the point's ``values``, the
    ``notes`` of :func:`lab.mission.configure` (e.g. planes moved to a divisor) and a ``cache``
    where metrics keep what several of them share (e.g. the cost result)."""

    scenario: Scenario
    run: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Metric:
    """A number measured at every point: ``of(result, design) -> float`` in ``unit``
    (``result``: the point's :class:`lab.mission.ResponseTimes`)."""

    name: str
    unit: str
    doc: str
    of: Callable[[Any, Design], float]


@dataclass(frozen=True)
class Group:
    """A family of parameters applied together: ``apply(design, values)`` gets only this
    group's values that the point sets (never empty) and returns the new design. ``metrics``:
    the :class:`lab.study.metrics.Metric` entries this group adds (e.g. costs)."""

    name: str
    parameters: tuple[Parameter, ...]
    apply: Callable[[Design, dict[str, Any]], Design]
    metrics: tuple[Metric, ...] = ()


def _apply_configure(design: Design, values: dict[str, Any]) -> Design:
    kw = {k: v for k, v in values.items() if k != "preset"}
    sc = get_preset(check_choice(values.get("preset", DEFAULT_PRESET), PRESETS, "preset"))
    notes: list[str] = []
    if kw:
        sc, notes = configure(sc, **kw)
    return replace(design, scenario=sc, notes=design.notes + tuple(notes))


def _apply_shells(design: Design, values: dict[str, Any]) -> Design:
    shells = tuple(replace(s, **values) for s in design.scenario.shells)  # Shell checks them
    return replace(design, scenario=replace(design.scenario, shells=shells))


def _apply_scenario(design: Design, values: dict[str, Any]) -> Design:
    if "epoch" in values:  # Scenario keeps the epoch as a string: check it parses
        as_time(values["epoch"], "epoch")
    return replace(design, scenario=replace(design.scenario, **values))  # Scenario checks them


def _apply_run(design: Design, values: dict[str, Any]) -> Design:
    run = dict(design.run)
    if "requests" in values:
        run["requests"] = check_int(values["requests"], "requests", lo=1)
    if "seed" in values:
        run["seed"] = check_int(values["seed"], "seed", lo=0)
    if "dt" in values:
        run["dt"] = as_value(values["dt"], "s", "dt", lo=1.0, hi=600.0)
    return replace(design, run=run)


def _apply_economics(design: Design, values: dict[str, Any]) -> Design:
    from lab.economics import BASELINES

    if "launch_price" in values:
        as_value(values["launch_price"], "", "launch_price (USD/kg)", lo=0.0)
    if "lifetime_y" in values:
        as_value(values["lifetime_y"], "", "lifetime_y (years)", lo=0.0, lo_inclusive=False)
    if "baseline" in values:
        check_choice(values["baseline"], BASELINES, "baseline")
    return design


def cost_of(design: Design) -> Any:
    """The :class:`lab.economics.CostResult` of ``design`` (computed once, kept in its cache).

    The cost preset of the same name (:data:`lab.economics.PRESETS`, else ``three-body-12``'s)
    gives what the Scenario does not say (platform mass, ground segment, operations,
    accelerators per satellite); the shells, accelerator, model, power cap, batch, tokens and
    efficiency are the design's. ``launch_price`` (USD/kg; default today's Falcon 9 price), ``lifetime_y``
    and ``baseline`` come from the point."""
    if "cost" not in design.cache:
        from lab import economics
        from lab.hardware import get_profile

        sc, v = design.scenario, design.values
        base = economics.PRESETS.get(sc.name, economics.PRESETS[DEFAULT_PRESET])
        shells = tuple(({"total": s.total, "planes": s.planes, "phasing": s.phasing,
                         "alt": s.alt, "inc": s.inc, "ltan": s.ltan,
                         "raan_spread": s.raan_spread}, s.total) for s in sc.shells)
        preset = replace(base, name=f"{sc.name} (study point)", shells=shells,
                         hardware=get_profile(sc.hardware).name, model=float(sc.model_params),
                         bytes_per_param=float(sc.bytes_per_param), power_cap_w=sc.power_cap_w,
                         batch=sc.max_batch, prompt_tokens=sc.prompt_tokens,
                         output_tokens=sc.output_tokens, efficiency=sc.roofline_efficiency)
        extra = {"lifetime_y": v["lifetime_y"]} if "lifetime_y" in v else {}
        design.cache["cost"] = economics.evaluate(
            preset, launch_price=v.get("launch_price"), baseline=v.get("baseline", "hyperscale"),
            **extra)
    return design.cache["cost"]


def _cost(of: Callable[[Any], Any]) -> Callable[[Any, Design], float]:
    return lambda result, design: float(of(cost_of(design)))


def _p(name: str, kind: type, unit: str, doc: str, label: str | None = None) -> Parameter:
    return Parameter(name, kind, unit, doc, label)


GROUPS: tuple[Group, ...] = (
    Group("configure", (
        _p("preset", str, "", f"the starting scenario, one of lab.mission.PRESETS "
           f"(default {DEFAULT_PRESET!r})"),
        _p("n_satellites", int, "", "constellation size (split over the shells)"),
        _p("planes", int, "", "orbital planes per shell (nearest divisor of its size)"),
        _p("alt", float, "km", "altitude of every shell"),
        _p("model_params", float, "", "model parameters (e.g. 8e9)"),
        _p("hardware", str, "", "accelerator profile, a lab.hardware name"),
        _p("network", str, "", "ground-station network, a lab.links.STATION_NETWORKS name"),
    ), _apply_configure),
    Group("shells", (
        _p("inc", float, "deg", "inclination of every shell (default: sun-synchronous)"),
        _p("compute_fraction", float, "", "share of satellites that run inference"),
    ), _apply_shells),
    Group("scenario", (
        _p("epoch", str, "", "start of the simulated day (UTC, ISO): the season"),
        _p("power_cap_w", float, "W", "accelerator power cap in sunlight"),
        _p("eclipse_cap_w", float, "W", "accelerator power cap on battery"),
        _p("battery_wh", float, "W h", "battery capacity"),
        _p("depth_of_discharge", float, "", "usable share of the battery"),
        _p("bus_power_w", float, "W", "avionics + ISL terminals"),
        _p("isl_bps", float, "bit/s", "rate of one laser link (0: no laser links)"),
        _p("isl_max_range", float, "km", "longest laser link"),
        _p("max_batch", int, "", "requests batched per accelerator"),
        _p("requests_per_day", int, "1 / d", "the load: prompts per day sharing antennas and "
           "accelerators (it alone sets the queues)"),
        _p("bytes_per_param", float, "byte", "weight precision (1 = int8, 2 = bf16)"),
        _p("prompt_tokens", int, "", "tokens per prompt"),
        _p("output_tokens", int, "", "tokens per answer"),
        _p("uplink", str, "", "uplink budget, a lab.links.LINK_PRESETS name"),
        _p("downlink", str, "", "downlink budget, a lab.links.LINK_PRESETS name"),
        _p("direct_user_access", bool, "", "the user's own terminal talks to the satellites"),
    ), _apply_scenario),
    Group("run", (
        _p("requests", int, "", "requests the statistics are reported on, a sample of the "
           "day's load (default: one day's load)"),
        _p("seed", int, "", "seed of the request arrival times"),
        _p("dt", float, "s", "time-grid step (default 60 s)"),
    ), _apply_run),
    Group("economics", (
        _p("launch_price", float, "1 / kg", "launch price (default: today's Falcon 9 price)",
           "USD/kg"),
        _p("lifetime_y", float, "yr", "life of a satellite"),
        _p("baseline", str, "", "terrestrial baseline, a lab.economics.BASELINES name"),
    ), _apply_economics, metrics=(
        Metric("usd_per_mtok", "USD", "cost of a million tokens in orbit",
               _cost(lambda c: c.raw["orbit"]["usd_per_mtok"])),
        Metric("usd_per_mtok_ground", "USD", "cost of a million tokens on the ground, same "
               "accelerators (the baseline)", _cost(lambda c: c.raw["ground"]["usd_per_mtok"])),
        Metric("fleet_usd_per_year", "USD/year", "the fleet's annualized cost in orbit "
               "(launch, platform, accelerators, ground segment, operations)",
               _cost(lambda c: c.raw["orbit"]["total"])),
        Metric("breakeven_launch_usd_per_kg", "USD/kg", "launch price at which a token costs "
               "the same in orbit and on the ground (negative: never)",
               _cost(lambda c: c.breakeven_launch_price)),
    )),
)

#: Every parameter a study may vary, by name (in the order the groups apply them).
PARAMETERS: dict[str, Parameter] = {p.name: p for g in GROUPS for p in g.parameters}


def check_name(name: str) -> str:
    """``name`` if it is a study parameter, else a ``ValueError`` listing the parameters."""
    if name not in PARAMETERS:
        raise ValueError(f"unknown study parameter {name!r}; the parameters are: "
                         f"{', '.join(PARAMETERS)}")
    return name


def coerce(name: str, value: Any) -> Any:
    """``value`` as the plain type of parameter ``name`` (an astropy Quantity is converted to
    the parameter's unit); a clear error for an unknown name or a value of the wrong type."""
    p = PARAMETERS[check_name(name)]
    if p.kind is int:
        return check_int(value, name)
    if p.kind is float:
        return float(as_value(value, p.unit, name))
    if p.kind is bool:
        if not isinstance(value, bool) and type(value).__name__ != "bool_":
            raise TypeError(f"{name} must be true or false (got {value!r})")
        return bool(value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a name (a string) (got {value!r})")
    return str(value)


def build_design(values: Mapping[str, Any]) -> Design:
    """The :class:`Design` of one point (``values``: parameter -> value; the others keep the
    preset's values and :func:`lab.mission.response_times`' defaults). Raises the lab's
    ``ValueError``/``TypeError`` for a bad value."""
    values = {k: coerce(k, v) for k, v in values.items()}
    design = Design(scenario=get_preset(DEFAULT_PRESET), values=values)
    for group in GROUPS:
        mine = {p.name: values[p.name] for p in group.parameters if p.name in values}
        if mine or group.name == "configure":  # configure also sets the preset
            design = group.apply(design, mine)
    return design
