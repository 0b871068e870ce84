"""Roofline latency model of LLM inference, with a KV-cache term and calibrated efficiencies.

A decoder with P parameters stored in b bytes each does about 2·P operations per token and must
read all P·b bytes of weights once per forward pass. With the **dense** peak F of the model's
number format (:meth:`lab.hardware.HardwareProfile.dense_peak_tops`, operations/s) and memory
bandwidth B (bytes/s), each derated by an achieved fraction (:class:`Efficiency`: η_F, η_B):

- prefill (produces the first token, TTFT): ``max(2·P·prompt·batch / (η_F·F), P·b / (η_B·B))``;
- decode step k = 1 … n_out−1 (the step that produces token k+1) attends over a context of
  ``prompt + k`` tokens and reads ``P·b + batch·(prompt + k)·kv`` bytes, with
  ``kv = 2 · layers · kv_heads · head_dim · bytes`` per token (:meth:`ModelSpec.kv_bytes_per_token`);
  TPOT = ``max(2·P·batch / (η_F·F), (P·b + batch·kv·(prompt + n_out/2)) / (η_B·B))`` is the mean
  over the steps (exact: the KV term is linear in k);
- end to end: ``E2EL = TTFT + (n_out − 1) · TPOT``.

:class:`LatencyPrediction` says which roof applies to prefill and to decode (``"compute"`` or
``"memory"``). Attention FLOPs, kernel launches and scheduling are not modelled: with η = 1 the
roofline is a lower bound, and the efficiencies say how far real servers land from it —
:data:`VLLM_GPU_EFFICIENCY` (published vLLM results on a data-centre GPU) and the measurement of
this machine in :mod:`lab.node.calibration`. :data:`ON_ORBIT_EFFICIENCY` is what the lab uses for
on-orbit hardware.

The Qwen3 models (:data:`QWEN3`) are built from their published ``config.json`` values, so the
parameter count and the KV geometry are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lab._validate import as_value, check_choice, check_int
from lab.hardware import NUMBER_FORMATS, HardwareProfile, get_profile

__all__ = [
    "BYTES_TO_FORMAT",
    "ON_ORBIT_EFFICIENCY",
    "QWEN3",
    "QWEN3_CONFIGS",
    "ROOFLINE",
    "VLLM_GPU_EFFICIENCY",
    "Efficiency",
    "LatencyPrediction",
    "ModelSpec",
    "as_efficiency",
    "attainable_ops",
    "decoder_params",
    "latency_table",
    "predict_latency",
    "qwen3_kv_bytes",
    "ridge_point",
]


def decoder_params(hidden_size: int, layers: int, heads: int, kv_heads: int, head_dim: int,
                   intermediate_size: int, vocab_size: int, tied_embeddings: bool,
                   qk_norm: bool = True) -> int:
    """Parameters of a Llama/Qwen-style decoder (GQA attention, SwiGLU MLP, RMSNorm).

    Per layer: q/k/v/o projections, gate/up/down MLP, two RMSNorms (and Qwen3's per-head q/k
    norms); plus the embedding, the LM head unless tied, and the final norm. Exact for Qwen3.
    """
    h, hd = hidden_size, head_dim
    per_layer = (h * hd * (heads + 2 * kv_heads) + heads * hd * h + 3 * h * intermediate_size
                 + 2 * h + (2 * hd if qk_norm else 0))
    return layers * per_layer + vocab_size * h * (1 if tied_embeddings else 2) + h


@dataclass(frozen=True)
class ModelSpec:
    """Size and KV-cache geometry of a decoder-only transformer.

    ``params`` is the total number of parameters; ``kv_heads``/``head_dim``/``layers`` fix the
    KV cache: ``2 · layers · kv_heads · head_dim`` values per token. ``heads``,
    ``intermediate_size``, ``vocab_size`` and ``tie_word_embeddings`` are kept when known
    (:meth:`from_config`).
    """

    name: str
    params: float
    layers: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    source: str = ""
    heads: int | None = None
    intermediate_size: int | None = None
    vocab_size: int | None = None
    tie_word_embeddings: bool | None = None

    def __post_init__(self) -> None:  # counts are whole numbers: 2.5 layers is an error
        object.__setattr__(self, "params", as_value(self.params, "", "ModelSpec.params", lo=0,
                                                    lo_inclusive=False))
        for name in ("layers", "kv_heads", "head_dim", "hidden_size", "heads",
                     "intermediate_size", "vocab_size"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, check_int(getattr(self, name),
                                                         f"ModelSpec.{name}", lo=1))

    @classmethod
    def from_config(cls, name: str, config: dict, source: str = "") -> ModelSpec:
        """A spec from a Hugging Face ``config.json`` dict (Qwen3/Llama keys); params counted."""
        cfg = config.get("text_config", config)
        h, heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
        kv = int(cfg.get("num_key_value_heads", heads))
        hd = int(cfg.get("head_dim") or h // heads)
        inter = int(cfg.get("intermediate_size", 4 * h))
        vocab, layers = int(cfg["vocab_size"]), int(cfg["num_hidden_layers"])
        tied = bool(cfg.get("tie_word_embeddings", False))
        params = decoder_params(h, layers, heads, kv, hd, inter, vocab, tied,
                                qk_norm=cfg.get("model_type") == "qwen3")
        return cls(name, params, layers, kv, hd, h, source, heads, inter, vocab, tied)

    def kv_bytes_per_token(self, bytes_per_value: float = 2.0) -> float:
        """Bytes of KV cache per token of context (K and V, all layers)."""
        return 2.0 * self.layers * self.kv_heads * self.head_dim * bytes_per_value

    def weight_bytes(self, bytes_per_param: float) -> float:
        """Bytes of weights at ``bytes_per_param`` (2 for bf16, 1 for int8, 0.5 for int4)."""
        return self.params * bytes_per_param


_QWEN_SRC = ("Qwen3 config.json as published on Hugging Face (https://huggingface.co/Qwen/"
             "{name}): hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, "
             "num_key_value_heads, head_dim, vocab_size, tie_word_embeddings")
#: Published ``config.json`` values of the dense Qwen3 models (the family ADA Space reports
#: running in orbit): hidden, intermediate, layers, heads, KV heads, head_dim 128, vocab 151,936.
QWEN3_CONFIGS: dict[str, dict[str, Any]] = {
    name: {"model_type": "qwen3", "hidden_size": h, "intermediate_size": inter,
           "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": 8,
           "head_dim": 128, "vocab_size": 151936, "tie_word_embeddings": tied}
    for name, h, inter, layers, heads, tied in (
        ("Qwen3-0.6B", 1024, 3072, 28, 16, True),
        ("Qwen3-1.7B", 2048, 6144, 28, 16, True),
        ("Qwen3-4B", 2560, 9728, 36, 32, True),
        ("Qwen3-8B", 4096, 12288, 36, 32, False),
        ("Qwen3-14B", 5120, 17408, 40, 40, False),
        ("Qwen3-32B", 5120, 25600, 64, 64, False),
    )
}
#: Qwen3 model specs (exact parameter counts from :data:`QWEN3_CONFIGS`).
QWEN3: dict[str, ModelSpec] = {name: ModelSpec.from_config(name, cfg, _QWEN_SRC.format(name=name))
                               for name, cfg in QWEN3_CONFIGS.items()}


def qwen3_kv_bytes(model_params: float, within: float = 1.25) -> float:
    """KV-cache bytes per token of context (bf16 cache) of the :data:`QWEN3` model nearest in
    parameters to ``model_params``; 0 when none is within a factor ``within`` (a model of
    another size has an unknown attention shape). The KV cache :mod:`lab.mission` and
    :mod:`lab.economics` read at every decode step of a model given by its parameter count."""
    params = as_value(model_params, "", "model_params", lo=0, lo_inclusive=False)
    spec = min(QWEN3.values(), key=lambda m: abs(np.log(m.params / params)))
    close = abs(np.log(spec.params / params)) < np.log(within)
    return float(spec.kv_bytes_per_token(2.0)) if close else 0.0


# ------------------------------------------------------------------------------ efficiency
@dataclass(frozen=True)
class Efficiency:
    """Achieved fractions (0, 1] of the compute roof (``compute``, prefill) and of the memory-
    bandwidth roof (``bandwidth``, decode), with where they come from."""

    compute: float = 1.0
    bandwidth: float = 1.0
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("compute", "bandwidth"):
            object.__setattr__(self, name, as_value(getattr(self, name), "",
                                                    f"{name} efficiency", lo=0, hi=1,
                                                    lo_inclusive=False))


#: The roofline itself: no overheads (a lower bound on latency).
ROOFLINE = Efficiency(1.0, 1.0, "the roofline itself (no overheads): a lower bound")

#: Published vLLM decode on a data-centre GPU, one request at a time: Llama-3.1-8B-Instruct
#: bf16 (16.06 GB of weights) on an A100 40GB (1,555 GB/s) decodes at ~75 tokens/s, 77 % of the
#: bandwidth roof (vLLM 0.23.0, `vllm bench serve`, 1024 in / 128 out, --ignore-eos). The
#: prefill fraction is an assumption.
VLLM_GPU_EFFICIENCY = Efficiency(
    compute=0.5, bandwidth=0.77,
    source="bandwidth: vLLM 0.23.0, Llama-3.1-8B bf16 on A100 40GB, concurrency 1: ~75 tok/s = "
    "77 % of the memory-bandwidth roof (https://johnmusgrave.com/p/vllm-throughput-latency-sweep"
    "-on); compute: assumption (prefill of a short prompt at half the dense peak)")

#: What the lab uses for on-orbit accelerators: the data-centre fraction of a *vendor peak*
#: bandwidth (on-orbit profiles quote vendor peaks too). This CPU's measurement
#: (:func:`lab.node.calibration.recorded_calibration`) checks the form of the model: a real-size
#: decode on vLLM is memory-bound and lands near the measured bandwidth roof.
ON_ORBIT_EFFICIENCY = Efficiency(VLLM_GPU_EFFICIENCY.compute, VLLM_GPU_EFFICIENCY.bandwidth,
                                 "= VLLM_GPU_EFFICIENCY: " + VLLM_GPU_EFFICIENCY.source)


def as_efficiency(value: float | Efficiency | None, owner: str = "scenario") -> Efficiency:
    """The :class:`Efficiency` a scenario or preset field ``efficiency`` stands for: None ->
    :data:`ON_ORBIT_EFFICIENCY`; an :class:`Efficiency` as it is; a number in (0, 1] -> that
    fraction of both roofs (``owner`` names who set it in the source)."""
    if value is None:
        return ON_ORBIT_EFFICIENCY
    if isinstance(value, Efficiency):
        return value
    e = as_value(value, "", "efficiency", lo=0.0, hi=1.0, lo_inclusive=False)
    return Efficiency(e, e, f"{owner}: {e:g} of both roofs")


# ------------------------------------------------------------------------------ prediction
#: The number format a weight size implies when none is given (W8A8 int8, bf16, fp32, W4).
BYTES_TO_FORMAT: dict[float, str] = {4.0: "fp32", 2.0: "bf16", 1.0: "int8", 0.5: "int4"}


@dataclass(frozen=True)
class LatencyPrediction:
    """Roofline latencies in seconds (floats, or arrays broadcast over the inputs).

    ``prefill`` = ``ttft``; ``tpot`` per output token after the first; ``decode`` =
    ``(output_tokens - 1) · tpot``; ``e2el = ttft + decode``. ``prefill_bound`` /
    ``decode_bound`` say which roof limits (``"compute"`` or ``"memory"``; the booleans
    ``*_compute_bound`` say the same). ``memory_bytes`` is weights + KV cache at the end of the
    answer; ``fits`` whether that fits in the accelerator's memory. ``compute_format`` is the
    number format whose dense peak was used, ``efficiency`` the derating applied.
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
    compute_format: Any = ""
    efficiency: Efficiency = ROOFLINE

    @property
    def ttft(self) -> Any:
        """Time to first token (= prefill), s."""
        return self.prefill

    @property
    def prefill_bound(self) -> Any:
        """``"compute"`` or ``"memory"`` (an array of them for array inputs)."""
        return _bound(self.prefill_compute_bound)

    @property
    def decode_bound(self) -> Any:
        """``"compute"`` or ``"memory"`` (an array of them for array inputs)."""
        return _bound(self.decode_compute_bound)

    def to_dict(self) -> dict[str, Any]:
        def conv(x: Any) -> Any:
            return x.tolist() if isinstance(x, np.ndarray) else x

        out = {k: conv(getattr(self, k)) for k in
               ("profile", "prefill", "tpot", "decode", "e2el", "prefill_compute_bound",
                "decode_compute_bound", "prefill_bound", "decode_bound", "memory_bytes", "fits",
                "compute_format")}
        out["efficiency"] = {"compute": self.efficiency.compute,
                             "bandwidth": self.efficiency.bandwidth}
        return out


