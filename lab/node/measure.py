"""Measure a served LLM the way ``vllm bench serve`` does: TTFT, TPOT, ITL and E2EL per request.

Definitions (from vLLM's ``benchmarks/lib/endpoint_request_func.py`` and ``benchmarks/serve.py``):

- **TTFT** (time to first token): from sending the request to the first streamed chunk with choices.
- **ITL** (inter-token latencies): the gaps between successive streamed chunks.
- **E2EL** (end-to-end latency): from sending the request to the last chunk with a token.
- **TPOT** (time per output token, excluding the first): ``(E2EL - TTFT) / (output_tokens - 1)``.

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
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import numpy as np

from lab._validate import check_choice, check_int

__all__ = ["RequestMetrics", "MeasureResult", "measure", "ameasure", "parse_prometheus",
           "DEFAULT_PROMPTS", "SERVER_HISTOGRAMS"]

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


def _target(url_or_server: Any) -> tuple[str, dict[str, str], str | None]:
    """(root url, headers, model name or None) from a URL, InferenceServer or LinkEmulator."""
    if isinstance(url_or_server, str):
        url = url_or_server.rstrip("/")
        url = url[:-3] if url.endswith("/v1") else url
        return url, {}, None
    url = getattr(url_or_server, "url", None)
    if not isinstance(url, str):
        raise TypeError("url_or_server must be a URL string, an InferenceServer or a "
                        f"LinkEmulator (got {type(url_or_server).__name__})")
    headers = url_or_server.headers() if hasattr(url_or_server, "headers") else {}
    name = getattr(url_or_server, "model_name", None)
    return url.rstrip("/"), headers, name


async def _one(client: httpx.AsyncClient, url: str, payload: dict, rm: RequestMetrics,
               t_run: float, endpoint: str) -> None:
    st = time.perf_counter()
    rm.start = st - t_run
    most_recent = st
    first = False
    text: list[str] = []
    try:
        async with client.stream("POST", url, json=payload) as resp:
            if resp.status_code != 200:
                body = (await resp.aread()).decode(errors="replace")
                rm.error = f"HTTP {resp.status_code}: {body[:500]}"
                return
            buf = ""
            async for piece in resp.aiter_text():
                buf += piece
                while "\n" in buf:
                    line, buf = buf.split("\n", 1)
                    line = line.strip()
                    if not line or line.startswith(":") or not line.startswith("data:"):
                        continue
                    chunk = line[5:].strip()
                    if chunk == "[DONE]":
                        continue
                    ts = time.perf_counter()
                    data = json.loads(chunk)
                    if choices := data.get("choices"):
                        if not first:
                            first = True
                            rm.ttft = ts - st
                        else:
                            rm.itl.append(ts - most_recent)
                        most_recent = ts
                        rm.chunks += 1
                        c0 = choices[0]
                        piece_text = c0.get("text") if endpoint == "completions" else (
                            (c0.get("delta") or {}).get("content"))
                        text.append(piece_text or "")
                    if usage := data.get("usage"):
                        rm.output_tokens = int(usage.get("completion_tokens") or 0)
                        rm.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        if not first:
            rm.error = "no streamed chunk received"
            return
        rm.e2el = most_recent - st
        rm.text = "".join(text)
        if rm.output_tokens > 1:
            rm.tpot = (rm.e2el - rm.ttft) / (rm.output_tokens - 1)
    except (httpx.HTTPError, ValueError) as exc:
        rm.error = f"{type(exc).__name__}: {exc}"


async def _get_model(client: httpx.AsyncClient, url: str) -> str:
    r = await client.get(url + "/v1/models")
    r.raise_for_status()
    return str(r.json()["data"][0]["id"])


async def _metrics(client: httpx.AsyncClient, url: str) -> dict[str, float] | None:
    try:
        r = await client.get(url + "/metrics")
        if r.status_code != 200:
            return None
        return parse_prometheus(r.text)
    except httpx.HTTPError:
        return None


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
    if prompts is None:
        prompts = DEFAULT_PROMPTS
    if isinstance(prompts, str):
        prompts = [prompts]
    prompts = list(prompts)
    if not prompts or not all(isinstance(p, str) for p in prompts):
        raise ValueError("prompts must be a non-empty list of strings")
    max_tokens = check_int(max_tokens, "max_tokens", lo=1)
    concurrency = check_int(concurrency, "concurrency", lo=1)
    check_choice(endpoint, ("chat", "completions"), "endpoint")
    url, headers, name = _target(url_or_server)
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    async with httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits) as client:
        if model is None:
            model = name or await _get_model(client, url)
        before = await _metrics(client, url) if server_metrics else None
        sem = asyncio.Semaphore(concurrency)
        results = [RequestMetrics(prompt=p) for p in prompts]
        api = url + ("/v1/chat/completions" if endpoint == "chat" else "/v1/completions")

        def payload(p: str) -> dict:
            body: dict[str, Any] = {
                "model": model, "max_tokens": max_tokens, "stream": True,
                "stream_options": {"include_usage": True}, "temperature": temperature,
            }
            if endpoint == "chat":
                body["messages"] = [{"role": "user", "content": p}]
            else:
                body["prompt"] = p
            if fixed_length:
                body.update({"ignore_eos": True, "min_tokens": max_tokens})
            return body

        t_run = time.perf_counter()

        async def run(rm: RequestMetrics) -> None:
            async with sem:
                await _one(client, api, payload(rm.prompt), rm, t_run, endpoint)

        await asyncio.gather(*(run(rm) for rm in results))
        duration = time.perf_counter() - t_run
        server: dict[str, float] = {}
        if before is not None:
            # the server records a request's stats just after its last chunk: wait for them
            n_ok = sum(r.ok for r in results)
            name_c = SERVER_HISTOGRAMS["e2el"] + "_count"
            deadline = time.monotonic() + 5.0
            while True:
                after = await _metrics(client, url) or {}
                done = after.get(name_c, 0.0) - before.get(name_c, 0.0)
                if done >= n_ok or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            server = _server_deltas(before, after)
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

    Returns a :class:`MeasureResult` (times in seconds). Failed requests are kept with their
    ``error``; if all fail, ``RuntimeError``.
    """
    return _run_sync(ameasure(url_or_server, prompts, max_tokens, concurrency, **kwargs))
