"""Measure a served LLM the way ``vllm bench serve`` does: TTFT, TPOT, ITL and E2EL per request.

Definitions (from vLLM's ``benchmarks/lib/endpoint_request_func.py`` and ``benchmarks/serve.py``):

- **TTFT** (time to first token): from sending the request to the first streamed chunk with choices.
- **ITL** (inter-token latencies): the gaps between successive streamed chunks.
- **E2EL** (end-to-end latency): from sending the request to the last chunk with a token.
- **TPOT** (time per output token, excluding the first): ``(E2EL - TTFT) / (output_tokens - 1)``.

A request counts as failed (``error`` set, excluded from the statistics) unless its stream ends
with ``data: [DONE]`` and carries no error event and no ``finish_reason`` ``"abort"``/``"error"``
(vLLM's marks of an aborted answer, e.g. when the server stops): an answer cut short by a dying
server or link is never taken for a complete one.

Token counts come from the final usage chunk (``stream_options={"include_usage": true}``).
``fixed_length=True`` sends vLLM's ``ignore_eos`` and ``min_tokens`` so that every request
produces exactly ``max_tokens`` tokens (the tiny random model would otherwise stop at random).

The server's own view comes from its Prometheus ``/metrics`` histograms
(``vllm:time_to_first_token_seconds``, ``vllm:e2e_request_latency_seconds``, ...): the difference
of ``_sum`` and ``_count`` before and after the run gives the server-side mean for exactly these
requests (if nobody else uses the server meanwhile).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import math
import re
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import numpy as np

from lab._validate import check_choice, check_int
from lab.node._url import target_of

__all__ = ["RequestMetrics", "MeasureResult", "StreamError", "measure", "ameasure",
           "parse_prometheus", "DEFAULT_PROMPTS", "SERVER_HISTOGRAMS"]

DEFAULT_PROMPTS = [
    "What limits computing in orbit?",
    "How long does light take to reach a satellite 500 km up?",
    "Explain the time to the first token.",
    "Why does a satellite need batteries?",
    "What is a sun-synchronous orbit?",
    "How fast is a laser link between satellites?",
    "Summarise the power budget of an orbital data centre.",
    "What does radiation do to memory chips?",
]

#: Server-side histograms compared with the client's numbers (client name -> Prometheus name).
SERVER_HISTOGRAMS = {
    "ttft": "vllm:time_to_first_token_seconds",
    "e2el": "vllm:e2e_request_latency_seconds",
    "itl": "vllm:inter_token_latency_seconds",
    "queue": "vllm:request_queue_time_seconds",
    "prefill": "vllm:request_prefill_time_seconds",
    "decode": "vllm:request_decode_time_seconds",
}
_STATS = ("mean", "median", "p90", "p99")


@dataclass
class RequestMetrics:
    """One streamed request. Times in seconds; ``start`` relative to the start of the run."""

    prompt: str
    start: float = 0.0
    ttft: float = math.nan
    tpot: float = math.nan
    e2el: float = math.nan
    itl: list[float] = field(default_factory=list)
    prompt_tokens: int = 0
    output_tokens: int = 0
    chunks: int = 0
    text: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _summary(values: list[float]) -> dict[str, float]:
    arr = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if arr.size == 0:
        return dict.fromkeys(_STATS, math.nan)
    return {
        "mean": float(arr.mean()),
        "median": float(np.median(arr)),
        "p90": float(np.percentile(arr, 90)),
        "p99": float(np.percentile(arr, 99)),
    }


@dataclass
class MeasureResult:
    """All requests of one run, their summary and the server's own numbers.

    ``summary[metric][stat]`` in seconds for metric in ttft/tpot/itl/e2el and stat in
    mean/median/p90/p99. ``server[metric]`` is the server-side mean from ``/metrics`` deltas
    (seconds; ``server["count"]`` the number of requests the server recorded), empty if
    ``/metrics`` was not reachable.
    """

    requests: list[RequestMetrics]
    duration: float
    concurrency: int
    max_tokens: int
    url: str
    model: str
    server: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> list[RequestMetrics]:
        return [r for r in self.requests if r.ok]

    @property
    def failed(self) -> int:
        return len(self.requests) - len(self.ok)

    @property
    def summary(self) -> dict[str, dict[str, float]]:
        ok = self.ok
        return {
            "ttft": _summary([r.ttft for r in ok]),
            "tpot": _summary([r.tpot for r in ok]),
            "itl": _summary([x for r in ok for x in r.itl]),
            "e2el": _summary([r.e2el for r in ok]),
        }

    @property
    def output_throughput(self) -> float:
        """Generated tokens per second over the whole run."""
        return sum(r.output_tokens for r in self.ok) / self.duration if self.duration else math.nan

    @property
    def request_throughput(self) -> float:
        """Completed requests per second."""
        return len(self.ok) / self.duration if self.duration else math.nan

    def comparison(self) -> dict[str, dict[str, float]]:
        """Client mean vs server mean (s) for TTFT, E2EL and TPOT, and their difference.

        The server's TPOT is its mean decode time divided by (output tokens - 1).
        """
        out = {}
        s = self.summary
        for key in ("ttft", "e2el"):
            if key in self.server:
                c, v = s[key]["mean"], self.server[key]
                out[key] = {"client": c, "server": v, "difference": c - v}
        n_out = np.mean([r.output_tokens for r in self.ok]) if self.ok else 0.0
        if "decode" in self.server and n_out > 1:  # engine decode time per token after the first
            c, v = s["tpot"]["mean"], self.server["decode"] / (n_out - 1.0)
            out["tpot"] = {"client": c, "server": v, "difference": c - v}
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (seconds)."""
        return {
            "url": self.url,
            "model": self.model,
            "requests": len(self.requests),
            "failed": self.failed,
            "concurrency": self.concurrency,
            "max_tokens": self.max_tokens,
            "duration_s": self.duration,
            "output_throughput_tok_s": self.output_throughput,
            "request_throughput_req_s": self.request_throughput,
            "summary_s": self.summary,
            "server_s": self.server,
            "comparison_s": self.comparison(),
            "per_request": [
                {k: v for k, v in asdict(r).items() if k not in ("text", "prompt")}
                for r in self.requests
            ],
        }

    def table(self):
        """A pandas DataFrame: rows ttft/tpot/itl/e2el, columns mean/median/p90/p99, in ms."""
        import pandas as pd

        df = pd.DataFrame(self.summary).T * 1000.0
        df.index.name = "metric (ms)"
        return df

    def per_request(self):
        """A pandas DataFrame with one row per request (seconds)."""
        import pandas as pd

        return pd.DataFrame([
            {"start": r.start, "ttft": r.ttft, "tpot": r.tpot, "e2el": r.e2el,
             "prompt_tokens": r.prompt_tokens, "output_tokens": r.output_tokens,
             "chunks": r.chunks, "error": r.error}
            for r in self.requests
        ])


