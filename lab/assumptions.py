"""Every number the lab takes from the outside world, in one table: value, where it is used, and
its source or "assumption".

Design: the table is *generated* from the modules that own the numbers, never retyped, so it
cannot drift from what the code computes with:

- orbits: :data:`lab.examples.SOURCES` with the specs of :mod:`lab.examples`;
- hardware: every numeric field of :data:`lab.hardware.PROFILES` with
  :meth:`~lab.hardware.HardwareProfile.source_of`;
- mission: ``Scenario.sources`` of :data:`lab.mission.PRESETS` (a field with the same value and
  source in every preset is one row, system "all mission presets");
- economics: :data:`lab.economics.DEFAULTS` / ``SOURCES``, accelerator prices, terrestrial
  baselines and ``CostPreset.sources`` of :data:`lab.economics.PRESETS`.

A row is an *assumption* when its source says so (the word "assumption" in it: some rows are
part published, part assumed). Notebook 00 shows the table under the anchor
``00_welcome.ipynb#assumptions``, which the other notebooks link to.

>>> from lab.assumptions import assumptions_table
>>> table = assumptions_table()
>>> sorted(table.topic.unique())
['economics', 'hardware', 'mission', 'orbits']
>>> row = table[(table.system == "three-body-744") & (table.parameter == "peak_tops")].iloc[0]
>>> row.value, bool(row.assumed)
('744 TOPS', False)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from lab import examples, hardware
from lab._validate import check_choice
from lab.economics import presets as cost
from lab.mission import PRESETS as MISSION_PRESETS
from lab.mission.presets import FLEET_SOURCES, FLEETS

__all__ = ["ANCHOR", "COLUMNS", "TOPICS", "assumptions_table"]

#: The link to the table from any notebook of the course.
ANCHOR = "00_welcome.ipynb#assumptions"
TOPICS = ("orbits", "hardware", "mission", "economics")
COLUMNS = ("topic", "system", "parameter", "value", "used_in", "source", "assumed")

#: Where each shared spec of lab.examples is used (the notebooks build them by name).
_EXAMPLE_USE = {
    "THREE_BODY": "examples.three_body(); notebooks 00-07; presets 'three-body-12'",
    "STAR_COMPUTE_SHELLS": "examples.star_compute(); notebooks 01, 03, 05-07; presets "
                           "'star-compute-2800'",
    "SUNCATCHER_81": "examples.suncatcher_81(); notebooks 02, 05, 06; presets 'suncatcher-81'",
    "STARCLOUD_1": "examples.starcloud_1(epoch); economics preset 'starcloud-1'",
    "STARCLOUD_1_TLE": "examples.starcloud_1(); notebooks 05, 06; mission preset 'starcloud-1'",
}

#: Units of mission Scenario fields, by field name (others are counts or names).
_SCENARIO_UNITS = {
    "model_params": "parameters", "bytes_per_param": "B", "prompt_tokens": "tokens",
    "output_tokens": "tokens (median)", "max_output_tokens": "tokens", "bytes_per_token": "B",
    "request_overhead_bytes": "B", "operator_s": "s", "isl_bps": "bit/s", "isl_max_range": "km",
    "isl_setup_s": "s", "power_cap_w": "W", "eclipse_cap_w": "W", "battery_wh": "Wh",
    "bus_power_w": "W", "requests_per_day": "per day", "max_batch": "requests",
}

_HARDWARE_UNITS = {"peak_tops": "TOPS", "dense_tops": "TOPS", "sparse_tops": "TOPS",
                   "memory_bandwidth_gbs": "GB/s", "memory_gb": "GB", "idle_power_w": "W",
                   "peak_power_w": "W"}


_PREFIXES = ((1e12, "T", "trillion"), (1e9, "G", "billion"), (1e6, "M", "million"))
_SI_UNITS = ("bit/s", "B", "W", "Wh")


def _fmt(value: Any, unit: str = "") -> str:
    """A value as short text with its unit: numbers ``:,g`` (from 1e6 with an SI prefix on
    bit/s, B, W, Wh, else "million", "billion"), mappings ``k v``, sequences joined."""
    if isinstance(value, bool) or value is None:
        text = str(value)
    elif isinstance(value, int | float):
        scale, prefix, word = next((p for p in _PREFIXES if abs(value) >= p[0]), (1.0, "", ""))
        if prefix and unit in _SI_UNITS:
            return f"{value / scale:,g} {prefix}{unit}"
        text = f"{value / scale:,g} {word}".strip()
    elif isinstance(value, dict):
        text = ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    elif isinstance(value, tuple | list):
        text = ", ".join(_fmt(v) for v in value)
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and value is not None else text


def _describe_spec(spec: dict[str, Any]) -> str:
    """A Walker spec of lab.examples in words: "12/1/0 at 535 km, SSO, LTAN 22:30"."""
    inc = "SSO" if spec["inc"] is None else f"{spec['inc']:.4g} deg"
    ltan = spec.get("ltan")
    when = "" if ltan is None else f", LTAN {int(ltan):02d}:{round(60 * (ltan % 1)):02d}"
    spread = "" if spec.get("raan_spread", 360.0) == 360.0 else \
        f", nodes over {spec['raan_spread']:g} deg"
    return (f"{spec['total']}/{spec['planes']}/{spec['phasing']} at {spec['alt']:.4g} km, "
            f"{inc}{when}{spread}")


def _orbit_rows() -> Iterator[tuple]:
    values = {
        "THREE_BODY": _describe_spec(examples.THREE_BODY),
        "STAR_COMPUTE_SHELLS": " + ".join(_describe_spec(s) for s in examples.STAR_COMPUTE_SHELLS),
        "SUNCATCHER_81": _describe_spec(examples.SUNCATCHER_81),
        "STARCLOUD_1": _describe_spec(examples.STARCLOUD_1),
        "STARCLOUD_1_TLE": f"NORAD 66303, epoch {examples.STARCLOUD_1_TLE_EPOCH} UTC",
    }
    for name, source in examples.SOURCES.items():
        yield ("orbits", name.lower().replace("_", "-"), "orbit", values.get(name, ""),
               f"lab.examples.{name}: {_EXAMPLE_USE.get(name, 'lab.examples')}", source)


def _hardware_rows() -> Iterator[tuple]:
    for name, profile in hardware.PROFILES.items():
        for field, unit in _HARDWARE_UNITS.items():
            value = getattr(profile, field)
            if isinstance(value, tuple):
                if not value:
                    continue
                value = dict(value)
            yield ("hardware", name, field, _fmt(value, unit),
                   f"lab.hardware.PROFILES[{name!r}]: power (02), roofline (04), mission (05, "
                   "07), economics (06)", profile.source_of(field) or profile.source)


def _scenario_value(scenario: Any, field: str) -> str:
    if field == "shells":
        return " + ".join(f"{s.name}: {s.total} satellite{'s' * (s.total > 1)}"
                          for s in scenario.shells)
    if not hasattr(scenario, field):  # a field of the shells (e.g. compute_fraction)
        return ", ".join(_fmt(getattr(s, field, None)) for s in scenario.shells)
    value = getattr(scenario, field)
    if field == "user":
        return f"{value[0]:g} N, {value[1]:g} E"
    if field == "efficiency":
        eff = scenario.roofline_efficiency
        return f"bandwidth x{eff.bandwidth:.2g}, compute x{eff.compute:.2g}"
    if field in ("network", "uplink", "downlink", "hardware") and not isinstance(value, str):
        return getattr(value, "name", type(value).__name__)
    return _fmt(value, _SCENARIO_UNITS.get(field, ""))


def _mission_rows() -> Iterator[tuple]:
    per_field: dict[str, list[tuple[str, str, str]]] = {}
    for name, scenario in MISSION_PRESETS.items():
        for field, source in scenario.sources:
            per_field.setdefault(field, []).append((name, _scenario_value(scenario, field),
                                                    source))
    for field, entries in per_field.items():
        shared = len(entries) == len(MISSION_PRESETS) and len({e[1:] for e in entries}) == 1
        for name, value, source in entries[:1] if shared else entries:
            system = "all mission presets" if shared else name
            where = "lab.mission.PRESETS (all)" if shared else f"lab.mission.PRESETS[{name!r}]"
            yield ("mission", system, field, value, f"{where}: notebooks 05, 07", source)
    for name, shells in FLEETS.items():
        value = " + ".join(f"{s.total} at {s.alt:g} km / {s.inc:g} deg ({s.planes} planes)"
                           for s in shells)
        yield ("mission", name, "shells", value,
               f"lab.mission.FLEETS[{name!r}]: configure(shells={name!r}), benchmarks/bench_scale",
               FLEET_SOURCES[name])


def _economics_rows() -> Iterator[tuple]:
    use = "lab.economics: notebook 06"
    for field, value in cost.DEFAULTS.items():
        yield ("economics", "all cost presets", field, _fmt(value),
               f"lab.economics.DEFAULTS: {use}", cost.SOURCES.get(field, ""))
    for name, (usd, source) in cost.ACCELERATOR_USD.items():
        yield ("economics", name, "accelerator price", _fmt(usd, "USD"),
               f"lab.economics.ACCELERATOR_USD: {use}", source)
    for name, base in cost.BASELINES.items():
        value = (f"{base.electricity_usd_per_kwh:.3g} USD/kWh, PUE {base.pue:g}, "
                 f"{base.facility_usd_per_w:.4g} USD/W")
        yield ("economics", f"ground: {name}", "baseline", value,
               f"lab.economics.BASELINES: {use}", base.source)
    for name, preset in cost.PRESETS.items():
        for field, source in preset.sources.items():
            if field == "shells":
                value = " + ".join(f"{n} satellite{'s' * (n > 1)}" for _, n in preset.shells)
            else:
                value = _fmt(preset.overrides.get(field, getattr(preset, field, None)))
            yield ("economics", name, field, value, f"lab.economics.PRESETS[{name!r}]: {use}",
                   source)


_ROWS = {"orbits": _orbit_rows, "hardware": _hardware_rows, "mission": _mission_rows,
         "economics": _economics_rows}


def assumptions_table(topic: str | None = None, *, assumed_only: bool = False) -> pd.DataFrame:
    """Every outside number of the lab: one row per (system, parameter).

    Columns: ``topic`` (one of :data:`TOPICS`), ``system`` (a real system, hardware profile or
    preset), ``parameter``, ``value`` (text with its unit), ``used_in`` (the lab object that
    holds it and the notebooks that use it), ``source`` (a reference, or "assumption: ..."),
    ``assumed`` (True when the source says the number is, or partly is, an assumption).
    ``topic``: only that topic; ``assumed_only``: only the assumptions.
    """
    topics = TOPICS if topic is None else (check_choice(topic, TOPICS, "topic"),)
    rows = [row for t in topics for row in _ROWS[t]()]
    table = pd.DataFrame([(*r, "assumption" in r[-1].lower()) for r in rows], columns=COLUMNS)
    return table[table.assumed] if assumed_only else table.reset_index(drop=True)
