"""LinkEmulator against a small local streaming HTTP server (fast, no vLLM).

The vLLM module checks the emulator with the real server; here its link model is checked
precisely: delay in both directions, serialization at a given bandwidth, streaming, bodies,
status codes, clean stop.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from astropy import units as u

from lab.node.emulator import LinkEmulator

CHUNKS = 8
GAP = 0.05


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls between header and body writes

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
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
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])


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


def test_overhead_is_reported(upstream):
    with LinkEmulator(upstream) as link:
        ov = link.measure_overhead(n=20, path="/small")
    print(f"\nproxy overhead {ov['overhead'] * 1e3:.2f} ms (direct {ov['direct'] * 1e3:.2f} ms)")
    assert set(ov) == {"direct", "proxied", "overhead", "overhead_min"} and ov["proxied"] > 0


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