def _bound(compute_bound: Any) -> Any:
    return _scalar(np.where(compute_bound, "compute", "memory"))


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


def _efficiency(efficiency: Efficiency | None, compute: float | None,
                bandwidth: float | None) -> Efficiency:
    """One :class:`Efficiency` from the keyword forms (``efficiency=`` or the two floats)."""
    if efficiency is not None:
        if not isinstance(efficiency, Efficiency):
            raise TypeError(f"efficiency must be an Efficiency (got {efficiency!r})")
        if compute is not None or bandwidth is not None:
            raise ValueError("give efficiency= or compute_efficiency=/bandwidth_efficiency=, "
                             "not both")
        return efficiency
    if compute is None and bandwidth is None:
        return ROOFLINE
    return Efficiency(1.0 if compute is None else compute,
                      1.0 if bandwidth is None else bandwidth, "given")


def _peak_ops(prof: HardwareProfile, bytes_per_param: Any,
              number_format: str | None) -> tuple[Any, Any]:
    """Dense peak (operations/s) and its format for the model's number format (vectorized over
    ``bytes_per_param`` when no format is given)."""
    if number_format is not None:
        check_choice(number_format, NUMBER_FORMATS, "number_format")
        fmt = prof.compute_format(number_format)
        return prof.dense_peak_tops(fmt) * 1e12, fmt
    if not prof.formats:  # one peak for every format
        return prof.peak_tops * 1e12, prof.precision or "any"
    b = np.asarray(bytes_per_param, dtype=float)
    known = np.isin(b, list(BYTES_TO_FORMAT))
    if not np.all(known):
        raise ValueError(f"bytes_per_param {np.ravel(b[~known])[0]:g} implies no number format "
                         f"(known: {', '.join(f'{k:g}' for k in BYTES_TO_FORMAT)}); pass "
                         f"number_format=")
    present = [k for k in BYTES_TO_FORMAT if np.any(b == k)]  # resolve only formats in use
    fmts = [prof.compute_format(BYTES_TO_FORMAT[k]) for k in present]
    conds = [b == k for k in present]
    peaks = np.select(conds, [prof.dense_peak_tops(f) * 1e12 for f in fmts])
    return _scalar(peaks), _scalar(np.select(conds, fmts, default=fmts[0]))


