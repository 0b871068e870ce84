"""Plotly figures for the inference node (used by notebook 04)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from lab.hardware import HardwareProfile, get_profile
from lab.node.measure import MeasureResult

__all__ = ["calibration_figure", "latency_figure", "link_figure", "roofline_figure",
           "token_timeline_figure"]

_DEFAULT_PROFILES = ("jetson-agx-orin", "three-body-744", "h100", "tpu-v6e")


def latency_figure(result: MeasureResult, title: str | None = None) -> go.Figure:
    """Box plots (ms, log scale) of TTFT, TPOT, ITL and E2EL over the requests of ``result``."""
    ok = result.ok
    data = {
        "TTFT": [r.ttft for r in ok],
        "TPOT": [r.tpot for r in ok],
        "ITL": [x for r in ok for x in r.itl],
        "E2EL": [r.e2el for r in ok],
    }
    fig = go.Figure([go.Box(y=np.asarray(v) * 1e3, name=k, boxpoints="all", jitter=0.4)
                     for k, v in data.items()])
    title = title or (f"Measured latencies of {len(ok)} requests: one TTFT, then a TPOT per "
                      "token; E2EL ≈ TTFT + (tokens − 1) × TPOT")
    fig.update_layout(title=title, yaxis_title="latency (ms, log scale)", yaxis_type="log",
                      xaxis_title="metric (one box per metric, one dot per request or gap)",
                      showlegend=False, height=380)
    return fig


def token_timeline_figure(result: MeasureResult) -> go.Figure:
    """Token index vs time since the request was sent, one line per request."""
    fig = go.Figure()
    for i, r in enumerate(result.ok):
        t = np.concatenate([[r.ttft], r.ttft + np.cumsum(r.itl)]) * 1e3
        fig.add_trace(go.Scatter(x=t, y=np.arange(1, t.size + 1), mode="lines+markers",
                                 name=f"request {i}", marker={"size": 4}))
    fig.update_layout(title="Streamed chunks: the first one after TTFT, then one per TPOT",
                      xaxis_title="time since the request was sent (ms)",
                      yaxis_title="chunk (≈ token) number", height=380)
    return fig


def roofline_figure(
    profiles: tuple[str | HardwareProfile, ...] = _DEFAULT_PROFILES,
    bytes_per_param: float = 2.0,
    batches: tuple[int, ...] = (1, 8, 64),
    prompt_tokens: int = 512,
    number_format: str | None = None,
) -> go.Figure:
    """Log-log roofline: attainable TOPS vs arithmetic intensity, with LLM operating points.

    Every accelerator's roof is its **dense** peak of one number format (``number_format``,
    default from ``bytes_per_param``: bf16 for 2 bytes, int8 for 1), so the ridge points compare.
    Decode at batch B has intensity ``2·B / b`` operations per weight byte; prefill of a
    ``prompt_tokens`` prompt ``2·prompt_tokens / b``.
    """
    from lab.node.roofline import BYTES_TO_FORMAT, attainable_ops

    fmt = number_format or BYTES_TO_FORMAT.get(float(bytes_per_param), "bf16")
    intensity = np.logspace(-1, 4, 200)
    fig = go.Figure()
    for prof in profiles:
        p = get_profile(prof)
        roof = attainable_ops(p, intensity, fmt) / 1e12
        fig.add_trace(go.Scatter(x=intensity, y=roof, mode="lines",
                                 name=f"{p.name} ({p.compute_format(fmt)} dense)"))
    points = {f"decode, batch {b}": 2.0 * b / bytes_per_param for b in batches}
    points[f"prefill, {prompt_tokens} tokens"] = 2.0 * prompt_tokens / bytes_per_param
    for label, x in points.items():
        fig.add_vline(x=x, line_dash="dot", line_color="grey", annotation_text=label,
                      annotation_textangle=-90, annotation_position="bottom right")
    fig.update_layout(title=f"Roofline, dense {fmt} peaks, {bytes_per_param:g} bytes per weight: "
                      "decode (left of every ridge) is memory-bound",
                      xaxis={"type": "log", "title": "arithmetic intensity (operations / byte)"},
                      yaxis={"type": "log", "title": "attainable TOPS (10¹² operations / s)"},
                      legend_title_text="accelerator (roof)", height=450)
    return fig


def calibration_figure(record: dict) -> go.Figure:
    """Measured (vLLM) against predicted (roofline) TTFT and TPOT of a recorded calibration
    (:func:`lab.node.calibration.recorded_calibration`), in ms, with the efficiency."""
    m, p, e = record["measured"], record["predicted"], record["efficiency"]
    names = [f"TTFT ({p['prefill_bound']}-bound)", f"TPOT ({p['decode_bound']}-bound)"]
    fig = go.Figure([
        go.Bar(name="measured (vLLM, best request)", x=names, y=[m["ttft_s"] * 1e3, m["tpot_s"] * 1e3]),
        go.Bar(name="roofline", x=names, y=[p["ttft_s"] * 1e3, p["tpot_s"] * 1e3],
               text=[f"efficiency {e['prefill']:.2f}", f"efficiency {e['decode']:.2f}"],
               textposition="outside"),
    ])
    fig.update_layout(barmode="group", yaxis_title="time (ms)", height=380,
                      xaxis_title="phase (the roof that bounds it)",
                      title=f"{record['model']['name']} on this CPU: vLLM is slower than the "
                      "roofline by the efficiency")
    return fig


def link_figure(results: dict[str, MeasureResult]) -> go.Figure:
    """Grouped bars: median TTFT and E2EL (ms) per link scenario."""
    names = list(results)
    fig = go.Figure([
        go.Bar(name=metric.upper(), x=names,
               y=[results[n].summary[metric]["median"] * 1e3 for n in names])
        for metric in ("ttft", "e2el")
    ])
    fig.update_layout(barmode="group", yaxis_title="median latency (ms)", height=380,
                      xaxis_title="link (one-way delay)", legend_title_text="metric",
                      title="The same requests through an emulated space link: the delay adds "
                      "to TTFT and E2EL once each way")
    return fig


