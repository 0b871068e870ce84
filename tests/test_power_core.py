"""lab.power.core: the unit-free array, battery and radiator functions on synthetic sunlight.

Checked against hand calculations (eclipse energy through the discharge efficiency, the
throttling policy step by step) and properties that must hold for any design (energy balance,
monotonicity in array area and battery size).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.hardware import PROFILES
from lab.power import (
    array_power,
    battery_drawdown,
    integrate_battery,
    plate_temperature_core,
    radiator_area_core,
)


def synthetic_orbit(n_orbits=4, step=30.0, period=5700.0, eclipse=0.37, n_sat=1):
    """Shadow timeline of a circular orbit: the last ``eclipse`` fraction of each period dark."""
    t = np.arange(0.0, n_orbits * period, step)
    phase = (t % period) / period
    shadow = np.broadcast_to((phase >= 1 - eclipse).astype(float), (n_sat, t.size)).copy()
    return t, shadow


def run(gen, bus, creq, idle, t, cap, dod=0.3, ec=0.95, ed=0.95, rc=np.inf, rd=np.inf, soc=1.0,
        reserve=0.0):
    dt = np.append(np.diff(t), t[1] - t[0])
    return integrate_battery(gen, bus, creq, idle, dt, cap, dod, ec, ed, rc, rd, soc, reserve), dt


def balance_residual(res, gen, dt):
    served = res["bus_served"] + res["compute_served"]
    flows = ((gen - served - res["losses"] - res["curtailed"]) * dt).sum(axis=1) / 3600.0
    delta = res["final_stored_energy"] - res["stored_energy"][:, 0]
    return flows - delta, (gen * dt).sum(axis=1) / 3600.0


# ---------------------------------------------------------------------------------- array


def test_array_power_core_hand_calculation_and_broadcasting():
    # 1361 W/m² x 2 m² x 0.85 x 0.3 = 694.11 W; 3 % a year for 4 years: x 0.97**4 = 0.88529281
    assert array_power(2.0, 0.3, packing=0.85) == pytest.approx(694.11, rel=1e-12)
    assert array_power(2.0, 0.3, packing=0.85, age=4.0, degradation_per_year=0.03) == \
        pytest.approx(694.11 * 0.88529281, rel=1e-12)
    # light from behind gives nothing (exact zero: the cosine is clipped); half the disk hidden
    assert array_power(2.0, 0.3, cos_incidence=-0.5) == 0.0
    assert array_power(2.0, 0.3, shadow=0.5, flux=1000.0) == pytest.approx(300.0, rel=1e-12)
    # (S, E): one area per satellite against one shadow per epoch
    p = array_power(np.array([[1.0], [2.0], [3.0]]), 0.3, 1.0, np.array([0.0, 0.5, 1.0]))
    assert p.shape == (3, 3)
    np.testing.assert_allclose(p[:, 0], 1361 * 0.3 * np.array([1.0, 2.0, 3.0]), rtol=1e-12)
    np.testing.assert_allclose(p[:, 1], 0.5 * p[:, 0], rtol=1e-12)


# ---------------------------------------------------------------------------------- battery


def test_energy_balance_synthetic_many_satellites():
    rng = np.random.default_rng(1)
    t, shadow = synthetic_orbit(n_orbits=6, n_sat=5)
    gen = array_power(np.array([1.0, 1.5, 2.0, 0.5, 3.0])[:, None], 0.3, 1.0, shadow)
    bus = 60.0
    creq = rng.uniform(40, 300, size=gen.shape)
    caps = np.array([100, 200, 300, 50, 1000.0])
    res, dt = run(gen, bus, creq, 40.0, t, cap=caps, dod=0.4, rc=200.0, rd=400.0)
    resid, egen = balance_residual(res, gen, dt)
    assert np.all(np.abs(resid) <= 1e-9 * egen)
    assert np.all(res["stored_energy"] >= 0.6 * caps[:, None] - 1e-9)
    assert np.all(res["stored_energy"] <= caps[:, None] + 1e-9)
    # rate limits respected
    assert res["charge_power"].max() <= 200.0 + 1e-9
    assert res["discharge_power"].max() <= 400.0 + 1e-9
    # the small arrays must have been short of power at some point (the test exercises throttling)
    assert np.any(res["compute_served"] < creq - 1e-6)


def test_throttling_policy_bus_first_then_idle_then_off():
    # No sun, battery with 10 Wh usable: bus 50 W, compute wants 200 W (idle 40 W).
    t = np.arange(0.0, 3600.0 * 2, 60.0)
    gen = np.zeros((1, t.size))
    res, dt = run(gen, 50.0, 200.0, 40.0, t, cap=100.0, dod=0.5, ec=1.0, ed=1.0)
    cs, bs = res["compute_served"][0], res["bus_served"][0]
    # 50 Wh usable: 250 W for 12 minutes, then the floor: nothing left for anyone
    assert cs[0] == pytest.approx(200.0) and bs[0] == pytest.approx(50.0)
    assert np.all(res["stored_energy"][0] >= 50.0 - 1e-12)
    assert np.sum((cs > 0) * dt) / 3600 * 200 + np.sum(bs * dt) / 3600 == pytest.approx(50.0)
    # no battery, a weak sun of 70 W: the bus is served, compute is off (20 W left < 40 W idle);
    # "off" is exactly 0 W by the policy (a branch, not arithmetic)
    gen2 = np.full((1, t.size), 70.0)
    res2, _ = run(gen2, 50.0, 200.0, 40.0, t, cap=0.0, dod=0.5)
    np.testing.assert_allclose(res2["bus_served"], 50.0, rtol=1e-12)
    assert np.all(res2["compute_served"] == 0.0)
    np.testing.assert_allclose(res2["curtailed"], 20.0, rtol=1e-12)
    # 120 W of sun: compute throttled to 70 W (between idle and request)
    gen3 = np.full((1, t.size), 120.0)
    res3, _ = run(gen3, 50.0, 200.0, 40.0, t, cap=100.0, dod=0.5, soc=0.5)
    np.testing.assert_allclose(res3["compute_served"], 70.0)
    # with 10 % of the capacity reserved for the bus, compute is shed at 60 Wh and the bus
    # runs on until the 50 Wh floor
    res5, _ = run(gen, 50.0, 200.0, 40.0, t, cap=100.0, dod=0.5, ec=1.0, ed=1.0, reserve=0.1)
    cs5, bs5 = res5["compute_served"][0], res5["bus_served"][0]
    assert np.sum(cs5 * dt) / 3600 + np.sum(bs5 * dt) / 3600 == pytest.approx(50.0)
    # the bus got 10 Wh more at the end, minus its share (50/250) of the 10 Wh compute lost
    assert np.sum(bs5 * dt) / 3600 == pytest.approx(np.sum(bs * dt) / 3600 + 8.0, abs=0.5)
    last_compute = np.flatnonzero(cs5 > 0)[-1]
    assert res5["stored_energy"][0, last_compute + 1] == pytest.approx(60.0)
    # bus starved: bus gets everything, compute nothing
    res4, _ = run(np.full((1, t.size), 30.0), 50.0, 200.0, 40.0, t, cap=0.0, dod=0.5)
    np.testing.assert_allclose(res4["bus_served"], 30.0)
    np.testing.assert_allclose(res4["compute_served"], 0.0)


def test_drawdown_gives_the_smallest_battery():
    t, shadow = synthetic_orbit(n_orbits=3)
    gen = array_power(2.0, 0.3, 1.0, shadow)  # 694 W in sun
    load = 250.0
    dt = np.append(np.diff(t), 30.0)
    d = battery_drawdown(gen, load, dt, 0.95, 0.95)
    # eclipse: 0.37 * 5700 s of 250 W from the battery through 95 % discharge efficiency
    assert d.max() == pytest.approx(250 * 0.37 * 5700 / 3600 / 0.95, rel=0.01)
    cap = d.max() / 0.3
    ok, _ = run(gen, 0.0, load, 0.0, t, cap=cap * (1 + 1e-9), dod=0.3)
    np.testing.assert_allclose(ok["compute_served"], load, rtol=1e-12)
    assert ok["stored_energy"].min() == pytest.approx(0.7 * cap, rel=1e-6)  # down to the floor
    short, _ = run(gen, 0.0, load, 0.0, t, cap=cap * 0.98, dod=0.3)
    assert np.any(short["compute_served"] < load)


# ---------------------------------------------------------------------------------- properties

_sizes = st.floats(0.2, 4.0)


def _random_compute(duty, seed):
    """Three synthetic orbits and a random Three-Body compute request (1, E) W at ``duty``."""
    t, shadow = synthetic_orbit(n_orbits=3, step=60.0)
    util = np.random.default_rng(seed).uniform(0, 1, t.size) * duty
    return t, shadow, PROFILES["three-body-744"].power(util)[None, :]


@settings(max_examples=40, deadline=None)
@given(area=_sizes, extra=st.floats(0.0, 3.0), cap=st.floats(0.0, 2000.0),
       duty=st.floats(0.0, 1.0), bus=st.floats(0.0, 300.0), seed=st.integers(0, 10),
       reserve=st.floats(0.0, 0.3))
def test_more_array_area_never_lowers_served_energy(area, extra, cap, duty, bus, seed, reserve):
    t, shadow, creq = _random_compute(duty, seed)
    gen = array_power(np.array([area, area + extra])[:, None], 0.3, 1.0, shadow, packing=0.85)
    res, dt = run(gen, bus, creq, 40.0, t, cap=cap, dod=0.3, rc=500.0, rd=800.0, reserve=reserve)
    served = ((res["bus_served"] + res["compute_served"]) * dt).sum(axis=1)
    assert served[1] >= served[0] * (1 - 1e-12) - 1e-9


@settings(max_examples=40, deadline=None)
@given(area=_sizes, cap=st.floats(0.0, 2000.0), extra=st.floats(0.0, 2000.0),
       duty=st.floats(0.0, 1.0), bus=st.floats(0.0, 300.0), seed=st.integers(0, 10),
       reserve=st.floats(0.0, 0.3))
def test_more_battery_never_raises_shortfall(area, cap, extra, duty, bus, seed, reserve):
    t, shadow, creq = _random_compute(duty, seed)
    gen = array_power(np.full((2, 1), area), 0.3, 1.0, shadow, packing=0.85)
    res, dt = run(gen, bus, creq, 40.0, t, cap=np.array([cap, cap + extra]), dod=0.3,
                  reserve=reserve)
    short = (((bus + creq) - res["bus_served"] - res["compute_served"]) * dt).sum(axis=1)
    assert short[1] <= short[0] * (1 + 1e-12) + 1e-9


# ---------------------------------------------------------------------------------- bad input

_GEN = np.full((2, 4), 100.0)
_DT = np.full(4, 60.0)


def _battery(**kw):
    args = {"generated": _GEN, "bus": 10.0, "compute_request": 50.0, "compute_idle": 5.0,
            "dt": _DT, "capacity": 100.0, "max_depth_of_discharge": 0.3}
    return integrate_battery(**{**args, **kw})


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: array_power(-1.0, 0.3), ValueError, r"area must be ≥ 0 m2 \(got -1 m2\)"),
        (lambda: array_power(1.0, 1.2), ValueError, r"efficiency must be in \(0, 1\] \(got 1.2\)"),
        (lambda: array_power(1.0, 0.3, packing=0.0), ValueError, r"packing must be in \(0, 1\]"),
        (lambda: array_power(1.0, 0.3, age=-1), ValueError, r"age must be ≥ 0 yr"),
        (lambda: array_power(1.0, 0.3, degradation_per_year=1.0), ValueError,
         r"degradation_per_year must be in \[0, 1\)"),
        (lambda: array_power(1.0, 0.3, shadow=np.nan), ValueError, r"shadow must be finite"),
        (lambda: _battery(max_depth_of_discharge=1.5), ValueError,
         r"max_depth_of_discharge must be in \[0, 1\] \(got 1.5\)"),
        (lambda: _battery(max_depth_of_discharge=-0.1), ValueError, r"max_depth_of_discharge"),
        (lambda: _battery(capacity=-1.0), ValueError, r"capacity must be ≥ 0 W h"),
        (lambda: _battery(charge_efficiency=0.0), ValueError, r"charge_efficiency must be in"),
        (lambda: _battery(discharge_efficiency=1.1), ValueError, r"discharge_efficiency"),
        (lambda: _battery(max_charge_rate=-5.0), ValueError, r"max_charge_rate must be > 0 W"),
        (lambda: _battery(max_discharge_rate=np.nan), ValueError,
         r"max_discharge_rate must be a number > 0 or inf"),
        (lambda: _battery(initial_soc=1.2), ValueError, r"initial_soc must be in \[0, 1\]"),
        (lambda: _battery(capacity=[1.0, 2.0, 3.0]), ValueError,
         r"capacity must be a scalar or have one value per satellite \(2\)"),
        (lambda: _battery(generated=np.ones(4)), ValueError,
         r"generated must have shape \(satellites, epochs\)"),
        (lambda: _battery(generated=-_GEN), ValueError, r"generated must be ≥ 0 W"),
        (lambda: _battery(dt=np.ones(3)), ValueError, r"dt must have shape \(4,\)"),
        (lambda: _battery(dt=np.array([60.0, 0.0, 60.0, 60.0])), ValueError, r"dt must be > 0 s"),
        (lambda: _battery(bus=np.ones((3, 4))), ValueError,
         r"bus must be a scalar or broadcast to \(satellites, epochs\) = \(2, 4\) "
         r"\(got shape \(3, 4\)\)"),
        (lambda: battery_drawdown(np.ones(4), 1.0, _DT), ValueError,
         r"generated must have shape \(satellites, epochs\)"),
        (lambda: battery_drawdown(_GEN, 1.0, _DT, discharge_efficiency=0.0), ValueError,
         r"discharge_efficiency must be in \(0, 1\]"),
        (lambda: battery_drawdown(_GEN, np.ones(5), _DT), ValueError, r"load must be a scalar"),
        (lambda: radiator_area_core(-1.0, 300.0), ValueError, r"heat must be ≥ 0 W"),
        (lambda: radiator_area_core(1.0, 300.0, emissivity=0.0), ValueError, r"emissivity"),
        (lambda: radiator_area_core(1.0, 200.0, sink_temperature=250.0), ValueError,
         r"temperature must be above sink_temperature \(250 K\)"),
        (lambda: plate_temperature_core(1.0, 0.0), ValueError, r"area must be > 0 m2"),
        (lambda: plate_temperature_core(1.0, 1.0, sides=True), ValueError, r"sides must be 1 or 2"),
    ],
)
def test_core_rejects_bad_input_naming_the_parameter(call, error, match):
    """Regression: the core took negative areas, efficiencies > 1 and DoD > 1 silently
    (negative or infinite watts), and 1-D or mis-shaped arrays crashed inside NumPy."""
    with pytest.raises(error, match=match):
        call()


def test_core_accepts_unlimited_rates_and_per_satellite_batteries():
    res = _battery(capacity=[100.0, 200.0], max_charge_rate=[np.inf, 10.0])
    assert res["stored_energy"].shape == (2, 4)
    np.testing.assert_allclose(res["stored_energy"][:, 0], [100.0, 200.0], rtol=1e-12)
