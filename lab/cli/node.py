"""``python -m lab node serve|bench|build-model``: the inference node from the command line.

:func:`register` adds the ``node`` group to the lab's argparse CLI (:mod:`lab.cli`). The heavy
imports (vLLM client, httpx) happen when a command runs, not when the parser is built.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator

from lab.cli._args import (
    CommandError,
    non_negative_seconds,
    port,
    positive_int,
    positive_seconds,
)

__all__ = ["bench", "build_model", "register", "serve"]

_SIZES = {"tiny": "tiny", "0.6b": "qwen3-0.6b"}  # --size -> lab.node.model.MODEL_SIZES key


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """The node's own expected failures (port taken, vLLM missing, start failed) as errors."""
    from lab.node.server import PortInUseError, ServerStartError, VLLMNotInstalledError

    try:
        yield
    except (PortInUseError, VLLMNotInstalledError, ServerStartError, ConnectionError) as exc:
        raise CommandError(str(exc)) from exc


def build_model(args: argparse.Namespace) -> int:
    """Generate a Qwen3-architecture checkpoint: the embedded tiny one or the real-size 0.6B."""
    from lab._validate import MemoryLimitError
    from lab.node.model import build_model as build

    size = _SIZES[args.size]
    if size != "tiny":
        print(f"building {size} (~1.2 GB, ~15-60 s) ...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    try:
        path = build(size, args.path, force=args.force)
    except (MemoryLimitError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    label = "embedded" if size == "tiny" else size
    print(f"{label} model ready in {path} ({time.perf_counter() - t:.1f} s)")
    return 0


def serve(args: argparse.Namespace) -> int:
    """Run the server until interrupted (Ctrl-C or SIGTERM).

    On stdout: the server's URL, then the line students run to use it
    (``export LAB_VLLM_URL=... LAB_VLLM_API_KEY=...``); progress and the log go to stderr.
    """
    from lab.node.server import InferenceServer

    def _term(signum, frame):  # SIGTERM -> leave the `with` block cleanly
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    server = InferenceServer(model=args.model, port=args.port, host=args.host,
                             api_key=args.api_key, startup_timeout=args.startup_timeout,
                             keep_log=args.keep_log)  # refuses a public host without a key
    print("starting vLLM (a cold start takes up to ~80 s) ...", file=sys.stderr, flush=True)
    try:
        with _user_errors(), server:
            _print_ready(server, args.keep_log)
            while server.is_running:
                time.sleep(0.5)
            print(f"the server stopped by itself (log kept: {server.log_path}); last log "
                  f"lines:\n" + server.log_tail(20), file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0


def _print_ready(server, keep_log: bool) -> None:
    """What the teacher reads (stderr) and what the students set (stdout)."""
    from lab.node.shared import student_environment

    kept = "kept" if keep_log else "removed at a clean stop; --keep-log keeps it"
    auth = "requests need the API key" if server.api_key else "no API key (this machine only)"
    print(f"vLLM server ready at {server.public_url} (OpenAI base URL {server.public_url}/v1, "
          f"model {server.model_name!r}, {auth}, started in {server.start_time_s:.1f} s, log "
          f"{server.log_path}, {kept}). Students run, before starting Jupyter:",
          file=sys.stderr, flush=True)
    if server.public_url != server.url:
        print("(bound to every interface: if the name in the URL does not resolve for the "
              "students, use this machine's IP address instead)", file=sys.stderr, flush=True)
    print(server.public_url, flush=True)
    print(student_environment(server.public_url, server.api_key), flush=True)


def _print_bench(result, server) -> None:
    print(result.table().round(2).to_string())
    print(f"output throughput {result.output_throughput:.1f} tok/s; server start "
          f"{server.start_time_s or 0:.1f} s")
    for key, row in result.comparison().items():
        print(f"{key}: client mean {row['client'] * 1e3:.1f} ms, server /metrics mean "
              f"{row['server'] * 1e3:.1f} ms")


def bench(args: argparse.Namespace) -> int:
    """Start the server (or use ``--remote``), measure N prompts, stop; print the metrics."""
    from lab.node.emulator import LinkEmulator
    from lab.node.measure import DEFAULT_PROMPTS, measure
    from lab.node.server import InferenceServer

    prompts = [DEFAULT_PROMPTS[i % len(DEFAULT_PROMPTS)] for i in range(args.num_prompts)]
    server = InferenceServer(model=args.model, port=args.port, remote=args.remote,
                             api_key=args.api_key, startup_timeout=args.startup_timeout)
    if not args.json:
        print("starting vLLM ..." if args.remote is None else f"using {args.remote}",
              file=sys.stderr, flush=True)
    with _user_errors(), server, contextlib.ExitStack() as stack:
        target = server
        if args.link_delay > 0:
            target = stack.enter_context(LinkEmulator(server, delay=args.link_delay))
        result = measure(target, prompts, max_tokens=args.max_tokens,
                         concurrency=args.concurrency)
    out = result.to_dict()
    out["server_start_s"] = server.start_time_s
    out["link_delay_s"] = args.link_delay
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        _print_bench(result, server)
    return 0


def _add_server_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None,
                   help="checkpoint directory (default: the embedded tiny Qwen3)")
    p.add_argument("--port", type=port, default=None, help="TCP port (default: a free one)")
    p.add_argument("--startup-timeout", type=positive_seconds, default=300.0,
                   help="seconds to wait for the server (default 300)")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``node serve|bench|build-model`` to the lab's argparse subparsers."""
    node = subparsers.add_parser("node", help="the inference node: a real vLLM server")
    nsub = node.add_subparsers(dest="node_command", required=True, metavar="COMMAND")

    p = nsub.add_parser(
        "serve", help="serve the model (to a class: --host 0.0.0.0 --api-key KEY) and print "
        "its URL and the environment variables students set")
    _add_server_args(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1, this machine only; 0.0.0.0: "
                   "every interface, which requires an API key)")
    p.add_argument("--api-key", default=os.environ.get("VLLM_API_KEY") or None,
                   help="key every API request must carry (HTTP 401 without it); default: "
                   "$VLLM_API_KEY, as vLLM. On a shared machine prefer the variable: "
                   "arguments show in `ps`")
    p.add_argument("--keep-log", action="store_true",
                   help="keep the server's log file after a clean stop")
    p.set_defaults(func=serve)

    p = nsub.add_parser("bench", help="start the server, measure N prompts, stop")
    _add_server_args(p)
    p.add_argument("--remote", default=None, help="measure this server URL instead")
    p.add_argument("--api-key", default=None, help="API key for --remote")
    p.add_argument("-n", "--num-prompts", type=positive_int, default=8)
    p.add_argument("--max-tokens", type=positive_int, default=32)
    p.add_argument("--concurrency", type=positive_int, default=1)
    p.add_argument("--link-delay", type=non_negative_seconds, default=0.0,
                   help="one-way delay (s, >= 0) of an emulated space link in front of the "
                   "server")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=bench)

    p = nsub.add_parser("build-model", help="generate a Qwen3-architecture model: the embedded "
                        "tiny one, or --size 0.6b (real Qwen3-0.6B architecture, random weights)")
    p.add_argument("--size", choices=sorted(_SIZES), default="tiny",
                   help="tiny (default, ~2 MB) or 0.6b (596 M parameters, bf16, 1.2 GB)")
    p.add_argument("--path", default=None,
                   help="target directory (default: $ORBITAL_LAB_MODEL_DIR or "
                   "<repo>/models/tiny-qwen3; <repo>/models/qwen3-0.6b-random for 0.6b)")
    p.add_argument("--force", action="store_true", help="rebuild even if complete")
    p.set_defaults(func=build_model)
