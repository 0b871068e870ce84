"""Check helpers for the exercises of notebook 04 (the inference node).

Every expected answer is computed with :mod:`lab.node` and :mod:`lab.links` (never typed in)::

    from lab.exercises import node as ex
    ex.exercise_1(90)        # the power cap (W) at which the prefill takes 1 s
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from lab.constants import C_LIGHT, R_EARTH
from lab.exercises import Feedback, check_choice, check_number, unanswered
from lab.exercises._helpers import check_names
from lab.hardware import get_profile
from lab.links import slant_range
from lab.node import QWEN3, predict_latency

__all__ = ["GEO_ALT_KM", "LEO_ALT_KM", "PREFILL", "THIN_LINK_BPS", "exercise_1", "exercise_2",
           "exercise_3", "exercise_4", "exercise_5", "exercise_6", "expected_cap_w",
           "expected_batch", "expected_models", "geo_relay_round_trip_s"]

#: Exercise 1: Qwen3-8B in bf16 on the 744-TOPS node, a 2,048-token prompt, a 256-token answer.
PREFILL = {"profile": "three-body-744", "model": "Qwen3-8B", "bytes_per_param": 2.0,
           "prompt_tokens": 2048, "output_tokens": 256}
#: Exercise 4: the thin link (bit/s: a slow telemetry-and-command rate) and the size of one
#: streamed chunk of the answer (a server-sent event carrying one token: ~220 bytes of JSON,
#: measured through LinkEmulator's ``stats``). A chunk then takes ~18 ms on the wire, longer
#: than the tiny model's decode step even on a busy CPU (a few ms).
THIN_LINK_BPS = 1e5
CHUNK_BYTES = 220
GEO_ALT_KM, LEO_ALT_KM = 35786.0, 550.0


def expected_cap_w(seconds: float = 1.0) -> float:
    """The power cap (W) at which the prefill of exercise 1 takes ``seconds`` (bisection on
    :meth:`lab.hardware.HardwareProfile.with_power_cap`; the prefill time falls with the cap)."""
    prof, spec = get_profile(PREFILL["profile"]), QWEN3[PREFILL["model"]]

    def ttft(cap: float) -> float:
        return float(predict_latency(prof.with_power_cap(cap), spec, PREFILL["bytes_per_param"],
                                     PREFILL["prompt_tokens"], PREFILL["output_tokens"]).ttft)

    lo, hi = prof.idle_power_w + 1e-6, prof.peak_power_w
    if ttft(hi) >= seconds:
        return hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ttft(mid) > seconds else (lo, mid)
    return 0.5 * (lo + hi)


def exercise_1(cap_w: Any) -> Feedback:
    """The power cap (W) below which the 2,048-token prefill of Qwen3-8B (bf16) on the
    744-TOPS node takes longer than 1 s."""
    if cap_w is None:
        return unanswered("my_answer", 'a power cap in W')
    return check_number("power cap", cap_w, expected_cap_w(1.0), unit="W", rtol=0.03,
                        hint="the cap scales the compute peaks with the dynamic power above "
                        "idle (40 W): try caps between 40 and 300 W and look at p.ttft.")


def expected_batch(profile: str = "h100", prompt_tokens: int = 128, output_tokens: int = 256,
                   bytes_per_param: float = 2.0) -> int:
    """The smallest batch at which the decode of Qwen3-8B becomes compute-bound (exercise 2)."""
    batches = np.arange(1, 8193)
    p = predict_latency(profile, QWEN3["Qwen3-8B"], bytes_per_param, prompt_tokens,
                        output_tokens, batches)
    bound = np.asarray(p.decode_compute_bound)
    return int(batches[np.argmax(bound)]) if bound.any() else -1


def exercise_2(batch: Any) -> Feedback:
    """The smallest batch at which decoding Qwen3-8B (bf16, 128-token prompt, 256-token
    answer) on an H100 becomes compute-bound."""
    if batch is None:
        return unanswered("my_answer", 'a whole number (the batch)')
    return check_number("batch", batch, expected_batch(), rtol=0.02,
                        hint="scan batch=np.arange(1, 4096) in one predict_latency call and "
                        "find the first p.decode_bound == 'compute'. Without the KV cache it "
                        "would be where 2B/b reaches ridge_point('h100'); but every request "
                        "of the batch also reads its own KV cache at every step.")


def expected_models(profile: str = "tpu-v6e", context_tokens: int = 32768,
                    output_tokens: int = 256) -> list[str]:
    """The :data:`lab.node.QWEN3` models whose bf16 weights and KV cache of a
    ``context_tokens`` context fit in ``profile``'s memory (exercise 3)."""
    return [name for name, spec in QWEN3.items()
            if bool(predict_latency(profile, spec, 2.0, context_tokens - output_tokens,
                                    output_tokens).fits)]


