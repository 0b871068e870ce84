"""lab.mission.prompt_latency / service_time: the one inference time per prompt that every
notebook quotes is the one lab.mission charges its requests, and the service time is the
inverse throughput of a full batch."""

from __future__ import annotations

import doctest
from dataclasses import replace

import numpy as np
import pytest

import lab.mission.service
from lab.mission import PRESETS, prompt_latency, response_times, service_time
from lab.node import ON_ORBIT_EFFICIENCY, QWEN3, predict_latency


def test_docstring_examples_run():
    assert doctest.testmod(lab.mission.service).failed == 0


@pytest.mark.parametrize("name", list(PRESETS))
def test_prompt_latency_is_what_response_times_charges_a_lone_request(name):
    sc = PRESETS[name]
    b = response_times(sc, requests=400, seed=3).breakdown
    alone = (b.queueing == 0) & np.isfinite(b.total)
    assert alone.any()
    tokens = b.loc[alone, "output_tokens"].to_numpy()
    sun = prompt_latency(sc, output_tokens=tokens).e2el
    eclipse = prompt_latency(sc, on_battery=True, output_tokens=tokens).e2el
    expected = np.where(b.loc[alone, "on_battery"], eclipse, sun)
    np.testing.assert_allclose(b.loc[alone, "inference"], expected, rtol=1e-9)


def test_three_body_prompt_is_a_memory_bound_decode_at_the_on_orbit_efficiency():
    """Hand calculation: 1,000 tokens x (8 GB of int8 weights + KV) / (0.77 x 204.8 GB/s)."""
    p = prompt_latency("three-body-12")
    spec = QWEN3["Qwen3-8B"]  # the KV cache of the nearest Qwen3 (8e9 parameters in the preset)
    assert p.decode_bound == "memory"
    weights = 8e9 * 1.0
    kv = spec.kv_bytes_per_token(2.0) * (200 + 1000 / 2)  # mean context of the decode steps
    tpot = (weights + kv) / (ON_ORBIT_EFFICIENCY.bandwidth * 204.8e9)
    assert float(p.tpot) == pytest.approx(tpot, rel=0.02)
    assert float(p.e2el) == pytest.approx(999 * tpot, rel=0.02)
    same = predict_latency("three-body-744", 8e9, 1.0, 200, 1000,
                           kv_bytes_per_token=spec.kv_bytes_per_token(2.0),
                           efficiency=ON_ORBIT_EFFICIENCY)
    assert float(p.e2el) == pytest.approx(float(same.e2el), rel=1e-12)


def test_service_time_is_the_inverse_throughput_of_a_full_batch():
    sc = PRESETS["three-body-12"]
    full = prompt_latency(sc, sc.max_batch)
    assert service_time(sc) == pytest.approx(float(full.e2el) / sc.max_batch, rel=1e-12)
    # batching shares the weight reads: far less accelerator time per prompt than alone ...
    assert service_time(sc) < float(prompt_latency(sc).e2el) / 10
    # ... and one prompt per batch gives back the lone latency
    single = replace(sc, max_batch=1)
    assert service_time(single) == pytest.approx(float(prompt_latency(sc).e2el), rel=1e-12)


def test_on_battery_uses_the_eclipse_cap():
    sc = replace(PRESETS["three-body-12"], eclipse_cap_w=60.0)
    sun, battery = prompt_latency(sc), prompt_latency(sc, on_battery=True)
    assert float(battery.ttft) > float(sun.ttft)  # a compute-bound prefill slows under the cap


def test_bad_batch_is_refused_with_its_name():
    with pytest.raises(ValueError, match="batch"):
        prompt_latency("three-body-12", 0)


@pytest.mark.parametrize("name", ["three-body-12", "star-compute-2800", "suncatcher-81",
                                  "starcloud-1"])
def test_economics_prices_the_token_time_of_the_mission(name):
    """Regression: lab.economics priced tokens at the bare roofline (efficiency 1, 256-token
    answers, no KV cache for a parameter count) while lab.mission decodes the same model at
    ON_ORBIT_EFFICIENCY with 1,000-token thinking answers: one model, two speeds."""
    from lab import economics

    cost, sc = economics.PRESETS[name], PRESETS[name]
    assert (cost.batch, cost.prompt_tokens, cost.output_tokens, cost.bytes_per_param) == (
        sc.max_batch, sc.prompt_tokens, sc.output_tokens, sc.bytes_per_param)
    tpot = economics.token_rate(cost)["tpot_s"]
    assert tpot == pytest.approx(float(prompt_latency(sc, sc.max_batch).tpot), rel=1e-6)


def test_a_study_point_costs_the_token_time_of_its_scenario():
    from lab.study.parameters import build_design, cost_of

    design = build_design({"preset": "three-body-12", "n_satellites": 48, "hardware": "h100"})
    sc = design.scenario
    tpot = cost_of(design).tokens["tpot_s"]
    assert tpot == pytest.approx(float(prompt_latency(sc, sc.max_batch).tpot), rel=1e-6)
