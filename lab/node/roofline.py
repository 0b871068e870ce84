"""Roofline latency model of LLM inference, and its calibration against this machine.

A decoder with P parameters stored in b bytes each does about 2·P operations per token and must
read all P·b bytes of weights once per forward pass. With peak compute F (operations/s) and memory
bandwidth B (bytes/s):

- prefill (produces the first token, TTFT): ``max(2·P·prompt·batch / F, P·b / B)`` — compute-bound
  for any real prompt;
- decode, per output token (TPOT): ``max(2·P·batch / F, (P·b + KV bytes) / B)`` — bandwidth-bound
  unless the batch is large; the KV bytes are those of the cache read at that step
  (``batch · context · kv_bytes_per_token``), evaluated at the mean context length;
- end to end: ``E2EL = TTFT + (output_tokens - 1) · TPOT``.

Attention FLOPs, kernel launch and scheduling overheads are ignored: the roofline is a lower
bound. :func:`calibrate` measures how far a real server is from it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lab._validate import as_value, check_int
from lab.hardware import HardwareProfile, get_profile

__all__ = [
    "QWEN3",
    "Calibration",
    "LatencyPrediction",
    "ModelSpec",
    "attainable_ops",
    "calibrate",
    "cpu_microbenchmark",
    "latency_table",
    "local_cpu_profile",
    "predict_latency",
    "ridge_point",
]


@dataclass(frozen=True)
class ModelSpec:
    """Size and KV-cache geometry of a decoder-only transformer.

    ``params`` is the total number of parameters; ``kv_heads``/``head_dim``/``layers`` fix the
    KV cache: ``2 · layers · kv_heads · head_dim`` values per token.
    """

    name: str
    params: float
    layers: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    source: str = ""

    def __post_init__(self) -> None:  # counts are whole numbers: 2.5 layers is an error
        object.__setattr__(self, "params", as_value(self.params, "", "ModelSpec.params", lo=0,
                                                    lo_inclusive=False))
        for name in ("layers", "kv_heads", "head_dim", "hidden_size"):
            object.__setattr__(self, name, check_int(getattr(self, name), f"ModelSpec.{name}",
                                                     lo=1))

    def kv_bytes_per_token(self, bytes_per_value: float = 2.0) -> float:
        """Bytes of KV cache per token of context (K and V, all layers)."""
        return 2.0 * self.layers * self.kv_heads * self.head_dim * bytes_per_value

    def weight_bytes(self, bytes_per_param: float) -> float:
        """Bytes of weights at ``bytes_per_param`` (2 for bf16, 1 for int8, 0.5 for int4)."""
        return self.params * bytes_per_param


_QWEN_SRC = "Qwen3 model cards (Hugging Face Qwen/Qwen3-*): parameters, layers, GQA heads; " \
            "head_dim 128 from config.json."
#: Published Qwen3 dense models (the family ADA Space reports running in orbit).
QWEN3: dict[str, ModelSpec] = {
    "Qwen3-0.6B": ModelSpec("Qwen3-0.6B", 0.6e9, 28, 8, 128, 1024, _QWEN_SRC),
    "Qwen3-1.7B": ModelSpec("Qwen3-1.7B", 1.7e9, 28, 8, 128, 2048, _QWEN_SRC),
    "Qwen3-4B": ModelSpec("Qwen3-4B", 4.0e9, 36, 8, 128, 2560, _QWEN_SRC),
    "Qwen3-8B": ModelSpec("Qwen3-8B", 8.2e9, 36, 8, 128, 4096, _QWEN_SRC),
    "Qwen3-32B": ModelSpec("Qwen3-32B", 32.8e9, 64, 8, 128, 5120, _QWEN_SRC),
}


@dataclass(frozen=True)
class LatencyPrediction:
    """Roofline latencies in seconds (floats, or arrays broadcast over the inputs).

    ``prefill`` = ``ttft``; ``tpot`` per output token after the first; ``decode`` =
    ``(output_tokens - 1) · tpot``; ``e2el = ttft + decode``. ``*_compute_bound`` tell which roof
    limits; ``memory_bytes`` is weights + KV cache at the end of the answer; ``fits`` whether that
    fits in the accelerator's memory.
    """

    profile: str
    prefill: Any
    tpot: Any
    decode: Any
    e2el: Any
    prefill_compute_bound: Any
    decode_compute_bound: Any
    memory_bytes: Any
    fits: Any

    @property
    def ttft(self) -> Any:
        """Time to first token (= prefill), s."""
        return self.prefill

    def to_dict(self) -> dict[str, Any]:
        def conv(x: Any) -> Any:
            return x.tolist() if isinstance(x, np.ndarray) else x

        return {k: conv(getattr(self, k)) for k in
                ("profile", "prefill", "tpot", "decode", "e2el", "prefill_compute_bound",
                 "decode_compute_bound", "memory_bytes", "fits")}


def _scalar(x: Any) -> Any:
    arr = np.asarray(x)
    return arr.item() if arr.ndim == 0 else arr


def _as_count(value: Any, name: str) -> float | np.ndarray:
    """A whole number ≥ 1 (tokens, requests), or an array of them; ValueError otherwise."""
    arr = as_value(value, "", name, lo=1)
    frac = np.mod(arr, 1.0) != 0
    if np.any(frac):
        bad = np.asarray(arr)[frac] if np.ndim(arr) else arr
        raise ValueError(f"{name} must be a whole number ≥ 1 (got {np.ravel(bad)[0]:g})")
    return arr


def predict_latency(
    profile: str | HardwareProfile,
    model_params: float | np.ndarray | ModelSpec,
    bytes_per_param: float | np.ndarray,
    prompt_tokens: float | np.ndarray,
    output_tokens: float | np.ndarray,
    batch: float | np.ndarray = 1,
    *,
    kv_bytes_per_token: float | np.ndarray | None = None,
    compute_efficiency: float = 1.0,
    bandwidth_efficiency: float = 1.0,
) -> LatencyPrediction:
    """Roofline TTFT, TPOT and E2EL of generating ``output_tokens`` after ``prompt_tokens``.

    Parameters
    ----------
    profile : a :class:`~lab.hardware.HardwareProfile` or its name (``"h100"``, ...).
    model_params : number of parameters P, or a :class:`ModelSpec` (e.g. ``QWEN3["Qwen3-8B"]``).
    bytes_per_param : bytes per weight b (2 bf16, 1 int8, 0.5 int4).
    prompt_tokens, output_tokens : tokens in and out per request (≥ 1).
    batch : requests decoded together (weights are read once per step for all of them).
    kv_bytes_per_token : KV-cache bytes per token of context; default from the ModelSpec
        (bf16 cache), 0 for a bare parameter count.
    compute_efficiency, bandwidth_efficiency : fraction of the peaks actually reached (0, 1].

    All numeric arguments broadcast (NumPy); results are floats or arrays in seconds. Token
    counts and the batch must be whole numbers (``ValueError`` for 10.5 tokens).
    """
    n_in = _as_count(prompt_tokens, "prompt_tokens")
    n_out = _as_count(output_tokens, "output_tokens")
    bat = _as_count(batch, "batch")
    return _roofline(profile, model_params, bytes_per_param, n_in, n_out, bat,
                     kv_bytes_per_token, compute_efficiency, bandwidth_efficiency)


def _roofline(profile: str | HardwareProfile, model_params: Any, bytes_per_param: Any,
              n_in: Any, n_out: Any, bat: Any, kv_bytes_per_token: Any = None,
              compute_efficiency: float = 1.0, bandwidth_efficiency: float = 1.0
              ) -> LatencyPrediction:
    """:func:`predict_latency` for checked token counts and batch (also means: fractional)."""
    prof = get_profile(profile)
    if isinstance(model_params, ModelSpec):
        spec = model_params
        params = spec.params
        if kv_bytes_per_token is None:
            kv_bytes_per_token = spec.kv_bytes_per_token(2.0)
    else:
        params = as_value(model_params, "", "model_params", lo=0, lo_inclusive=False)
    kv = as_value(0.0 if kv_bytes_per_token is None else kv_bytes_per_token, "",
                  "kv_bytes_per_token", lo=0)
    b = as_value(bytes_per_param, "", "bytes_per_param", lo=0, lo_inclusive=False)
    ce = as_value(compute_efficiency, "", "compute_efficiency", lo=0, hi=1, lo_inclusive=False)
    be = as_value(bandwidth_efficiency, "", "bandwidth_efficiency", lo=0, hi=1,
                  lo_inclusive=False)
    ops = prof.peak_tops * 1e12 * ce
    bw = prof.memory_bandwidth_gbs * 1e9 * be
    weights = np.multiply(params, b)

    prefill_compute = 2.0 * np.multiply(params, n_in) * bat / ops
    prefill_memory = weights / bw
    prefill = np.maximum(prefill_compute, prefill_memory)

    mean_context = n_in + (n_out - 1.0) / 2.0
    decode_compute = 2.0 * np.multiply(params, bat) / ops
    decode_memory = (weights + bat * mean_context * kv) / bw
    tpot = np.maximum(decode_compute, decode_memory)
    decode = (n_out - 1.0) * tpot
    memory = weights + bat * (n_in + n_out) * kv
    return LatencyPrediction(
        profile=prof.name,
        prefill=_scalar(prefill),
        tpot=_scalar(tpot),
        decode=_scalar(decode),
        e2el=_scalar(prefill + decode),
        prefill_compute_bound=_scalar(prefill_compute >= prefill_memory),
        decode_compute_bound=_scalar(decode_compute >= decode_memory),
        memory_bytes=_scalar(memory),
        fits=_scalar(memory <= prof.memory_gb * 1e9),
    )


def ridge_point(profile: str | HardwareProfile) -> float:
    """Arithmetic intensity (operations per byte) where the compute and memory roofs meet."""
    prof = get_profile(profile)
    return prof.peak_tops * 1e12 / (prof.memory_bandwidth_gbs * 1e9)


def attainable_ops(profile: str | HardwareProfile, intensity: float | np.ndarray) -> Any:
    """Attainable operations/s at ``intensity`` ops/byte: ``min(F, B · intensity)``."""
    prof = get_profile(profile)
    i = as_value(intensity, "", "intensity", lo=0)
    return _scalar(np.minimum(prof.peak_tops * 1e12, prof.memory_bandwidth_gbs * 1e9 * i))


# ------------------------------------------------------------------------------ calibration


def cpu_microbenchmark(n: int = 512, copy_mb: int = 64, repeats: int = 5) -> dict[str, float]:
    """Measure this machine: float32 matmul throughput and memory-copy bandwidth (best of N).

    Returns ``{"matmul_flops": ops/s, "copy_bandwidth": bytes/s}`` (a copy reads and writes
    each byte, so 2 × size bytes move per copy).
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    bmat = rng.standard_normal((n, n), dtype=np.float32)
    a @ bmat  # warm up BLAS
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        a @ bmat
        best = min(best, time.perf_counter() - t)
    flops = 2.0 * n**3 / best
    src = np.ones(copy_mb * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best_c = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(dst, src)
        best_c = min(best_c, time.perf_counter() - t)
    return {"matmul_flops": float(flops), "copy_bandwidth": float(2 * src.nbytes / best_c)}


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 8.0


def local_cpu_profile(bench: dict[str, float] | None = None) -> HardwareProfile:
    """A :class:`HardwareProfile` of this machine's CPU from :func:`cpu_microbenchmark`."""
    bench = bench or cpu_microbenchmark()
    return HardwareProfile(
        name="local-cpu",
        peak_tops=bench["matmul_flops"] / 1e12,
        memory_bandwidth_gbs=bench["copy_bandwidth"] / 1e9,
        memory_gb=_memory_gb(),
        idle_power_w=10.0,
        peak_power_w=65.0,
        precision="fp32 (numpy matmul)",
        source=f"measured here: float32 matmul {bench['matmul_flops'] / 1e9:.1f} GFLOP/s, "
        f"memory copy {bench['copy_bandwidth'] / 1e9:.1f} GB/s",
        assumptions="Power (10 W idle, 65 W peak) is assumed, not measured.",
    )


@dataclass
class Calibration:
    """Measured latencies of a served model against the roofline of the machine serving it.

    ``efficiency_*`` = roofline time / measured time (1 = at the roofline; a tiny model on a
    CPU reaches far less: per-step scheduling, sampling and HTTP streaming dominate).
    ``overhead_per_token`` = measured TPOT − roofline TPOT (s), a fixed cost per decode step
    that a bigger model would amortize. ``effective_bandwidth_gbs`` = weight bytes / TPOT.
    """

    profile: HardwareProfile
    params: float
    bytes_per_param: float
    measured_ttft: float
    measured_tpot: float
    predicted: LatencyPrediction
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def efficiency_prefill(self) -> float:
        return float(self.predicted.ttft / self.measured_ttft)

    @property
    def efficiency_decode(self) -> float:
        return float(self.predicted.tpot / self.measured_tpot)

    @property
    def overhead_per_token(self) -> float:
        return float(self.measured_tpot - self.predicted.tpot)

    @property
    def effective_bandwidth_gbs(self) -> float:
        return float(self.params * self.bytes_per_param / self.measured_tpot / 1e9)

    def to_dict(self) -> dict[str, float]:
        return {
            "cpu_peak_gflops": self.profile.peak_tops * 1e3,
            "cpu_bandwidth_gbs": self.profile.memory_bandwidth_gbs,
            "params": self.params,
            "measured_ttft_s": self.measured_ttft,
            "measured_tpot_s": self.measured_tpot,
            "roofline_ttft_s": float(self.predicted.ttft),
            "roofline_tpot_s": float(self.predicted.tpot),
            "efficiency_prefill": self.efficiency_prefill,
            "efficiency_decode": self.efficiency_decode,
            "overhead_per_token_s": self.overhead_per_token,
            "effective_bandwidth_gbs": self.effective_bandwidth_gbs,
            **self.extra,
        }


def calibrate(
    result: Any,
    model: str | os.PathLike | None = None,
    profile: HardwareProfile | None = None,
) -> Calibration:
    """Relate a :class:`~lab.node.MeasureResult` on this machine to this machine's roofline.

    ``model`` is the checkpoint directory that was served (default: the embedded model);
    ``profile`` defaults to :func:`local_cpu_profile` (measured now). When the result carries the
    server's ``/metrics`` numbers, the engine's own TTFT and TPOT (prefill/decode histograms) are
    compared with the roofline: they time the forward passes the roofline describes, while the
    client's numbers add the HTTP front end (on a busy CPU the front end can fall behind and deliver
    tokens in bursts). Otherwise the client's medians are used.
    """
    from lab.node.model import default_model_dir, model_info

    info = model_info(model if model is not None else default_model_dir())
    prof = profile or local_cpu_profile()
    ok = result.ok
    prompt = float(np.mean([r.prompt_tokens for r in ok])) or 1.0
    out = float(np.mean([r.output_tokens for r in ok])) or 1.0
    summ = result.summary
    server = getattr(result, "server", {}) or {}
    extra = {"prompt_tokens": prompt, "output_tokens": out,
             "client_ttft_s": summ["ttft"]["median"], "client_tpot_s": summ["tpot"]["median"]}
    if "ttft" in server and "decode" in server and out > 1:
        ttft, tpot = server["ttft"], server["decode"] / (out - 1.0)
        extra["source_is_server_metrics"] = 1.0
    else:
        ttft, tpot = summ["ttft"]["median"], summ["tpot"]["median"]
        extra["source_is_server_metrics"] = 0.0
    # mean token counts of the run: fractional in general, so the unchecked core
    pred = _roofline(prof, info["params"], info["bytes_per_param"],
                     as_value(prompt, "", "mean prompt_tokens", lo=1),
                     as_value(out, "", "mean output_tokens", lo=1), 1,
                     info["kv_bytes_per_token"])
    return Calibration(profile=prof, params=float(info["params"]),
                       bytes_per_param=float(info["bytes_per_param"]),
                       measured_ttft=ttft, measured_tpot=tpot, predicted=pred, extra=extra)


def latency_table(
    profiles: list[str | HardwareProfile] | None = None,
    models: list[str | ModelSpec] | None = None,
    bytes_per_param: float = 2.0,
    prompt_tokens: int = 128,
    output_tokens: int = 256,
    batch: int = 1,
):
    """A pandas DataFrame of roofline latencies: one row per (accelerator, model).

    Columns: ``ttft_ms``, ``tpot_ms``, ``e2el_s``, ``tokens_per_s`` (one stream),
    ``decode_bound`` ("memory"/"compute"), ``fits`` (weights + KV cache in memory) and
    ``energy_wh`` (energy per answer at peak power, an upper bound).
    ``models`` are keys of :data:`QWEN3` or :class:`ModelSpec` objects.
    """
    import pandas as pd

    profiles = profiles or ["jetson-agx-orin", "three-body-744", "h100", "tpu-v6e"]
    models = models or ["Qwen3-0.6B", "Qwen3-8B"]
    rows = []
    for prof in profiles:
        p = get_profile(prof)
        for m in models:
            spec = QWEN3[m] if isinstance(m, str) else m
            pred = predict_latency(p, spec, bytes_per_param, prompt_tokens, output_tokens, batch)
            rows.append({
                "accelerator": p.name,
                "model": spec.name,
                "ttft_ms": pred.ttft * 1e3,
                "tpot_ms": pred.tpot * 1e3,
                "e2el_s": pred.e2el,
                "tokens_per_s": 1.0 / pred.tpot,
                "decode_bound": "compute" if pred.decode_compute_bound else "memory",
                "fits": bool(pred.fits),
                "energy_wh": p.peak_power_w * pred.e2el / 3600.0,
            })
    return pd.DataFrame(rows).set_index(["accelerator", "model"])
