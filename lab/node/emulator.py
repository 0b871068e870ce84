"""A space-link emulator: a local HTTP proxy that makes real requests take "orbital" latency.

:class:`LinkEmulator` listens on 127.0.0.1 (a free port) and forwards every request to the
target server with ``httpx``. The request is held for the one-way ``delay`` plus its serialization
time at ``bandwidth`` before it is forwarded; every chunk of the response is delivered
``delay`` + its serialization time after it arrived, as it arrives (streaming is preserved, chunks
are pipelined through the link, so the delay is added once per direction, not once per chunk).
The link is modelled as a FIFO pipe: a chunk can only start serializing when the previous one has
left, so a slow link also stretches the inter-token gaps.

It runs its own asyncio loop in a background thread: use it synchronously from a notebook::

    with LinkEmulator(server, delay=0.12) as geo:        # GEO: ~120 ms one way
        measure(geo, ["hello"], max_tokens=16)
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import threading
import time
from typing import Any

import httpx

from lab._validate import as_value
from lab.node.server import _root_url

__all__ = ["LinkEmulator"]

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "content-length", "host", "accept-encoding"}


def _target_url(target: Any) -> str:
    url = target if isinstance(target, str) else getattr(target, "url", None)
    if not isinstance(url, str):
        raise TypeError("server_or_url must be a URL string or an object with a .url "
                        f"(InferenceServer, LinkEmulator), got {type(target).__name__}")
    return _root_url(url, "server_or_url")


class LinkEmulator:
    """Proxy to ``server_or_url`` that adds a space link's delay and serialization time.

    Parameters
    ----------
    server_or_url : an :class:`~lab.node.InferenceServer`, another emulator, or a root URL.
    delay : one-way delay in s (Quantity accepted), applied in each direction.
    bandwidth : link rate in bit/s (Quantity accepted, e.g. ``100 * u.Mbit / u.s``);
        ``None`` = infinite (no serialization time).
    uplink_delay, downlink_delay : override ``delay`` for one direction.

    ``url`` / ``api_url`` are the proxy's root and OpenAI base URLs; ``stats`` counts requests and
    bytes. Change ``delay``/``bandwidth`` at any time (applies to the next chunk).
    """

    def __init__(
        self,
        server_or_url: Any,
        delay: Any = 0.0,
        bandwidth: Any = None,
        *,
        uplink_delay: Any = None,
        downlink_delay: Any = None,
        port: int = 0,
    ) -> None:
        self.target = _target_url(server_or_url)
        self._headers = server_or_url.headers() if hasattr(server_or_url, "headers") else {}
        self.model_name = getattr(server_or_url, "model_name", None)
        d = as_value(delay, "s", "delay", lo=0)
        self.uplink_delay = d if uplink_delay is None else as_value(uplink_delay, "s",
                                                                    "uplink_delay", lo=0)
        self.downlink_delay = d if downlink_delay is None else as_value(
            downlink_delay, "s", "downlink_delay", lo=0)
        self.bandwidth = None if bandwidth is None else as_value(
            bandwidth, "bit/s", "bandwidth", lo=0, lo_inclusive=False)
        self._port = int(port)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task] = set()
        self.stats = {"requests": 0, "bytes_up": 0, "bytes_down": 0, "chunks_down": 0}

    @property
    def delay(self) -> float:
        """One-way delay (s) of the uplink (= downlink unless set separately)."""
        return self.uplink_delay

    @delay.setter
    def delay(self, value: Any) -> None:
        self.uplink_delay = self.downlink_delay = as_value(value, "s", "delay", lo=0)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the link emulator is not running (use start() or `with`)")
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the proxy, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def __repr__(self) -> str:
        state = f"at {self.url}" if self._server else "stopped"
        bw = "inf" if self.bandwidth is None else f"{self.bandwidth:g} bit/s"
        return (f"<LinkEmulator -> {self.target}, delay up {self.uplink_delay:g} s / down "
                f"{self.downlink_delay:g} s, bandwidth {bw}, {state}>")

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LinkEmulator:
        """Start the proxy thread and wait until it listens."""
        if self._server is not None:
            return self
        try:  # uvloop (installed with vLLM's uvicorn) halves the proxy's own overhead
            import uvloop

            self._loop = uvloop.new_event_loop()
        except ImportError:  # pragma: no cover
            self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True, name="LinkEmulator")
        self._thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._start_server(), self._loop)
        fut.result(timeout=30)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _start_server(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(600.0), headers=self._headers,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self._port)
        self._port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        """Stop serving, close connections and join the thread."""
        if self._loop is None:
            return
        loop = self._loop

        async def _shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for t in list(self._tasks):
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._client is not None:
                await self._client.aclose()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(_shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        with contextlib.suppress(Exception):
            loop.close()
        self._loop = self._thread = self._server = self._client = None

    def __enter__(self) -> LinkEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()

    # ------------------------------------------------------------------ link model
    def _serialization(self, nbytes: int) -> float:
        return 0.0 if self.bandwidth is None else nbytes * 8.0 / self.bandwidth

    # ------------------------------------------------------------------ the proxy
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            while True:  # keep-alive: several requests per connection
                keep = await self._one_request(reader, writer)
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _one_request(self, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        t_arrival = time.perf_counter()
        lines = head.decode("latin-1").split("\r\n")
        method, path, version = lines[0].split(" ", 2)
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.append((k.strip(), v.strip()))
        hmap = {k.lower(): v for k, v in headers}
        if hmap.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                body += await reader.readexactly(size)
                await reader.readexactly(2)
        else:
            body = await reader.readexactly(int(hmap.get("content-length", "0") or 0))
        keep_alive = hmap.get("connection", "").lower() != "close" and version == "HTTP/1.1"
        self.stats["requests"] += 1
        self.stats["bytes_up"] += len(head) + len(body)

        # uplink: propagation + serialization of the whole request
        wait = self.uplink_delay + self._serialization(len(head) + len(body))
        wait -= time.perf_counter() - t_arrival
        if wait > 0:
            await asyncio.sleep(wait)

        fwd = [(k, v) for k, v in headers if k.lower() not in _HOP]
        req = self._client.build_request(method, self.target + path, headers=fwd, content=body)
        try:
            resp = await self._client.send(req, stream=True)
        except httpx.HTTPError as exc:
            msg = f"link emulator: upstream {self.target} unreachable: {exc}".encode()
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: " + str(len(msg)).encode() + b"\r\n\r\n" + msg)
            await writer.drain()
            return keep_alive
        out = [f"HTTP/1.1 {resp.status_code} {resp.reason_phrase}"]
        out += [f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in _HOP
                and k.lower() != "content-encoding"]
        out += ["Transfer-Encoding: chunked", "Connection: " + ("keep-alive" if keep_alive
                                                               else "close")]
        status = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")

        if self.downlink_delay == 0 and self.bandwidth is None:  # fast path: an ideal link
            try:
                writer.write(status)
                async for chunk in resp.aiter_raw():
                    if chunk:
                        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.stats["chunks_down"] += 1
                        self.stats["bytes_down"] += len(chunk)
                        await writer.drain()
                writer.write(b"0\r\n\r\n")
                await writer.drain()
            finally:
                await resp.aclose()
            return keep_alive

        queue: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        link_free = [loop.time()]

        def schedule(data: bytes | None) -> None:
            now = loop.time()
            start = max(now, link_free[0])
            ser = self._serialization(len(data)) if data else 0.0
            link_free[0] = start + ser
            queue.put_nowait((start + ser + self.downlink_delay, data))

        async def pump() -> None:
            try:
                schedule(status)
                async for chunk in resp.aiter_raw():
                    if chunk:
                        schedule(chunk)
            finally:
                await resp.aclose()
                schedule(None)

        pump_task = asyncio.create_task(pump())
        first = True
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                    break
                if first:
                    writer.write(data)
                    first = False
                else:
                    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.stats["chunks_down"] += 1
                self.stats["bytes_down"] += len(data)
                await writer.drain()
        finally:
            if not pump_task.done():
                pump_task.cancel()
            with contextlib.suppress(BaseException):
                await pump_task
        return keep_alive

    # ------------------------------------------------------------------ self-check
    def measure_overhead(self, n: int = 30, path: str = "/v1/models") -> dict[str, float]:
        """The proxy's own cost per request (s): ``GET path`` through it minus direct.

        Requests alternate between the two routes (keep-alive connections) so that load on the
        machine affects both alike. Meaningful with ``delay=0`` and ``bandwidth=None`` (the
        configured delays are subtracted otherwise). Returns medians ``direct``, ``proxied``,
        ``overhead`` (difference of medians) and ``overhead_min`` (difference of the fastest
        requests: the cost without scheduling noise).
        """
        expected = self.uplink_delay + self.downlink_delay
        direct, proxied = [], []
        with httpx.Client(headers=self._headers, timeout=30.0) as c1, \
                httpx.Client(headers=self._headers, timeout=30.0) as c2:
            c1.get(self.target + path)  # open both keep-alive connections
            c2.get(self.url + path)
            for _ in range(n):
                for client, url, out in ((c1, self.target, direct), (c2, self.url, proxied)):
                    t = time.perf_counter()
                    client.get(url + path).raise_for_status()
                    out.append(time.perf_counter() - t)
        d, p = statistics.median(direct), statistics.median(proxied)
        return {"direct": d, "proxied": p, "overhead": p - d - expected,
                "overhead_min": min(proxied) - min(direct) - expected}
