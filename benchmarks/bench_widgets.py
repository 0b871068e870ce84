"""Benchmark: how fast does the response-time panel update? (issue 7: well under 1 s at 2,800)

Prints, for several constellation sizes, the time of one ``MissionPanel`` update (slider moved)
with a cold geometry cache (new constellation: lab.orbits positions, lab.links visibility,
shadow and ISL lengths over one day at 60 s) and a warm one (same constellation, e.g. a model-size change), and compares the
geometry step with a peer library measured in the same run: python-sgp4's vectorized
``SatrecArray`` propagating the same satellites over the same 1,440 epochs (positions only,
no visibility or shadow).

Run: ``.venv/bin/python benchmarks/bench_widgets.py``
"""

from __future__ import annotations

import time

import numpy as np


def _best(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _sgp4_peer(n_sats: int, epochs: np.ndarray) -> float:
    from sgp4.api import WGS72, Satrec, SatrecArray

    sats = []
    for i in range(n_sats):
        s = Satrec()
        s.sgp4init(WGS72, "i", i, 25134.0, 0.0, 0.0, 0.0, 1e-6, np.radians(0.0),
                   np.radians(97.5), np.radians(360.0 * i / n_sats), 2 * np.pi / 95.0 * 1.0,
                   np.radians((i * 7) % 360))
        sats.append(s)
    arr = SatrecArray(sats)
    jd = 2460809.5 + np.zeros_like(epochs)
    fr = epochs / 86400.0

    def run():
        arr.sgp4(jd, fr)

    return _best(run, 2)


def main() -> None:
    from lab import mission
    from lab.widgets import MissionPanel

    t0 = time.perf_counter()
    panel = MissionPanel("three-body-12")
    print(f"panel construction (incl. the 9-size curve): {time.perf_counter() - t0:.2f} s "
          f"(curve: {panel.curve_seconds:.2f} s, {panel.requests} requests/size, dt {panel.dt:g} s, "
          "the same sample as the median label)")
    t0 = time.perf_counter()
    panel.model.value = 14.0  # physics change: the 9-size curve is recomputed, then the update
    t1 = time.perf_counter()
    panel.model.value = 8.0
    print(f"model-size change (curve + update, geometry cached): {t1 - t0:.2f} s, "
          f"{time.perf_counter() - t1:.2f} s")
    print(f"{'satellites':>10} {'cold update (s)':>16} {'warm update (s)':>16} {'median':>10}")
    for n in (12, 120, 700, 1400, 2800):
        times: list[float] = []

        def cold_run(n: int = n, times: list[float] = times) -> None:
            mission._geometry.cache_clear()
            panel.satellites.value = 1  # a different value, so that the next line fires
            mission._geometry.cache_clear()
            t = time.perf_counter()
            panel.satellites.value = n  # the slider callback: recompute + redraw
            times.append(time.perf_counter() - t)

        for _ in range(3):
            cold_run()
        cold = min(times)

        def warm() -> None:
            panel.update()

        w = _best(warm, 3)
        print(f"{n:>10} {cold:>16.3f} {w:>16.3f} {panel.result.summary['p50']:>9.1f}s")
    sc, _ = mission.configure("three-body-12", n_satellites=2800)
    epochs = np.arange(0.0, 86400.0, 60.0)

    def geom() -> None:
        mission._geometry.cache_clear()
        mission.geometry(sc, 60.0)

    g = _best(geom, 2)
    p = _sgp4_peer(2800, epochs)
    print(f"geometry of 2,800 satellites x 1,440 epochs (lab.orbits positions + lab.links "
          f"visibility for 5 stations + shadow + ISL lengths): {g:.3f} s")
    print(f"peer: python-sgp4 SatrecArray, positions only, same size: {p:.3f} s "
          f"(ratio sgp4 / lab.mission = {p / g:.1f}x)")


if __name__ == "__main__":
    main()
