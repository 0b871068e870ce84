"""Benchmark: contact windows for 2,800 satellites x 10 stations x 1 day.

Times ``lab.links.contacts`` (vectorized: coarse grid + Hermite/bisection refinement) and, in the
same run, skyfield's ``EarthSatellite.find_events`` on a few satellites x the same 10 stations,
scaled linearly to the same number of satellite-station pairs. The satellites are given to
skyfield as TLEs generated from the same Walker shell (elements at the epoch), so both do the
same job; skyfield propagates with SGP4, the lab here with its J2 model (and SGP4 is timed too).

Target: skyfield (scaled) at least 10x slower than the lab's J2 path (exit code 1 when missed).
Run: ``.venv/bin/python benchmarks/bench_contacts.py [--sats 2800] [--sky 4] [--json]``
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from _common import Report, best_of, run
from astropy import units as u


def _tle_lines(o, number: int) -> tuple[str, str]:
    """A two-line element set for a near-circular orbit (mean elements ~ osculating, fine here)."""
    from lab.orbits import tle_checksum

    ep = o.epoch.utc
    year = ep.datetime.year
    doy = (ep - type(ep)(f"{year}-01-01T00:00:00", scale="utc")).to_value(u.day) + 1
    n = 86400.0 / o.period.to_value(u.s)
    d = o.to_dict()
    mean_anom = np.degrees(o.M) % 360
    l1 = (f"1 {number:05d}U 25001A   {year % 100:02d}{doy:012.8f}  .00000000  00000-0  00000-0 0  999")
    l2 = (f"2 {number:05d} {d['inc_deg']:8.4f} {d['raan_deg'] % 360:8.4f} "
          f"{int(round(d['ecc'] * 1e7)):07d} {d['argp_deg'] % 360:8.4f} {mean_anom:8.4f} "
          f"{n:11.8f}{1:5d}")
    l1 = l1[:68] + str(tle_checksum(l1[:68]))
    l2 = l2[:68] + str(tle_checksum(l2[:68]))
    return l1, l2


def add_cli_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--sats", type=int, default=2800)
    ap.add_argument("--sky", type=int, default=4, help="satellites timed with skyfield")
    ap.add_argument("--step", type=float, default=60.0)


def _skyfield_events(shell, stations, t0, n: int) -> tuple[float, list]:
    """skyfield ``find_events`` for the first ``n`` satellites x ``stations`` over one day."""
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    ta, tb = ts.from_astropy(t0), ts.from_astropy(t0 + 1 * u.day)
    tops = [wgs84.latlon(s.lat, s.lon, s.alt * 1000) for s in stations]
    sky_sats = [EarthSatellite(*_tle_lines(shell[i], i + 1), ts=ts) for i in range(n)]

    def find() -> list:
        return [(sat.find_events(top, ta, tb, altitude_degrees=s.min_elevation), ta)
                for sat in sky_sats for top, s in zip(tops, stations, strict=True)]

    return best_of(find, 1)


def _worst_rise_difference(events: list, df_tle, n_stations: int) -> float:
    """Largest |rise time| difference (s) between skyfield and the lab on the same TLEs."""
    worst = 0.0
    for k, ((t, ev), ta) in enumerate(events):
        i, j = divmod(k, n_stations)
        sky_rise = np.sort((t.tt[ev == 0] - ta.tt) * 86400.0)
        ours = df_tle[(df_tle.satellite == i) & (df_tle.station_index == j) & (df_tle.rise_s > 0)]
        if len(ours) == len(sky_rise) and len(sky_rise):
            worst = max(worst, float(np.max(np.abs(np.sort(ours.rise_s.to_numpy()) - sky_rise))))
    return worst


def main(args: argparse.Namespace) -> int:
    import lab.links as L
    from lab.orbits import Constellation

    stations = L.get_network("global")
    planes = 40 if args.sats % 40 == 0 else 1
    shell = Constellation.walker_delta(args.sats, planes, 1, alt=550, inc=53)
    t0 = shell.epoch
    report = Report(f"bench_contacts: {args.sats} satellites x {len(stations)} stations x 1 day "
                    f"(step {args.step:g} s)")
    L.contacts(shell[:2], stations, t0, 3600)  # warm-up
    t_lab, df = best_of(lambda: L.contacts(shell, stations, t0, 86400, step=args.step), 1)
    report.time("lab.links.contacts (J2)", t_lab, passes=len(df),
                mean_pass_s=round(float(df.duration_s.mean())))
    n_tle = min(args.sats, 280)
    text = "\n".join("\n".join(_tle_lines(shell[i], i + 1)) for i in range(n_tle))
    tle_c = Constellation.from_tle(text)
    t_tle, df_tle = best_of(lambda: L.contacts(tle_c, stations, t0, 86400, step=args.step), 1)
    t_tle_scaled = t_tle * args.sats / n_tle
    report.time(f"lab.links.contacts (SGP4, {n_tle} TLE satellites, scaled)", t_tle_scaled)
    t_sky, events = _skyfield_events(shell, stations, t0, args.sky)
    scaled = t_sky * args.sats / args.sky
    report.time(f"skyfield find_events ({args.sky} satellites, scaled)", scaled,
                rises=sum(int(np.sum(ev == 0)) for (_, ev), _ in events))
    report.value("largest rise-time difference lab vs skyfield (same TLEs)",
                 _worst_rise_difference(events, df_tle, len(stations)), "s")
    report.value("skyfield / lab (SGP4 path)", scaled / t_tle_scaled, "x")
    report.target("skyfield / lab (J2 path)", scaled / t_lab, at_least=10.0, unit="x")
    return report.finish(args)


if __name__ == "__main__":
    sys.exit(run(__doc__, add_cli_args, main))
