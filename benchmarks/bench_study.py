"""Benchmark: design studies on Dask — points per second on 1 and 2 local workers, and the
overhead per point against the in-process loop (issue 14).

The same study (16 designs of 300-1,200 satellites at four altitudes, every point a new
geometry, 200 requests, dt 120 s, the response-time metrics, written to a Zarr store) runs
three ways: in this process
(:func:`lab.study.run` with ``scheduler=None``), on a LocalCluster of one worker process and on
one of two. Cluster start-up is not timed (a cluster serves many studies); each worker has
imported the lab and run one small point, and its geometry cache is empty before the timed
run, as is this process's.

overhead per point = (time on 1 worker - time in process) / points: what Dask adds (task
submission, pickling, gathering, the round trips) to the same work. Speed-up = time on 1
worker / time on 2 (at most 2 on this 2-core machine, less when it is shared: the points'
computing time over the wall time says whether both workers were busy, and a CPU probe —
two pure-Python loops at once against one alone — how many cores the machine gave us).

Target: overhead per point <= 0.1 s (exit code 1 when missed).
Run: ``.venv/bin/python benchmarks/bench_study.py [--json]``
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from _common import Report, best_of, run

SPACE = {"n_satellites": [300, 600, 900, 1200], "alt": [450.0, 550.0, 650.0, 750.0]}
FIXED = {"requests": 200, "dt": 120}
TARGET_OVERHEAD_S = 0.1


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per configuration (best)")


def _burn(_: int) -> float:
    """Seconds of a fixed pure-Python loop (a CPU probe)."""
    t0 = time.perf_counter()
    x = 0
    for i in range(3_000_000):
        x += i * i
    return time.perf_counter() - t0


def _cores_available() -> float:
    """How many cores this benchmark gets now: 2 x (one probe alone) / (two probes at once);
    2 on an idle 2-core machine, less when other work shares it."""
    import multiprocessing

    alone = min(_burn(0) for _ in range(2))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(_burn, [0, 1])
        both = time.perf_counter() - t0
    return 2 * alone / both


def _warm_up() -> None:
    """Import the lab and run one small point (astropy's first-use costs), here or on a
    worker."""
    from lab import study

    study.evaluate({"n_satellites": 12, **FIXED})


def _timed_study(scheduler, store_dir: Path, repeat: int, clear) -> tuple[float, float]:
    """(best wall time in s of the study into a fresh store, caches cleared before each run;
    the sum of its points' computing times in s)."""
    from lab import study

    runs = []
    for i in range(max(1, repeat)):
        clear()
        seconds, ds = best_of(lambda i=i: study.run(
            SPACE, fixed=FIXED, metrics=study.RESPONSE_METRICS, scheduler=scheduler,
            store=store_dir / f"run{i}.zarr", progress=False), 1)
        runs.append((seconds, float(ds.point_seconds.sum())))
    return min(runs)


def _on_local_cluster(n_workers: int, store_dir: Path, repeat: int) -> tuple[float, float]:
    from distributed import Client, LocalCluster

    from lab import mission

    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      silence_logs=logging.CRITICAL) as cluster, \
            Client(cluster, set_as_default=False) as client:
        client.run(_warm_up)  # imports and first use are start-up, not study time
        return _timed_study(client, store_dir, repeat,
                            lambda: client.run(mission.clear_geometry_cache))


def main(args: argparse.Namespace) -> int:
    from lab import mission, study

    n = study.make_space(SPACE, FIXED).size
    report = Report(f"bench_study: {n} designs ({FIXED['requests']} requests, dt "
                    f"{FIXED['dt']} s, Zarr store) in process and on LocalClusters")
    _warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0, _ = _timed_study(None, tmp / "serial", args.repeat, mission.clear_geometry_cache)
        t1, _ = _on_local_cluster(1, tmp / "w1", args.repeat)
        t2, busy2 = _on_local_cluster(2, tmp / "w2", args.repeat)
    report.time("in process (scheduler=None)", t0)
    report.time("LocalCluster, 1 worker", t1)
    report.time("LocalCluster, 2 workers", t2)
    report.value("points per second in process", n / t0, "points/s")
    report.value("points per second on 1 worker", n / t1, "points/s")
    report.value("points per second on 2 workers", n / t2, "points/s")
    report.value("speed-up 2 workers / 1 worker", t1 / t2, "x")
    report.value("cores this benchmark got (CPU probe; the speed-up's ceiling)",
                 _cores_available(), "cores")
    report.value("2 workers: points' computing time / wall time (both busy: 2)", busy2 / t2, "x")
    overhead = (t1 - t0) / n
    report.value("overhead per point (1 worker - in process)", overhead * 1e3, "ms")
    report.target("overhead per point", overhead, at_most=TARGET_OVERHEAD_S, unit="s")
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
