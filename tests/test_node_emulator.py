"""LinkEmulator against a small local streaming HTTP server (fast, no vLLM).

The vLLM module checks the emulator with the real server; here its link model is checked
precisely: delay in both directions, serialization at a given bandwidth, streaming, bodies,
status codes, clean stop; and its failures: an upstream that dies mid-stream must reach the
client as an error (also an OpenAI client and ``measure``), at every delay.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import openai
import pytest
from astropy import units as u

from lab.node import measure
from lab.node.emulator import LinkEmulator
from lab.node.server import PortInUseError

CHUNKS = 8
GAP = 0.05
DIES_AFTER = 3  # chunks an upstream sends before it dies


def _sse(obj: object) -> bytes:
    return f"data: {json.dumps(obj)}\n\n".encode()


def _chat_chunk(i: int, finish_reason: str | None = None) -> bytes:
    return _sse({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                 "choices": [{"index": 0, "delta": {"content": f"t{i} "},
                              "finish_reason": finish_reason}]})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body writes

    def log_message(self, *args):  # keep the test output clean
        pass

    def _chunked(self, pieces: list[bytes], *, dies: bool) -> None:
        """Send ``pieces`` as a chunked body; ``dies``: close the connection before its end."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for data in pieces:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            time.sleep(GAP)
        if dies:  # the server process "crashes": no terminating chunk, the socket closes
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        if self.path == "/dies":
            self._chunked([f"data: {i}\n\n".encode() for i in range(DIES_AFTER)], dies=True)
            return
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(CHUNKS):
                data = f"data: {i}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                time.sleep(GAP)
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/big":
            body = b"x" * 5000
        elif self.path == "/small":
            body = b"ok"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"not found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Test", "kept")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.endswith("/v1/chat/completions"):  # a fake OpenAI-compatible server
            self._fake_chat(self.path.removesuffix("/v1/chat/completions"))
            return
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])

    def _fake_chat(self, mode: str) -> None:
        """Stream a chat answer: complete (``""``), cut off (``/dies``), with an error event
        like vLLM's when its engine fails (``/error``), aborted like vLLM's answers when it
        stops (``/abort``), or without ``[DONE]`` (``/nodone``)."""
        pieces = [_chat_chunk(i) for i in range(DIES_AFTER)]
        if mode == "/abort":
            pieces[-1] = _chat_chunk(DIES_AFTER - 1, finish_reason="abort")
        if mode == "/error":
            pieces += [_sse({"error": {"message": "EngineCore encountered an issue",
                                       "type": "InternalServerError", "code": 500}}),
                       b"data: [DONE]\n\n"]
        elif mode in ("", "/nodone", "/abort"):
            pieces.append(_sse({"id": "c", "object": "chat.completion.chunk", "created": 0,
                                "model": "fake", "choices": [],
                                "usage": {"prompt_tokens": 5, "completion_tokens": DIES_AFTER,
                                          "total_tokens": 5 + DIES_AFTER}}))
            pieces += [] if mode == "/nodone" else [b"data: [DONE]\n\n"]
        self._chunked(pieces, dies=mode == "/dies")


@pytest.fixture(scope="module")
def upstream():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def _stream_times(url: str) -> tuple[float, list[float], bytes]:
    t0 = time.perf_counter()
    times, data = [], b""
    with httpx.stream("GET", url + "/stream", timeout=30) as r:
        for piece in r.iter_raw():
            if piece:
                times.append(time.perf_counter() - t0)
                data += piece
    return t0, times, data


def test_streaming_preserved_and_delay_added_once_per_direction(upstream):
    _, direct, data_d = _stream_times(upstream)
    with LinkEmulator(upstream, delay=0.2) as link:
        _, via, data_v = _stream_times(link.url)
    assert data_v == data_d
    assert len(via) >= CHUNKS // 2  # delivered piece by piece, not as one buffered body
    assert via[0] - direct[0] == pytest.approx(0.4, abs=0.1)  # 0.2 s up + 0.2 s down
    # chunks pipelined through the link: the spread stays ~ (CHUNKS-1)·GAP, no per-chunk delay
    assert via[-1] - via[0] == pytest.approx(direct[-1] - direct[0], abs=0.1)


