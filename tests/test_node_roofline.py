"""Roofline model of lab.node (fast, no vLLM): hand calculations and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.hardware import PROFILES, HardwareProfile
from lab.node.roofline import (
    QWEN3,
    ModelSpec,
    attainable_ops,
    calibrate,
    cpu_microbenchmark,
    local_cpu_profile,
    predict_latency,
    ridge_point,
)


def _profile(tops: float = 100.0, bw: float = 1000.0) -> HardwareProfile:
    return HardwareProfile("test", tops, bw, 80.0, 10.0, 100.0)


def test_hand_calculation_h100_qwen3_8b():
    # 8.2e9 params in bf16 = 16.4 GB; H100 3.35 TB/s -> 4.895 ms per token (bandwidth-bound)
    p = predict_latency("h100", 8.2e9, 2, prompt_tokens=128, output_tokens=256)
    assert p.tpot == pytest.approx(16.4e9 / 3350e9, rel=1e-12)
    # prefill: 2 * 8.2e9 * 128 / 989e12 = 2.122 ms (compute) < 4.895 ms (weights once)
    assert p.prefill == pytest.approx(16.4e9 / 3350e9, rel=1e-12)
    assert p.e2el == pytest.approx(p.ttft + 255 * p.tpot)
    assert p.decode == pytest.approx(255 * p.tpot)
    assert not p.decode_compute_bound


def test_prefill_compute_bound_for_long_prompts():
    p = predict_latency("three-body-744", 8.2e9, 1, prompt_tokens=2048, output_tokens=1)
    assert p.prefill == pytest.approx(2 * 8.2e9 * 2048 / 744e12)
    assert p.prefill_compute_bound
    assert p.decode == pytest.approx(0.0, abs=1e-18) and p.e2el == pytest.approx(p.ttft)


def test_decode_compute_bound_at_large_batch():
    prof = _profile(tops=1.0, bw=1000.0)  # ridge point 1 op/byte
    p = predict_latency(prof, 1e9, 1, 16, 16, batch=64)
    assert p.decode_compute_bound
    assert p.tpot == pytest.approx(2 * 1e9 * 64 / 1e12)


@settings(max_examples=50, deadline=None)
@given(
    params=st.floats(1e6, 1e12),
    b=st.sampled_from([0.5, 1.0, 2.0, 4.0]),
    bw=st.floats(1.0, 1e4),
    tops=st.floats(1.0, 2000.0),
    n_in=st.integers(1, 8192),
    n_out=st.integers(1, 4096),
    batch=st.integers(1, 256),
)
def test_decode_time_at_least_weights_over_bandwidth(params, b, bw, tops, n_in, n_out, batch):
    p = predict_latency(_profile(tops, bw), params, b, n_in, n_out, batch)
    assert p.tpot >= params * b / (bw * 1e9) * (1 - 1e-12)
    assert p.tpot >= 2 * params * batch / (tops * 1e12) * (1 - 1e-12)
    assert p.ttft >= params * b / (bw * 1e9) * (1 - 1e-12)
    assert p.e2el >= p.ttft


@settings(max_examples=50, deadline=None)
@given(params=st.floats(1e8, 1e11), b=st.sampled_from([1.0, 2.0]), bw=st.floats(10.0, 5e3),
       kv=st.floats(0.0, 1e6))
def test_doubling_bandwidth_halves_bandwidth_bound_decode(params, b, bw, kv):
    prof = _profile(tops=1e6, bw=bw)  # huge compute: decode is bandwidth-bound
    prof2 = _profile(tops=1e6, bw=2 * bw)
    one = predict_latency(prof, params, b, 100, 50, kv_bytes_per_token=kv)
    two = predict_latency(prof2, params, b, 100, 50, kv_bytes_per_token=kv)
    assert not one.decode_compute_bound
    assert two.tpot == pytest.approx(one.tpot / 2, rel=1e-9)


def test_kv_cache_bytes_and_qwen3_spec():
    spec = QWEN3["Qwen3-8B"]
    # 2 (K,V) * 36 layers * 8 KV heads * 128 dims * 2 bytes = 147456 bytes per token
    assert spec.kv_bytes_per_token(2) == pytest.approx(147456, rel=1e-12)
    p = predict_latency("h100", spec, 2, 1000, 1001)
    mean_ctx = 1000 + 500
    assert p.tpot == pytest.approx((8.2e9 * 2 + mean_ctx * 147456) / 3350e9)
    assert p.memory_bytes == pytest.approx(16.4e9 + 2001 * 147456)
    assert p.fits


def test_memory_fit_flag():
    # Qwen3-32B in bf16 (65.6 GB) does not fit a 32 GB TPU v6e chip, fits an 80 GB H100
    assert not predict_latency("tpu-v6e", QWEN3["Qwen3-32B"], 2, 10, 10).fits
    assert predict_latency("h100", QWEN3["Qwen3-32B"], 2, 10, 10).fits


def test_vectorized_broadcast_matches_scalar():
    params = np.array([0.6e9, 8.2e9])[:, None]
    out = np.array([1, 64, 512])[None, :]
    p = predict_latency("jetson-agx-orin", params, 2, 128, out)
    assert p.e2el.shape == (2, 3)
    for i, pp in enumerate([0.6e9, 8.2e9]):
        for j, oo in enumerate([1, 64, 512]):
            s = predict_latency("jetson-agx-orin", pp, 2, 128, oo)
            assert p.e2el[i, j] == pytest.approx(s.e2el)


def test_power_cap_slows_decode():
    full = PROFILES["three-body-744"]
    capped = full.with_power_cap(170.0)  # half the dynamic power
    a = predict_latency(full, 8.2e9, 1, 128, 64)
    b = predict_latency(capped, 8.2e9, 1, 128, 64)
    assert b.tpot == pytest.approx(2 * a.tpot)


def test_efficiency_derating():
    a = predict_latency("h100", 8.2e9, 2, 128, 64)
    b = predict_latency("h100", 8.2e9, 2, 128, 64, bandwidth_efficiency=0.5)
    assert b.tpot == pytest.approx(2 * a.tpot)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"model_params": 0}, "model_params"),
        ({"bytes_per_param": -1}, "bytes_per_param"),
        ({"prompt_tokens": 0}, "prompt_tokens"),
        ({"output_tokens": 0}, "output_tokens"),
        ({"batch": 0.5}, "batch"),
        ({"profile": "gpu-9000"}, "profile"),
        # regression: fractional counts were silently accepted
        ({"prompt_tokens": 10.5}, r"prompt_tokens must be a whole number ≥ 1 \(got 10.5\)"),
        ({"output_tokens": np.array([16, 31.5])}, r"output_tokens .* whole number .*31.5"),
        ({"batch": 2.5}, "batch must be a whole number"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"profile": "h100", "model_params": 1e9, "bytes_per_param": 2, "prompt_tokens": 10,
            "output_tokens": 10} | kwargs
    with pytest.raises(ValueError, match=match):
        predict_latency(**args)


def test_whole_float_counts_are_accepted_and_model_spec_counts_checked():
    a = predict_latency("h100", 8.2e9, 2, 128, 64, 2)
    b = predict_latency("h100", 8.2e9, 2, 128.0, np.float64(64.0), 2.0)
    assert b.e2el == pytest.approx(a.e2el, rel=1e-15)
    with pytest.raises(TypeError, match=r"ModelSpec.layers must be an integer \(got 2.5\)"):
        ModelSpec("half", 1e9, 2.5, 8, 128, 1024)
    with pytest.raises(ValueError, match="ModelSpec.params"):
        ModelSpec("empty", 0, 2, 8, 128, 1024)
    spec = ModelSpec("whole", 1e9, 2.0, 8, 128, 1024)
    assert isinstance(spec.layers, int) and spec.layers == 2


def test_ridge_point_and_attainable():
    assert ridge_point("h100") == pytest.approx(989e12 / 3350e9)
    assert attainable_ops("h100", 1.0) == pytest.approx(3350e9)
    assert attainable_ops("h100", 1e6) == pytest.approx(989e12)


def test_cpu_microbenchmark_and_calibration_math():
    bench = cpu_microbenchmark(n=128, copy_mb=8, repeats=2)
    assert bench["matmul_flops"] > 1e6 and bench["copy_bandwidth"] > 1e6
    prof = local_cpu_profile(bench)
    assert prof.name == "local-cpu"

    class _R:  # a minimal stand-in for a MeasureResult of the embedded model
        class _Q:
            prompt_tokens, output_tokens = 10, 16

        ok = [_Q()] * 3
        summary = {"ttft": {"median": 0.05}, "tpot": {"median": 0.01}}
        server: dict = {}

    from lab.node.model import build_tiny_model

    cal = calibrate(_R(), model=build_tiny_model(), profile=prof)
    assert cal.overhead_per_token == pytest.approx(0.01 - cal.predicted.tpot)
    assert cal.efficiency_decode == pytest.approx(cal.predicted.tpot / 0.01)
    assert cal.effective_bandwidth_gbs == pytest.approx(cal.params * 4 / 0.01 / 1e9)
    _R.server = {"ttft": 0.02, "decode": 0.03}  # the engine's own numbers win when present
    cal = calibrate(_R(), model=build_tiny_model(), profile=prof)
    assert cal.measured_ttft == pytest.approx(0.02)
    assert cal.measured_tpot == pytest.approx(0.03 / 15)
    # a run's mean token counts are fractional in general: calibration still works
    _R.ok = [type("Q", (), {"prompt_tokens": n, "output_tokens": 16}) for n in (10, 11)]
    cal = calibrate(_R(), model=build_tiny_model(), profile=prof)
    assert cal.to_dict()["prompt_tokens"] == pytest.approx(10.5)
    from lab.node.model import model_info

    info = model_info(build_tiny_model())
    at = [predict_latency(prof, info["params"], info["bytes_per_param"], n, 16,
                          kv_bytes_per_token=info["kv_bytes_per_token"]) for n in (10, 11)]
    assert at[0].ttft <= cal.predicted.ttft <= at[1].ttft  # the roofline at 10.5 tokens
    assert at[0].tpot <= cal.predicted.tpot <= at[1].tpot
