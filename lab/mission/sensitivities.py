"""Which uncertain input moves the response time most: a one-at-a-time sensitivity analysis.

:func:`sensitivity` runs :func:`lab.mission.response_times` with each input of
:data:`SENSITIVITY_INPUTS` set to its low and then its high value (everything else at the
scenario's value) and reports two outcomes: the **in-pass** median (prompts that find a
satellite in view once mission control has handed them over: the situation of the reported
"under two minutes") and the **day** median (all prompts of the day). Each input states its
low and high values and where they come from; the result is what a tornado plot shows
(:func:`lab.mission.plots.tornado_figure`).

The inputs: the operator chain, the acquisition (antenna slew + link lock), the telecommand
uplink rate, the answer length, the accelerator's peak operations and memory bandwidth, the
roofline efficiency, the antennas per station and the laser links' set-up time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lab._validate import check_choice, check_int
from lab.mission.presets import ANSWER_LENGTHS, get_preset
from lab.mission.response import response_times
from lab.mission.scenario import Scenario, stations_of
from lab.node.calibration import recorded_efficiency

__all__ = ["SENSITIVITY_INPUTS", "SensitivityInput", "in_pass_median", "sensitivity"]


@dataclass(frozen=True)
class SensitivityInput:
    """One uncertain input: its ``low`` and ``high`` values (in ``unit``; a number, or a
    function of the scenario for inputs stated relative to its hardware), where they come from,
    the scenario's own value (``current(scenario)``) and how to set it (``apply``)."""

    name: str
    unit: str
    low: float | Callable[[Scenario], float]
    high: float | Callable[[Scenario], float]
    source: str
    current: Callable[[Scenario], float]
    apply: Callable[[Scenario, float], Scenario]

    def bounds(self, sc: Scenario) -> tuple[float, float]:
        """(low, high) for scenario ``sc``."""
        return tuple(float(b(sc)) if callable(b) else float(b)  # type: ignore[return-value]
                     for b in (self.low, self.high))


def _with_stations(sc: Scenario, **changes: Any) -> Scenario:
    return replace(sc, network=tuple(replace(st, **changes) for st in stations_of(sc.network)))


def _acquisition(sc: Scenario, seconds: float) -> Scenario:
    """A new contact's slew + uplink lock = ``seconds``, split like the defaults (2/3 slew)."""
    slew = 2.0 * seconds / 3.0
    return replace(_with_stations(sc, slew_s=slew),
                   uplink=sc.uplink_budget.replace(acquisition_s=seconds - slew))


def _uplink_rate(sc: Scenario, bps: float) -> Scenario:
    """The uplink budget at ``bps`` (1 bit/s/Hz over that many symbols/s)."""
    return replace(sc, uplink=sc.uplink_budget.replace(bandwidth=bps,
                                                       max_spectral_efficiency=1.0))


def _profile(sc: Scenario, **changes: Any) -> Scenario:
    return replace(sc, hardware=replace(sc.profile, **changes))


def _tops(sc: Scenario, tops: float) -> Scenario:
    """Every peak of the accelerator (headline, dense and sparse per format) scaled so that the
    headline is ``tops``."""
    prof = sc.profile
    f = tops / prof.peak_tops
    return _profile(sc, peak_tops=tops, dense_tops={k: v * f for k, v in dict(prof.dense_tops)
                                                     .items()},
                    sparse_tops={k: v * f for k, v in dict(prof.sparse_tops).items()})


_AVERAGE_OF_MAXIMUM = 5000.0 / 12 / 744.0  # Three-Body: 5 POPS for 12 satellites vs 744 TOPS


