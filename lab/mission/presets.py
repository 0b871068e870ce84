"""Scenario presets for the real systems of DESIGN.md, each number with its source.

The shells come from :mod:`lab.examples` (the one place where "535 km, LTAN 22:30" or the
2,800-satellite build-out is typed) and their ``sources`` entry is the examples' source text;
every other field says where it comes from or that it is an assumption.
"""

from __future__ import annotations

from lab import examples
from lab._validate import check_choice
from lab.mission.scenario import Scenario, Shell

__all__ = ["PRESETS", "get_preset"]

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
        shells=(Shell(**examples.THREE_BODY, name="SSO plane"),),
        network="china",
        hardware="three-body-744",
        model_params=8e9,
        bytes_per_param=1.0,
        isl_bps=100e9,
        eclipse_cap_w=150.0,
        sources=_src(
            shells=examples.SOURCES["THREE_BODY"],
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
        shells=tuple(Shell(**spec, compute_fraction=2400 / 2800, name=name) for spec, name
                     in zip(examples.STAR_COMPUTE_SHELLS, ("dawn-dusk SSO", "low-inclination"),
                            strict=True)),
        network="china",
        hardware="three-body-744",
        model_params=8e9,
        bytes_per_param=1.0,
        isl_bps=100e9,
        eclipse_cap_w=150.0,
        sources=_src(
            shells=examples.SOURCES["STAR_COMPUTE_SHELLS"],
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
        shells=(Shell(**examples.SUNCATCHER_81, kind="cluster", cluster_spacing=0.2,
                      name="cluster"),),
        network="global",
        user=(37.4, -122.1),
        hardware="tpu-v6e",
        model_params=8e9,
        bytes_per_param=2.0,
        isl_bps=800e9,
        sources=_src(
            shells=examples.SOURCES["SUNCATCHER_81"] + " Neighbours 100-200 m apart.",
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
        shells=(Shell(**examples.STARCLOUD_1, name="single"),),
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
            shells=examples.SOURCES["STARCLOUD_1"],
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
