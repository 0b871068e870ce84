"""The inference time of one prompt and the accelerator time it takes, for a scenario.

One place for "how long does the model take?" so that every notebook quotes the same number for
the same model and hardware: :func:`prompt_latency` is :func:`lab.node.predict_latency` with the
scenario's accelerator (capped in sunlight or on battery), model size, number format, prompt
length, answer length (the median of its distribution unless given), KV cache
(:attr:`Scenario.kv_bytes_per_token`) and efficiency (:attr:`Scenario.roofline_efficiency`,
by default :data:`lab.node.ON_ORBIT_EFFICIENCY`) — the same call
:func:`lab.mission.steps.queue_and_infer` makes for every request.

:func:`service_time` is what a queue (and a power budget) sees: the accelerator time per prompt
when ``max_batch`` prompts are decoded together, ``T_e2e(B) / B`` — the **inverse** of the
throughput, far shorter than the latency of a prompt alone.

>>> round(prompt_latency("three-body-12").e2el)    # a median thinking answer, alone (s)
51
>>> round(service_time("three-body-12"), 2)         # its share of a full batch of 32 (s)
2.25
"""

from __future__ import annotations

from typing import Any

from lab._validate import check_int
from lab.mission.presets import get_preset
from lab.mission.scenario import Scenario
from lab.node import LatencyPrediction, predict_latency

__all__ = ["prompt_latency", "service_time"]


def prompt_latency(scenario: str | Scenario = "three-body-12", batch: int = 1, *,
                   on_battery: bool = False, output_tokens: Any = None) -> LatencyPrediction:
    """Roofline latency (s: ``.ttft``, ``.tpot``, ``.e2el``) of one prompt of ``scenario`` (a
    preset name or :class:`Scenario`) decoded in a batch of ``batch`` on its accelerator, at
    the sunlight power cap or, ``on_battery``, at the eclipse cap. ``output_tokens``: answer
    length(s) in tokens (default: the scenario's median answer, ``output_tokens``)."""
    sc = get_preset(scenario)
    batch = check_int(batch, "batch", lo=1)
    cap = sc.eclipse_power_w if on_battery else sc.power_cap_w
    prof = sc.profile
    if cap is not None and cap < prof.peak_power_w:
        prof = prof.with_power_cap(cap)
    n_out = sc.output_tokens if output_tokens is None else output_tokens
    return predict_latency(prof, sc.model_params, sc.bytes_per_param, sc.prompt_tokens, n_out,
                           batch, kv_bytes_per_token=sc.kv_bytes_per_token,
                           efficiency=sc.roofline_efficiency)


def service_time(scenario: str | Scenario = "three-body-12", *, on_battery: bool = False,
                 output_tokens: Any = None) -> float:
    """Accelerator time (s) one prompt of ``scenario`` takes in a full batch of
    ``max_batch``: ``T_e2e(max_batch) / max_batch``, the inverse throughput in prompts/s (what
    a FIFO queue or a power budget sees). Arguments as for :func:`prompt_latency`."""
    sc = get_preset(scenario)
    full = prompt_latency(sc, sc.max_batch, on_battery=on_battery, output_tokens=output_tokens)
    return float(full.e2el) / sc.max_batch
