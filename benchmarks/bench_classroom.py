"""Benchmark: how does a shared classroom server answer when N students ask at once? (issue 12)

Starts the embedded tiny Qwen3 the way ``python -m lab node serve --api-key KEY`` does
(``InferenceServer(api_key=...)`` on 127.0.0.1), then, for each class size N, lets N "students"
send one streamed chat request each at the same moment through the authenticated API (a remote
handle with the key, as ``InferenceServer.from_env()`` gives a student) and records time to first
token (TTFT), time per output token (TPOT) and end-to-end latency (E2EL) as ``vllm bench serve``
defines them. ``--rounds`` repeats each class size; the statistics pool every request.
vLLM batches the concurrent requests: TTFT grows with N (prefills queue behind each other and
share the engine's steps with decodes), TPOT grows more slowly.

Targets: every request answered; at 30 students, the 90th-percentile TTFT under 10 s on a 2-core
CPU (a class waits seconds, not minutes).
Run: ``.venv/bin/python benchmarks/bench_classroom.py [--students 1 5 10 20 30] [--json]``
"""

from __future__ import annotations

import argparse
import secrets
import sys

import numpy as np
from _common import Report, best_of, run

STUDENTS = (1, 5, 10, 20, 30)


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--students", type=int, nargs="+", default=list(STUDENTS))
    ap.add_argument("--rounds", type=int, default=3, help="repeats of each class size")
    ap.add_argument("--max-tokens", type=int, default=32)


def _class_size(remote, n: int, rounds: int, max_tokens: int) -> dict[str, np.ndarray]:
    """TTFT, TPOT and E2EL (s) of ``rounds`` x ``n`` requests sent ``n`` at a time."""
    from lab.node import DEFAULT_PROMPTS, measure

    prompts = [f"Student {i}: {DEFAULT_PROMPTS[i % len(DEFAULT_PROMPTS)]}" for i in range(n)]
    requests, failed = [], 0
    for _ in range(rounds):
        res = measure(remote, prompts, max_tokens=max_tokens, concurrency=n,
                      server_metrics=False)
        failed += res.failed
        requests += [r for r in res.requests if r.error is None]
    return {"ttft": np.array([r.ttft for r in requests]),
            "tpot": np.array([r.tpot for r in requests]),
            "e2el": np.array([r.e2el for r in requests]), "failed": failed}


def main(args: argparse.Namespace) -> int:
    from lab.node import InferenceServer, measure

    key = secrets.token_urlsafe(16)
    report = Report(f"bench_classroom: N students at once on one shared server (tiny Qwen3, "
                    f"{args.max_tokens} tokens each, {args.rounds} rounds)")
    with InferenceServer(api_key=key) as server:
        report.time("server start (cold or cached compile)", server.start_time_s)
        remote = InferenceServer(remote=server.url, api_key=key).start()  # a student's handle
        best_of(lambda: measure(remote, ["warm-up"], max_tokens=4, server_metrics=False), 2)
        ttft_p50 = {}
        failed = 0
        for n in args.students:
            m = _class_size(remote, n, args.rounds, args.max_tokens)
            failed += m["failed"]
            ttft_p50[n] = float(np.median(m["ttft"]))
            report.value(f"{n:2d} students: TTFT median", ttft_p50[n] * 1e3, "ms",
                         p90_ms=round(float(np.percentile(m["ttft"], 90)) * 1e3, 1),
                         tpot_median_ms=round(float(np.median(m["tpot"])) * 1e3, 2),
                         e2el_median_ms=round(float(np.median(m["e2el"])) * 1e3, 1))
            if n == 30:
                report.target("TTFT p90 with 30 students at once",
                              float(np.percentile(m["ttft"], 90)), at_most=10.0, unit="s")
        first, last = min(ttft_p50), max(ttft_p50)
        if first != last:
            report.value(f"TTFT median, {last} students / {first}",
                         ttft_p50[last] / ttft_p50[first], "x")
        report.target("failed requests", failed, at_most=0)
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
