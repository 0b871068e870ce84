"""lab.examples: the shared systems are the Walker patterns they claim to be."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u

from lab import examples
from lab.orbits import Constellation, Orbit, raan_from_ltan, sun_synchronous_inclination


def test_three_body_is_one_sun_synchronous_plane_at_ltan_2230():
    c = examples.three_body()
    assert len(c) == 12 and c.planes == 1
    np.testing.assert_allclose(c.alt.to_value(u.km), 535.0, atol=1e-9)
    np.testing.assert_allclose(c.inc.to_value(u.deg),
                               sun_synchronous_inclination(535).to_value(u.deg), atol=1e-9)
    node = raan_from_ltan(22.5, examples.DEFAULT_EPOCH).to_value(u.deg)
    np.testing.assert_allclose(c.raan.to_value(u.deg), node, atol=1e-9)
    assert examples.three_body_orbit().raan.to_value(u.deg) == pytest.approx(node, abs=1e-9)


def test_star_compute_has_2800_satellites_in_two_shells():
    c = examples.star_compute()
    assert len(c) == sum(s["total"] for s in examples.STAR_COMPUTE_SHELLS) == 2800
    assert c.planes == 40 + 30


def test_band_of_planes_spreads_nodes_evenly_around_the_first_node():
    spec = examples.STAR_COMPUTE_SHELLS[0]
    c = examples.shell(spec)
    node0 = raan_from_ltan(spec["ltan"], examples.DEFAULT_EPOCH).to_value(u.deg)
    per_plane = np.array([c.raan.to_value(u.deg)[c.plane == p][0] for p in range(c.planes)])
    expected = node0 - 30.0 + 60.0 * np.arange(40) / 39
    np.testing.assert_allclose(np.remainder(per_plane - expected + 180, 360) - 180, 0, atol=1e-9)


def test_walker_360_and_180_are_delta_and_star():
    d = Constellation.walker(24, 4, 1, alt=600, inc=53, raan0=10)
    s = Constellation.walker(24, 4, 1, alt=600, inc=53, raan0=10, raan_spread=180)
    t = np.arange(0.0, 3600.0, 600.0)
    ref_d = Constellation.walker_delta(24, 4, 1, 600, 53, raan0=10).positions(t)
    ref_s = Constellation.walker_star(24, 4, 1, 600, 53, raan0=10).positions(t)
    np.testing.assert_allclose(d.positions(t), ref_d, atol=1e-9)
    np.testing.assert_allclose(s.positions(t), ref_s, atol=1e-9)


def test_walker_rejects_both_raan0_and_ltan():
    with pytest.raises(ValueError, match="raan0.*ltan"):
        Constellation.walker(12, 1, 0, alt=535, raan0=0, ltan=6)


def test_suncatcher_cluster_and_starcloud():
    c = examples.suncatcher_81()
    assert len(c) == 81
    r = c.positions([0.0])
    assert np.ptp(r[:, 0], axis=0).max() < 1e-6  # one point at this scale
    assert isinstance(examples.starcloud_1(), Orbit)


def test_iss_tle_is_valid():
    o = Orbit.from_tle(*examples.iss_tle())
    assert 400 < o.alt.to_value(u.km) < 430
