"""Server URLs: one check shared by the server handle, the client and the link emulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["root_url", "target_of"]


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
