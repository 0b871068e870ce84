"""The lab's command line: ``python -m lab node serve|bench|build-model``, ``respond``, ``sweep``.

The ``node`` commands live here; ``respond`` and ``sweep`` are added by :mod:`lab.mission_cli`
through its ``register(subparsers)`` function. Every subcommand sets ``func`` on its parser:
``func(args) -> int`` (the exit code).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def _node_build_model(args: argparse.Namespace) -> int:
    from lab.node.model import build_tiny_model

    t = time.perf_counter()
    path = build_tiny_model(args.path, force=args.force)
    print(f"embedded model ready in {path} ({time.perf_counter() - t:.1f} s)")
    return 0


def _node_serve(args: argparse.Namespace) -> int:
    from lab.node.server import InferenceServer

    def _term(signum, frame):  # SIGTERM -> leave the `with` block cleanly
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    server = InferenceServer(model=args.model, port=args.port,
                             startup_timeout=args.startup_timeout)
    print("starting vLLM (a cold start takes up to ~80 s) ...", file=sys.stderr, flush=True)
    try:
        with server:
            print(f"vLLM server ready at {server.url} (OpenAI base URL {server.api_url}, model "
                  f"{server.model_name!r}, started in {server.start_time_s:.1f} s, log "
                  f"{server.log_path})", file=sys.stderr, flush=True)
            print(server.url, flush=True)
            while server.is_running:
                time.sleep(0.5)
            print("the server stopped by itself; last log lines:\n" + server.log_tail(20),
                  file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0


def _node_bench(args: argparse.Namespace) -> int:
    from lab.node.emulator import LinkEmulator
    from lab.node.measure import DEFAULT_PROMPTS, measure
    from lab.node.server import InferenceServer

    prompts = [DEFAULT_PROMPTS[i % len(DEFAULT_PROMPTS)] for i in range(args.num_prompts)]
    server = InferenceServer(model=args.model, port=args.port, remote=args.remote,
                             api_key=args.api_key, startup_timeout=args.startup_timeout)
    if not args.json:
        print("starting vLLM ..." if args.remote is None else f"using {args.remote}",
              file=sys.stderr, flush=True)
    with server:
        target = server
        emu = None
        if args.link_delay > 0:
            emu = LinkEmulator(server, delay=args.link_delay).start()
            target = emu
        try:
            result = measure(target, prompts, max_tokens=args.max_tokens,
                             concurrency=args.concurrency)
        finally:
            if emu is not None:
                emu.stop()
        out = result.to_dict()
        out["server_start_s"] = server.start_time_s
        out["link_delay_s"] = args.link_delay
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(result.table().round(2).to_string())
        print(f"output throughput {result.output_throughput:.1f} tok/s; server start "
              f"{server.start_time_s or 0:.1f} s")
        for key, row in result.comparison().items():
            print(f"{key}: client mean {row['client'] * 1e3:.1f} ms, server /metrics mean "
                  f"{row['server'] * 1e3:.1f} ms")
    return 0


def _add_node(sub: argparse._SubParsersAction) -> None:
    node = sub.add_parser("node", help="the inference node: a real vLLM server")
    nsub = node.add_subparsers(dest="node_command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", default=None,
                       help="checkpoint directory (default: the embedded tiny Qwen3)")
        p.add_argument("--port", type=int, default=None, help="TCP port (default: a free one)")
        p.add_argument("--startup-timeout", type=float, default=300.0,
                       help="seconds to wait for the server (default 300)")

    serve = nsub.add_parser("serve", help="start the server on 127.0.0.1 and print its URL")
    common(serve)
    serve.set_defaults(func=_node_serve)

    bench = nsub.add_parser("bench", help="start the server, measure N prompts, stop")
    common(bench)
    bench.add_argument("--remote", default=None, help="measure this server URL instead")
    bench.add_argument("--api-key", default=None, help="API key for --remote")
    bench.add_argument("-n", "--num-prompts", type=int, default=8)
    bench.add_argument("--max-tokens", type=int, default=32)
    bench.add_argument("--concurrency", type=int, default=1)
    bench.add_argument("--link-delay", type=float, default=0.0,
                       help="one-way delay (s) of an emulated space link in front of the server")
    bench.add_argument("--json", action="store_true", help="print the metrics as JSON")
    bench.set_defaults(func=_node_bench)

    build = nsub.add_parser("build-model", help="generate the embedded tiny Qwen3 model")
    build.add_argument("--path", default=None,
                       help="target directory (default: $ORBITAL_LAB_MODEL_DIR or "
                       "<repo>/models/tiny-qwen3)")
    build.add_argument("--force", action="store_true", help="rebuild even if complete")
    build.set_defaults(func=_node_build_model)


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m lab`` argument parser (node commands + mission commands if present)."""
    parser = argparse.ArgumentParser(
        prog="python -m lab",
        description="Orbital Compute Lab: computing in orbit, from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_node(sub)
    try:
        from lab import mission_cli
    except ImportError as exc:
        if getattr(exc, "name", None) not in ("lab.mission_cli", None):
            print(f"warning: `respond`/`sweep` unavailable: {exc}", file=sys.stderr)
    else:
        mission_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
