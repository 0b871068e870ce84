"""Accelerator profiles shared by :mod:`lab.power` (how many watts) and :mod:`lab.node` (how fast).

Design notes
------------
- **Per number format, dense and sparse.** Vendors headline one figure (Jetson AGX Orin's
  "275 TOPS" is int8 *with 2:4 structured sparsity*, H100's "1,979 TFLOPS" bf16 also with
  sparsity). A dense LLM runs dense math in the format of its activations, so the roofline uses
  :meth:`HardwareProfile.dense_peak_tops` of the model's number format. ``peak_tops`` keeps the
  figure as published (``precision`` says which format, dense or sparse); ``dense_tops`` and
  ``sparse_tops`` give every published format. A format the hardware lacks runs on the next
  wider one it has (weights dequantized on the fly), see :data:`FORMAT_FALLBACK`.
- **Every number has a source.** ``sources`` maps each numeric field to a vendor URL or to a
  string starting with ``"assumption"``; :meth:`HardwareProfile.source_of` reads it.
- **Power cap, first order.** :meth:`HardwareProfile.with_power_cap` scales compute with the
  dynamic power above idle (performance roughly proportional to power above idle under DVFS:
  a first-order model) and keeps the memory bandwidth: DVFS throttles the core clocks first,
  the memory clock stays (an assumption: no public sub-linear model for these parts).

Fields carry their unit in their name: TOPS = 1e12 operations/s, GB/s = 1e9 bytes/s, GB = 1e9
bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lab._validate import as_value, check_choice

__all__ = [
    "FORMAT_FALLBACK",
    "NUMBER_FORMATS",
    "PROFILES",
    "STARCLOUD_1_NOTE",
    "HardwareProfile",
    "get_profile",
]

#: Number formats and their size in bytes per value.
NUMBER_FORMATS: dict[str, float] = {
    "fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5,
    "fp4": 0.5,
}

#: Where a format runs when the hardware publishes no figure for it: the first listed format of
#: the chain the hardware has (int4 weights are dequantized to int8, fp8 ones to bf16, ...).
FORMAT_FALLBACK: dict[str, tuple[str, ...]] = {
    "fp4": ("fp8", "int8", "bf16", "fp16", "fp32"),
    "int4": ("int8", "fp8", "bf16", "fp16", "fp32"),
    "fp8": ("bf16", "fp16", "fp32"),
    "int8": ("bf16", "fp16", "fp32"),
    "bf16": ("fp16", "fp32"),
    "fp16": ("bf16", "fp32"),
    "tf32": ("fp32",),
    "fp32": (),
}

_NUMERIC_FIELDS = ("peak_tops", "dense_tops", "sparse_tops", "memory_bandwidth_gbs",
                   "memory_gb", "idle_power_w", "peak_power_w")

Pairs = tuple[tuple[str, Any], ...]


def _pairs(value: Mapping[str, Any] | Pairs) -> Pairs:
    """A mapping (or pairs) as sorted ``(key, value)`` pairs: hashable, compares by value."""
    items = dict(value).items() if value else ()
    return tuple(sorted(items))


@dataclass(frozen=True)
class HardwareProfile:
    """An accelerator: peak compute per number format, memory, bandwidth and power draw.

    Parameters
    ----------
    name : short identifier, e.g. ``"h100"``.
    peak_tops : the headline peak in 1e12 operations/s, at ``precision`` (as published).
    memory_bandwidth_gbs : memory bandwidth in GB/s (1e9 bytes/s) of the memory holding the model.
    memory_gb : that memory's capacity in GB.
    idle_power_w, peak_power_w : electrical power when idle and at full load, in W.
    precision : the number format and dense/sparse of ``peak_tops`` (e.g. ``"int8 sparse"``).
    source : where the published numbers come from (a summary).
    assumptions : which numbers are assumptions rather than published facts.
    dense_tops, sparse_tops : ``{number format: TOPS}`` without and with 2:4 structured
        sparsity (keys from :data:`NUMBER_FORMATS`). Without ``dense_tops`` the profile has one
        peak, ``peak_tops``, for every format (a measured or generic device).
    sources : ``{field name: vendor URL or "assumption: ..."}`` for the numeric fields.

    Mappings are stored as sorted tuples of pairs, so a profile hashes and compares by value.
    """

    name: str
    peak_tops: float
    memory_bandwidth_gbs: float
    memory_gb: float
    idle_power_w: float
    peak_power_w: float
    precision: str = ""
    source: str = ""
    assumptions: str = ""
    dense_tops: Mapping[str, float] | Pairs = ()
    sparse_tops: Mapping[str, float] | Pairs = ()
    sources: Mapping[str, str] | Pairs = ()

    def __post_init__(self) -> None:
        as_value(self.peak_tops, "", "peak_tops", lo=0, lo_inclusive=False)
        as_value(self.memory_bandwidth_gbs, "", "memory_bandwidth_gbs", lo=0, lo_inclusive=False)
        as_value(self.memory_gb, "", "memory_gb", lo=0, lo_inclusive=False)
        as_value(self.idle_power_w, "", "idle_power_w", lo=0)
        as_value(self.peak_power_w, "", "peak_power_w", lo=self.idle_power_w)
        for field in ("dense_tops", "sparse_tops"):
            pairs = _pairs(getattr(self, field))
            for fmt, tops in pairs:
                check_choice(fmt, NUMBER_FORMATS, f"{field} number format")
                as_value(tops, "", f"{field}[{fmt!r}]", lo=0, lo_inclusive=False)
            object.__setattr__(self, field, tuple((f, float(t)) for f, t in pairs))
        missing = sorted(set(dict(self.sparse_tops)) - set(dict(self.dense_tops)))
        if missing:
            raise ValueError(f"sparse_tops has formats without a dense figure: {missing}")
        object.__setattr__(self, "sources", _pairs(self.sources))
        unknown = sorted(set(dict(self.sources)) - set(_NUMERIC_FIELDS))
        if unknown:
            raise ValueError(f"sources names unknown fields {unknown}; allowed: "
                             f"{', '.join(_NUMERIC_FIELDS)}")

    # ------------------------------------------------------------------ compute per format
    @property
    def formats(self) -> tuple[str, ...]:
        """Number formats with a published dense peak (empty: one peak for all formats)."""
        return tuple(f for f, _ in self.dense_tops)

    def compute_format(self, number_format: str) -> str:
        """The format ``number_format`` actually runs in here (itself, or its fallback)."""
        check_choice(number_format, NUMBER_FORMATS, "number_format")
        have = dict(self.dense_tops)
        if not have or number_format in have:
            return number_format
        for alt in FORMAT_FALLBACK[number_format]:
            if alt in have:
                return alt
        raise ValueError(f"{self.name} has no peak for {number_format!r} nor a wider format "
                         f"to run it in (it has {', '.join(have)})")

    def dense_peak_tops(self, number_format: str) -> float:
        """Dense peak in TOPS of ``number_format`` (via :meth:`compute_format`)."""
        fmt = self.compute_format(number_format)
        return dict(self.dense_tops).get(fmt, self.peak_tops)

    def sparse_peak_tops(self, number_format: str) -> float:
        """Peak with 2:4 structured sparsity in TOPS; ``ValueError`` if none is published."""
        check_choice(number_format, NUMBER_FORMATS, "number_format")
        sparse = dict(self.sparse_tops)
        if number_format not in sparse:
            raise ValueError(f"{self.name} publishes no sparse peak for {number_format!r} "
                             f"(sparse figures: {', '.join(sparse) or 'none'})")
        return sparse[number_format]

    def peak_table(self) -> list[dict[str, Any]]:
        """One row per published format: ``format``, ``dense_tops``, ``sparse_tops`` (or None)."""
        sparse = dict(self.sparse_tops)
        rows = self.dense_tops or ((self.precision or "any", self.peak_tops),)
        return [{"format": f, "dense_tops": t, "sparse_tops": sparse.get(f)} for f, t in rows]

    def source_of(self, field: str) -> str:
        """The source (URL) or ``"assumption: ..."`` note of numeric field ``field``."""
        check_choice(field, _NUMERIC_FIELDS, "field")
        return dict(self.sources).get(field, "")

    # ------------------------------------------------------------------ power
    def power(self, utilization: float | np.ndarray) -> float | np.ndarray:
        """Electrical power in W at ``utilization`` in [0, 1] (linear between idle and peak)."""
        util = as_value(utilization, "", "utilization", lo=0.0, hi=1.0)
        return self.idle_power_w + (self.peak_power_w - self.idle_power_w) * util

    def with_power_cap(self, cap_w: float) -> HardwareProfile:
        """The same accelerator throttled to ``cap_w`` watts (> idle power).

        First-order model: every compute peak scales with the fraction of the dynamic power
        (above idle) still available; the memory bandwidth stays (DVFS lowers core clocks first,
        not the memory clock: an assumption). A cap at or above the peak power changes nothing.
        """
        cap = as_value(cap_w, "W", "cap_w", lo=self.idle_power_w, lo_inclusive=False)
        if cap >= self.peak_power_w:
            return self
        frac = (cap - self.idle_power_w) / (self.peak_power_w - self.idle_power_w)
        note = (f"assumption: power-capped at {cap:g} W, compute x {frac:.3g} (dynamic power "
                f"above idle, first-order DVFS); memory bandwidth kept")
        srcs = dict(self.sources)
        for field in ("peak_tops", "dense_tops", "sparse_tops"):
            srcs[field] = f"{srcs.get(field, '')} ({note})".strip()
        return replace(
            self,
            name=f"{self.name}@{cap:g}W",
            peak_tops=self.peak_tops * frac,
            dense_tops={f: t * frac for f, t in self.dense_tops},
            sparse_tops={f: t * frac for f, t in self.sparse_tops},
            peak_power_w=cap,
            sources=srcs,
            assumptions=(self.assumptions + f" Power-capped at {cap:g} W: compute scaled with "
                         "the dynamic power above idle (first-order model); memory bandwidth "
                         "kept.").strip(),
        )


# ------------------------------------------------------------------------------ the profiles
_ORIN_PAGE = "https://www.nvidia.com/en-us/autonomous-machines/embedded-systems/jetson-orin/"
_ORIN_BRIEF = ("https://www.nvidia.com/content/dam/en-zz/Solutions/gtcf21/jetson-orin/"
               "nvidia-jetson-agx-orin-technical-brief.pdf")
_AMPERE = ("https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/"
           "nvidia-ampere-architecture-whitepaper.pdf")
_H100 = "https://www.nvidia.com/en-us/data-center/h100/"
_TPU_V6E = "https://cloud.google.com/tpu/docs/v6e"
_THREE_BODY = ("https://spacenews.com/china-launches-first-of-2800-satellites-for-ai-space-"
               "computing-constellation/ ; https://satnews.com/2026/02/16/china-completes-in-"
               "orbit-testing-of-three-body-ai-computing-constellation/")
_STARCLOUD = "https://blogs.nvidia.com/blog/starcloud/"

_H100_SXM = HardwareProfile(
    name="h100",
    peak_tops=989.4,
    memory_bandwidth_gbs=3350.0,
    memory_gb=80.0,
    idle_power_w=70.0,
    peak_power_w=700.0,
    precision="bf16 dense",
    dense_tops={"fp32": 66.9, "tf32": 494.7, "bf16": 989.4, "fp16": 989.4, "fp8": 1978.9,
                "int8": 1978.9},
    sparse_tops={"tf32": 989.4, "bf16": 1978.9, "fp16": 1978.9, "fp8": 3957.8,
                 "int8": 3957.8},
    source="NVIDIA H100 SXM5 80GB: 989 TFLOPS bf16 dense (1,979 with sparsity), 1,979 "
    "TFLOPS fp8/int8 dense, 3.35 TB/s HBM3, up to 700 W. Starcloud-1 (launched 2 Nov 2025, "
    "60 kg) carries one H100; NVIDIA/Starcloud do not say which variant (SXM or PCIe) nor the "
    "power it is given.",
    assumptions="idle_power_w (70 W) is a typical idle draw, not a data-sheet figure.",
    sources={
        "peak_tops": _H100,
        "dense_tops": _H100 + " (the table gives sparse figures; dense = 1/2)",
        "sparse_tops": _H100 + " ('* with sparsity')",
        "memory_bandwidth_gbs": _H100,
        "memory_gb": _H100,
        "idle_power_w": "assumption: typical idle draw of a data-centre GPU",
        "peak_power_w": _H100 + " (max TDP 700 W)",
    },
)

PROFILES: dict[str, HardwareProfile] = {
    "jetson-agx-orin": HardwareProfile(
        name="jetson-agx-orin",
        peak_tops=275.0,
        memory_bandwidth_gbs=204.8,
        memory_gb=64.0,
        idle_power_w=15.0,
        peak_power_w=60.0,
        precision="int8 sparse (GPU 170 + two DLAs 105)",
        dense_tops={"fp32": 5.3, "bf16": 42.5, "fp16": 42.5, "int8": 85.0},
        sparse_tops={"bf16": 85.0, "fp16": 85.0, "int8": 170.0},
        source="NVIDIA Jetson AGX Orin 64GB: 275 TOPS int8 with sparsity (GPU 170 + DLAs "
        "105), 15-60 W power modes, 204.8 GB/s LPDDR5, 64 GB. An LLM runs on the GPU: 85 "
        "TOPS int8 and 42.5 TFLOPS bf16/fp16 dense (Ampere tensor cores: dense = sparse/2, "
        "16-bit = int8/2), 5.3 TFLOPS fp32.",
        assumptions="idle_power_w uses the lowest (15 W) power mode.",
        sources={
            "peak_tops": _ORIN_PAGE + " ; " + _ORIN_BRIEF,
            "dense_tops": _ORIN_BRIEF + " (GPU: 170 sparse int8 TOPS, 5.3 fp32 TFLOPS) with "
            "the Ampere tensor-core ratios of " + _AMPERE,
            "sparse_tops": _ORIN_BRIEF,
            "memory_bandwidth_gbs": _ORIN_PAGE,
            "memory_gb": _ORIN_PAGE,
            "idle_power_w": "assumption: the lowest (15 W) power mode of " + _ORIN_PAGE,
            "peak_power_w": _ORIN_PAGE + " (60 W power mode)",
        },
    ),
    "three-body-744": HardwareProfile(
        name="three-body-744",
        peak_tops=744.0,
        memory_bandwidth_gbs=204.8,
        memory_gb=64.0,
        idle_power_w=40.0,
        peak_power_w=300.0,
        precision="int8, 'up to' (a per-satellite maximum; dense or sparse not stated)",
        dense_tops={"bf16": 186.0, "int8": 372.0},
        sparse_tops={"bf16": 372.0, "int8": 744.0},
        source="ADA Space / Zhejiang Lab, Three-Body Computing Constellation (May 2025): up "
        "to 744 TOPS per satellite, ~5 POPS for the 12 (so ~420 TOPS on average), 8B-parameter "
        "model on board. Chips, memory and power are not published.",
        assumptions="744 is read as an int8-with-sparsity headline like Jetson's (dense int8 "
        "372, bf16 186). The memory is an Orin-class module that holds the 8B model (64 GB "
        "LPDDR5, 204.8 GB/s): 744 TOPS is ~2.7 such 275-TOPS modules and one answer is decoded "
        "on the module holding the model (no tensor parallelism across modules). Power (40 W "
        "idle, 300 W peak) assumed at ~2.5 TOPS/W.",
        sources={
            "peak_tops": _THREE_BODY,
            "dense_tops": "assumption: 744 read as int8 sparse (dense = 1/2, bf16 = int8/2, "
            "as on NVIDIA tensor cores)",
            "sparse_tops": "assumption: 744 TOPS read as int8 with 2:4 sparsity",
            "memory_bandwidth_gbs": "assumption: one Jetson-AGX-Orin-class LPDDR5 module "
            "(204.8 GB/s, " + _ORIN_PAGE + ") holds the model; ~2.7 such modules give 744 TOPS",
            "memory_gb": "assumption: a 64 GB Orin-class module (8B int8 = 8.2 GB + KV cache)",
            "idle_power_w": "assumption",
            "peak_power_w": "assumption: ~2.5 TOPS/W at 744 TOPS",
        },
    ),
    "h100": _H100_SXM,
    "h100-pcie": replace(
        _H100_SXM,
        name="h100-pcie",
        peak_tops=756.5,
        memory_bandwidth_gbs=2000.0,
        idle_power_w=50.0,
        peak_power_w=350.0,
        dense_tops={"fp32": 51.2, "tf32": 378.0, "bf16": 756.5, "fp16": 756.5, "fp8": 1513.0,
                    "int8": 1513.0},
        sparse_tops={"tf32": 756.0, "bf16": 1513.0, "fp16": 1513.0, "fp8": 3026.0,
                     "int8": 3026.0},
        source="NVIDIA H100 PCIe 80GB: 756 TFLOPS bf16 dense (1,513 with sparsity), 1,513 "
        "TFLOPS fp8/int8 dense, 2.0 TB/s HBM2e, 300-350 W. The lower-power variant a small "
        "satellite could carry (which one Starcloud-1 flies is not published).",
        assumptions="idle_power_w (50 W) is an assumed idle draw.",
        sources={
            "peak_tops": _H100 + " (H100 PCIe column)",
            "dense_tops": _H100 + " (H100 PCIe; sparse figures, dense = 1/2)",
            "sparse_tops": _H100 + " (H100 PCIe, '* with sparsity')",
            "memory_bandwidth_gbs": _H100 + " (H100 PCIe)",
            "memory_gb": _H100 + " (H100 PCIe)",
            "idle_power_w": "assumption: typical idle draw",
            "peak_power_w": _H100 + " (H100 PCIe, 300-350 W)",
        },
    ),
    "tpu-v6e": HardwareProfile(
        name="tpu-v6e",
        peak_tops=918.0,
        memory_bandwidth_gbs=1638.0,
        memory_gb=32.0,
        idle_power_w=60.0,
        peak_power_w=300.0,
        precision="bf16 dense",
        dense_tops={"bf16": 918.0, "int8": 1836.0},
        source="Google Cloud TPU v6e (Trillium): 918 TFLOPS bf16, 1,836 TOPS int8 per chip, "
        "32 GB HBM at 1,638 GB/s; radiation-tested in Project Suncatcher (arXiv 2511.19468).",
        assumptions="Power (60 W idle, 300 W peak per chip) is not published; assumed.",
        sources={
            "peak_tops": _TPU_V6E,
            "dense_tops": _TPU_V6E,
            "memory_bandwidth_gbs": _TPU_V6E,
            "memory_gb": _TPU_V6E,
            "idle_power_w": "assumption",
            "peak_power_w": "assumption",
        },
    ),
}

#: Starcloud-1's published facts about its accelerator, for presets and notebooks.
STARCLOUD_1_NOTE = (
    "Starcloud-1 (60 kg, launched 2 Nov 2025) carries one NVIDIA H100 80 GB (" + _STARCLOUD
    + "); neither Starcloud nor NVIDIA state the variant (SXM 700 W or PCIe 350 W TDP) or the "
    "power it gets. A 60 kg bus cannot feed 700 W: model it as 'h100' or 'h100-pcie' with an "
    "assumption-labelled power cap."
)


def get_profile(name: str | HardwareProfile) -> HardwareProfile:
    """Return the profile called ``name`` (or ``name`` itself if it already is a profile)."""
    if isinstance(name, HardwareProfile):
        return name
    check_choice(name, PROFILES, "profile")
    return PROFILES[name]
