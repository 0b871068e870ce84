"""lab.study on real Dask processes: a ``dask scheduler`` and ``dask worker`` processes started
here on 127.0.0.1, a LocalCluster, a worker killed mid-study and a client killed mid-study.

Every process is started in its own process group and stopped by that group in a finalizer
(also when a test fails); every wait has a timeout. The distributed results are compared with
the serial ones exactly: the same function on the same values gives the same bits.
Studies are small (requests 200, dt 120 s): the module runs in well under a minute.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

from lab import study

REPO = Path(__file__).resolve().parent.parent
FIXED = {"requests": 200, "dt": 120}
METRICS = study.RESPONSE_METRICS  # the costs are compared in test_study_on_a_client_leaves_it_open
GRID = {"n_satellites": [12, 120], "alt": [500.0, 650.0],
        "hardware": ["three-body-744", "h100"]}
# ~0.2-0.4 s a point; 3 Dask tasks of 2 points each (task_groups: runs along the last dimension)
SLOW_GRID = {"alt": [450.0, 550.0, 650.0], "n_satellites": [1200, 2400]}
STARTUP_S = 60.0


def _env() -> dict[str, str]:
    """The test's environment with this checkout first on the workers' import path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process started in its own session: its whole group, TERM then KILL."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    if proc.poll() is None:  # pragma: no cover - the kernel did not deliver SIGKILL
        raise RuntimeError(f"process {proc.pid} survived SIGKILL")


