"""Scenario presets for the real systems of DESIGN.md, each number with its source.

The shells come from :mod:`lab.examples` (the one place where "535 km, LTAN 22:30" or the
2,800-satellite build-out is typed) and their ``sources`` entry is the examples' source text;
every other field says where it comes from or that it is an assumption. Starcloud-1 flies its
real orbit: the public element set of NORAD 66303 (:data:`lab.examples.STARCLOUD_1_TLE`), on the
day of that element set. No public element sets of the Three-Body satellites were found, so
their preset keeps the Walker ring of :data:`lab.examples.THREE_BODY`.

Answer lengths (:data:`ANSWER_LENGTHS`): Qwen3 thinks by default (its model card: thinking
mode is on unless ``enable_thinking=False``) and a reasoning trace is far longer than a chat
answer; the median and spread of both modes are assumptions.
"""

from __future__ import annotations

from lab import examples
from lab._validate import check_choice
from lab.mission.scenario import Scenario, Shell

__all__ = ["ANSWER_LENGTHS", "FLEETS", "FLEET_SOURCES", "PRESETS", "fleet", "get_preset"]

#: Answer-length distributions (Scenario fields): lognormal, median ``output_tokens``, shape
#: ``output_sigma``, capped at ``max_output_tokens``; each with its source.
ANSWER_LENGTHS: dict[str, dict[str, float | int | str]] = {
    "thinking": {
        "output_tokens": 1000, "output_sigma": 1.0, "max_output_tokens": 32768,
        "source": "Qwen3 thinks by default (model card: enable_thinking=True) and writes a "
        "reasoning trace before the answer; the model card recommends room for 32,768 output "
        "tokens and the Qwen3 report scales reasoning budgets from 2K to 16K+ tokens on hard "
        "maths. A chat prompt's median of 1,000 tokens with a lognormal spread sigma=1.0 "
        "(p90 ~3,600, p99 ~10,000 tokens) is an assumption.",
    },
    "chat": {
        "output_tokens": 256, "output_sigma": 0.7, "max_output_tokens": 8192,
        "source": "assumption: a paragraph-long answer without a reasoning trace (median 256 "
        "tokens, lognormal sigma=0.7: p90 ~630 tokens)",
    },
}


def _answers(kind: str) -> dict[str, float | int]:
    """The Scenario fields of answer-length distribution ``kind`` of :data:`ANSWER_LENGTHS`."""
    return {k: v for k, v in ANSWER_LENGTHS[kind].items() if k != "source"}  # type: ignore


_GROUND_SOURCES = (
    ("operator_s", "assumption: an automated mission control authenticates the prompt, builds "
     "and encrypts the telecommand and hands it to the station in ~10 s (seconds when fully "
     "automated, minutes with a human approving each uplink)"),
    ("network", "the five receiving stations of the China Remote Sensing Satellite Ground "
     "Station (AIRCAS RSGS: Miyun, Kashi, Sanya, Lijiang, Mohe; lab.links STATION_NETWORKS); "
     "antennas: 4 at Lijiang (AIRCAS 2024), 1 elsewhere (no public count for a commercial "
     "operator); slew 20 s per antenna (assumption, lab.links DEFAULT_SLEW_S)"),
    ("uplink", "lab.links LINK_PRESETS['s-band-uplink']: S-band telecommand at 256 kbit/s "
     "(CCSDS 401.0-B / ECSS-E-ST-50-05C telecommand rates: kbit/s up to 256 kbit/s on a "
     "subcarrier); acquisition 10 s (lab.links BANDS['s'], assumption)"),
    ("downlink", "lab.links LINK_PRESETS['x-band-downlink'] link budget (~250-500 Mbit/s; "
     "EO X-band ~220 Mbit/s peak, DESIGN.md); lock 3 s (lab.links BANDS['x'], assumption)"),
    ("isl_setup_s", "~15 s to establish a laser link, reported for the Three-Body terminals "
     "(DESIGN.md; primary source not found); SDA optical standard: < 100 s, goal 10 s"),
    ("persistent_links", "assumption: neighbours in a plane keep their laser links up; "
     "links across planes are set up when a route needs them"),
)

