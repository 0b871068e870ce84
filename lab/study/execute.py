"""Where the points run: in the caller's process, or on a dask.distributed cluster.

- :func:`run_in_process`: a plain loop over the missing points (no Dask import).
- :func:`dask_client`: a ``distributed.Client`` for ``scheduler`` = a number of local worker
  processes (a ``LocalCluster`` on 127.0.0.1, one thread per worker, closed afterwards), an
  address (``"tcp://host:8786"``, connected with a short timeout and at least one worker
  awaited, else :class:`SchedulerError`) or a ``Client`` the caller owns (left open).
- :func:`run_on_dask`: submits the points in tasks of a few points that share a geometry
  (:func:`task_groups`; at most ``window`` tasks at a time, so a study of any size holds a
  bounded number of futures), gathers them as they finish, in batches, and hands the points to
  :meth:`lab.study.store.Results.record`. When a worker dies, the scheduler runs its tasks
  again elsewhere; when the client dies, the finished points are in the store.

Both run the same function, :func:`lab.study.metrics.evaluate_timed`, on the same point values,
so the results are the same to the last bit wherever a point runs (it has no other input).
A point that fails raises :class:`PointError` naming the point; the points already finished
stay in the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

import numpy as np

from lab._validate import as_value, check_int
from lab.study.metrics import evaluate_many, evaluate_timed
from lab.study.space import Space
from lab.study.store import Results

__all__ = ["PointError", "Progress", "SchedulerError", "check_scheduler", "dask_client",
           "local_workers", "run_in_process", "run_on_dask", "task_groups"]

Scheduler = Any  # None | int | str | distributed.Client
GROUP_POINTS = 8  # at most this many points per Dask task (see task_groups)


class PointError(RuntimeError):
    """A point of a study failed (the message names the point and the cause)."""


class SchedulerError(ConnectionError):
    """The Dask scheduler cannot be reached, or it has no workers."""


def check_scheduler(scheduler: Scheduler) -> Scheduler:
    """``scheduler`` if it is None, a number of workers >= 1, an address or a Client."""
    if scheduler is None or isinstance(scheduler, str):
        return scheduler
    if isinstance(scheduler, int | np.integer) and not isinstance(scheduler, bool):
        return check_int(scheduler, "scheduler (number of local worker processes)", lo=1)
    if type(scheduler).__name__ == "Client" and hasattr(scheduler, "submit"):
        return scheduler
    raise TypeError("scheduler must be None (in process), a number of local worker processes, "
                    "a scheduler address like 'tcp://127.0.0.1:8786' or a distributed.Client "
                    f"(got {scheduler!r})")


class Progress:
    """Points done / total with an ETA: a tqdm bar (``progress=True``), a callback
    ``progress(done, total)``, or nothing (``False``)."""

    def __init__(self, total: int, done: int, progress: bool | Callable[[int, int], Any]
                 ) -> None:
        self.total, self.done = total, done
        self.callback = progress if callable(progress) else None
        self.bar = None
        if progress is True:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=done, desc="study", unit="point", leave=False)

    def advance(self, k: int) -> None:
        self.done += k
        if self.bar is not None:
            self.bar.update(k)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _failed(space: Space, flat: int, exc: BaseException) -> PointError:
    return PointError(f"point {flat} of the study ({space.point(flat)}) failed: "
                      f"{type(exc).__name__}: {exc}")


def run_in_process(space: Space, results: Results, todo: np.ndarray, progress: Progress) -> None:
    """Compute the points ``todo`` (flat indices) one after the other in this process."""
    for flat in todo:
        try:
            values, seconds = evaluate_timed(space.point(int(flat)), results.metrics)
        except Exception as exc:
            raise _failed(space, int(flat), exc) from exc
        results.record([(int(flat), values, seconds)])
        progress.advance(1)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - a core dependency of the lab
        raise ImportError("running a study on Dask needs dask.distributed: "
                          "pip install 'dask[distributed]'") from exc
    return distributed


@contextmanager
def dask_client(scheduler: Scheduler, connect_timeout: float = 10.0) -> Iterator[Any]:
    """A connected ``distributed.Client`` for ``scheduler`` (see the module docstring)."""
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if isinstance(scheduler, int):
        with distributed.LocalCluster(
                n_workers=scheduler, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler!r} within "
                             f"{connect_timeout:g} s ({type(exc).__name__}: {exc}); start one "
                             "with `dask scheduler` or check the address") from None
    try:
        try:
            client.wait_for_workers(1, timeout=connect_timeout)
        except TimeoutError:
            raise SchedulerError(f"the Dask scheduler at {scheduler!r} has no workers after "
                                 f"{connect_timeout:g} s; start some with `dask worker "
                                 f"{scheduler}`") from None
        yield client
    finally:
        client.close()


def local_workers(memory_per_worker_gb: float = 1.0, reserve_gb: float = 0.5) -> int:
    """How many worker processes a LocalCluster on this machine can hold: one per CPU, as long
    as each gets ``memory_per_worker_gb`` of the memory left after ``reserve_gb`` (for the
    notebook or script itself); at least 1. CPUs and memory are those this process may use
    (cgroup limits included: Binder's ~2 GB gives 1 worker)."""
    _import_distributed()
    from dask.system import CPU_COUNT
    from distributed.system import MEMORY_LIMIT

    per = as_value(memory_per_worker_gb, "GB", "memory_per_worker_gb", lo=0, lo_inclusive=False)
    spare = MEMORY_LIMIT / 1e9 - as_value(reserve_gb, "GB", "reserve_gb", lo=0)
    return max(1, min(int(CPU_COUNT), int(spare // per)))


def _key_prefix(results: Results) -> str:
    digest = hashlib.sha1(json.dumps(results.identity, sort_keys=True).encode()).hexdigest()
    return f"lab-study-{digest[:12]}"


def task_groups(space: Space, todo: np.ndarray, limit: int = GROUP_POINTS) -> list[list[int]]:
    """The points ``todo`` (flat indices) cut into the tasks of a Dask study: runs of
    consecutive points along the last grid dimension (at most ``limit`` each). The last
    dimension varies fastest, so with the geometry's parameters first (size, altitude, planes,
    network) and the others last (accelerator, model, ...), a task's points share one geometry
    and the worker computes it once. A table of points runs one point per task."""
    if space.kind == "table" or not space.dims:
        return [[int(f)] for f in todo]
    row = todo // space.shape[-1]
    cuts = np.flatnonzero(np.diff(row) != 0) + 1
    return [chunk.tolist() for run in np.split(todo, cuts)
            for chunk in np.array_split(run, -(-len(run) // limit))]


def run_on_dask(client: Any, space: Space, results: Results, todo: np.ndarray,
                progress: Progress, window: int | None = None) -> None:
    """Compute the points ``todo`` on the cluster of ``client`` in the tasks of
    :func:`task_groups` (fewer points per task when there are fewer than 4 tasks per worker
    thread, so that a small study still spreads evenly), at most ``window`` tasks submitted at
    a time (default: 4 per worker thread, at least 16), recording the points as their tasks
    finish."""
    from distributed import as_completed

    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
    window = window or max(16, 4 * threads)
    prefix, pending = _key_prefix(results), {}
    per_task = max(1, min(GROUP_POINTS, len(todo) // (4 * threads)))  # >= 4 tasks a thread
    queue = iter(task_groups(space, todo, per_task))
    finished = as_completed(loop=client.loop)

    def submit(group: list[int]) -> None:
        future = client.submit(evaluate_many, [space.point(f) for f in group], results.metrics,
                               key=f"{prefix}-{group[0]}-{len(group)}", retries=0)
        pending[future] = group
        finished.add(future)

    for group in islice(queue, window):
        submit(group)
    try:
        for batch in finished.batches():
            for future in batch:
                if future.status == "error":
                    raise _failed(space, pending[future][0], future.exception())
            outputs = client.gather(batch)
            for future, (done, failure) in zip(batch, outputs, strict=True):
                group = pending.pop(future)
                results.record([(f, *v) for f, v in zip(group, done, strict=False)])
                progress.advance(len(done))
                if failure is not None:
                    raise PointError(f"point {group[failure[0]]} of the study "
                                     f"({space.point(group[failure[0]])}) failed: {failure[1]}")
            for group in islice(queue, len(batch)):
                submit(group)
    finally:
        if pending:
            client.cancel(list(pending))
