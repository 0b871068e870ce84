"""Property tests (hypothesis) for lab.orbits round trips."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.constants import R_EARTH
from lab.orbits import Constellation, Orbit, core

SETTINGS = settings(max_examples=50, deadline=None)

perigee_alt = st.floats(200.0, 40000.0)
ecc = st.floats(0.0, 0.95)
inc = st.floats(0.0, 180.0)
angle = st.floats(0.0, 360.0)


@st.composite
def orbits(draw):
    e = draw(ecc)
    a = (R_EARTH + draw(perigee_alt)) / (1 - e)
    return Orbit.from_classical(a=a, ecc=e, inc=draw(inc), raan=draw(angle), argp=draw(angle),
                                nu=draw(angle))


@SETTINGS
@given(orbits())
def test_classical_vectors_classical_round_trip(o):
    back = Orbit.from_vectors(o.r, o.v, o.epoch)
    np.testing.assert_allclose(back.r.value, o.r.value, rtol=1e-12, atol=1e-9)
    # the elements survive too wherever they are defined (not circular, not equatorial)
    assert abs(back.a.value - o.a.value) < 1e-7 * o.a.value
    assert abs(back.ecc.value - o.ecc.value) < 1e-9
    assert abs(back.inc.value - o.inc.value) < 1e-7
    # state rebuilt from the recovered elements is the same state
    r, v = core.elements_to_rv(back._a, back._e, back._i, back._raan, back._argp, back._nu)
    np.testing.assert_allclose(r, o.r.value, rtol=1e-10, atol=1e-7)
    np.testing.assert_allclose(v, o.v.value, rtol=1e-10, atol=1e-10)
    if o.ecc.value > 1e-3 and 0.1 < o.inc.value < 179.9:
        for name in ("raan", "argp", "nu"):
            d = (getattr(back, name).value - getattr(o, name).value + 180) % 360 - 180
            assert abs(d) < 1e-6, name


@SETTINGS
@given(orbits(), st.floats(-5e5, 5e5), st.sampled_from(["kepler", "j2"]))
def test_propagate_forward_then_back(o, dt, model):
    back = o.propagate(dt, model=model).propagate(-dt, model=model)
    scale = np.linalg.norm(o.r.value)
    np.testing.assert_allclose(back.r.value, o.r.value, atol=1e-8 * scale)
    np.testing.assert_allclose(back.v.value, o.v.value, atol=1e-8 * np.linalg.norm(o.v.value))
    assert abs((back.epoch - o.epoch).to_value("s")) < 1e-6


@SETTINGS
@given(orbits(), st.floats(0, 1e5), st.floats(0, 1e5))
def test_propagation_composes(o, t1, t2):
    a = o.propagate(t1, model="j2").propagate(t2, model="j2")
    b = o.propagate(t1 + t2, model="j2")
    np.testing.assert_allclose(a.r.value, b.r.value, atol=1e-7 * np.linalg.norm(o.r.value))


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 8), st.data())
def test_walker_any_valid_layout(per_plane, planes, data):
    total = per_plane * planes
    phasing = data.draw(st.integers(0, planes - 1))
    c = Constellation.walker_delta(total, planes, phasing, alt=600, inc=60)
    assert len(c) == total and c.planes == planes
    assert np.array_equal(np.bincount(c.plane), np.full(planes, per_plane))
    p = c.positions([0.0, 1000.0])
    assert p.shape == (total, 2, 3)
    np.testing.assert_allclose(np.linalg.norm(p, axis=-1), R_EARTH + 600, rtol=1e-12)
    # all satellites of one plane share the orbit normal
    r, v = c.states([0.0])
    h = np.cross(r[:, 0], v[:, 0])
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    np.testing.assert_allclose(h, h[c.plane * per_plane], atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(orbits(), min_size=1, max_size=6), st.lists(st.floats(-3e4, 3e4), min_size=1,
                                                             max_size=6),
       st.sampled_from(["kepler", "j2"]))
def test_constellation_kernel_equals_single_orbit_propagation(orbs, shifts, model):
    # give the orbits different epochs to exercise the per-satellite epoch offsets
    orbs = [o.propagate(shifts[k % len(shifts)], model=model) for k, o in enumerate(orbs)]
    c = Constellation.from_orbits(orbs)
    t = np.array([0.0, 4321.0, 86400.0])
    r, v = c.states(t, model=model)
    for k, o in enumerate(orbs):
        dt0 = (o.epoch - c.epoch).to_value("s")
        o2 = o.propagate(t[-1] - dt0, model=model)
        scale = o.a.value
        np.testing.assert_allclose(r[k, -1], o2.r.value, atol=1e-9 * scale)
        np.testing.assert_allclose(v[k, -1], o2.v.value, atol=1e-9 * np.linalg.norm(o2.v.value))