def predict_latency(
    profile: str | HardwareProfile,
    model_params: float | np.ndarray | ModelSpec,
    bytes_per_param: float | np.ndarray,
    prompt_tokens: float | np.ndarray,
    output_tokens: float | np.ndarray,
    batch: float | np.ndarray = 1,
    *,
    kv_bytes_per_token: float | np.ndarray | None = None,
    compute_efficiency: float | None = None,
    bandwidth_efficiency: float | None = None,
    efficiency: Efficiency | None = None,
    number_format: str | None = None,
) -> LatencyPrediction:
    """Roofline TTFT, TPOT and E2EL of generating ``output_tokens`` after ``prompt_tokens``.

    Parameters
    ----------
    profile : a :class:`~lab.hardware.HardwareProfile` or its name (``"h100"``, ...).
    model_params : number of parameters P, or a :class:`ModelSpec` (e.g. ``QWEN3["Qwen3-8B"]``).
    bytes_per_param : bytes per weight b (2 bf16, 1 int8, 0.5 int4).
    prompt_tokens, output_tokens : tokens in and out per request (≥ 1; arrays broadcast, e.g.
        a distribution of answer lengths).
    batch : requests decoded together (weights are read once per step for all of them).
    kv_bytes_per_token : KV-cache bytes per token of context; default from the ModelSpec
        (bf16 cache), 0 for a bare parameter count.
    efficiency : an :class:`Efficiency` (e.g. :data:`ON_ORBIT_EFFICIENCY`); or
        ``compute_efficiency`` / ``bandwidth_efficiency``, fractions (0, 1] of the two roofs.
        Default: the roofline itself (η = 1).
    number_format : the format the math runs in (``"bf16"``, ``"int8"``, ``"fp8"`` ...); default
        from ``bytes_per_param`` (:data:`BYTES_TO_FORMAT`). Its *dense* peak is used.

    All numeric arguments broadcast (NumPy); results are floats or arrays in seconds. Token
    counts and the batch must be whole numbers (``ValueError`` for 10.5 tokens).
    """
    n_in = _as_count(prompt_tokens, "prompt_tokens")
    n_out = _as_count(output_tokens, "output_tokens")
    bat = _as_count(batch, "batch")
    return _roofline(profile, model_params, bytes_per_param, n_in, n_out, bat,
                     kv_bytes_per_token, _efficiency(efficiency, compute_efficiency,
                                                     bandwidth_efficiency), number_format)


