"""Server URLs, bind hosts and API keys: one check each, shared by the server handle, the client,
the link emulator and the command line."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ALL_INTERFACES", "check_api_key", "check_host", "http_root", "is_loopback",
           "root_url", "target_of"]


def root_url(url: Any, name: str = "remote") -> str:
    """``url`` without a trailing ``/`` or ``/v1`` (the server root).

    ``ValueError`` unless ``url`` is an ``http://`` or ``https://`` URL with a host (and a valid
    port, no query or fragment), e.g. ``"http://127.0.0.1:8000"`` or ``"https://host/proxy/v1"``.
    """
    example = "an http(s) URL like 'http://host:8000'"
    if not isinstance(url, str):
        raise TypeError(f"{name} must be {example} (got {type(url).__name__} {url!r})")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be {example} (got {url!r})")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        raise ValueError(f"{name} has an invalid port: must be {example} (got {url!r})") from None
    if parts.query or parts.fragment or parts.username is not None:
        raise ValueError(f"{name} must be a server root URL without user, query or fragment "
                         f"(got {url!r})")
    path = parts.path.rstrip("/")
    path = path[:-3] if path.endswith("/v1") else path
    return f"{parts.scheme}://{parts.netloc}{path}"


def target_of(target: Any, name: str) -> tuple[str, dict[str, str], str | None]:
    """(root URL, HTTP headers, model name or None) of a URL string or a server-like object.

    A server-like object (:class:`~lab.node.InferenceServer`, :class:`~lab.node.LinkEmulator`)
    has a ``url`` and, optionally, ``headers()`` and ``model_name``.
    """
    if isinstance(target, str):
        return root_url(target, name), {}, None
    url = getattr(target, "url", None)
    if not isinstance(url, str):
        raise TypeError(f"{name} must be a URL string, an InferenceServer or a LinkEmulator "
                        f"(got {type(target).__name__})")
    headers = target.headers() if hasattr(target, "headers") else {}
    return root_url(url, name), dict(headers), getattr(target, "model_name", None)


#: Host names that bind every interface: reachable from other machines, like a named address.
ALL_INTERFACES = ("0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: another machine may resolve it to a public address


def check_host(host: Any) -> str:
    """``host`` as a bind address: an IP address or a host name, without scheme or port."""
    if not isinstance(host, str) or not host.strip():
        raise TypeError(f"host must be an IP address or host name such as '127.0.0.1' or "
                        f"'0.0.0.0' (got {host!r})")
    host = host.strip()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            raise ValueError(f"host must be an IP address or host name, without scheme or "
                             f"port, such as '127.0.0.1' or '0.0.0.0' (got {host!r})") from None
    return host


def http_root(host: str, port: int) -> str:
    """``http://host:port`` (an IPv6 address in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def check_api_key(key: Any, name: str = "api_key") -> str | None:
    """``None`` or an API key: a non-empty string without whitespace (sent in an HTTP header)."""
    if key is None:
        return None
    if not isinstance(key, str) or not key or re.search(r"\s", key) or not key.isprintable():
        raise ValueError(f"{name} must be a non-empty string without spaces (got "
                         f"{'an empty string' if key == '' else type(key).__name__})")
    return key