def exercise_3(models: Iterable[str]) -> Feedback:
    """The Qwen3 models (names of ``QWEN3``) that fit a TPU v6e chip in bf16 with a
    32,768-token context."""
    if models is None:
        return unanswered("my_answer", 'a list of QWEN3 names')
    return check_names("models that fit", models, expected_models(), QWEN3,
                       why="weights + KV cache of 32,768 tokens within 32 GB",
                       hint=".memory_bytes counts the weights and the KV cache of the whole "
                       "context; compare it with the chip's 32e9 bytes (or look at .fits).")


def exercise_4(metric: str) -> Feedback:
    """Which metric a 100 kbit/s link changes for 64-token answers: "TTFT", "TPOT" or "both"."""
    if metric is None:
        return unanswered("my_answer", '"TTFT", "TPOT" or "both"')
    chunk_ms = CHUNK_BYTES * 8 / THIN_LINK_BPS * 1e3
    return check_choice(
        "metric", metric, "both", ["TTFT", "TPOT", "both"],
        why=f"the request's bytes are serialized before the server sees it (TTFT), and every "
        f"streamed chunk of ~{CHUNK_BYTES} bytes takes {chunk_ms:.0f} ms on the wire, longer "
        "than the tiny model's decode step, so the FIFO link stretches the gaps (TPOT) too",
        hint=f"how long does one streamed chunk (~{CHUNK_BYTES} bytes, one token) take at "
        "100 kbit/s, and how does that compare with the tiny model's TPOT? The link is a FIFO "
        "pipe (LinkEmulator's docstring).")


def exercise_5(decode_efficiency: Any, record: dict | None = None) -> Feedback:
    """The decode efficiency (roofline TPOT / measured TPOT) of a calibration ``record``
    (default: the recorded one, :func:`lab.node.recorded_calibration`)."""
    if decode_efficiency is None:
        return unanswered("my_answer", 'a fraction (roofline / measured TPOT)')
    from lab.node import predict_recorded, recorded_calibration

    rec = record if record is not None else recorded_calibration()
    expected = float(predict_recorded(rec).tpot) / rec["measured"]["tpot_s"]
    return check_number("decode efficiency", decode_efficiency, expected, rtol=0.02,
                        hint="divide the roofline's TPOT (predict_recorded(record).tpot) by "
                        "the measured one (record['measured']['tpot_s']): a fraction below 1.")


def geo_relay_round_trip_s(elevation_deg: float = 10.0) -> float:
    """Light time (s) of a prompt and its answer through a GEO relay: ground -> GEO (seen at
    ``elevation_deg``) -> a LEO satellite at 550 km directly below the GEO, and back: four
    legs (:func:`lab.links.slant_range` for the ground leg)."""
    ground_geo = float(slant_range(GEO_ALT_KM, elevation_deg).to_value("km"))
    geo_leo = (R_EARTH + GEO_ALT_KM) - (R_EARTH + LEO_ALT_KM)
    return 2.0 * (ground_geo + geo_leo) / C_LIGHT


def exercise_6(round_trip_s: Any, elevation_deg: float = 90.0) -> Feedback:
    """The round-trip light time (s) through a GEO relay seen at ``elevation_deg`` (four legs;
    default: a station right below the relay, the best case; section 8 of notebook 04 shows
    10°)."""
    if round_trip_s is None:
        return unanswered("my_answer", 'a time in s')
    return check_number("round trip", round_trip_s, geo_relay_round_trip_s(elevation_deg),
                        unit="s", rtol=0.02,
                        hint="four legs: ground->GEO, GEO->LEO, LEO->GEO, GEO->ground; "
                        f"slant_range(35786, {elevation_deg:g}) for the ground legs, 35,786 - 550 "
                        "km for the GEO-LEO legs, each divided by c.")