_COMMON_SOURCES = (
    ("prompt_tokens", "assumption: a short chat prompt (~150 words)"),
    ("output_tokens", ANSWER_LENGTHS["thinking"]["source"]),
    ("output_sigma", ANSWER_LENGTHS["thinking"]["source"]),
    ("max_output_tokens", ANSWER_LENGTHS["thinking"]["source"]),
    ("bytes_per_token", "assumption: ~4 bytes of UTF-8 text per token"),
    ("request_overhead_bytes", "assumption: HTTP/JSON + protocol headers"),
    *_GROUND_SOURCES,
    ("isl_max_range", "reference: Starlink laser links up to ~5,400 km (DESIGN.md)"),
    ("max_batch", "assumption: continuous batching of up to 32 requests per accelerator"),
    ("efficiency", "lab.node.ON_ORBIT_EFFICIENCY: published vLLM decode on a data-centre GPU "
     "(77 % of the bandwidth roof, half the compute roof); KV cache of the nearest Qwen3 model"),
    ("battery_wh", "assumption"), ("depth_of_discharge", "assumption"),
    ("bus_power_w", "assumption: avionics + ISL terminals"),
    ("requests_per_day", "assumption: classroom-scale load"),
    ("user", "assumption: a user in Beijing"),
    ("epoch", "Three-Body launch, 14 May 2025 (DESIGN.md); any day: configure(epoch=...)"),
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
        **_answers("thinking"),
        sources=_src(
            shells=examples.SOURCES["THREE_BODY"] + " No public element sets (TLEs) of the "
            "Three-Body satellites were found: a Walker ring, not the real orbits.",
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
        **_answers("thinking"),
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
        persistent_links="all",
        **_answers("thinking"),
        sources=_src(
            shells=examples.SOURCES["SUNCATCHER_81"] + " Neighbours 100-200 m apart.",
            hardware="TPU v6e, radiation-tested (arXiv 2511.19468)",
            isl_bps="optical ISLs of tens of Tbps; bench 800 Gbps each way (arXiv 2511.19468)",
            model_params="assumption: the same 8B model as the Three-Body comparison",
            bytes_per_param="assumption: bf16 weights on TPU",
            network="assumption: a global commercial ground network (no ground segment "
            "published): lab.links STATION_NETWORKS['global'], 1 antenna per site",
            user="assumption: a user in Mountain View",
            downlink="assumption: lab.links 'x-band-downlink' budget (no ground link published)",
            persistent_links="the cluster flies in a fixed formation: every link stays up "
            "(arXiv 2511.19468)",
            epoch="assumption: the lab's default day (14 May 2025)",
        ),
    ),
    "starcloud-1": Scenario(
        name="starcloud-1",
        description="Starcloud-1: one 60 kg satellite with an NVIDIA H100 80 GB, launched "
        "2 Nov 2025; trained a small GPT and ran Gemma on orbit. Its real orbit (public TLE).",
        shells=(Shell.from_tle(examples.STARCLOUD_1_TLE, name="Starcloud-1"),),
        network="global",
        user=(47.6, -122.3),
        hardware="h100",
        model_params=2e9,
        bytes_per_param=2.0,
        isl_bps=0.0,
        power_cap_w=300.0,
        battery_wh=500.0,
        depth_of_discharge=0.5,
        epoch=examples.STARCLOUD_1_TLE_EPOCH,
        **_answers("chat"),
        sources=_src(
            shells=examples.SOURCES["STARCLOUD_1_TLE"],
            hardware="one NVIDIA H100 80 GB (DESIGN.md); the variant is not published: "
            "lab.hardware 'h100' (SXM), see lab.hardware.STARCLOUD_1_NOTE",
            model_params="Gemma ran on orbit (DESIGN.md); 2B size is an assumption",
            bytes_per_param="assumption: bf16",
            output_tokens=ANSWER_LENGTHS["chat"]["source"],
            output_sigma=ANSWER_LENGTHS["chat"]["source"],
            max_output_tokens=ANSWER_LENGTHS["chat"]["source"],
            isl_bps="single satellite: no ISLs",
            power_cap_w="assumption: a 60 kg satellite (Astro Digital Corvus-Micro bus; CNBC, "
            "Dec 2025) cannot feed the H100 SXM's 700 W; capped at 300 W, about an H100 PCIe's "
            "300-350 W (lab.hardware.STARCLOUD_1_NOTE). The cap slows prefill; decode keeps "
            "the memory bandwidth",
            network="assumption: a global commercial ground network: lab.links "
            "STATION_NETWORKS['global'], 1 antenna per site",
            user="assumption: a user in Seattle",
            epoch="the epoch of the TLE (26 Jul 2026): SGP4 is accurate near it",
        ),
    ),
}


#: Fleets of shells that :func:`lab.mission.configure` can put under any scenario
#: (``configure(scenario, shells="starlink-gen1", n_satellites=30_000)``), with their sources.
FLEETS: dict[str, tuple[Shell, ...]] = {
    "starlink-gen1": (
        Shell(1584, 72, 1, alt=550.0, inc=53.0, name="Starlink 550 km 53.0 deg"),
        Shell(1584, 72, 1, alt=540.0, inc=53.2, name="Starlink 540 km 53.2 deg"),
        Shell(720, 36, 1, alt=570.0, inc=70.0, name="Starlink 570 km 70.0 deg"),
        Shell(348, 6, 1, alt=560.0, inc=97.6, name="Starlink 560 km 97.6 deg (6 planes)"),
        Shell(172, 4, 1, alt=560.0, inc=97.6, name="Starlink 560 km 97.6 deg (4 planes)"),
    ),
}
FLEET_SOURCES: dict[str, str] = {
    "starlink-gen1": "SpaceX's first-generation Starlink system as the FCC authorized it: 4,408 "
    "satellites in five shells, 1,584 at 550 km / 53.0 deg (FCC DA 19-342, 26 Apr 2019) and "
    "2,814 lowered to 540 km / 53.2 deg (1,584), 570 km / 70 deg (720) and 560 km / 97.6 deg "
    "(348 + 172) (FCC 21-48, Order and Authorization of 27 Apr 2021, IBFS File No. "
    "SAT-MOD-20200417-00037); planes x satellites per plane 72 x 22, 72 x 22, 36 x 20, 6 x 58, "
    "4 x 43 (Bassa, Hainaut & Galadi-Enriquez, A&A 657, A75 (2022), Table 1). The Walker "
    "phasing (F = 1) and the nodes spread over 360 deg are assumptions.",
}


def fleet(name: str) -> tuple[Shell, ...]:
    """The shells of fleet ``name`` (:data:`FLEETS`)."""
    check_choice(name, FLEETS, "shells (fleet name)")
    return FLEETS[name]


def get_preset(name: str | Scenario) -> Scenario:
    """Return the preset called ``name`` (or ``name`` itself if it is a Scenario)."""
    if isinstance(name, Scenario):
        return name
    check_choice(name, PRESETS, "preset")
    return PRESETS[name]
