"""Accelerator profiles shared by :mod:`lab.power` (how many watts) and :mod:`lab.node` (how fast).

Each profile states where its numbers come from; numbers nobody has published are marked as
assumptions in ``assumptions``, so a student can see exactly what is measured and what is guessed.
Fields carry their unit in their name: TOPS = 1e12 operations/s, GB/s = 1e9 bytes/s, GB = 1e9 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lab._validate import as_value, check_choice

__all__ = ["HardwareProfile", "PROFILES", "get_profile"]


@dataclass(frozen=True)
class HardwareProfile:
    """An accelerator: peak compute, memory, memory bandwidth and power draw.

    Parameters
    ----------
    name : short identifier, e.g. ``"h100"``.
    peak_tops : peak throughput in 1e12 operations/s at ``precision`` (what the vendor publishes).
    memory_bandwidth_gbs : memory bandwidth in GB/s (1e9 bytes/s).
    memory_gb : accelerator memory in GB.
    idle_power_w, peak_power_w : electrical power when idle and at full load, in W.
    precision : the number format ``peak_tops`` refers to (e.g. ``"int8 sparse"``, ``"bf16 dense"``).
    source : where the published numbers come from.
    assumptions : which numbers are assumptions rather than published facts.
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

    def __post_init__(self) -> None:
        as_value(self.peak_tops, "", "peak_tops", lo=0, lo_inclusive=False)
        as_value(self.memory_bandwidth_gbs, "", "memory_bandwidth_gbs", lo=0, lo_inclusive=False)
        as_value(self.memory_gb, "", "memory_gb", lo=0, lo_inclusive=False)
        as_value(self.idle_power_w, "", "idle_power_w", lo=0)
        as_value(self.peak_power_w, "", "peak_power_w", lo=self.idle_power_w)

    def power(self, utilization: float | np.ndarray) -> float | np.ndarray:
        """Electrical power in W at ``utilization`` in [0, 1] (linear between idle and peak)."""
        util = as_value(utilization, "", "utilization", lo=0.0, hi=1.0)
        return self.idle_power_w + (self.peak_power_w - self.idle_power_w) * util

    def with_power_cap(self, cap_w: float) -> HardwareProfile:
        """The same accelerator throttled to ``cap_w`` watts.

        Compute and bandwidth scale with the fraction of the dynamic power that is still
        available (a first-order DVFS model: performance roughly proportional to power above idle).
        """
        cap = as_value(cap_w, "", "cap_w", lo=self.idle_power_w, lo_inclusive=False)
        if cap >= self.peak_power_w:
            return self
        frac = (cap - self.idle_power_w) / (self.peak_power_w - self.idle_power_w)
        return replace(
            self,
            name=f"{self.name}@{cap:g}W",
            peak_tops=self.peak_tops * frac,
            memory_bandwidth_gbs=self.memory_bandwidth_gbs * frac,
            peak_power_w=cap,
            assumptions=(self.assumptions + " Power-capped: compute and bandwidth scaled "
                         "linearly with dynamic power.").strip(),
        )


PROFILES: dict[str, HardwareProfile] = {
    "jetson-agx-orin": HardwareProfile(
        name="jetson-agx-orin",
        peak_tops=275.0,
        memory_bandwidth_gbs=204.8,
        memory_gb=64.0,
        idle_power_w=15.0,
        peak_power_w=60.0,
        precision="int8 sparse",
        source="NVIDIA Jetson AGX Orin 64GB data sheet: 275 TOPS, 15-60 W power modes, "
        "204.8 GB/s LPDDR5, 64 GB.",
        assumptions="idle_power_w uses the lowest (15 W) power mode.",
    ),
    "three-body-744": HardwareProfile(
        name="three-body-744",
        peak_tops=744.0,
        memory_bandwidth_gbs=400.0,
        memory_gb=64.0,
        idle_power_w=40.0,
        peak_power_w=300.0,
        precision="int8 (as reported)",
        source="ADA Space, Three-Body Computing Constellation (May 2025): up to 744 TOPS per "
        "satellite, 5 POPS for 12 satellites, 8B-parameter model on board.",
        assumptions="Power (40 W idle, 300 W peak), memory (64 GB) and bandwidth (400 GB/s) are "
        "not published; assumed for a few Orin-class modules at ~2.5 TOPS/W.",
    ),
    "h100": HardwareProfile(
        name="h100",
        peak_tops=989.0,
        memory_bandwidth_gbs=3350.0,
        memory_gb=80.0,
        idle_power_w=70.0,
        peak_power_w=700.0,
        precision="bf16 dense",
        source="NVIDIA H100 SXM5 80GB data sheet: 989 TFLOPS BF16 dense, 3.35 TB/s HBM3, "
        "700 W TDP; Starcloud-1 (launched 2 Nov 2025) carries one H100 80 GB.",
        assumptions="idle_power_w (70 W) is a typical idle draw, not a data-sheet figure; "
        "Starcloud has not published its power cap.",
    ),
    "tpu-v6e": HardwareProfile(
        name="tpu-v6e",
        peak_tops=918.0,
        memory_bandwidth_gbs=1640.0,
        memory_gb=32.0,
        idle_power_w=60.0,
        peak_power_w=300.0,
        precision="bf16 dense",
        source="Google Cloud TPU v6e (Trillium) documentation: 918 TFLOPS BF16, 32 GB HBM, "
        "1640 GB/s; radiation-tested in Project Suncatcher (arXiv 2511.19468).",
        assumptions="Power (60 W idle, 300 W peak per chip) is not published; assumed.",
    ),
}


def get_profile(name: str | HardwareProfile) -> HardwareProfile:
    """Return the profile called ``name`` (or ``name`` itself if it already is a profile)."""
    if isinstance(name, HardwareProfile):
        return name
    check_choice(name, PROFILES, "profile")
    return PROFILES[name]
