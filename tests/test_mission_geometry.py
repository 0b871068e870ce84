"""lab.mission geometry: shells against the Walker formulas and lab.examples, the time grid's
visibility and shadow against astropy, +Grid hops against networkx, ISL lengths against
lab.links."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from lab import examples, mission
from lab.constants import R_EARTH
from lab.mission import PRESETS, Shell
from lab.mission.grid import hops


def test_sso_inclination_reference():
    # Sun-synchronous inclination at 535 km is ~97.5 deg, at 800 km ~98.6 deg (Vallado).
    assert Shell(total=12, alt=535).inclination == pytest.approx(97.5, abs=0.1)
    assert Shell(total=12, alt=800).inclination == pytest.approx(98.6, abs=0.1)
    assert Shell(total=12, alt=800, inc=53.0).inclination == pytest.approx(53.0, abs=1e-12)


def test_shells_are_the_walker_patterns_by_hand():
    """Walker delta, a band of dawn-dusk planes and a cluster, against the Walker formulas:
    RAAN of plane j, argument of latitude u = 360 k / (T/P) + 360 F j / T, LTAN -> RAAN."""
    from astropy.coordinates import get_body
    from astropy.time import Time

    epoch = Time(mission.DEFAULT_EPOCH)
    sun = get_body("sun", epoch).gcrs.cartesian.xyz.value  # independent Sun (astropy)
    ra_sun = math.degrees(math.atan2(sun[1], sun[0]))
    delta = Shell(total=60, planes=6, phasing=1, alt=550, inc=53).constellation(epoch)
    j, k = np.asarray(delta.plane), np.asarray(delta.slot)
    np.testing.assert_allclose(delta.raan.value, 60.0 * j, atol=1e-9)
    np.testing.assert_allclose(np.remainder(delta.nu.value, 360), np.remainder(
        36.0 * k + 6.0 * j, 360), atol=1e-9)
    band = Shell(total=40, planes=5, phasing=1, alt=800, ltan=18.0, raan_spread=60.0)
    c = band.constellation(epoch)
    node = ra_sun + 15.0 * (18.0 - 12.0)  # dawn-dusk: ascending node 90 deg east of the Sun
    expect = node - 30.0 + 15.0 * np.asarray(c.plane)
    diff = np.remainder(c.raan.value - expect + 180.0, 360.0) - 180.0
    assert np.abs(diff).max() < 0.05  # deg (apparent vs true Sun)
    np.testing.assert_allclose(c.inc.value, band.inclination, rtol=1e-12)
    np.testing.assert_allclose(np.remainder(c.nu.value, 360), np.remainder(
        45.0 * np.asarray(c.slot) + 9.0 * np.asarray(c.plane), 360), atol=1e-9)
    cluster = Shell(total=81, alt=650, ltan=18.0, kind="cluster").constellation(epoch)
    r = cluster.positions(np.array([0.0, 3000.0]))
    assert len(cluster) == 81
    assert np.ptp(r, axis=0).max() < 1e-6  # km: all at one point (rounding only)


@pytest.mark.parametrize("name, example, model", [
    ("three-body-12", examples.three_body, "j2"),
    ("suncatcher-81", examples.suncatcher_81, "j2"),
    ("starcloud-1", examples.starcloud_1, "sgp4"),  # its public TLE
])
def test_preset_shells_are_the_examples(name, example, model):
    """The presets' shells are lab.examples' specs: the same orbits, typed once."""
    (shell,) = PRESETS[name].shells
    assert shell.model == model
    t = np.array([0.0, 1800.0])
    np.testing.assert_allclose(
        np.reshape(shell.constellation().positions(t, model=model), (-1, 2, 3)),
        np.reshape(example().positions(t, model=model), (-1, 2, 3)), atol=1e-6)  # km


def test_star_compute_shells_are_the_examples():
    cons = [s.constellation() for s in PRESETS["star-compute-2800"].shells]
    got = np.concatenate([c.positions(np.array([0.0, 600.0])) for c in cons])
    ref = examples.star_compute().positions(np.array([0.0, 600.0]))
    np.testing.assert_allclose(got, ref, atol=1e-6)  # km


def test_visibility_agrees_with_astropy():
    """The grid's best-station elevation margin against astropy's GCRS -> AltAz (all stations)."""
    from astropy import units as u
    from astropy.coordinates import GCRS, AltAz, CartesianRepresentation
    from astropy.time import Time

    sc = PRESETS["three-body-12"]
    g = mission.geometry(sc, 60.0)
    epochs = np.arange(0, g.t.size, 7)
    times = Time(sc.epoch) + g.t[epochs] * u.s
    r = g.constellation.positions(times, model="j2", frame="gcrs")  # (S, E, 3) km
    tt = Time(np.broadcast_to(times.jd1, r.shape[:2]), np.broadcast_to(times.jd2, r.shape[:2]),
              format="jd", scale="utc")
    rep = CartesianRepresentation(np.moveaxis(r, -1, 0) * u.km)
    ref = np.max([GCRS(rep, obstime=tt).transform_to(AltAz(obstime=tt, location=st.location))
                  .alt.deg - st.min_elevation for st in g.stations], axis=0)
    mine = g.margin[:, epochs]
    near = ref > -5.0
    assert near.sum() > 50
    np.testing.assert_allclose(mine[near], ref[near], atol=0.1)  # deg
    clear = np.abs(ref) > 0.5  # away from the mask edge
    assert clear.sum() > 1000
    assert np.mean((mine >= 0)[clear] == (ref >= 0)[clear]) > 0.999


def test_shell_records_hold_the_best_satellite_in_view():
    g = mission.geometry("star-compute-2800", 60.0)
    assert [(s.start, s.stop) for s in g.shells] == [(0, 1600), (1600, 2800)]
    for s in g.shells:
        margin = g.margin[s.satellites]
        np.testing.assert_array_equal(s.best_margin, margin.max(axis=0))
        assert ((s.best_sat >= s.start) & (s.best_sat < s.stop)).all()
        np.testing.assert_array_equal(g.margin[s.best_sat, np.arange(g.t.size)], s.best_margin)
    assert g.per_shell("planes").tolist() == [40, 30]
    assert g.per_shell("wrap_planes").tolist() == [False, True]  # a 60-deg band; a delta


def test_shadow_agrees_with_a_cylinder_behind_astropys_sun():
    """The grid's eclipses against a hand-computed cylindrical shadow with astropy's Sun."""
    from astropy import units as u
    from astropy.coordinates import get_body
    from astropy.time import Time

    sc = PRESETS["three-body-12"]
    g = mission.geometry(sc, 60.0)
    epochs = np.arange(0, g.t.size, 5)
    times = Time(sc.epoch) + g.t[epochs] * u.s
    r = g.constellation.positions(times, model="j2", frame="gcrs")
    sun = get_body("sun", times).gcrs.cartesian.xyz.to_value(u.km).T  # (E, 3)
    s_hat = sun / np.linalg.norm(sun, axis=-1, keepdims=True)
    along = np.einsum("sej,ej->se", r, s_hat)
    perp = np.sqrt(np.einsum("sej,sej->se", r, r) - along**2)
    shadow = (along < 0) & (perp < R_EARTH)
    assert np.mean(shadow == ~g.sunlit[:, epochs]) > 0.995
    frac = 1 - g.sunlit.mean()  # a 535 km SSO at 10:30 local time is in shadow ~35 % of the time
    assert 0.25 < frac < 0.42


def test_hop_counts_match_shortest_paths_on_the_links_isl_graph():
    """The closed-form +Grid hop count equals networkx shortest paths over lab.links' ISL pairs
    (Walker delta with its phasing seam)."""
    import networkx as nx

    from lab.links import isl_pairs
    from lab.orbits import Constellation

    total, planes, f = 60, 6, 1
    c = Constellation.walker_delta(total, planes, f, alt=550, inc=53)
    graph = nx.Graph()
    graph.add_nodes_from(range(total))
    graph.add_edges_from(map(tuple, isl_pairs(c, "+grid")))
    ref = nx.floyd_warshall_numpy(graph)
    sc = replace(PRESETS["three-body-12"], shells=(Shell(total, planes, f, alt=550, inc=53),))
    g = mission.geometry(sc, 600.0)
    np.testing.assert_array_equal(g.plane, np.asarray(c.plane))
    np.testing.assert_array_equal(g.slot, np.asarray(c.slot))
    dk, dp = hops(g, np.arange(total)[:, None], np.arange(total)[None, :])
    np.testing.assert_array_equal(dk + dp, ref)


def test_isl_lengths_reuse_the_grid_and_agree_with_lab_links():
    """The mean +Grid link lengths (from the grid's positions) equal lab.links.isl_state, which
    propagates the shell again at the same 30-minute samples."""
    from astropy import units as u

    from lab.links import isl_state

    sc, _ = mission.configure("three-body-12", n_satellites=120)
    g = mission.geometry(sc, 60.0)
    c = sc.shells[0].constellation(sc.epoch)
    st = isl_state(c, c.epoch + g.t[::30] * u.s, "+grid", max_range=sc.isl_max_range,
                   model="j2")
    (shell,) = g.shells
    assert shell.hop_in == pytest.approx(st.distance[~st.cross].mean(), rel=1e-9)
    assert shell.hop_cross == pytest.approx(st.distance[st.cross].mean(), rel=1e-9)
    assert shell.isl_ok == bool(st.up[~st.cross].mean() >= 0.9 and st.up[st.cross].mean() >= 0.9)
    # by hand: in-plane neighbours of a circular plane of q satellites are 2 a sin(pi / q) apart
    a = R_EARTH + sc.shells[0].alt
    q = sc.shells[0].total // sc.shells[0].planes
    assert shell.hop_in == pytest.approx(2 * a * math.sin(math.pi / q), rel=1e-3)


def test_isl_rules_come_from_the_scenario():
    from lab.links import ISLRules

    sc = PRESETS["three-body-12"]
    assert sc.isl_rules == ISLRules(max_range=5400.0)
    short = replace(sc, isl_max_range=100.0)  # shorter than the 1,500 km in-plane links
    assert short.isl_rules.max_range == pytest.approx(100.0)
    assert not mission.geometry(short, 600.0).shells[0].isl_ok
    assert mission.geometry(sc, 600.0).shells[0].isl_ok
