"""The inference node: a real vLLM server, its measurement, a roofline model and a link emulator.

- :func:`build_model` — Qwen3-architecture checkpoints generated locally and deterministically:
  the embedded tiny model (:func:`build_tiny_model`) and a real-size Qwen3-0.6B architecture.
- :class:`InferenceServer` — vLLM's OpenAI-compatible server as a subprocess (or a remote one);
  its process group dies with the Python process that owns it (see :mod:`lab.node._process`).
  :meth:`InferenceServer.from_env` finds a class's shared server (``LAB_VLLM_URL``,
  ``LAB_VLLM_API_KEY``; see :mod:`lab.node.shared`) or returns ``None`` where there is no server
  (:func:`server_unavailable_reason`).
- :func:`measure` — streaming client measuring TTFT, TPOT, ITL, E2EL like ``vllm bench serve``;
  a stream cut short is a failed request, never a short answer.
- :func:`predict_latency` — roofline estimate on a :class:`~lab.hardware.HardwareProfile`
  (dense peak of the model's number format, KV cache, :class:`Efficiency`); :mod:`.calibration`
  measures how far a real server lands from it (:func:`calibrate`, :func:`recorded_calibration`).
- :class:`LinkEmulator` — a local proxy adding a space link's delay and bandwidth to real requests.
"""

from __future__ import annotations

from lab.node.calibration import (
    Calibration,
    calibrate,
    calibration_prompts,
    calibration_record,
    cpu_microbenchmark,
    local_cpu_profile,
    predict_recorded,
    recorded_calibration,
    recorded_efficiency,
)
from lab.node.emulator import LinkEmulator
from lab.node.measure import (
    DEFAULT_PROMPTS,
    MeasureResult,
    RequestMetrics,
    StreamError,
    measure,
    parse_prometheus,
)
from lab.node.model import (
    build_model,
    build_tiny_model,
    default_model_dir,
    model_info,
    resolve_model,
    validate_model_dir,
)
from lab.node.roofline import (
    ON_ORBIT_EFFICIENCY,
    QWEN3,
    ROOFLINE,
    VLLM_GPU_EFFICIENCY,
    Efficiency,
    LatencyPrediction,
    ModelSpec,
    latency_table,
    predict_latency,
)
from lab.node.server import (
    InferenceServer,
    PortInUseError,
    ServerStartError,
    StopReport,
    VLLMNotInstalledError,
    find_free_port,
)
from lab.node.shared import server_unavailable_reason

__all__ = [
    "DEFAULT_PROMPTS",
    "ON_ORBIT_EFFICIENCY",
    "QWEN3",
    "ROOFLINE",
    "VLLM_GPU_EFFICIENCY",
    "Calibration",
    "Efficiency",
    "InferenceServer",
    "LatencyPrediction",
    "LinkEmulator",
    "MeasureResult",
    "ModelSpec",
    "PortInUseError",
    "RequestMetrics",
    "ServerStartError",
    "StopReport",
    "StreamError",
    "VLLMNotInstalledError",
    "build_model",
    "build_tiny_model",
    "cpu_microbenchmark",
    "calibrate",
    "calibration_prompts",
    "calibration_record",
    "default_model_dir",
    "find_free_port",
    "latency_table",
    "local_cpu_profile",
    "measure",
    "model_info",
    "parse_prometheus",
    "predict_latency",
    "predict_recorded",
    "recorded_calibration",
    "recorded_efficiency",
    "resolve_model",
    "server_unavailable_reason",
    "validate_model_dir",
]
