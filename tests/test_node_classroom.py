"""A teacher's shared server: ``python -m lab node serve --api-key KEY`` and the students' side.

The fast tests (no vLLM process) check the rules: a public host needs a key, keys are checked,
``InferenceServer.from_env`` finds the shared server or says plainly that there is none. The
``vllm`` tests start one real classroom server with the command line, on 127.0.0.1 with a key,
and act as a class: requests without the key are refused (401), 30 students at once are all
answered, notebook 04 passes nbval against the shared server (in a subprocess with the
students' two environment variables), and SIGTERM leaves no process behind. Every server is
stopped in a ``finally``.
"""

from __future__ import annotations

import asyncio
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from lab.node import (
    InferenceServer,
    ServerStartError,
    parse_prometheus,
    server_unavailable_reason,
    shared,
)
from lab.node.server import find_free_port, port_in_use, process_tree_alive

REPO = Path(__file__).resolve().parent.parent
KEY = "class-2026-orbit"
STUDENTS = 30


# ------------------------------------------------------------------ the rules (fast, no vLLM)
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "lab-server.example"])
def test_a_server_others_can_reach_needs_a_key(host):
    with pytest.raises(ValueError, match=f"host '{host}' can be reached .* API key"):
        InferenceServer(host=host)
    srv = InferenceServer(host=host, api_key=KEY, port=8123)
    assert srv.headers() == {"Authorization": f"Bearer {KEY}"}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_needs_no_key(host):
    srv = InferenceServer(host=host, port=8123)
    assert srv.api_key is None and srv.url.endswith(":8123")
    assert srv.url == ("http://[::1]:8123" if host == "::1" else f"http://{host}:8123")


def test_urls_of_a_server_on_every_interface():
    srv = InferenceServer(host="0.0.0.0", api_key=KEY, port=8123)
    assert srv.url == "http://127.0.0.1:8123"  # how this machine reaches it
    assert srv.public_url.endswith(":8123") and "0.0.0.0" not in srv.public_url


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"api_key": "two words"}, ValueError, "api_key must be a non-empty string without spaces"),
    ({"api_key": ""}, ValueError, "api_key must be"),
    ({"api_key": 123}, ValueError, "api_key must be"),
    ({"host": "http://0.0.0.0"}, ValueError, "without scheme or port"),
    ({"host": "0.0.0.0:8000"}, ValueError, "without scheme or port"),
    ({"host": ""}, TypeError, "host must be"),
])
def test_bad_host_or_key_is_a_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        InferenceServer(**kwargs)
    assert "two words" not in str(info.value)  # a key is never echoed


def test_the_key_reaches_the_server_in_its_environment_not_its_command_line(monkeypatch):
    monkeypatch.setenv("VLLM_API_KEY", "left-over")
    assert "VLLM_API_KEY" not in InferenceServer()._server_env()  # no key: an open local server
    srv = InferenceServer(api_key=KEY)
    assert srv._server_env()["VLLM_API_KEY"] == KEY


def test_from_env_finds_the_shared_server_or_says_why_there_is_none(monkeypatch):
    env = {"LAB_VLLM_URL": "http://teacher.example:8000/v1", "LAB_VLLM_API_KEY": KEY}
    remote = InferenceServer.from_env(env)
    assert remote.remote == "http://teacher.example:8000" and remote.api_key == KEY
    assert InferenceServer.from_env({"LAB_VLLM_URL": "http://t:8000"}).api_key is None
    with pytest.raises(ValueError, match="LAB_VLLM_URL must be an http"):
        InferenceServer.from_env({"LAB_VLLM_URL": "teacher:8000"})
    with pytest.raises(ValueError, match="LAB_VLLM_API_KEY must be") as info:
        InferenceServer.from_env({"LAB_VLLM_URL": "http://t:8000", "LAB_VLLM_API_KEY": "a b"})
    assert "a b" not in str(info.value)
    # vLLM installed (this venv), no URL: a local server, not started
    local = InferenceServer.from_env({}, port=8123)
    assert local.remote is None and local.port == 8123 and local.process is None
    assert server_unavailable_reason({}) is None
    # Binder: no vLLM, no URL -> None, and a plain sentence saying what to do
    monkeypatch.setattr(shared.importlib.util, "find_spec",
                        lambda name, *a, **k: None if name == "vllm" else object())
    assert InferenceServer.from_env({}) is None
    reason = server_unavailable_reason({})
    assert "LAB_VLLM_URL" in reason and "LAB_VLLM_API_KEY" in reason and "skipped" in reason
    assert server_unavailable_reason(env) is None  # a shared server needs no local vLLM
    assert InferenceServer.from_env(env).remote == "http://teacher.example:8000"