SENSITIVITY_INPUTS: dict[str, SensitivityInput] = {s.name: s for s in (
    SensitivityInput(
        "operator chain", "s", 2.0, 300.0,
        "assumption: 2 s for a fully automated mission control; 300 s when a human approves "
        "each uplink",
        lambda sc: sc.operator_s, lambda sc, v: replace(sc, operator_s=v)),
    SensitivityInput(
        "acquisition", "s", 5.0, 100.0,
        "slew + lock of a new contact: assumption, 5 s (a pre-pointed antenna that locks at "
        "once) to 100 s (a slow dish and a long carrier sweep; 100 s is the SDA optical "
        "terminals' limit)",
        lambda sc: float(np.mean([st.slew_s for st in stations_of(sc.network)]))
        + sc.uplink_budget.acquisition_s, _acquisition),
    SensitivityInput(
        "uplink rate", "bit/s", 4e3, 2.048e6,
        "telecommand rates: 4 kbit/s (the lowest standard telecommand rate, 4000 bit/s) to "
        "2 Mbit/s (high-rate S-band telecommand, lab.links 's-band-uplink-2m')",
        lambda sc: float(sc.uplink_budget.data_rate_value(1000.0)), _uplink_rate),
    SensitivityInput(
        "answer length", "tokens", float(ANSWER_LENGTHS["chat"]["output_tokens"]), 4000.0,
        "median answer: 256 tokens without a reasoning trace (lab.mission ANSWER_LENGTHS "
        "'chat') to 4,000 with a long one (assumption: Qwen3's reasoning budgets run to "
        "thousands of tokens)",
        lambda sc: float(sc.output_tokens),
        lambda sc, v: replace(sc, output_tokens=int(v),
                              max_output_tokens=max(sc.max_output_tokens, int(v)))),
    SensitivityInput(
        "peak TOPS", "TOPS", lambda sc: sc.profile.peak_tops * _AVERAGE_OF_MAXIMUM,
        lambda sc: sc.profile.peak_tops,
        "Three-Body: 744 TOPS is the maximum per satellite; 5 POPS for 12 satellites is ~420 "
        "TOPS on average (DESIGN.md): the accelerator's peaks (dense and sparse) from 420/744 "
        "of its headline to all of it",
        lambda sc: float(sc.profile.peak_tops), _tops),
    SensitivityInput(
        "memory bandwidth", "GB/s", lambda sc: sc.profile.memory_bandwidth_gbs / 2,
        lambda sc: sc.profile.memory_bandwidth_gbs * 2,
        "assumption: half to twice the profile's bandwidth (Three-Body: an Orin-class module's "
        "204.8 GB/s, itself an assumption of lab.hardware)",
        lambda sc: float(sc.profile.memory_bandwidth_gbs),
        lambda sc, v: _profile(sc, memory_bandwidth_gbs=v)),
    SensitivityInput(
        "efficiency", "", lambda sc: recorded_efficiency().bandwidth, 1.0,
        "fraction of the roofs inference reaches (default: lab.node.ON_ORBIT_EFFICIENCY, 0.77 "
        "of the bandwidth roof, published vLLM on an A100): from this CPU's measured vLLM "
        "decode (~0.45, lab.node.calibration) to the roofline itself (1)",
        lambda sc: sc.roofline_efficiency.bandwidth, lambda sc, v: replace(sc, efficiency=v)),
    SensitivityInput(
        "antennas", "per station", 1.0, 4.0,
        "1 (the default without a public count) to 4 (RSGS Lijiang, AIRCAS 2024)",
        lambda sc: float(np.mean([st.antennas for st in stations_of(sc.network)])),
        lambda sc, v: _with_stations(sc, antennas=int(v))),
    SensitivityInput(
        "laser link set-up", "s", 2.0, 100.0,
        "SDA optical standard: goal < 10 s, limit 100 s; ~15 s reported for Three-Body; 2 s "
        "for a fast terminal (assumption)",
        lambda sc: sc.isl_setup_s, lambda sc, v: replace(sc, isl_setup_s=v)),
)}


def in_pass_median(breakdown: pd.DataFrame) -> float:
    """Median total (s) of the answered prompts that found a satellite in view (no wait for a
    contact); NaN if there is none."""
    b = breakdown[(breakdown["wait_for_contact"] == 0) & np.isfinite(breakdown["total"])]
    return float(b["total"].median()) if len(b) else float("nan")


def _outcomes(sc: Scenario, requests: int, seed: int, dt: float) -> tuple[float, float]:
    r = response_times(sc, requests=requests, seed=seed, dt=dt)
    return in_pass_median(r.breakdown), float(r.summary["p50"])


def sensitivity(scenario: str | Scenario, inputs: Sequence[str] | None = None, *,
                requests: int = 1000, seed: int = 0, dt: float = 60.0) -> pd.DataFrame:
    """One-at-a-time sensitivity of the in-pass and day median response times (s).

    One row per input of :data:`SENSITIVITY_INPUTS` (or the names in ``inputs``), sorted by
    how much it moves the in-pass median: the scenario's value and the low/high values with
    their unit and source, the medians at the low and high values, and the swings
    ``|high - low|``. ``df.attrs`` holds the scenario's own medians (``in_pass_s``,
    ``day_s``). Every run uses the same ``requests``, ``seed`` and ``dt``.
    """
    sc = get_preset(scenario)
    names = list(SENSITIVITY_INPUTS) if inputs is None else list(inputs)
    for n in names:
        check_choice(n, SENSITIVITY_INPUTS, "sensitivity input")
    requests = check_int(requests, "requests", lo=1)
    base_pass, base_day = _outcomes(sc, requests, seed, dt)
    rows = []
    for name in names:  # a handful of inputs, two runs each
        spec = SENSITIVITY_INPUTS[name]
        low, high = spec.bounds(sc)
        lo_pass, lo_day = _outcomes(spec.apply(sc, low), requests, seed, dt)
        hi_pass, hi_day = _outcomes(spec.apply(sc, high), requests, seed, dt)
        rows.append({
            "input": name, "unit": spec.unit, "value": spec.current(sc), "low": low,
            "high": high, "in_pass_low_s": lo_pass, "in_pass_high_s": hi_pass,
            "day_low_s": lo_day, "day_high_s": hi_day,
            "in_pass_swing_s": abs(hi_pass - lo_pass), "day_swing_s": abs(hi_day - lo_day),
            "source": spec.source,
        })
    df = (pd.DataFrame(rows).sort_values("in_pass_swing_s", ascending=False)
          .set_index("input"))
    df.attrs.update(scenario=sc.name, in_pass_s=base_pass, day_s=base_day, requests=requests,
                    seed=seed)
    return df