# ------------------------------------------------------------------------------ Prometheus

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def parse_prometheus(text: str) -> dict[str, float]:
    """Sum each metric over its label sets: ``{"vllm:e2e_request_latency_seconds_sum": 1.2, ...}``.

    Histogram buckets (``_bucket``) are skipped; ``_sum``/``_count``/counters/gauges are kept.
    """
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m or m.group(1).endswith("_bucket"):
            continue
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        out[m.group(1)] = out.get(m.group(1), 0.0) + value
    return out


def _server_deltas(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, name in SERVER_HISTOGRAMS.items():
        if name + "_count" in after:
            dc = after[name + "_count"] - before.get(name + "_count", 0.0)
            ds = after[name + "_sum"] - before.get(name + "_sum", 0.0)
            if dc > 0:
                out[key] = ds / dc
    name = SERVER_HISTOGRAMS["e2el"] + "_count"
    if name in after:
        out["count"] = after[name] - before.get(name, 0.0)
    for tok in ("vllm:prompt_tokens_total", "vllm:generation_tokens_total"):
        if tok in after:
            out[tok.split(":")[1]] = after[tok] - before.get(tok, 0.0)
    return out


# ------------------------------------------------------------------------------ the client


class StreamError(RuntimeError):
    """The server reported inside a stream that the answer is not complete.

    An SSE ``{"error": ...}`` event, or a chunk with ``finish_reason`` ``"abort"`` (vLLM
    aborted the request, e.g. because the server is stopping) or ``"error"``.
    """


_FAILED_FINISH = ("abort", "error")  # vLLM's finish reasons of an incomplete answer


async def _sse_data(resp: httpx.Response) -> AsyncIterator[str]:
    """The ``data:`` payloads of a server-sent-event stream, as they arrive."""
    buf = ""
    async for piece in resp.aiter_text():
        buf += piece
        while "\n" in buf:
            line, buf = buf.split("\n", 1)
            line = line.strip()
            if line.startswith("data:"):
                yield line[5:].strip()


@dataclass
class _Stream:
    """Running state of one streamed request (``start`` and ``last`` on perf_counter)."""

    start: float
    last: float
    text: list[str] = field(default_factory=list)


def _record_chunk(rm: RequestMetrics, data: dict, ts: float, st: _Stream, endpoint: str) -> None:
    """Account one JSON chunk: token timing from chunks with choices, counts from usage."""
    if err := data.get("error"):
        msg = err.get("message", err) if isinstance(err, dict) else err
        raise StreamError(f"the server sent an error in the stream: {msg}")
    if choices := data.get("choices"):
        if rm.chunks == 0:
            rm.ttft = ts - st.start
        else:
            rm.itl.append(ts - st.last)
        st.last = ts
        rm.chunks += 1
        c0 = choices[0]
        piece = c0.get("text") if endpoint == "completions" else (
            (c0.get("delta") or {}).get("content"))
        st.text.append(piece or "")
        if (reason := c0.get("finish_reason")) in _FAILED_FINISH:
            raise StreamError(f"the server ended the answer with finish_reason {reason!r} "
                              f"after {rm.chunks} chunks")
    if usage := data.get("usage"):
        rm.output_tokens = int(usage.get("completion_tokens") or 0)
        rm.prompt_tokens = int(usage.get("prompt_tokens") or 0)


async def _one(client: httpx.AsyncClient, url: str, payload: dict, rm: RequestMetrics,
               t_run: float, endpoint: str) -> None:
    """Send one streamed request and fill ``rm``; any failure goes to ``rm.error``.

    A stream that breaks off, carries an error event, or ends without ``[DONE]`` is a failure:
    a shortened answer is never counted as a complete one.
    """
    t0 = time.perf_counter()
    rm.start = t0 - t_run
    st = _Stream(start=t0, last=t0)
    finished = False
    try:
        async with client.stream("POST", url, json=payload) as resp:
            if resp.status_code != 200:
                body = (await resp.aread()).decode(errors="replace")
                rm.error = f"HTTP {resp.status_code}: {body[:500]}"
                return
            async for chunk in _sse_data(resp):
                if chunk == "[DONE]":
                    finished = True
                elif not finished:
                    _record_chunk(rm, json.loads(chunk), time.perf_counter(), st, endpoint)
    except (httpx.HTTPError, ValueError, StreamError) as exc:
        rm.error = f"{type(exc).__name__}: {exc}"
        return
    if not finished:
        rm.error = "the stream ended without [DONE]: the answer may be truncated"
    elif rm.chunks == 0:
        rm.error = "no streamed chunk received"
    else:
        rm.e2el = st.last - st.start
        rm.text = "".join(st.text)
        if rm.output_tokens > 1:
            rm.tpot = (rm.e2el - rm.ttft) / (rm.output_tokens - 1)


async def _get_model(client: httpx.AsyncClient, url: str) -> str:
    """The first model the server at ``url`` serves; a clear error naming ``url`` otherwise."""
    try:
        r = await client.get(url + "/v1/models")
    except httpx.HTTPError as exc:
        raise ConnectionError(f"cannot reach the server at {url} (GET {url}/v1/models: "
                              f"{type(exc).__name__}: {exc}); is it running?") from exc
    if r.status_code != 200:
        raise RuntimeError(f"the server at {url} answered GET /v1/models with HTTP "
                           f"{r.status_code}: {r.text[:200]}")
    try:
        return str(r.json()["data"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise RuntimeError(f"the server at {url} lists no model at /v1/models "
                           f"(got {r.text[:200]!r})") from exc


async def _metrics(client: httpx.AsyncClient, url: str) -> dict[str, float] | None:
    try:
        r = await client.get(url + "/metrics")
        if r.status_code != 200:
            return None
        return parse_prometheus(r.text)
    except httpx.HTTPError:
        return None


async def _server_side(client: httpx.AsyncClient, url: str, before: dict[str, float],
                       n_ok: int) -> dict[str, float]:
    """Server-side means of the run from ``/metrics`` (waits up to 5 s for its last records)."""
    name_c = SERVER_HISTOGRAMS["e2el"] + "_count"
    deadline = time.monotonic() + 5.0
    while True:  # the server records a request's stats just after its last chunk
        after = await _metrics(client, url) or {}
        done = after.get(name_c, 0.0) - before.get(name_c, 0.0)
        if done >= n_ok or time.monotonic() > deadline:
            return _server_deltas(before, after)
        await asyncio.sleep(0.05)


def _payload(prompt: str, model: str, max_tokens: int, endpoint: str, fixed_length: bool,
             temperature: float) -> dict[str, Any]:
    """The JSON body of one streamed request."""
    body: dict[str, Any] = {
        "model": model, "max_tokens": max_tokens, "stream": True,
        "stream_options": {"include_usage": True}, "temperature": temperature,
    }
    if endpoint == "chat":
        body["messages"] = [{"role": "user", "content": prompt}]
    else:
        body["prompt"] = prompt
    if fixed_length:
        body.update({"ignore_eos": True, "min_tokens": max_tokens})
    return body


def _check_prompts(prompts: Any) -> list[str]:
    if prompts is None:
        return list(DEFAULT_PROMPTS)
    if isinstance(prompts, str):
        return [prompts]
    prompts = list(prompts)
    if not prompts or not all(isinstance(p, str) for p in prompts):
        raise ValueError("prompts must be a non-empty list of strings")
    return prompts


async def ameasure(
    url_or_server: Any,
    prompts: list[str] | None = None,
    max_tokens: int = 32,
    concurrency: int = 1,
    *,
    model: str | None = None,
    endpoint: str = "chat",
    fixed_length: bool = True,
    temperature: float = 0.0,
    server_metrics: bool = True,
    timeout: float = 300.0,
) -> MeasureResult:
    """Coroutine version of :func:`measure`."""
    prompts = _check_prompts(prompts)
    max_tokens = check_int(max_tokens, "max_tokens", lo=1)
    concurrency = check_int(concurrency, "concurrency", lo=1)
    check_choice(endpoint, ("chat", "completions"), "endpoint")
    url, headers, name = target_of(url_or_server, "url_or_server")
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    async with httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits) as client:
        if model is None:
            model = name or await _get_model(client, url)
        before = await _metrics(client, url) if server_metrics else None
        sem = asyncio.Semaphore(concurrency)
        results = [RequestMetrics(prompt=p) for p in prompts]
        api = url + ("/v1/chat/completions" if endpoint == "chat" else "/v1/completions")
        t_run = time.perf_counter()

        async def run(rm: RequestMetrics) -> None:
            body = _payload(rm.prompt, model, max_tokens, endpoint, fixed_length, temperature)
            async with sem:
                await _one(client, api, body, rm, t_run, endpoint)

        await asyncio.gather(*(run(rm) for rm in results))
        duration = time.perf_counter() - t_run
        server: dict[str, float] = {}
        if before is not None:
            server = await _server_side(client, url, before, sum(r.ok for r in results))
    res = MeasureResult(requests=results, duration=duration, concurrency=concurrency,
                        max_tokens=max_tokens, url=url, model=model, server=server)
    if not res.ok:
        raise RuntimeError(f"all {len(results)} requests to {url} failed; first error: "
                           f"{results[0].error}")
    return res


def _run_sync(coro):
    """Run a coroutine to completion, also from inside a running loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def measure(
    url_or_server: Any,
    prompts: list[str] | None = None,
    max_tokens: int = 32,
    concurrency: int = 1,
    **kwargs: Any,
) -> MeasureResult:
    """Send ``prompts`` as streaming requests, ``concurrency`` at a time, and time every token.

    Parameters
    ----------
    url_or_server : server root URL (``http://127.0.0.1:8000``, a trailing ``/v1`` is accepted),
        an :class:`~lab.node.InferenceServer` or a :class:`~lab.node.LinkEmulator`.
    prompts : list of user messages (default: a few built-in questions).
    max_tokens : tokens to generate per request (exactly, with ``fixed_length=True``).
    concurrency : requests in flight at once.
    model : model name (default: the server's, asked from ``/v1/models``).
    endpoint : ``"chat"`` (``/v1/chat/completions``) or ``"completions"``.
    fixed_length : send vLLM's ``ignore_eos``/``min_tokens`` so every answer has max_tokens tokens.
    server_metrics : read ``/metrics`` before and after to get the server's own means.

    Returns a :class:`MeasureResult` (times in seconds). Failed requests (an HTTP error, a
    stream that breaks off, carries an error event or an abort, or ends without ``[DONE]``)
    are kept with their ``error``; if all fail, ``RuntimeError``. A server that cannot be reached while asking
    for its model name raises ``ConnectionError`` naming the URL; a malformed URL ``ValueError``.
    """
    return _run_sync(ameasure(url_or_server, prompts, max_tokens, concurrency, **kwargs))