def test_asymmetric_delays_and_quantities(upstream):
    with LinkEmulator(upstream, uplink_delay=300 * u.ms, downlink_delay=0.0) as link:
        r = httpx.get(link.url + "/small", timeout=30)
    assert r.text == "ok" and r.elapsed.total_seconds() >= 0.3
    with pytest.raises(ValueError, match="delay"):
        LinkEmulator(upstream, delay=-1)
    with pytest.raises(TypeError, match="bandwidth"):
        LinkEmulator(upstream, bandwidth=5 * u.km)
    with pytest.raises(ValueError, match="URL"):
        LinkEmulator("localhost:1")


def test_bandwidth_serialization(upstream):
    # 5000-byte body at 100 kbit/s: 0.4 s of serialization downlink (headers add a little)
    with LinkEmulator(upstream, bandwidth=100 * u.kbit / u.s) as link:
        r = httpx.get(link.url + "/big", timeout=30)
    assert len(r.content) == 5000
    assert r.elapsed.total_seconds() >= 5000 * 8 / 100e3


def test_bodies_status_and_headers_forwarded(upstream):
    with LinkEmulator(upstream) as link:
        r = httpx.post(link.url + "/echo", content=b"hello orbit", timeout=30)
        assert r.status_code == 201 and r.content == b"tibro olleh"
        r = httpx.get(link.url + "/missing", timeout=30)
        assert r.status_code == 404 and r.content == b"not found"
        r = httpx.get(link.url + "/big", timeout=30)
        assert r.headers["x-test"] == "kept"
        with httpx.Client(timeout=30) as c:  # keep-alive: many requests, one connection
            assert all(c.get(link.url + "/small").text == "ok" for _ in range(5))
        assert link.stats["requests"] >= 8
        with socket.create_connection(("127.0.0.1", link.port), timeout=30) as raw:
            raw.sendall(b"not http\r\n\r\n")  # no method/path/version: 400, connection closed
            assert raw.recv(100).startswith(b"HTTP/1.1 400 Bad Request")


def test_overhead_is_reported(upstream):
    with LinkEmulator(upstream) as link:
        ov = link.measure_overhead(n=20, path="/small")
    print(f"\nproxy overhead {ov['overhead'] * 1e3:.2f} ms (direct {ov['direct'] * 1e3:.2f} ms)")
    assert set(ov) == {"direct", "proxied", "overhead", "overhead_min"}
    # one more local hop costs something, and far less than the 50 ms a delay test resolves
    assert 0 < ov["direct"] < 0.05 and 0 < ov["proxied"] < 0.1
    assert 0 <= ov["overhead"] < 0.02 and 0 <= ov["overhead_min"] < 0.02
    assert ov["overhead"] == pytest.approx(ov["proxied"] - ov["direct"], abs=1e-12)


def test_overhead_subtracts_the_configured_delay(upstream):
    with LinkEmulator(upstream, uplink_delay=0.03, downlink_delay=0.02) as link:
        ov = link.measure_overhead(n=10, path="/small")
    # every proxied request really took the 50 ms round trip; what is left is the proxy's cost
    assert ov["proxied"] - ov["direct"] >= 0.05 - 0.003  # loop timers have ~1 ms resolution
    assert -0.003 <= ov["overhead"] < 0.02
    assert ov["overhead"] == pytest.approx(ov["proxied"] - ov["direct"] - 0.05, abs=1e-12)