def test_student_environment_line_is_shell_safe():
    line = shared.student_environment("http://host:8000", "k'ey")
    assert line == "export LAB_VLLM_URL=http://host:8000 LAB_VLLM_API_KEY='k'\"'\"'ey'"
    assert shared.student_environment("http://h:1", None) == "export LAB_VLLM_URL=http://h:1"


def test_cli_refuses_a_public_host_without_a_key_before_starting_anything():
    env = {k: v for k, v in os.environ.items() if k != "VLLM_API_KEY"}
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    out = subprocess.run([sys.executable, "-m", "lab", "node", "serve", "--host", "0.0.0.0"],
                         capture_output=True, text=True, cwd=REPO, timeout=120, env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert "python -m lab: error: a server on host '0.0.0.0'" in out.stderr
    assert "API key" in out.stderr and "Traceback" not in out.stderr
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before


# ------------------------------------------------------------------ a real class (vLLM)
def _read_lines(proc: subprocess.Popen, n: int, timeout: float) -> list[str]:
    """The first ``n`` lines the process prints on stdout (raw reads: no hidden buffer)."""
    deadline, data = time.monotonic() + timeout, b""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while data.count(b"\n") < n:
            left = deadline - time.monotonic()
            if left <= 0 or (not sel.select(left) and proc.poll() is not None):
                raise TimeoutError(f"`lab node serve` printed {data!r} within {timeout:g} s "
                                   f"(exit code {proc.poll()})")
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise TimeoutError(f"`lab node serve` exited after printing {data!r} "
                                   f"(exit code {proc.wait(10)})")
            data += chunk
    return data.decode().splitlines()[:n]


class Classroom:
    """``python -m lab node serve --api-key KEY`` on 127.0.0.1, as a teacher starts it."""

    def __init__(self, tmp: Path) -> None:
        self.port = find_free_port()
        self.err = open(tmp / "serve.err", "w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "lab", "node", "serve", "--port", str(self.port),
             "--api-key", KEY, "--startup-timeout", "600"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=self.err, start_new_session=True)
        self.pids: set[int] = {self.proc.pid}

    def wait_ready(self) -> tuple[str, str]:
        url, export = _read_lines(self.proc, 2, 660)
        self.pids |= {p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)}
        return url, export

    def stderr(self) -> str:
        self.err.seek(0)
        return self.err.read()

    def stop(self) -> int | None:
        """SIGTERM to the command (as a teacher's Ctrl-C or ``kill`` would); wait for it."""
        if self.proc.poll() is None:
            self.pids |= {p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)}
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        return self.proc.returncode

    def clean_up(self) -> None:
        """Whatever happened: no process of the tree survives, the log file is closed."""
        self.stop()
        for pid in process_tree_alive(sorted(self.pids)):
            os.kill(pid, signal.SIGKILL)
        self.err.close()


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("classroom"))
    try:
        room.url, room.export = room.wait_ready()
        yield room
    except TimeoutError:
        pytest.fail("the classroom server did not start:\n" + room.stderr()[-3000:])
    finally:
        room.clean_up()


def _completed_requests(url: str) -> float:
    return parse_prometheus(httpx.get(url + "/metrics", timeout=10).text).get(
        "vllm:request_success_total", 0.0)


