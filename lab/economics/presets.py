"""Cost presets for the real systems, the default inputs and the terrestrial baselines.

Every number carries its source or says "assumption" (``SOURCES``, ``CostPreset.sources``,
``Baseline.source``). The orbits come from :mod:`lab.examples` (one place for "650 km dawn-dusk"),
the accelerators from :mod:`lab.hardware`, the models from :data:`lab.node.QWEN3`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lab import examples
from lab._validate import check_choice

__all__ = ["ACCELERATOR_USD", "BASELINES", "DEFAULTS", "PRESETS", "SOURCES", "Baseline",
           "CostPreset", "get_baseline", "get_preset"]

_ORBITDC = "spacedc-mdao 0.4.2 (orbitdc) catalogue"
_SUNCATCHER = "Project Suncatcher, arXiv 2511.19468"
_MCCALIP = "A. McCalip's orbital data-centre calculator (andrewmccalip/thoughts, static/js/math.js)"

#: Default inputs of :func:`lab.economics.core.cost_model` (units in the names or in SOURCES).
DEFAULTS: dict[str, float] = {
    "host_overhead": 0.25, "bus_frac": 0.10, "cell_efficiency": 0.30, "packing": 0.85,
    "array_w_per_kg": 100.0, "battery_wh_per_kg": 150.0, "radiator_kg_per_m2": 7.0,
    "compute_kg_per_kw": 5.0, "structure_frac": 0.20, "margin_frac": 0.20,
    "degradation_per_year": 0.02, "lifetime_y": 5.0, "platform_usd_per_kg": 800.0,
    "refresh_years": 5.0, "failure_rate_orbit": 0.09, "failure_rate_ground": 0.09,
    "dose_rad_per_year": 150.0, "sefi_rad": 5000.0, "sefi_reset_s": 600.0,
    "discount_rate": 0.08, "utilization": 0.7, "facility_life_y": 15.0,
    "maintenance_frac": 0.05, "availability_ground": 0.995, "load_factor": 0.85,
    "radiator_temperature_k": 330.0, "emissivity": 0.9, "max_depth_of_discharge": 0.3,
}

SOURCES: dict[str, str] = {
    "host_overhead": f"{_ORBITDC}: non-accelerator IT draw (CPU, memory, network) 25 % of TDP",
    "bus_frac": f"{_ORBITDC}: housekeeping (avionics, comms, heaters) 10 % of IT power",
    "cell_efficiency": "triple-junction cells ~30 % at beginning of life (DESIGN.md)",
    "packing": "assumption (lab.power default): 85 % of the array area is cells",
    "array_w_per_kg": f"{_ORBITDC}: NASA state of the art 30-200 W/kg, 100 W/kg mid-range",
    "battery_wh_per_kg": f"{_ORBITDC}: space-qualified Li-ion pack ~150 Wh/kg",
    "radiator_kg_per_m2": f"{_ORBITDC}: deployable two-sided radiator 5-10 kg/m2 (ISS-scaled)",
    "compute_kg_per_kw": f"assumption from {_ORBITDC}: H100 module 1.5 kg x 2 for board and "
    "chassis per 0.7 kW = 4.3 kg/kW, rounded up for the host",
    "structure_frac": f"{_ORBITDC}: structure 20 % of subsystem mass",
    "margin_frac": f"{_ORBITDC}: early-design mass margin 20 %",
    "degradation_per_year": f"{_ORBITDC}: typical LEO array degradation 2 %/y "
    "(McCalip 2.5 %/y for silicon)",
    "lifetime_y": f"{_SUNCATCHER} §2.4: 5-year life (Starlink)",
    "platform_usd_per_kg": f"{_MCCALIP}: ~$800/kg manufacturing cost of a Starlink v2 mini",
    "refresh_years": "assumption: accelerators are written off over 5 years on the ground; "
    "in orbit a shorter refresh re-launches the compute module",
    "failure_rate_orbit": f"{_MCCALIP}: 9 %/y GPU failures (Meta); in orbit not replaced",
    "failure_rate_ground": f"{_MCCALIP}: 9 %/y GPU failures (Meta), replaced on the ground",
    "dose_rad_per_year": f"{_SUNCATCHER}: 750 rad(Si) in 5 years, ~150 rad/y (650 km SSO)",
    "sefi_rad": f"{_SUNCATCHER} §4.3: TPU v6e functional interrupts once per ~5 krad per chip "
    "(silent data corruption every 14-20 rad, HBM uncorrectable errors every ~44 rad; no "
    "permanent failure up to the 5-year dose)",
    "sefi_reset_s": "assumption: 10 minutes to detect and reset a functional interrupt",
    "discount_rate": f"{_ORBITDC}: 8 % discount rate",
    "utilization": "assumption: 70 % of the available hours serve requests",
    "facility_life_y": "assumption: a data-centre building is written off over 15 years",
    "maintenance_frac": f"{_ORBITDC}: terrestrial maintenance 5 % of capex per year",
    "availability_ground": f"{_ORBITDC}: terrestrial availability 99.5 %",
    "load_factor": f"{_MCCALIP}: 85 % capacity factor (the energy actually drawn)",
    "radiator_temperature_k": "assumption: 330 K radiator (GPU junction <= ~85 C behind a "
    "cold plate and loop)",
    "emissivity": "assumption: white paint / OSR emissivity 0.9 (lab.power default)",
    "max_depth_of_discharge": "assumption (lab.power default): LEO Li-ion kept to 30 % DoD",
}

#: Accelerator prices (USD each) by :mod:`lab.hardware` profile name.
ACCELERATOR_USD: dict[str, tuple[float, str]] = {
    "h100": (25_000.0, f"{_ORBITDC}: H100 SXM street price ~$25,000 (estimate)"),
    "tpu-v6e": (15_000.0, "assumption: TPU v6e is not sold; priced below an H100"),
    "three-body-744": (20_000.0, "assumption: a few Orin-class modules, space-qualified"),
    "jetson-agx-orin": (2_000.0, "assumption: ~ the Jetson AGX Orin 64GB list price"),
}


@dataclass(frozen=True)
class Baseline:
    """A terrestrial data centre: electricity USD/kWh, PUE and facility capex USD per W of IT."""

    name: str
    electricity_usd_per_kwh: float
    pue: float
    facility_usd_per_w: float
    source: str


BASELINES: dict[str, Baseline] = {
    "hyperscale": Baseline("hyperscale", 0.06, 1.09, 12.0,
                           f"{_SUNCATCHER} §2.4 low end ($0.06/kWh, PUE 1.09); facility "
                           f"$12M/MW ({_ORBITDC})"),
    "constrained-grid": Baseline("constrained-grid", 0.25, 1.4, 16.0,
                                 f"{_SUNCATCHER} §2.4 high end ($0.25/kWh, PUE 1.4); facility "
                                 f"$16/W, the top of {_MCCALIP}'s $11.6-16/W range"),
    "gas-backed": Baseline("gas-backed", 6200 * 4.30 / 1e6, 1.2, 1.8 * 1.2 + 5.25 + 3.0 + 2.5
                           + 1.75, f"{_MCCALIP} defaults: on-site CCGT, 6,200 BTU/kWh at "
                           "$4.30/MMBtu = $0.0267/kWh, PUE 1.2, $14.66/W (turbine $1.80/W x PUE "
                           "+ electrical 5.25 + mechanical 3.00 + civil 2.50 + network 1.75)"),
}


@dataclass(frozen=True)
class CostPreset:
    """A real system for :func:`lab.economics.evaluate`.

    ``shells``: ``(lab.examples spec, satellites)`` pairs; ``hardware``: a :mod:`lab.hardware`
    profile name; ``accelerators``: per satellite; ``power_cap_w``: per accelerator (None: its
    peak); ``model``: a :data:`lab.node.QWEN3` key or a parameter count, at ``bytes_per_param``;
    ``batch``: requests decoded together; ``prompt_tokens`` / ``output_tokens``: a request's
    prompt and median answer (the answer's context is read as KV cache at every decode step);
    ``efficiency``: the fractions of the roofs inference reaches (a :class:`lab.node.Efficiency`,
    a number for both, or None: :data:`lab.node.ON_ORBIT_EFFICIENCY`, as in :mod:`lab.mission`);
    ``bus_kg``: fixed platform mass per satellite (avionics, propulsion, comms terminals);
    ``ground_segment_usd`` / ``ops_usd_per_year``: for the whole constellation; ``overrides``:
    inputs that differ from :data:`DEFAULTS`. The model, format, tokens, batch and efficiency of
    each preset are those of the :mod:`lab.mission` preset of the same name, so that a token's
    time is the same in both (a test checks it).
    """

    name: str
    description: str
    shells: tuple[tuple[dict[str, Any], int], ...]
    hardware: str
    accelerators: int
    model: str | float
    bytes_per_param: float
    bus_kg: float
    ground_segment_usd: float
    ops_usd_per_year: float
    power_cap_w: float | None = None
    batch: int = 32
    prompt_tokens: int = 200
    output_tokens: int = 1000
    efficiency: Any = None
    overrides: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


_CONSTELLATION_GROUND = {
    "ground_segment_usd": f"{_ORBITDC}: ground segment ~$20M (stations, operations centre)",
    "ops_usd_per_year": f"{_ORBITDC}: mission operations ~$5M/y",
    "batch": "assumption (lab.mission presets): continuous batching of up to 32 requests",
    "prompt_tokens": "assumption (lab.mission.Scenario): a short chat prompt",
    "output_tokens": "lab.mission ANSWER_LENGTHS['thinking']: Qwen3 thinks by default, median "
    "1,000 tokens (assumption)",
    "efficiency": "lab.node.ON_ORBIT_EFFICIENCY: published vLLM decode on a data-centre GPU (77 % "
    "of the bandwidth roof), as lab.mission",
}

PRESETS: dict[str, CostPreset] = {
    "three-body-12": CostPreset(
        "three-body-12", "ADA Space's 12 Three-Body satellites: one 744-TOPS computer each, "
        "8B model in int8, one sun-synchronous plane at 535 km.",
        ((examples.THREE_BODY, 12),), "three-body-744", 1, 8e9, 1.0, 50.0, 20e6, 5e6,
        sources={**_CONSTELLATION_GROUND, "shells": examples.SOURCES["THREE_BODY"],
                 "hardware": "744 TOPS per satellite (lab.hardware 'three-body-744')",
                 "accelerators": "one 744-TOPS computer per satellite (DESIGN.md)",
                 "model": "8B-parameter model on board (DESIGN.md), int8 assumed; 8e9 parameters "
                 "with the KV cache of Qwen3-8B, as lab.mission",
                 "bus_kg": "assumption: 50 kg of avionics, propulsion and laser terminals"}),
    "star-compute-2800": CostPreset(
        "star-compute-2800", "The 2,800-satellite Star-Compute build-out: a dawn-dusk band "
        "at 800 km and a 45-degree shell at 550 km, the Three-Body computer on each.",
        tuple(zip(examples.STAR_COMPUTE_SHELLS,
                  [s["total"] for s in examples.STAR_COMPUTE_SHELLS], strict=True)),
        "three-body-744", 1, 8e9, 1.0, 50.0, 100e6, 40e6,
        sources={**_CONSTELLATION_GROUND, "shells": examples.SOURCES["STAR_COMPUTE_SHELLS"],
                 "hardware": "assumption: the same 744-TOPS computer as the first 12",
                 "accelerators": "assumption: one computer per satellite, all 2,800 (400 "
                 "training satellites included)",
                 "ground_segment_usd": "assumption: 5x orbitdc's $20M for a 2,800-satellite "
                 "fleet",
                 "ops_usd_per_year": "assumption: 8x orbitdc's $5M/y for a 2,800-satellite "
                 "fleet",
                 "model": "8B model (DESIGN.md), int8 assumed",
                 "bus_kg": "assumption: 50 kg as the first 12"}),
    "suncatcher-81": CostPreset(
        "suncatcher-81", "Google's Project Suncatcher: 81 Starlink-v2-mini-class satellites "
        "of TPU v6e in a 650 km dawn-dusk orbit.",
        ((examples.SUNCATCHER_81, 81),), "tpu-v6e", 64, 8e9, 2.0, 90.0, 20e6, 5e6,
        sources={**_CONSTELLATION_GROUND, "shells": examples.SOURCES["SUNCATCHER_81"],
                 "hardware": "TPU v6e, radiation-tested (arXiv 2511.19468)",
                 "accelerators": "assumption: 64 TPU v6e fill a ~28 kW Starlink-v2-mini-class "
                 f"power budget ({_SUNCATCHER} Table 1)",
                 "model": "assumption: the same 8B model in bf16",
                 "bus_kg": f"{_ORBITDC}: comms 30 kg + avionics and propulsion 60 kg"}),
    "starcloud-1": CostPreset(
        "starcloud-1", "Starcloud-1: one 60 kg satellite with one NVIDIA H100, power-capped.",
        ((examples.STARCLOUD_1, 1),), "h100", 1, 2e9, 2.0, 20.0, 2e6, 1e6, power_cap_w=300.0,
        output_tokens=256, overrides={"lifetime_y": 11 / 12},
        sources={"shells": examples.SOURCES["STARCLOUD_1"],
                 "output_tokens": "lab.mission ANSWER_LENGTHS['chat']: median 256 tokens "
                 "(assumption), as the mission preset",
                 "efficiency": _CONSTELLATION_GROUND["efficiency"],
                 "hardware": "NVIDIA H100 (lab.hardware 'h100')",
                 "accelerators": "one NVIDIA H100 80 GB (DESIGN.md)",
                 "power_cap_w": "assumption (lab.mission preset): a 60 kg satellite cannot "
                 "feed 700 W; capped at 300 W",
                 "lifetime_y": "reported ~11-month life at ~325 km (DESIGN.md)",
                 "model": "Gemma ran on orbit (DESIGN.md); 2B bf16 is an assumption",
                 "bus_kg": "assumption: 20 kg, so the modelled satellite is near the reported "
                 "60 kg",
                 "ground_segment_usd": "assumption: a leased ground network, $2M",
                 "ops_usd_per_year": "assumption: a small operations team, $1M/y"}),
}


def get_preset(name: str | CostPreset) -> CostPreset:
    """The preset called ``name`` (or ``name`` itself if it already is a :class:`CostPreset`)."""
    if isinstance(name, CostPreset):
        return name
    check_choice(name, PRESETS, "preset")
    return PRESETS[name]


def get_baseline(name: str | Baseline) -> Baseline:
    """The terrestrial baseline called ``name`` (``hyperscale``, ``constrained-grid``,
    ``gas-backed``) or ``name`` itself."""
    if isinstance(name, Baseline):
        return name
    check_choice(name, BASELINES, "baseline")
    return BASELINES[name]