class DaskProcesses:
    """A ``dask scheduler`` and named ``dask worker`` processes on 127.0.0.1 (real processes,
    each in its own process group), logs in ``tmp``."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs, self.address = tmp, {}, None

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log,
                                stderr=subprocess.STDOUT, env=_env(), cwd=self.tmp,
                                start_new_session=True)
        log.close()
        self.procs[name] = proc
        return proc

    def start_scheduler(self) -> str:
        info = self.tmp / "scheduler.json"
        proc = self._spawn("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0",
                           "--no-dashboard", "--scheduler-file", str(info))
        deadline = time.monotonic() + STARTUP_S
        while not info.exists() or not info.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dask scheduler did not start: "
                                   + (self.tmp / "scheduler.log").read_text()[-2000:])
            time.sleep(0.1)
        import json

        self.address = json.loads(info.read_text())["address"]
        return self.address

    def start_worker(self, name: str) -> None:
        self._spawn(name, "worker", self.address, "--nthreads", "1", "--no-nanny",
                    "--no-dashboard", "--host", "127.0.0.1", "--name", name)

    def kill(self, name: str) -> None:
        """SIGKILL the worker's process group."""
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(10)

    def close(self) -> None:
        for proc in reversed(list(self.procs.values())):
            _stop(proc)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A real scheduler and two workers, stopped at the end of the module whatever happens."""
    from distributed import Client

    procs = DaskProcesses(tmp_path_factory.mktemp("dask"))
    try:
        procs.start_scheduler()
        for name in ("worker-a", "worker-b"):
            procs.start_worker(name)
        with Client(procs.address, timeout=STARTUP_S) as client:
            client.wait_for_workers(2, timeout=STARTUP_S)
        yield procs
    finally:
        procs.close()


@pytest.fixture(scope="module")
def serial():
    """The serial results of GRID and SLOW_GRID (this process, no Dask)."""
    return {"grid": study.run(GRID, fixed=FIXED, metrics=METRICS, progress=False),
            "slow": study.run(SLOW_GRID, fixed=FIXED, metrics=METRICS, progress=False)}


def _assert_identical(a: xr.Dataset, b: xr.Dataset, metrics=METRICS) -> None:
    """The same numbers to the last bit (NaN where NaN), metric by metric."""
    for m in metrics:
        assert np.array_equal(a[m].values, b[m].values, equal_nan=True), m
    assert np.isfinite(a.finished_at.values).all() and np.isfinite(b.finished_at.values).all()


def test_study_on_a_separate_scheduler_equals_serial(cluster, serial, count_points, tmp_path):
    from distributed import Client

    ds = study.run(GRID, fixed=FIXED, metrics=METRICS, scheduler=cluster.address,
                   store=tmp_path / "s.zarr", progress=False)
    _assert_identical(ds, serial["grid"])
    assert count_points == []  # nothing ran in this process
    with Client(cluster.address, timeout=STARTUP_S) as client:  # both workers ran points
        ran = client.run(lambda: "lab.study.metrics" in sys.modules)
    assert sorted(ran.values()) == [True, True]
    with xr.open_zarr(tmp_path / "s.zarr") as stored:
        _assert_identical(stored.load(), serial["grid"])


def test_study_on_a_client_leaves_it_open(cluster):
    """A Client the caller owns stays open; the default metrics, costs included, are the same
    on the workers as here."""
    from distributed import Client

    with Client(cluster.address, timeout=STARTUP_S, set_as_default=False) as client:
        ds = study.run({"n_satellites": [12, 48]}, fixed=FIXED, scheduler=client,
                       progress=False)
        assert client.status == "running"
        assert client.submit(sum, [1, 2]).result(timeout=30) == 3
    _assert_identical(ds, study.run({"n_satellites": [12, 48]}, fixed=FIXED, progress=False),
                      study.DEFAULT_METRICS)


def test_a_killed_worker_loses_no_point(cluster, serial, tmp_path):
    """A third worker is SIGKILLed while it holds a point: the scheduler runs the point again
    on the others, and the study completes with every point, equal to the serial run."""
    from distributed import Client

    cluster.start_worker("victim")
    killed = {}

    def kill_victim_when_busy(client: Client, stop: threading.Event) -> None:
        victim = next(a for a, w in client.scheduler_info()["workers"].items()
                      if w["name"] == "victim")
        while not stop.is_set():
            keys = client.processing().get(victim, ())
            if any(str(k).startswith("lab-study-") for k in keys):
                cluster.kill("victim")
                killed["keys"] = list(keys)
                return
            time.sleep(0.02)

    with Client(cluster.address, timeout=STARTUP_S, set_as_default=False) as watch:
        watch.wait_for_workers(3, timeout=STARTUP_S)
        stop = threading.Event()
        watcher = threading.Thread(target=kill_victim_when_busy, args=(watch, stop))
        watcher.start()
        try:
            ds = study.run(SLOW_GRID, fixed=FIXED, metrics=METRICS, scheduler=cluster.address,
                           store=tmp_path / "s.zarr", progress=False)
        finally:
            stop.set()
            watcher.join(30)
        assert killed, "the victim worker never got a point"
        deadline = time.monotonic() + 30
        while len(watch.scheduler_info()["workers"]) != 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(watch.scheduler_info()["workers"]) == 2
    _assert_identical(ds, serial["slow"])


def test_local_cluster_equals_serial(serial, count_points):
    """``scheduler=1``: a LocalCluster of one worker process, started and closed by the study
    (two workers are tested on the separate scheduler above)."""
    ds = study.run(GRID, fixed=FIXED, metrics=METRICS, scheduler=1, progress=False)
    _assert_identical(ds, serial["grid"])
    assert count_points == []


def test_a_killed_client_resumes_from_its_store(serial, count_points, tmp_path):
    """``python -m lab study`` is SIGKILLed after a few points; the same study run again
    computes only the missing points (the finished ones keep their timestamps)."""
    import zarr

    spec, store = tmp_path / "slow.yaml", tmp_path / "s.zarr"
    spec.write_text(yaml.safe_dump({"fixed": FIXED, "grid": SLOW_GRID, "metrics": list(METRICS)},
                                   sort_keys=False))
    proc = subprocess.Popen([sys.executable, "-m", "lab", "study", str(spec), "--out",
                             str(store), "--json"], cwd=REPO, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline, finished = time.monotonic() + STARTUP_S, 0
        while finished < 2:
            assert proc.poll() is None, "the study ended before it could be killed"
            assert time.monotonic() < deadline, "no point finished in time"
            if (store / "finished_at" / ".zarray").exists():
                finished = int(np.isfinite(zarr.open_array(store / "finished_at", mode="r")[:])
                               .sum())
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        _stop(proc)
    before = zarr.open_array(store / "finished_at", mode="r")[:]
    done = np.isfinite(before)
    assert 2 <= done.sum() < done.size
    ds = study.run(SLOW_GRID, fixed=FIXED, metrics=METRICS, store=store, progress=False)
    assert len(count_points) == done.size - done.sum()
    assert np.array_equal(ds.finished_at.values[done], before[done])
    _assert_identical(ds, serial["slow"])