@pytest.mark.parametrize("delay", [0.0, 0.2])
def test_upstream_dying_mid_stream_is_an_error_at_every_delay(upstream, delay):
    # regression: with delay > 0 the emulator used to end the stream cleanly (half an answer
    # looked whole); now the client's HTTP library raises after the chunks that did arrive
    received = b""
    with LinkEmulator(upstream, delay=delay) as link:
        t0 = time.perf_counter()
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"), \
                httpx.stream("GET", link.url + "/dies", timeout=30) as r:
            for piece in r.iter_raw():
                received += piece
        elapsed = time.perf_counter() - t0
        assert link.stats["upstream_errors"] == 1
        assert httpx.get(link.url + "/small", timeout=30).text == "ok"  # still serving
    assert received == b"".join(f"data: {i}\n\n".encode() for i in range(DIES_AFTER))
    assert elapsed >= 2 * delay + (DIES_AFTER - 1) * GAP  # the failure came over the link too


@pytest.mark.parametrize("delay", [0.0, 0.2])
def test_openai_client_and_measure_see_a_dying_upstream_as_an_error(upstream, delay):
    with LinkEmulator(upstream + "/dies", delay=delay) as link:
        client = openai.OpenAI(base_url=link.api_url, api_key="x", max_retries=0, timeout=30)
        stream = client.chat.completions.create(
            model="fake", messages=[{"role": "user", "content": "hi"}], stream=True)
        pieces = []
        with pytest.raises((openai.APIError, httpx.HTTPError)):
            for chunk in stream:
                pieces.append(chunk.choices[0].delta.content)
        assert pieces == [f"t{i} " for i in range(DIES_AFTER)]
        with pytest.raises(RuntimeError, match="all 2 requests .* failed.*RemoteProtocolError"):
            measure(link, ["a", "b"], max_tokens=8, model="fake", server_metrics=False)
    with LinkEmulator(upstream, delay=delay) as link:  # the same fake server, not dying
        res = measure(link, ["a", "b"], max_tokens=8, model="fake", server_metrics=False)
    assert res.failed == 0 and all(r.output_tokens == DIES_AFTER for r in res.requests)
    assert all(r.text == "t0 t1 t2 " and r.ttft >= 2 * delay for r in res.requests)


@pytest.mark.parametrize("mode, match", [("/error", "error in the stream: EngineCore"),
                                         ("/abort", "finish_reason 'abort' after 3 chunks"),
                                         ("/nodone", "without \\[DONE\\]")])
def test_measure_counts_an_error_event_or_a_missing_done_as_a_failure(upstream, mode, match):
    # vLLM reports a failing engine inside the stream, and an answer it aborts (when it stops)
    # with finish_reason "abort", then sends [DONE]; a stream without [DONE] was cut short by
    # something between client and server
    with pytest.raises(RuntimeError, match=match):
        measure(upstream + mode, ["a"], max_tokens=8, model="fake", server_metrics=False)


def test_bad_or_taken_port_is_a_clear_error_and_leaves_no_thread(upstream, monkeypatch):
    threads = set(threading.enumerate())
    with pytest.raises(ValueError, match=r"port must be an integer in \[0, 65535\] \(got -1\)"):
        LinkEmulator(upstream, port=-1)
    with pytest.raises(TypeError, match="port must be an integer"):
        LinkEmulator(upstream, port=80.5)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} .* already in use"):
            LinkEmulator(upstream, port=port).start()
        # lost race: the port is taken between the check and the bind
        monkeypatch.setattr("lab.node.emulator.port_in_use", lambda port: False)
        link = LinkEmulator(upstream, port=port)
        with pytest.raises(PortInUseError, match=f"cannot listen on 127.0.0.1:{port}"):
            link.start()
    assert set(threading.enumerate()) == threads  # no LinkEmulator thread keeps running
    with pytest.raises(RuntimeError, match="not running"):
        link.url  # noqa: B018


def test_clean_stop_and_unreachable_upstream():
    link = LinkEmulator("http://127.0.0.1:9")  # discard port: nothing listens
    link.start()
    thread = link._thread
    r = httpx.get(link.url + "/x", timeout=30)
    assert r.status_code == 502 and b"unreachable" in r.content
    link.stop()
    assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="not running"):
        link.url  # noqa: B018
