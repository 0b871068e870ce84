"""Process groups of a server: find their members, stop them, and a watchdog for parent death.

This module imports only the standard library and ``psutil`` (no ``lab``), because it also runs as
a script: :class:`~lab.node.InferenceServer` starts it as a tiny **watchdog** process first, in a
new process group, and starts vLLM in the same group. The watchdog blocks reading one end of a
pipe whose other end only the Python process that owns the server holds. When that process dies,
however it dies (SIGKILL, a crashed Jupyter kernel) and from whichever thread it started the
server, the kernel closes the pipe: the watchdog reads EOF and stops the whole group with
:func:`stop_group`. (``PR_SET_PDEATHSIG`` cannot do this: it fires when the *thread* that forked
exits, so it is only safe from the main thread.) The write end is close-on-exec, so programs the
owner starts do not hold it; a child it forks *without* exec (a ``multiprocessing`` worker with
the fork start method) does, and keeps the server alive as long as it lives.

:func:`stop_group` is the one stopping procedure used by ``InferenceServer.stop()`` and by the
watchdog: SIGTERM to the group, a short grace for a clean exit (vLLM's own shutdown aborts the
requests in flight, but its HTTP front end can then wait forever for their connections to close),
then SIGKILL. Python's multiprocessing resource trackers are spared from the first SIGKILL: they
ignore SIGTERM and, once the processes they serve are gone, unlink the shared-memory segments
those left behind (vLLM's message queues, ~400 MB in /dev/shm), then exit by themselves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable

import psutil

#: Seconds the resource trackers get, after the SIGKILL of the others, to clean up and exit.
TRACKER_GRACE_S = 2.0


def is_alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        return psutil.Process(pid).status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def alive(pids: Iterable[int]) -> list[int]:
    """The subset of ``pids`` that is still alive (zombies count as gone), sorted."""
    return [p for p in sorted(set(pids)) if is_alive(p)]


def descendants(pid: int) -> list[int]:
    """Process ids of all descendants of ``pid``."""
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


def group_members(pgid: int) -> list[int]:
    """Live process ids whose process group is ``pgid``."""
    out = []
    for pid in psutil.pids():
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pgid and is_alive(pid):
                out.append(pid)
    return out


def _is_resource_tracker(pid: int) -> bool:
    try:
        return "resource_tracker" in " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def _signal_each(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _wait_gone(pids: set[int], timeout: float, popens: tuple[subprocess.Popen, ...]
               ) -> list[int]:
    """Poll (reaping our ``popens``) until none of ``pids`` is alive or ``timeout`` s passed."""
    deadline = time.monotonic() + timeout
    while True:
        for proc in popens:
            with contextlib.suppress(Exception):
                proc.poll()
        left = alive(pids)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def stop_group(pgid: int | None, known: set[int], grace: float, *,
               popens: tuple[subprocess.Popen, ...] = (), exclude: int | None = None
               ) -> tuple[list[int], bool]:
    """Stop every process of group ``pgid``, every pid in ``known`` and their descendants.

    SIGTERM, up to ``grace`` s for a clean exit, then SIGKILL (resource trackers last, see the
    module docstring). ``known`` is updated with the processes found; ``popens`` (children of
    ours) are reaped; ``exclude`` (the watchdog itself) is never signalled.
    Returns ``(survivors, forced)``: pids still alive at the end (should be empty) and whether
    SIGKILL was needed.
    """
    def members() -> set[int]:
        found = set(known) | {proc.pid for proc in popens}
        if pgid is not None:
            found.update(group_members(pgid))
        for pid in list(found):
            found.update(descendants(pid))
        found.discard(exclude)
        known.update(found)
        return found

    pids = members()
    if not alive(pids):
        _reap(popens)
        return [], False
    if pgid is not None:  # the whole group at once (the watchdog ignores it)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
    _signal_each(pids, signal.SIGTERM)
    left = _wait_gone(pids, grace, popens)
    forced = bool(left)
    if forced:
        pids = members()  # with the children started during the grace
        trackers = {p for p in alive(pids) if _is_resource_tracker(p)}
        _signal_each(set(alive(pids)) - trackers, signal.SIGKILL)
        _signal_each(_wait_gone(trackers, TRACKER_GRACE_S, popens), signal.SIGKILL)
        left = _wait_gone(members(), 10.0, popens)
        _signal_each(left, signal.SIGKILL)  # found only now: no second chance
        left = _wait_gone(set(left), 5.0, popens)
    _reap(popens)
    return left, forced


def _reap(popens: tuple[subprocess.Popen, ...]) -> None:
    for proc in popens:
        with contextlib.suppress(Exception):
            proc.wait(timeout=5)


# --------------------------------------------------------------------------- the watchdog


def watchdog_command(read_fd: int, grace: float) -> list[str]:
    """Command line of a watchdog reading ``read_fd`` (pass it with ``pass_fds``)."""
    return [sys.executable, "-I", os.path.abspath(__file__), str(read_fd), f"{grace:g}"]


def watch(read_fd: int, grace: float) -> None:
    """Block until ``read_fd`` reaches EOF (the owner died or let go), then stop our group."""
    with contextlib.suppress(OSError):
        while os.read(read_fd, 4096):
            pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # we send SIGTERM to our own group
    me = os.getpid()
    stop_group(os.getpgrp(), set(), grace, exclude=me)


if __name__ == "__main__":  # pragma: no cover - runs as the watchdog process
    watch(int(sys.argv[1]), float(sys.argv[2]))