@pytest.mark.vllm
def test_serve_prints_the_url_and_the_students_environment(classroom):
    assert classroom.url == f"http://127.0.0.1:{classroom.port}"
    assert classroom.export == (f"export LAB_VLLM_URL={classroom.url} "
                                f"LAB_VLLM_API_KEY={KEY}")
    assert "requests need the API key" in classroom.stderr()
    for pid in classroom.pids:  # the key is not on any command line of the server's tree
        try:
            cmdline = " ".join(psutil.Process(pid).cmdline())
        except psutil.NoSuchProcess:
            continue
        assert KEY not in cmdline or pid == classroom.proc.pid  # (the teacher's own command)


@pytest.mark.vllm
def test_requests_without_the_key_are_refused(classroom):
    body = {"model": "tiny-qwen3", "messages": [{"role": "user", "content": "hi"}],
            "max_tokens": 4}
    api = classroom.url + "/v1"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}):
        assert httpx.post(api + "/chat/completions", json=body, headers=headers,
                          timeout=30).status_code == 401
        assert httpx.get(api + "/models", headers=headers, timeout=30).status_code == 401
    ok = httpx.post(api + "/chat/completions", json=body, timeout=60,
                    headers={"Authorization": f"Bearer {KEY}"})
    assert ok.status_code == 200 and ok.json()["usage"]["completion_tokens"] >= 1
    assert httpx.get(classroom.url + "/health", timeout=10).status_code == 200  # open, as vLLM
    with pytest.raises(ServerStartError, match="refused the API key"):
        InferenceServer(remote=classroom.url).start()
    with pytest.raises(ServerStartError, match="the key is wrong"):
        InferenceServer(remote=classroom.url, api_key="wrong").start()


@pytest.mark.vllm
def test_thirty_students_at_once_are_all_answered(classroom, monkeypatch):
    monkeypatch.setenv("LAB_VLLM_URL", classroom.url)
    monkeypatch.setenv("LAB_VLLM_API_KEY", KEY)
    before = _completed_requests(classroom.url)

    async def student(i: int) -> tuple[str, int]:
        server = InferenceServer.from_env()  # each student's own notebook
        async with server.async_client as client:
            reply = await client.chat.completions.create(
                model=server.model_name, max_tokens=8, temperature=0.0,
                messages=[{"role": "user", "content": f"Student {i}: what limits orbit compute?"}],
                extra_body={"ignore_eos": True, "min_tokens": 8})
        return reply.choices[0].message.content, reply.usage.completion_tokens

    async def lesson():
        return await asyncio.gather(*(student(i) for i in range(STUDENTS)))

    t0 = time.perf_counter()
    answers = asyncio.run(lesson())
    print(f"\n{STUDENTS} students answered in {time.perf_counter() - t0:.2f} s")
    assert len(answers) == STUDENTS
    assert all(isinstance(text, str) and tokens == 8 for text, tokens in answers)
    assert _completed_requests(classroom.url) - before == pytest.approx(STUDENTS)


@pytest.mark.vllm
def test_notebook_04_passes_against_the_shared_server(classroom):
    env = {**os.environ, "LAB_VLLM_URL": classroom.url, "LAB_VLLM_API_KEY": KEY}
    before = _completed_requests(classroom.url)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks/04_inference_node.ipynb", "-q",
         "-p", "no:cacheprovider"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=1500)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout and "failed" not in out.stdout
    # the notebook's requests reached the shared server (it started no vLLM of its own)
    assert _completed_requests(classroom.url) - before >= 8


@pytest.mark.vllm
def test_sigterm_stops_the_classroom_server_and_leaves_no_process(classroom):
    pids = set(classroom.pids)
    assert len(process_tree_alive(sorted(pids))) >= 3  # command, watchdog, vLLM tree
    t0 = time.monotonic()
    assert classroom.stop() == 0
    deadline = time.monotonic() + 30
    while process_tree_alive(sorted(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"\nclassroom server gone {time.monotonic() - t0:.1f} s after SIGTERM")
    assert process_tree_alive(sorted(pids)) == []
    assert not port_in_use(classroom.port)
    assert "stopped" in classroom.stderr()

