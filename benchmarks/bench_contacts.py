"""Benchmark: contact windows for 2,800 satellites x 10 stations x 1 day.

Times ``lab.links.contacts`` (vectorized: coarse grid + Hermite/bisection refinement) and, in the
same run, skyfield's ``EarthSatellite.find_events`` on a few satellites x the same 10 stations,
scaled linearly to the same number of satellite-station pairs. The satellites are given to
skyfield as TLEs generated from the same Walker shell (elements at the epoch), so both do the
same job; skyfield propagates with SGP4, the lab here with its J2 model (and SGP4 is timed too).

Run: ``.venv/bin/python benchmarks/bench_contacts.py [--sats 2800] [--sky 4]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sats", type=int, default=2800)
    ap.add_argument("--sky", type=int, default=4, help="satellites timed with skyfield")
    ap.add_argument("--step", type=float, default=60.0)
    args = ap.parse_args()

    import lab.links as L
    from lab.orbits import Constellation

    stations = L.get_network("global")
    planes = 40 if args.sats % 40 == 0 else 1
    shell = Constellation.walker_delta(args.sats, planes, 1, alt=550, inc=53)
    t0 = shell.epoch

    L.contacts(shell[:2] if hasattr(shell, "__getitem__") else shell, stations, t0, 3600)  # warm-up
    tic = time.perf_counter()
    df = L.contacts(shell, stations, t0, 86400, step=args.step)
    t_lab = time.perf_counter() - tic
    pairs = args.sats * len(stations)
    print(f"lab.links.contacts  {args.sats} sats x {len(stations)} stations x 1 day (J2, step "
          f"{args.step:g} s): {t_lab:.2f} s, {len(df)} passes "
          f"({len(df) / pairs:.1f} per pair, mean {df.duration_s.mean():.0f} s)")

    # the same with SGP4 on TLEs of the first --sky*10 satellites, for the TLE path
    from lab.orbits import Constellation as C

    n_tle = min(args.sats, 280)
    text = "\n".join("\n".join(_tle_lines(shell[i], i + 1)) for i in range(n_tle))
    tle_c = C.from_tle(text)
    tic = time.perf_counter()
    df_tle = L.contacts(tle_c, stations, t0, 86400, step=args.step)
    t_tle = time.perf_counter() - tic
    print(f"lab.links.contacts  {n_tle} TLE sats (SGP4) x {len(stations)} stations x 1 day: "
          f"{t_tle:.2f} s -> {t_tle * args.sats / n_tle:.1f} s scaled to {args.sats}")

    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    ta, tb = ts.from_astropy(t0), ts.from_astropy(t0 + 1 * u.day)
    tops = [wgs84.latlon(s.lat, s.lon, s.alt * 1000) for s in stations]
    sky_sats = [EarthSatellite(*_tle_lines(shell[i], i + 1), ts=ts) for i in range(args.sky)]
    tic = time.perf_counter()
    events = []
    for sat in sky_sats:
        for top, s in zip(tops, stations, strict=True):
            events.append(sat.find_events(top, ta, tb, altitude_degrees=s.min_elevation))
    t_sky = time.perf_counter() - tic
    n_ev = sum(int(np.sum(ev == 0)) for _, ev in events)
    worst = 0.0
    for k, (t, ev) in enumerate(events):
        i, j = divmod(k, len(stations))
        sky_rise = np.sort((t.tt[ev == 0] - ta.tt) * 86400.0)
        ours = df_tle[(df_tle.satellite == i) & (df_tle.station_index == j) & (df_tle.rise_s > 0)]
        if len(ours) == len(sky_rise) and len(sky_rise):
            worst = max(worst, float(np.max(np.abs(np.sort(ours.rise_s.to_numpy()) - sky_rise))))
    scaled = t_sky * args.sats / args.sky
    print(f"skyfield find_events {args.sky} sats x {len(stations)} stations x 1 day: {t_sky:.2f} s "
          f"({n_ev} rises) -> {scaled:.0f} s scaled to {args.sats} sats")
    # agreement on the skyfield sample (lab on the same TLEs)
    mine = df_tle[df_tle.satellite < args.sky]
    print(f"  lab passes for those {args.sky} TLE sats: {len(mine)} (skyfield rises: {n_ev}); "
          f"largest rise-time difference {worst:.2f} s")
    print(f"ratio skyfield / lab (J2): {scaled / t_lab:.0f}x;  skyfield / lab (SGP4, scaled): "
          f"{scaled / (t_tle * args.sats / n_tle):.0f}x")


if __name__ == "__main__":
    main()
