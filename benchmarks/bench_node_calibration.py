"""Benchmark: the roofline against vLLM serving a real-size model on this CPU (issue 11).

The embedded tiny model measures only fixed per-step overheads; the on-orbit case is a
memory-bound decode of a large model. This benchmark builds (on demand, ~1.2 GB in ``models/``)
a Qwen3-0.6B-architecture checkpoint with random weights (``lab.node.build_model``), measures
this CPU (a 1 GiB NumPy copy and read, a torch bf16 matmul: best of N), serves the checkpoint
with vLLM, measures TTFT and TPOT one request at a time (``lab.node.measure``; the engine's own
``/metrics`` numbers), and prints them against ``predict_latency`` on ``local_cpu_profile``
with that bandwidth: measured, predicted and their ratio (the efficiency).

Target: the decode is memory-bound and reaches at least half of the bandwidth roof (decode
efficiency >= 0.5; exit code 1 otherwise). ``--record`` writes the result to
``lab/node/data/calibration_qwen3-0.6b_cpu.json`` (loaded by notebook 04 and a test).
Run: ``.venv/bin/python benchmarks/bench_node_calibration.py [--record] [--json]`` (~3-5 min:
build, a cold vLLM start of ~90 s, the run).
"""

from __future__ import annotations

import argparse
import json
import sys

from _common import Report, best_of, run


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--model", default=None,
                    help="checkpoint directory (default: build qwen3-0.6b into models/)")
    ap.add_argument("-n", "--num-prompts", type=int, default=8)
    ap.add_argument("--prompt-words", type=int, default=105,
                    help="words per prompt (~1.9 tokens per word: ~200 tokens, the mission prompt)")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--copy-mb", type=int, default=1024, help="size of the bandwidth test array")
    ap.add_argument("--repeats", type=int, default=5, help="best of N for the CPU microbenchmark")
    ap.add_argument("--bandwidth", choices=("copy", "read"), default="copy",
                    help="which measured bandwidth is the memory roof")
    ap.add_argument("--startup-timeout", type=float, default=900.0)
    ap.add_argument("--record", action="store_true",
                    help="write the result to lab/node/data/ (the recorded calibration)")


def _serve_and_measure(path, args):
    from lab.node import InferenceServer, measure
    from lab.node.calibration import calibration_prompts

    prompts = calibration_prompts(args.num_prompts, args.prompt_words)
    with InferenceServer(model=path, startup_timeout=args.startup_timeout) as server:
        measure(server, prompts[:2], max_tokens=8)  # warm-up (first-call compilation)
        t_run, result = best_of(lambda: measure(server, prompts, max_tokens=args.max_tokens), 1)
    return server.start_time_s, t_run, result


def _best_bench(args, runs: list[dict]) -> dict:
    """Best figure of each microbenchmark quantity over the runs (before and after serving)."""
    return {k: max(r[k] for r in runs) for k in runs[0]}


def main(args: argparse.Namespace) -> int:
    from lab.node.calibration import (
        RECORD_PATH,
        calibration_record,
        cpu_microbenchmark,
        predict_recorded,
    )
    from lab.node.model import build_model

    report = Report("node calibration: vLLM on this CPU vs the roofline")
    t_build, path = best_of(lambda: args.model or build_model("qwen3-0.6b"), 1)
    report.time("build (or reuse) the qwen3-0.6b checkpoint", t_build)
    bench = [cpu_microbenchmark(2048, args.copy_mb, args.repeats, bf16=True)]
    start_s, t_run, result = _serve_and_measure(path, args)
    bench.append(cpu_microbenchmark(2048, args.copy_mb, args.repeats, bf16=True))
    record = calibration_record(result, path, _best_bench(args, bench), args.bandwidth)
    pred = predict_recorded(record)
    m, b = record["measured"], record["bench"]
    report.time("vLLM server start (cold)", start_s or 0.0)
    report.time(f"{len(result.requests)} requests x {args.max_tokens} tokens", t_run)
    report.value("memory copy bandwidth (best of N)", b["copy_bandwidth"] / 1e9, "GB/s")
    report.value("memory read bandwidth (best of N)", b["read_bandwidth"] / 1e9, "GB/s")
    report.value("bf16 matmul (torch)", b["bf16_matmul_flops"] / 1e9, "GFLOP/s")
    report.value("mean prompt tokens", record["run"]["mean_prompt_tokens"], "tokens")
    report.value(f"measured TTFT ({m['source']})", m["ttft_s"] * 1e3, "ms")
    report.value("predicted TTFT (roofline)", float(pred.ttft) * 1e3, "ms",
                 bound=pred.prefill_bound)
    report.value("TTFT efficiency = predicted / measured", record["efficiency"]["prefill"])
    report.value(f"measured TPOT ({m['source']})", m["tpot_s"] * 1e3, "ms")
    report.value("measured TPOT (client median)", m["client_tpot_median_s"] * 1e3, "ms")
    report.value("predicted TPOT (roofline)", float(pred.tpot) * 1e3, "ms",
                 bound=pred.decode_bound)
    report.value("TPOT efficiency = predicted / measured", record["efficiency"]["decode"])
    report.target("decode efficiency (fraction of the bandwidth roof)",
                  record["efficiency"]["decode"], at_least=0.5)
    if args.record:
        RECORD_PATH.parent.mkdir(parents=True, exist_ok=True)
        RECORD_PATH.write_text(json.dumps(record, indent=1) + "\n")
        print(f"recorded in {RECORD_PATH}", file=sys.stderr)
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
