"""Benchmark: a 2,800-satellite Walker delta shell over one day at 30 s steps, with J2.

Compares, in the same run and for the same satellites and epochs (2,800 x 2,880):

- lab.orbits  ``Constellation.positions(times, model="j2")`` (GCRS, (S, E, 3) km),
- python-sgp4 ``SatrecArray.sgp4`` (TEME, C++), satellites made with ``sgp4init`` from the same
  mean elements (no drag),
- skyfield ``EarthSatellite.at`` (GCRS) on a subset, scaled to the full shell.

Target (issue 3): lab <= 1/20 of the SatrecArray time (exit code 1 when missed). Run:
``python benchmarks/bench_orbits.py [--quick] [--skyfield-sats N] [--json]``.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _common import Report, best_of, run


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--total", type=int, default=2800)
    ap.add_argument("--planes", type=int, default=40)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--step", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skyfield-sats", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="280 satellites, 6 hours")


def _sgp4_satellites(shell, epoch_jd: float) -> list:
    """python-sgp4 satellites from the shell's public mean elements (no drag, WGS-72)."""
    from astropy import units as u
    from sgp4.api import WGS72, Satrec

    from lab.constants import MU_EARTH

    a = shell.a.to_value(u.km)
    inc, raan = shell.inc.to_value(u.rad), shell.raan.to_value(u.rad)
    mean_anomaly = shell.nu.to_value(u.rad)  # circular orbits: true = mean anomaly
    n_rad_min = np.sqrt(MU_EARTH / a**3) * 60.0
    sats = []
    for k in range(len(shell)):  # building the peer's input, not timed
        s = Satrec()
        s.sgp4init(WGS72, "i", k + 1, epoch_jd - 2433281.5, 0.0, 0.0, 0.0, 1e-7, 0.0,
                   float(inc[k]), float(mean_anomaly[k]), float(n_rad_min[k]), float(raan[k]))
        sats.append(s)
    return sats


def _skyfield_seconds(sats: list, times, n: int) -> float:
    """skyfield ``EarthSatellite.at`` over ``times`` for the first ``n`` satellites (s)."""
    from skyfield.api import EarthSatellite, load

    ts = load.timescale(builtin=True)
    tsf = ts.from_astropy(times)
    esats = [EarthSatellite.from_satrec(s, ts) for s in sats[:n]]
    seconds, _ = best_of(lambda: [es.at(tsf).position.km for es in esats], 1)
    return seconds


def main(args: argparse.Namespace) -> int:
    if args.quick:
        args.total, args.planes, args.hours, args.skyfield_sats = 280, 40, 6.0, 20
    from astropy import units as u
    from sgp4.api import SatrecArray

    import lab  # noqa: F401  (offline astropy configuration)
    from lab.orbits import Constellation, core, time_grid

    shell = Constellation.walker_delta(args.total, args.planes, 1, alt=550, inc=53)
    times = time_grid(shell.epoch, duration=args.hours * 3600, step=args.step)
    S, E = len(shell), times.size
    report = Report(f"bench_orbits: Walker delta {S}/{args.planes}/1, 550 km, 53 deg; {E} epochs "
                    f"({args.hours:g} h at {args.step:g} s), {S * E * 3 * 8 / 1e6:.0f} MB of "
                    "positions")
    sec = (times - shell.epoch).to_value(u.s)
    shell.positions(sec[:10])  # warm-up (imports)
    shell.positions(times[:2], frame="itrs")  # warm-up: astropy loads its IERS table once
    t_lab, pos = best_of(lambda: shell.positions(times, model="j2"), args.repeat)
    assert pos.shape == (S, E, 3) and pos.dtype == np.float64
    report.time("lab.orbits (J2, GCRS, Time grid)", t_lab)
    report.time("lab.orbits (J2, GCRS, seconds)",
                best_of(lambda: shell.positions(sec, model="j2"), args.repeat)[0])
    report.time("lab.orbits (J2, ITRS incl. astropy rotation)",
                best_of(lambda: shell.positions(times, model="j2", frame="itrs"), 1)[0])
    a, i = shell.a.to_value(u.km), shell.inc.to_value(u.rad)
    raan, m0 = shell.raan.to_value(u.rad), shell.nu.to_value(u.rad)
    report.time("lab.orbits general kernel (e = 0.001)", best_of(
        lambda: core.general_states(a, np.full(S, 1e-3), i, raan, 0 * a, m0, sec), 1)[0])

    sats = _sgp4_satellites(shell, shell.epoch.utc.jd)
    arr = SatrecArray(sats)
    jd1, jd2 = times.utc.jd1, times.utc.jd2
    t_sgp4, (err, r_sgp4, _v) = best_of(lambda: arr.sgp4(jd1, jd2), max(1, args.repeat - 1))
    assert not np.any(err)
    report.time("python-sgp4 SatrecArray (TEME)", t_sgp4, vs_lab=round(t_sgp4 / t_lab, 1))
    m = min(args.skyfield_sats, S)
    t_sky = _skyfield_seconds(sats, times, m) * S / m
    report.time(f"skyfield (GCRS, {m} satellites scaled to {S})", t_sky,
                vs_lab=round(t_sky / t_lab, 1))
    # sanity: same shell -> same radius (TEME vs GCRS, SGP4 vs J2 mean elements)
    dr = np.abs(np.linalg.norm(r_sgp4, axis=-1) - np.linalg.norm(pos, axis=-1)).max()
    report.value("max |r| difference lab vs sgp4 (radius only)", dr, "km")
    report.target("lab / SatrecArray time", t_lab / t_sgp4, at_most=1 / 20)
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
