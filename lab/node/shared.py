"""A shared inference server for a class: the teacher serves, students point the lab at it.

Binder gives each student ~2 GB of memory and a local vLLM needs ~3 GB, so a class shares one
server: the teacher runs ``python -m lab node serve --host 0.0.0.0 --api-key KEY`` on a machine
the students can reach, and each student sets two environment variables before starting Jupyter,
``LAB_VLLM_URL=http://host:port`` and ``LAB_VLLM_API_KEY=KEY``.

- Authentication is vLLM's own: a server started with a key refuses every request to its API
  (``/v1/...``) without ``Authorization: Bearer KEY`` (HTTP 401); ``/health`` and ``/metrics``
  stay open, as in vLLM. :class:`~lab.node.InferenceServer` hands the key to the server in its
  environment (``VLLM_API_KEY``), never on its command line, which every user of the machine
  can read with ``ps``.
- A server bound to an address other machines can reach (``0.0.0.0``, a LAN address) must have a
  key: :class:`~lab.node.InferenceServer` refuses to start without one. Only loopback
  (``127.0.0.1``, ``localhost``, ``::1``) may go without.
- One code path for every environment: :meth:`InferenceServer.from_env
  <lab.node.InferenceServer.from_env>` returns a handle to the shared server when
  ``LAB_VLLM_URL`` is set, else a local server when vLLM is installed, else ``None``; then
  :func:`server_unavailable_reason` says why in plain words, and a notebook skips its live cells.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
from collections.abc import Mapping

__all__ = ["ENV_API_KEY", "ENV_URL", "server_unavailable_reason", "student_environment"]

#: Environment variables naming the shared server (its root URL) and its API key.
ENV_URL, ENV_API_KEY = "LAB_VLLM_URL", "LAB_VLLM_API_KEY"


def server_unavailable_reason(environ: Mapping[str, str] | None = None) -> str | None:
    """Why this environment has no inference server, or ``None`` if it has one: neither a shared
    server in ``LAB_VLLM_URL`` nor vLLM installed (the case of Binder). ``environ``: default
    ``os.environ``."""
    env = os.environ if environ is None else environ
    if env.get(ENV_URL, "").strip() or importlib.util.find_spec("vllm") is not None:
        return None
    return (f"No inference server here: vLLM is not installed in this Python and {ENV_URL} is "
            f"not set. The cells that need a live server are skipped; everything else "
            f"(hardware, roofline, link delays) runs. To measure a real server, set {ENV_URL}="
            f"http://host:port and {ENV_API_KEY}=KEY (the class's shared server, started by the "
            f"teacher with `python -m lab node serve --host 0.0.0.0 --api-key KEY`) before "
            f"starting Jupyter, or install vLLM (`make setup`).")


def student_environment(url: str, api_key: str | None) -> str:
    """The shell line a student runs before starting Jupyter, e.g.
    ``export LAB_VLLM_URL=http://host:8000 LAB_VLLM_API_KEY=secret``."""
    pairs = [(ENV_URL, url)] + ([(ENV_API_KEY, api_key)] if api_key else [])
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in pairs)