def _roofline(profile: str | HardwareProfile, model_params: Any, bytes_per_param: Any,
              n_in: Any, n_out: Any, bat: Any, kv_bytes_per_token: Any = None,
              eff: Efficiency = ROOFLINE, number_format: str | None = None
              ) -> LatencyPrediction:
    """:func:`predict_latency` for checked token counts and batch (also means: fractional)."""
    prof = get_profile(profile)
    if isinstance(model_params, ModelSpec):
        params = model_params.params
        if kv_bytes_per_token is None:
            kv_bytes_per_token = model_params.kv_bytes_per_token(2.0)
    else:
        params = as_value(model_params, "", "model_params", lo=0, lo_inclusive=False)
    kv = as_value(0.0 if kv_bytes_per_token is None else kv_bytes_per_token, "",
                  "kv_bytes_per_token", lo=0)
    b = as_value(bytes_per_param, "", "bytes_per_param", lo=0, lo_inclusive=False)
    peak, fmt = _peak_ops(prof, b, number_format)
    ops = peak * eff.compute
    bw = prof.memory_bandwidth_gbs * 1e9 * eff.bandwidth
    weights = np.multiply(params, b)

    prefill_compute = 2.0 * np.multiply(params, n_in) * bat / ops
    prefill_memory = weights / bw
    mean_context = n_in + n_out / 2.0  # decode step k attends over prompt + k tokens
    decode_compute = 2.0 * np.multiply(params, bat) / ops
    decode_memory = (weights + bat * mean_context * kv) / bw
    prefill = np.maximum(prefill_compute, prefill_memory)
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
        compute_format=fmt,
        efficiency=eff,
    )


