"""Benchmark: a 2,800-satellite Walker delta shell over one day at 30 s steps, with J2.

Compares, in the same run and for the same satellites and epochs (2,800 x 2,880):

- lab.orbits  ``Constellation.positions(times, model="j2")`` (GCRS, (S, E, 3) km),
- python-sgp4 ``SatrecArray.sgp4`` (TEME, C++), satellites made with ``sgp4init`` from the same
  mean elements (no drag),
- skyfield ``EarthSatellite.at`` (GCRS) on a subset, scaled to the full shell.

Target (issue 3): lab <= 1/20 of the SatrecArray time. Run: ``python benchmarks/bench_orbits.py``
(``--quick`` for a smaller run, ``--skyfield-sats N`` for the skyfield subset size).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--total", type=int, default=2800)
    ap.add_argument("--planes", type=int, default=40)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--step", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skyfield-sats", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="280 satellites, 6 hours")
    args = ap.parse_args()
    if args.quick:
        args.total, args.planes, args.hours, args.skyfield_sats = 280, 40, 6.0, 20

    from astropy import units as u
    from sgp4.api import WGS72, Satrec, SatrecArray

    import lab  # noqa: F401  (offline astropy configuration)
    from lab.constants import MU_EARTH
    from lab.orbits import Constellation, time_grid

    shell = Constellation.walker_delta(args.total, args.planes, 1, alt=550, inc=53)
    times = time_grid(shell.epoch, duration=args.hours * 3600, step=args.step)
    S, E = len(shell), times.size
    print(f"Walker delta {S} satellites / {args.planes} planes, 550 km, 53°; {E} epochs "
          f"({args.hours:g} h at {args.step:g} s) -> {S * E * 3 * 8 / 1e6:.0f} MB of positions")

    # ---------------------------------------------------------------- lab
    sec = (times - shell.epoch).to_value(u.s)
    shell.positions(sec[:10])  # warm-up (imports)
    shell.positions(times[:2], frame="itrs")  # warm-up: astropy loads its IERS table once
    t_lab, pos = best_of(lambda: shell.positions(times, model="j2"), args.repeat)
    t_lab_sec, _ = best_of(lambda: shell.positions(sec, model="j2"), args.repeat)
    assert pos.shape == (S, E, 3) and pos.dtype == np.float64
    t_itrs, _ = best_of(lambda: shell.positions(times, model="j2", frame="itrs"), 1)

    # eccentric general kernel for comparison (same shell, e = 0.001)
    from lab.orbits import core

    a, i, raan, M0 = shell._a, shell._i, shell._raan, shell._M0
    t_gen, _ = best_of(lambda: core.general_states(a, np.full(S, 1e-3), i, raan, 0 * a, M0, sec),
                       1)

    # ---------------------------------------------------------------- python-sgp4 SatrecArray
    epoch = shell.epoch.utc
    epoch_days = epoch.jd - 2433281.5  # days since 1949 Dec 31 00:00 UT
    n_rad_min = np.sqrt(MU_EARTH / a**3) * 60.0
    sats = []
    for k in range(S):
        s = Satrec()
        s.sgp4init(WGS72, "i", k + 1, epoch_days, 0.0, 0.0, 0.0, 1e-7, 0.0, float(i[k]),
                   float(M0[k]), float(n_rad_min[k]), float(raan[k]))
        sats.append(s)
    arr = SatrecArray(sats)
    jd1, jd2 = times.utc.jd1, times.utc.jd2
    t_sgp4, (err, r_sgp4, _v) = best_of(lambda: arr.sgp4(jd1, jd2), max(1, args.repeat - 1))
    assert not np.any(err)
    # sanity: same shell -> same radius and similar geometry (TEME vs GCRS, SGP4 vs J2 mean)
    dr = np.abs(np.linalg.norm(r_sgp4, axis=-1) - np.linalg.norm(pos, axis=-1)).max()

    # ---------------------------------------------------------------- skyfield (subset, scaled)
    t_sky = None
    try:
        from skyfield.api import EarthSatellite, load

        ts = load.timescale(builtin=True)
        tsf = ts.from_astropy(times)
        m = min(args.skyfield_sats, S)
        esats = [EarthSatellite.from_satrec(s, ts) for s in sats[:m]]

        def run_sky():
            return [es.at(tsf).position.km for es in esats]

        t_sub, _ = best_of(run_sky, 1)
        t_sky = t_sub * S / m
    except ImportError:  # pragma: no cover
        print("skyfield not installed: skipped")

    print()
    print(f"{'library':42s} {'time':>10s} {'vs lab':>10s}")
    print(f"{'lab.orbits (J2, GCRS, Time grid)':42s} {t_lab * 1e3:8.1f} ms {1.0:9.2f}x")
    print(f"{'lab.orbits (J2, GCRS, seconds)':42s} {t_lab_sec * 1e3:8.1f} ms "
          f"{t_lab_sec / t_lab:9.2f}x")
    print(f"{'lab.orbits (J2, ITRS incl. astropy rot.)':42s} {t_itrs * 1e3:8.1f} ms "
          f"{t_itrs / t_lab:9.2f}x")
    print(f"{'lab.orbits general kernel (e=0.001)':42s} {t_gen * 1e3:8.1f} ms {t_gen / t_lab:9.2f}x")
    print(f"{'python-sgp4 SatrecArray (TEME)':42s} {t_sgp4 * 1e3:8.1f} ms {t_sgp4 / t_lab:9.2f}x")
    if t_sky is not None:
        print(f"{f'skyfield (GCRS, {m} sats scaled to {S})':42s} {t_sky * 1e3:8.1f} ms "
              f"{t_sky / t_lab:9.2f}x")
    ratio = t_lab / t_sgp4
    print()
    print(f"ratio lab / SatrecArray = {ratio:.4f} (1/{1 / ratio:.1f}); target <= 1/20 -> "
          f"{'MET' if ratio <= 1 / 20 else 'NOT MET'}")
    print(f"max |r| difference lab vs sgp4 (radius only): {dr:.1f} km")


if __name__ == "__main__":
    main()
