"""A space-link emulator: a local HTTP proxy that makes real requests take "orbital" latency.

:class:`LinkEmulator` listens on 127.0.0.1 (a free port) and forwards every request to the
target server with ``httpx``. The request is held for the one-way ``delay`` plus its serialization
time at ``bandwidth`` before it is forwarded; every chunk of the response is delivered
``delay`` + its serialization time after it arrived, as it arrives (streaming is preserved, chunks
are pipelined through the link, so the delay is added once per direction, not once per chunk).
The link is modelled as a FIFO pipe: a chunk can only start serializing when the previous one has
left, so a slow link also stretches the inter-token gaps.

Failures stay failures: an unreachable upstream gets ``502 Bad Gateway``; an upstream that breaks
off mid-response (a dying server) is relayed as what it is, at every delay: the bytes received so
far arrive with the link's timing, then the connection closes without the chunked body's
terminating chunk, so the client's HTTP library (an OpenAI client too) raises instead of taking a
half answer for a whole one (``stats["upstream_errors"]`` counts them).

A request passes through named steps: read it (:func:`_read_request`), hold it for the uplink,
forward it, then relay the response over an ideal link (no delay, no bandwidth limit: the fast
path) or through the FIFO link model; ``stats`` does the accounting.

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
from dataclasses import dataclass
from typing import Any

import httpx

from lab._validate import as_value, check_int
from lab.node._url import target_of
from lab.node.server import PortInUseError, port_in_use

__all__ = ["LinkEmulator"]

_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "content-length", "host", "accept-encoding"}


_END = b"0\r\n\r\n"  # the terminating chunk of a chunked HTTP body


@dataclass
class _Request:
    """One HTTP request read from the client (``arrival`` on ``time.perf_counter``)."""

    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool
    arrival: float
    size: int  # bytes on the wire: head + body


async def _read_body(reader: asyncio.StreamReader, hmap: dict[str, str]) -> bytes:
    """The request body: chunked, or ``Content-Length`` bytes."""
    if hmap.get("transfer-encoding", "").lower() != "chunked":
        return await reader.readexactly(int(hmap.get("content-length", "0") or 0))
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0].strip(), 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return body
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_request(reader: asyncio.StreamReader) -> _Request:
    """Read one request (head and body); ``ValueError`` if it is not HTTP/1.x."""
    head = await reader.readuntil(b"\r\n\r\n")
    arrival = time.perf_counter()
    lines = head.decode("latin-1").split("\r\n")
    method, path, version = lines[0].split(" ", 2)
    headers = [(k.strip(), v.strip()) for k, v in
               (line.split(":", 1) for line in lines[1:] if ":" in line)]
    hmap = {k.lower(): v for k, v in headers}
    body = await _read_body(reader, hmap)
    keep_alive = hmap.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    return _Request(method, path, headers, body, keep_alive, arrival, len(head) + len(body))


def _response_head(resp: httpx.Response, keep_alive: bool) -> bytes:
    """Status line and headers of the relayed response (re-chunked, hop headers dropped)."""
    out = [f"HTTP/1.1 {resp.status_code} {resp.reason_phrase}"]
    out += [f"{k}: {v}" for k, v in resp.headers.items()
            if k.lower() not in _HOP and k.lower() != "content-encoding"]
    out += ["Transfer-Encoding: chunked", "Connection: " + ("keep-alive" if keep_alive
                                                           else "close")]
    return ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class LinkEmulator:
    """Proxy to ``server_or_url`` that adds a space link's delay and serialization time.

    Parameters
    ----------
    server_or_url : an :class:`~lab.node.InferenceServer`, another emulator, or a root URL.
    delay : one-way delay in s (Quantity accepted), applied in each direction.
    bandwidth : link rate in bit/s (Quantity accepted, e.g. ``100 * u.Mbit / u.s``);
        ``None`` = infinite (no serialization time).
    uplink_delay, downlink_delay : override ``delay`` for one direction.
    port : TCP port to listen on (0: a free one); a taken port raises
        :class:`~lab.node.PortInUseError` from :meth:`start`, before any thread starts.

    ``url`` / ``api_url`` are the proxy's root and OpenAI base URLs; ``stats`` counts requests,
    bytes (heads included), downlink chunks and upstream responses that broke off. Change
    ``delay``/``bandwidth`` at any time (applies to the next chunk).
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
        self.target, self._headers, self.model_name = target_of(server_or_url, "server_or_url")
        d = as_value(delay, "s", "delay", lo=0)
        self.uplink_delay = d if uplink_delay is None else as_value(uplink_delay, "s",
                                                                    "uplink_delay", lo=0)
        self.downlink_delay = d if downlink_delay is None else as_value(
            downlink_delay, "s", "downlink_delay", lo=0)
        self.bandwidth = None if bandwidth is None else as_value(
            bandwidth, "bit/s", "bandwidth", lo=0, lo_inclusive=False)
        self._port = check_int(port, "port", lo=0, hi=65535)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task] = set()
        self.stats = {"requests": 0, "bytes_up": 0, "bytes_down": 0, "chunks_down": 0,
                      "upstream_errors": 0}

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
        """Start the proxy thread and wait until it listens.

        A taken ``port`` raises :class:`~lab.node.PortInUseError`; after any failure no thread is
        left running.
        """
        if self._server is not None:
            return self
        if self._port and port_in_use(self._port):
            raise PortInUseError(f"link emulator: port {self._port} on 127.0.0.1 is already in "
                                 f"use; pick another port or port=0 for a free one")
        try:  # uvloop (installed with vLLM's uvicorn) halves the proxy's own overhead
            import uvloop

            self._loop = uvloop.new_event_loop()
        except ImportError:  # pragma: no cover
            self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True, name="LinkEmulator")
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start_server(), self._loop).result(timeout=30)
        except BaseException as exc:
            self.stop()
            if isinstance(exc, OSError):  # lost a race for the port
                raise PortInUseError(f"link emulator cannot listen on 127.0.0.1:{self._port}: "
                                     f"{exc}") from exc
            raise
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _start_server(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(600.0), headers=self._headers,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
        server = await asyncio.start_server(self._handle, "127.0.0.1", self._port)
        self._port = int(server.sockets[0].getsockname()[1])
        self._server = server

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
        """One client connection: requests in turn while it is kept alive."""
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()  # without a terminating chunk if a response broke off

    async def _one_request(self, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> bool:
        """Relay one request and its response; True if the connection stays open."""
        try:
            req = await _read_request(reader)
        except (ValueError, asyncio.LimitOverrunError):  # not an HTTP/1.x request
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            await writer.drain()
            return False
        self.stats["requests"] += 1
        self.stats["bytes_up"] += req.size
        await self._uplink(req)
        resp = await self._forward(req, writer)
        if resp is None:
            return req.keep_alive
        head = _response_head(resp, req.keep_alive)
        ideal = self.downlink_delay == 0 and self.bandwidth is None
        relay = self._relay_ideal if ideal else self._relay_link
        if not await relay(writer, head, resp):
            self.stats["upstream_errors"] += 1
            return False  # the connection closes with the response incomplete
        return req.keep_alive

    async def _uplink(self, req: _Request) -> None:
        """Hold the request for the uplink: propagation + serialization of all of it."""
        wait = self.uplink_delay + self._serialization(req.size)
        wait -= time.perf_counter() - req.arrival
        if wait > 0:
            await asyncio.sleep(wait)

    async def _forward(self, req: _Request, writer: asyncio.StreamWriter
                       ) -> httpx.Response | None:
        """Send the request upstream; a streaming response, or None after answering 502."""
        fwd = [(k, v) for k, v in req.headers if k.lower() not in _HOP]
        upstream = self._client.build_request(req.method, self.target + req.path, headers=fwd,
                                              content=req.body)
        try:
            return await self._client.send(upstream, stream=True)
        except httpx.HTTPError as exc:
            msg = f"link emulator: upstream {self.target} unreachable: {exc}".encode()
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: " + str(len(msg)).encode() + b"\r\n\r\n" + msg)
            await writer.drain()
            return None

    def _sent_down(self, data: bytes, is_chunk: bool = True) -> None:
        self.stats["bytes_down"] += len(data)
        self.stats["chunks_down"] += is_chunk

    async def _relay_ideal(self, writer: asyncio.StreamWriter, head: bytes,
                           resp: httpx.Response) -> bool:
        """Relay the response as it arrives; False if the upstream broke off."""
        try:
            writer.write(head)
            self._sent_down(head, is_chunk=False)
            async for data in resp.aiter_raw():
                if data:
                    writer.write(_chunk(data))
                    self._sent_down(data)
                    await writer.drain()
        except httpx.HTTPError:
            return False
        finally:
            await resp.aclose()
        writer.write(_END)
        await writer.drain()
        return True

    async def _relay_link(self, writer: asyncio.StreamWriter, head: bytes,
                          resp: httpx.Response) -> bool:
        """Relay through the FIFO link: each piece leaves once the link is free and arrives
        ``downlink_delay`` after its serialization; False if the upstream broke off (that news
        travels the link too, after the pieces received before it)."""
        queue: asyncio.Queue = asyncio.Queue()
        loop = asyncio.get_running_loop()
        link_free = loop.time()

        def schedule(kind: str, data: bytes = b"") -> None:
            nonlocal link_free
            link_free = max(loop.time(), link_free) + self._serialization(len(data))
            queue.put_nowait((link_free + self.downlink_delay, kind, data))

        async def pump() -> None:
            schedule("head", head)
            try:
                async for data in resp.aiter_raw():
                    if data:
                        schedule("chunk", data)
            except httpx.HTTPError:
                schedule("broken")
            else:
                schedule("end")
            finally:
                await resp.aclose()

        pump_task = asyncio.create_task(pump())
        try:
            return await self._deliver(queue, writer)
        finally:
            if not pump_task.done():
                pump_task.cancel()
            with contextlib.suppress(BaseException):
                await pump_task

    async def _deliver(self, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> bool:
        """Write the scheduled pieces at their due times; True after the terminating chunk."""
        loop = asyncio.get_running_loop()
        while True:
            due, kind, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if kind == "broken":
                return False
            if kind == "end":
                writer.write(_END)
                await writer.drain()
                return True
            writer.write(data if kind == "head" else _chunk(data))
            self._sent_down(data, is_chunk=kind == "chunk")
            await writer.drain()

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
