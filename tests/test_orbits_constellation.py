"""lab.orbits constellations, frames, Sun and shadow — against astropy, skyfield, sgp4, hand values."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import (
    GCRS,
    ITRS,
    CartesianDifferential,
    CartesianRepresentation,
    EarthLocation,
    get_body,
)

from lab.constants import AU, MU_EARTH, R_EARTH
from lab.orbits import (
    Constellation,
    Orbit,
    beta_angle,
    core,
    eclipse_fraction,
    gcrs_to_itrs_matrix,
    in_shadow,
    itrs_to_geodetic,
    sun_direction,
    sun_position,
    sun_synchronous_inclination,
    time_grid,
)

ISS_L1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS_L2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


def _tle_pair(satnum, inc, raan, ecc, argp, mean_anomaly, revs_per_day, epoch_days=25700.5):
    """Valid TLE lines made by sgp4's own exporter (independent of lab's parser)."""
    from sgp4.api import WGS72, Satrec
    from sgp4.exporter import export_tle

    s = Satrec()
    s.sgp4init(WGS72, "i", satnum, epoch_days, 2.8e-5, 0.0, 0.0, ecc, np.radians(argp),
               np.radians(inc), np.radians(mean_anomaly), revs_per_day * 2 * np.pi / 1440,
               np.radians(raan))
    return export_tle(s)


# ------------------------------------------------------------------ Walker layouts
def test_walker_delta_layout():
    c = Constellation.walker_delta(24, 3, 1, alt=23222, inc=56)  # Galileo 56°: 24/3/1
    assert len(c) == 24 and c.planes == 3
    assert np.array_equal(np.bincount(c.plane), [8, 8, 8])
    assert np.array_equal(c.slot[:8], np.arange(8))
    raan = c.raan.to_value(u.deg)
    np.testing.assert_allclose(np.unique(raan), [0, 120, 240])
    u0 = c.nu.to_value(u.deg)  # circular: argument of latitude at epoch
    np.testing.assert_allclose(np.diff(u0[:8]), 45.0)  # 360 / 8 in plane
    # phasing: plane j is shifted by 360 F / T = 15° per plane
    np.testing.assert_allclose(u0[c.plane == 1][0], 15.0)
    np.testing.assert_allclose(u0[c.plane == 2][0], 30.0)
    np.testing.assert_allclose(c.alt.to_value(u.km), 23222)
    np.testing.assert_allclose(c.inc.to_value(u.deg), 56)
    p = c.positions([0.0, 3600.0])
    assert p.shape == (24, 2, 3) and p.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(p, axis=-1), R_EARTH + 23222, rtol=1e-12)


def test_walker_star_layout_and_plane_spacing():
    c = Constellation.walker_star(66, 6, 2, alt=780, inc=86.4)  # Iridium-like 66/6/2
    raan = np.unique(c.raan.to_value(u.deg))
    np.testing.assert_allclose(raan, np.arange(6) * 30.0)
    # satellites of one plane share the orbit normal
    r, v = c.states([0.0])
    h = np.cross(r[:, 0], v[:, 0])
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    for p in range(6):
        np.testing.assert_allclose(h[c.plane == p], h[c.plane == p][:1].repeat(11, 0), atol=1e-12)


def test_walker_shell_matches_per_orbit_propagation():
    c = Constellation.walker_delta(40, 8, 3, alt=550, inc=53, raan0=20)
    t = np.linspace(0, 86400, 97)
    for model in ("kepler", "j2"):
        r, v = c.states(t, model=model)
        for k in (0, 13, 39):
            o = c[k].propagate(t[-1], model=model)
            np.testing.assert_allclose(r[k, -1], o.r.value, atol=1e-7)
            np.testing.assert_allclose(v[k, -1], o.v.value, atol=1e-10)
    # the fast circular kernel and the general (any e) kernel agree
    r2 = core.general_states(c._a, c._e, c._i, c._raan, c._argp, c._M0, t, model="j2")
    np.testing.assert_allclose(c.positions(t), r2, atol=1e-7)


def test_times_as_time_seconds_and_quantity_agree():
    c = Constellation.walker_delta(6, 2, 1, alt=550, inc=53)
    t = time_grid(c.epoch, duration=600, step=60)
    a = c.positions(t)
    b = c.positions(np.arange(11) * 60.0)
    d = c.positions(np.arange(11) * u.min)
    np.testing.assert_allclose(a, b, atol=1e-8)
    np.testing.assert_allclose(b, d, atol=1e-12)
    assert c.positions(t[3]).shape == (6, 1, 3)


def test_constellation_from_orbits_mixed_epochs_and_sum_of_shells():
    o1 = Orbit.from_classical(alt=500, ecc=0.01, inc=97.4, raan=10, argp=30, nu=0)
    o2 = o1.propagate(1234.0, model="j2")  # same satellite, later epoch
    c = Constellation.from_orbits([o1, o2])
    p = c.positions(np.array([0.0, 5000.0]))
    np.testing.assert_allclose(p[0], p[1], atol=1e-7)
    shells = Constellation.walker_delta(20, 4, 1, 550, 53) + Constellation.walker_delta(
        12, 1, 0, 500, 97.4
    )
    assert len(shells) == 32 and shells.planes == 5
    assert np.array_equal(shells.plane[-12:], np.full(12, 4))


def test_single_plane_inferred_from_orbits():
    inc = sun_synchronous_inclination(520)
    orbits = [Orbit.from_classical(alt=520, inc=inc, raan=80, nu=30 * k) for k in range(12)]
    c = Constellation.from_orbits(orbits[::-1])
    assert c.planes == 1
    assert sorted(c.slot) == list(range(12))


def test_planes_are_grouped_by_gaps_not_a_grid():
    """Two orbits 0.02° apart across a 0.5° grid edge are one plane (they were two); planes across
    RAAN 0°/360° are one; near-equatorial orbits, whose node is ill-defined, are one; real
    neighbouring planes (here 5° apart) stay apart."""
    pair = [Orbit.from_classical(alt=630, inc=51.9, raan=31.74, nu=0),
            Orbit.from_classical(alt=630, inc=51.9, raan=31.76, nu=10)]
    assert Constellation.from_orbits(pair).planes == 1
    wrap = [Orbit.from_classical(alt=630, inc=51.9, raan=r, nu=10 * k)
            for k, r in enumerate((359.9, 0.05, 120.0, 359.99, 0.3, 120.2))]
    c = Constellation.from_orbits(wrap)
    assert c.planes == 2
    np.testing.assert_array_equal(c.plane, [0, 0, 1, 0, 0, 1])  # the plane holding RAAN 0° first
    np.testing.assert_array_equal(c.slot, [0, 1, 0, 2, 3, 1])  # by argument of latitude
    equatorial = [Orbit.from_classical(alt=700, inc=0.01, raan=37 * k, nu=20 * k) for k in range(9)]
    assert Constellation.from_orbits(equatorial).planes == 1
    apart = [Orbit.from_classical(alt=550, inc=53, raan=5 * (k % 3), nu=40 * k) for k in range(9)]
    assert Constellation.from_orbits(apart).planes == 3
    shells = [Orbit.from_classical(alt=550, inc=inc, raan=0, nu=40 * k)
              for k, inc in enumerate((53, 70, 53, 70))]
    np.testing.assert_array_equal(Constellation.from_orbits(shells).plane, [0, 1, 0, 1])


def _hypatia_tles(planes: int, per_plane: int, alt: float, inc: float) -> tuple[str, np.ndarray]:
    """TLE text of a shell generated the way Hypatia (satgen) does: sgp4init with mean elements,
    RAAN 360° p / P, odd planes shifted by half a slot; and the true plane of each satellite."""
    from sgp4.api import WGS72, Satrec
    from sgp4.exporter import export_tle

    n_rad_min = np.sqrt(MU_EARTH / (R_EARTH + alt) ** 3) * 60.0
    lines, truth = [], []
    for p in range(planes):
        shift = 180.0 / per_plane if p % 2 else 0.0
        for k in range(per_plane):
            s = Satrec()
            s.sgp4init(WGS72, "i", len(truth) + 1, 18262.5, 0.0, 0.0, 0.0, 1e-7, 0.0,
                       np.radians(inc), np.radians(shift + 360.0 * k / per_plane), n_rad_min,
                       np.radians(360.0 * p / planes))
            lines += [f"SAT-{len(truth)}", *export_tle(s)]
            truth.append(p)
    return "\n".join(lines), np.array(truth)


def test_kuiper_shell_from_tles_has_its_34_planes():
    """Kuiper's published shell (34 x 34, 630 km, 51.9°) from Hypatia-style TLEs: osculating
    elements scatter by a few hundredths of a degree, and the 0.5° grid made 38 planes of it."""
    text, truth = _hypatia_tles(34, 34, 630.0, 51.9)
    c = Constellation.from_tle(text)
    assert c.planes == 34
    np.testing.assert_array_equal(c.plane, truth)  # the generator's planes, in RAAN order
    np.testing.assert_array_equal(np.bincount(c.plane), np.full(34, 34))
    # slots run along each plane: consecutive slots are one in-plane spacing apart
    r = c.positions(c.epoch)[:, 0]
    order = np.lexsort((c.slot, c.plane)).reshape(34, 34)
    gap = np.linalg.norm(r[order] - r[np.roll(order, -1, axis=1)], axis=-1)
    np.testing.assert_allclose(gap, 2 * (R_EARTH + 630) * np.sin(np.pi / 34), rtol=0.02)


def test_constellation_from_tle_uses_satrecarray_and_agrees_with_sgp4():
    from sgp4.api import Satrec

    pairs = [_tle_pair(90000 + k, 53.0, 15.0 * k, 0.0002 * k, 90, 36.0 * k, 15.2) for k in range(5)]
    text = "\n".join(f"SAT-{k}\n{l1}\n{l2}" for k, (l1, l2) in enumerate(pairs))
    c = Constellation.from_tle(text)
    assert len(c) == 5 and c.names[2] == "SAT-2"
    t = time_grid(c.epoch, duration=7200, step=600)
    p = c.positions(t, model="sgp4", frame="gcrs")
    for k, (l1, l2) in enumerate(pairs):
        sat = Satrec.twoline2rv(l1, l2)
        _, r, _ = sat.sgp4_array(t.jd1, t.jd2)
        from astropy.coordinates import TEME

        ref = (TEME(CartesianRepresentation(r.T * u.km), obstime=t)
               .transform_to(GCRS(obstime=t)).cartesian.xyz.to_value(u.km).T)
        assert np.abs(p[k] - ref).max() < 1e-3
    assert c[1].tle == pairs[1]


# ------------------------------------------------------------------ frames
def test_gcrs_to_itrs_matches_astropy():
    c = Constellation.walker_delta(12, 3, 1, alt=550, inc=97.6)
    t = time_grid(duration=6000, step=500)
    pg, vg = c.states(t, frame="gcrs")
    pi, vi = c.states(t, frame="itrs")
    rep = CartesianRepresentation(np.moveaxis(pg, -1, 0) * u.km,
                                  differentials=CartesianDifferential(np.moveaxis(vg, -1, 0)
                                                                      * u.km / u.s))
    ref = GCRS(rep, obstime=t).transform_to(ITRS(obstime=t))
    np.testing.assert_allclose(pi, np.moveaxis(ref.cartesian.xyz.to_value(u.km), 0, -1),
                               atol=1e-6)  # 1 mm
    vref = np.moveaxis(ref.velocity.d_xyz.to_value(u.km / u.s), 0, -1)
    np.testing.assert_allclose(vi, vref, atol=1e-6)
    M = gcrs_to_itrs_matrix(t)
    assert M.shape == (t.size, 3, 3)
    np.testing.assert_allclose(M @ np.swapaxes(M, 1, 2), np.broadcast_to(np.eye(3), M.shape),
                               atol=1e-14)


def test_itrs_to_geodetic_matches_astropy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 3))
    x *= (R_EARTH + rng.uniform(-20, 2000, 50))[:, None] / np.linalg.norm(x, axis=1)[:, None]
    lat, lon, alt = itrs_to_geodetic(x)
    loc = EarthLocation.from_geocentric(*x.T * u.km).to_geodetic("WGS84")
    np.testing.assert_allclose(lat, loc.lat.deg, atol=1e-9)
    np.testing.assert_allclose(lon, loc.lon.wrap_at(180 * u.deg).deg, atol=1e-9)
    np.testing.assert_allclose(alt, loc.height.to_value(u.km), atol=1e-9)
    # a point on the equator at the prime meridian, 550 km up
    lat, lon, alt = itrs_to_geodetic([R_EARTH + 550, 0, 0])
    assert (float(lat), float(lon), float(alt)) == pytest.approx((0, 0, 550), abs=1e-9)


def test_ground_track_matches_skyfield():
    from skyfield.api import EarthSatellite, load, wgs84

    ts = load.timescale(builtin=True)
    c = Constellation.from_tle(f"{ISS_L1}\n{ISS_L2}")
    t = time_grid(c.epoch, duration=5400, step=300)
    lat, lon, alt = c.ground_track(t, model="sgp4")
    sub = wgs84.subpoint_of(EarthSatellite(ISS_L1, ISS_L2, ts=ts).at(ts.from_astropy(t)))
    np.testing.assert_allclose(lat[0], sub.latitude.degrees, atol=2e-4)
    dlon = (lon[0] - sub.longitude.degrees + 180) % 360 - 180
    assert np.abs(dlon).max() < 2e-4
    # J2 ground track of the same orbit from its osculating elements stays close for an orbit
    lat2, _, _ = c.ground_track(t, model="j2")
    assert np.abs(lat2 - lat).max() < 1.0
    assert lat.shape == (1, t.size)


# ------------------------------------------------------------------ Sun and shadow
def test_sun_position_matches_astropy():
    t = time_grid("2025-01-01", duration=365 * 86400, step=86400 * 7)
    s = sun_position(t)
    assert s.unit == u.km and s.shape == (t.size, 3)
    ref = get_body("sun", t).cartesian.xyz.to_value(u.km).T
    a = s.to_value(u.km)
    cosang = np.sum(a * ref, 1) / np.linalg.norm(a, axis=1) / np.linalg.norm(ref, axis=1)
    assert np.degrees(np.arccos(np.clip(cosang, -1, 1))).max() < 2 / 3600  # < 2 arcsec
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), np.linalg.norm(ref, axis=1), rtol=1e-6)
    assert sun_position(t[0]).shape == (3,)
    # near the June solstice the Sun's declination is +23.44°
    d = sun_direction("2025-06-21T02:42:00")
    assert np.degrees(np.arcsin(d[2])) == pytest.approx(23.44, abs=0.01)


def test_eclipse_fraction_beta0_550km():
    assert eclipse_fraction(550, 0) == pytest.approx(0.372, abs=5e-4)
    # above the critical beta angle there is no eclipse: sin(beta*) = R / (R + h)
    beta_star = np.degrees(np.arcsin(R_EARTH / (R_EARTH + 550)))
    # exactly 0 by construction (the formula's np.where branch above beta*), so == is right
    assert eclipse_fraction(550, beta_star + 0.1) == 0.0
    assert eclipse_fraction(550, beta_star - 1) > 0.0
    # conical differs from cylindrical only by the penumbra (a few seconds per orbit)
    assert eclipse_fraction(550, 0, model="conical") == pytest.approx(0.372, abs=2e-3)
    # hand values: arccos(sqrt(r^2 - R^2) / (r cos beta)) / pi with r = R + 550 km
    np.testing.assert_allclose(eclipse_fraction(550, np.array([0, 30, 60, 70])),
                               [0.3723, 0.3511, 0.2147, 0.0], atol=2e-4)


def test_eclipse_fraction_analytic_equals_shadow_along_orbit():
    """Put a 550 km orbit in the plane containing the real Sun (beta = 0) and count shadow."""
    t0 = time_grid("2025-03-01", duration=0, step=1)[0]
    s = sun_direction(t0)
    # a polar orbit whose node points at the Sun's right ascension contains the Sun direction
    raan = np.degrees(np.arctan2(s[1], s[0]))
    inc = 90.0
    o = Orbit.from_classical(alt=550, inc=inc, raan=raan, epoch=t0)
    beta = beta_angle(o, t0).to_value(u.deg)
    t = time_grid(t0, duration=o.period.value, step=1.0)
    p = o.positions(t)
    f_cyl = in_shadow(p, t, model="cylindrical").mean()
    assert f_cyl == pytest.approx(float(eclipse_fraction(550, beta)), abs=2e-3)
    assert abs(beta) < 0.1


def test_conical_and_cylindrical_consistent():
    t = time_grid("2025-09-01", duration=86400, step=20)
    o = Orbit.from_classical(alt=550, inc=53, raan=30, epoch=t[0])
    p = o.positions(t)
    cyl = in_shadow(p, t, model="cylindrical")
    con = in_shadow(p, t, model="conical")
    # exact 0/1 by construction: cylindrical is a boolean cast to float, the conical umbra is
    # assigned 1.0 (not computed), so == compares labels, not computed floats
    assert set(np.unique(cyl)) <= {0.0, 1.0}
    assert np.all((con >= 0) & (con <= 1))
    umbra = con == 1.0
    penumbra = (con > 0) & (con < 1)
    assert umbra.any() and penumbra.any()
    assert np.all(cyl[umbra] == 1.0)  # umbra lies inside the cylinder's shadow
    assert np.all(con[cyl == 1.0] > 0)  # the cylinder's shadow is never fully sunlit
    # penumbra only at the edges: every penumbra epoch neighbours a change of cylindrical state
    edges = np.flatnonzero(np.diff(cyl) != 0)
    idx = np.flatnonzero(penumbra)
    assert np.all(np.min(np.abs(idx[:, None] - edges[None, :]), axis=1) <= 3)
    # 550 km LEO: the penumbra lasts ~8-10 s per crossing (2 crossings per eclipse)
    assert 5 < penumbra.sum() * 20 / max(len(edges), 1) < 60
    # shapes: (S, E, 3) positions with (E,) times
    c = Constellation.walker_delta(4, 2, 1, 550, 53, epoch=t[0])
    assert in_shadow(c.positions(t[:5]), t[:5], model="conical").shape == (4, 5)


def test_in_shadow_hand_cases():
    sun = np.array([[AU, 0.0, 0.0]])
    behind = np.array([[-(R_EARTH + 550), 0.0, 0.0]])
    front = np.array([[R_EARTH + 550, 0.0, 0.0]])
    side = np.array([[0.0, R_EARTH + 550, 0.0]])
    for model in ("cylindrical", "conical"):  # 1.0 / 0.0 are assigned labels, not computed
        assert in_shadow(behind, sun, model=model)[0] == 1.0
        assert in_shadow(front, sun, model=model)[0] == 0.0
        assert in_shadow(side, sun, model=model)[0] == 0.0


def test_beta_angle_constellation_and_sso():
    t = time_grid("2025-06-21T00:00:00", duration=0, step=1)[0]
    s = sun_direction(t)
    ra_sun = np.degrees(np.arctan2(s[1], s[0]))
    inc = sun_synchronous_inclination(600)
    # dawn-dusk SSO: node 90° from the Sun -> |beta| large; noon-midnight: small
    dd = Orbit.from_classical(alt=600, inc=inc, raan=ra_sun + 90, epoch=t)
    nm = Orbit.from_classical(alt=600, inc=inc, raan=ra_sun, epoch=t)
    # dawn-dusk at the June solstice: beta = 90° - 23.44° - (i - 90°) = 58.8°
    assert beta_angle(dd, t).to_value(u.deg) == pytest.approx(58.8, abs=0.3)
    assert abs(beta_angle(nm, t).to_value(u.deg)) < 25
    c = Constellation.walker_delta(12, 1, 0, 600, inc, epoch=t, raan0=ra_sun + 90)
    b = beta_angle(c, t)
    assert b.shape == (12,)
    np.testing.assert_allclose(b.to_value(u.deg), beta_angle(dd, t).to_value(u.deg), atol=1e-9)
    # sun-synchronous: beta stays nearly constant over a month (only the Sun's declination moves)
    t2 = t + 30 * u.day
    assert abs(beta_angle(dd, t2).to_value(u.deg) - beta_angle(dd, t).to_value(u.deg)) < 5


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((0, 1, 0, 550, 53), {}, ValueError, r"total must be an integer ≥ 1"),
        ((-5, 1, 0, 550, 53), {}, ValueError, r"total must be an integer ≥ 1"),
        ((10, 3, 0, 550, 53), {}, ValueError, r"planes must divide total"),
        ((10, 0, 0, 550, 53), {}, ValueError, r"planes must be an integer in \[1, 10\]"),
        ((10, 5, 5, 550, 53), {}, ValueError, r"phasing must be an integer in \[0, 4\]"),
        ((10, 5, -1, 550, 53), {}, ValueError, r"phasing must be an integer in \[0, 4\]"),
        ((10, 5, 1, -100, 53), {}, ValueError, r"alt must be > 0"),
        ((10, 5, 1, 550, 190), {}, ValueError, r"inc must be in \[0, 180\]"),
        ((10, 5, 1, float("nan"), 53), {}, ValueError, r"alt must be finite"),
        ((10.5, 5, 1, 550, 53), {}, TypeError, r"total must be an integer"),
    ],
)
def test_walker_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Constellation.walker_delta(*args, **kwargs)


def test_other_bad_input():
    c = Constellation.walker_delta(4, 2, 1, 550, 53)
    with pytest.raises(ValueError, match="frame must be one of"):
        c.positions([0.0], frame="teme")
    with pytest.raises(ValueError, match="model must be one of"):
        c.positions([0.0], model="n-body")
    with pytest.raises(ValueError, match="needs a constellation made from TLEs"):
        c.positions([0.0], model="sgp4")
    with pytest.raises(ValueError, match="times must be finite"):
        c.positions([0.0, np.nan])
    with pytest.raises(ValueError, match="orbits must contain at least 1"):
        Constellation.from_orbits([])
    with pytest.raises(ValueError, match="model must be one of"):
        in_shadow(np.zeros((2, 3)) + 7000, time_grid(duration=30, step=30), model="umbra")
    with pytest.raises(ValueError, match="beta must be in"):
        eclipse_fraction(550, 95)
    with pytest.raises(ValueError, match="alt must be > 0"):
        eclipse_fraction(-1, 0)
    with pytest.raises(ValueError, match="alt must be low enough"):
        sun_synchronous_inclination(8000)
    with pytest.raises(ValueError, match="checksum mismatch"):
        Constellation.from_tle(f"{ISS_L1}\n{ISS_L2[:-1]}0")
    with pytest.raises(ValueError, match="at least one TLE"):
        Constellation.from_tle("just a name")
    with pytest.raises(IndexError):
        c[4]


# ------------------------------------------------------------------ helpers
def test_raan_from_ltan_and_time_grid():
    from lab.orbits import DEFAULT_EPOCH, raan_from_ltan

    s = sun_direction(DEFAULT_EPOCH)
    ra_sun = np.degrees(np.arctan2(s[1], s[0])) % 360
    assert raan_from_ltan(12, DEFAULT_EPOCH).to_value(u.deg) == pytest.approx(ra_sun)
    assert raan_from_ltan(18, DEFAULT_EPOCH).to_value(u.deg) == pytest.approx((ra_sun + 90) % 360)
    # mid-May: the Sun is near RA 3h23m = 50.9°
    assert ra_sun == pytest.approx(50.9, abs=0.3)
    # a noon-midnight orbit has its ascending node at local noon: beta is small
    o = Orbit.from_classical(alt=550, inc=sun_synchronous_inclination(550),
                             raan=raan_from_ltan(12, DEFAULT_EPOCH))
    assert abs(beta_angle(o, DEFAULT_EPOCH).to_value(u.deg)) < 26
    with pytest.raises(ValueError, match="ltan must be in"):
        raan_from_ltan(25, DEFAULT_EPOCH)
    g = time_grid(DEFAULT_EPOCH, duration=3600, step=30)
    assert g.size == 121 and (g[-1] - g[0]).to_value(u.s) == pytest.approx(3600)
    with pytest.raises(ValueError, match="step must be > 0"):
        time_grid(DEFAULT_EPOCH, duration=60, step=0)


def test_concatenate_and_indexing():
    shells = Constellation.concatenate(
        [Constellation.walker_delta(6, 2, 1, 550, 53), Constellation.walker_star(4, 2, 0, 800, 86)]
    )
    assert len(shells) == 10 and shells.planes == 4
    sub = shells[shells.plane == 3]
    assert len(sub) == 2 and np.allclose(sub.alt.to_value(u.km), 800)
    p = shells.positions([0.0, 60.0])
    np.testing.assert_allclose(shells[[7, 8]].positions([0.0, 60.0]), p[[7, 8]])
    assert isinstance(shells[-1], Orbit)
    with pytest.raises(ValueError, match="at least 1"):
        Constellation.concatenate([])


def test_in_shadow_single_vector_and_epoch_mismatch():
    t = time_grid("2025-03-20T12:00:00", duration=60, step=30)
    s = sun_direction(t[0])
    behind = -s * (R_EARTH + 550)
    assert in_shadow(behind, t[0]) == 1.0  # cylindrical: an exact 0/1 label by construction
    assert in_shadow(np.stack([behind, -behind]), t[0]).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="one epoch per position epoch"):
        in_shadow(np.zeros((4, 2, 3)) + 7000, t)  # 3 times for 2 epochs


def test_circular_kernel_with_interleaved_shells_matches_orbits():
    # alternating altitudes -> two rate groups whose members are not contiguous
    orbs = [Orbit.from_classical(alt=500 + 300 * (k % 2), inc=40 + 10 * (k % 2), raan=20 * k,
                                 nu=33 * k) for k in range(8)]
    c = Constellation.from_orbits(orbs)
    t = time_grid(c.epoch, duration=7200, step=600)
    for frame in ("gcrs", "itrs"):
        r, v = c.states(t, model="j2", frame=frame)
        for k in (0, 3, 6):
            rk, vk = orbs[k].states(t, model="j2", frame=frame)
            np.testing.assert_allclose(r[k], rk, atol=1e-7)
            np.testing.assert_allclose(v[k], vk, atol=1e-10)
        ref = core.general_states(c._a, c._e, c._i, c._raan, c._argp, c._M0,
                                  (t - c.epoch).to_value(u.s), model="j2",
                                  rotation=gcrs_to_itrs_matrix(t) if frame == "itrs" else None)
        np.testing.assert_allclose(r, ref, atol=1e-7)