def ridge_point(profile: str | HardwareProfile, number_format: str = "bf16") -> float:
    """Arithmetic intensity (operations per byte) where the dense compute roof of
    ``number_format`` and the memory roof meet."""
    prof = get_profile(profile)
    return prof.dense_peak_tops(number_format) * 1e12 / (prof.memory_bandwidth_gbs * 1e9)


def attainable_ops(profile: str | HardwareProfile, intensity: float | np.ndarray,
                   number_format: str = "bf16") -> Any:
    """Attainable operations/s at ``intensity`` ops/byte: ``min(F_dense, B · intensity)``."""
    prof = get_profile(profile)
    i = as_value(intensity, "", "intensity", lo=0)
    peak = prof.dense_peak_tops(number_format) * 1e12
    return _scalar(np.minimum(peak, prof.memory_bandwidth_gbs * 1e9 * i))


def latency_table(
    profiles: list[str | HardwareProfile] | None = None,
    models: list[str | ModelSpec] | None = None,
    bytes_per_param: float = 2.0,
    prompt_tokens: int = 128,
    output_tokens: int = 256,
    batch: int = 1,
    *,
    efficiency: Efficiency | None = None,
    number_format: str | None = None,
):
    """A pandas DataFrame of roofline latencies: one row per (accelerator, model).

    Columns: ``ttft_ms``, ``tpot_ms``, ``e2el_s``, ``tokens_per_s`` (one stream),
    ``prefill_bound`` / ``decode_bound`` ("memory"/"compute"), ``format`` (the dense peak used),
    ``fits`` (weights + KV cache in memory) and ``energy_wh`` (energy per answer at peak power,
    an upper bound). ``models`` are keys of :data:`QWEN3` or :class:`ModelSpec` objects.
    """
    import pandas as pd

    profiles = profiles or ["jetson-agx-orin", "three-body-744", "h100", "tpu-v6e"]
    models = models or ["Qwen3-0.6B", "Qwen3-8B"]
    rows = []
    for prof in profiles:
        p = get_profile(prof)
        for m in models:
            spec = QWEN3[check_choice(m, QWEN3, "model")] if isinstance(m, str) else m
            pred = predict_latency(p, spec, bytes_per_param, prompt_tokens, output_tokens, batch,
                                   efficiency=efficiency, number_format=number_format)
            rows.append({
                "accelerator": p.name,
                "model": spec.name,
                "ttft_ms": pred.ttft * 1e3,
                "tpot_ms": pred.tpot * 1e3,
                "e2el_s": pred.e2el,
                "tokens_per_s": 1.0 / pred.tpot,
                "prefill_bound": pred.prefill_bound,
                "decode_bound": pred.decode_bound,
                "format": pred.compute_format,
                "fits": bool(pred.fits),
                "energy_wh": p.peak_power_w * pred.e2el / 3600.0,
            })
    return pd.DataFrame(rows).set_index(["accelerator", "model"])
