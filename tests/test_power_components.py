"""lab.power components, loads and thermal: SolarArray, Battery, ComputeLoad, Loads, schedules,
radiators. Hand calculations (Stefan–Boltzmann, datasheet-style arithmetic) and cross-checks
between a definition and the battery recursion that must honour it.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u

from lab import power
from lab.constants import STEFAN_BOLTZMANN
from lab.power import (
    Battery,
    ComputeLoad,
    Loads,
    SolarArray,
    integrate_battery,
    job_schedule,
    plate_temperature,
    prompt_schedule,
    radiator_area,
)
from lab.power.loads import as_loads

# ---------------------------------------------------------------------------------- array


def test_array_power_hand_calculation():
    arr = SolarArray(10 * u.m**2, efficiency=0.3, packing=0.85, degradation_per_year=0.02)
    # 1361 W/m² x 10 m² x 0.85 x 0.3 = 3470.55 W
    assert arr.power() == pytest.approx(3470.55, rel=1e-12)
    assert arr.power(shadow=0.25) == pytest.approx(0.75 * 3470.55, rel=1e-12)
    assert arr.power(shadow=1.0) == 0.0  # exact zero by construction (1 - 1)
    assert arr.power(age=5) == pytest.approx(3470.55 * 0.98**5, rel=1e-12)
    assert arr.specific_power == pytest.approx(347.055, rel=1e-12)
    fixed = SolarArray(10, 0.3, packing=0.85, pointing="fixed", normal="zenith")
    cosv = np.array([1.0, 0.5, 0.0, -0.7])
    np.testing.assert_allclose(fixed.power(cosv), 3470.55 * np.array([1, 0.5, 0, 0]), rtol=1e-12)
    # the sun-pointing array ignores the incidence argument
    assert arr.power(0.2) == pytest.approx(3470.55, rel=1e-12)
    # with_area scales the power and keeps everything else
    big = arr.with_area(25.0)
    assert big.power(age=5) == pytest.approx(2.5 * arr.power(age=5), rel=1e-12)
    assert (big.efficiency, big.packing, big.pointing) == (0.3, 0.85, "sun")


def test_fixed_array_normal_vectors():
    assert SolarArray(1, pointing="fixed", normal="anti-velocity").normal == (0.0, -1.0, 0.0)
    tilted = SolarArray(1, pointing="fixed", normal=[1.0, 0.0, 1.0]).normal
    np.testing.assert_allclose(tilted, [2**-0.5, 0.0, 2**-0.5], rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"area": -1.0}, r"area must be ≥ 0 m2 \(got -1 m2\)"),
        ({"area": 1.0, "efficiency": 1.2}, r"efficiency must be in \(0, 1\] \(got 1.2\)"),
        ({"area": 1.0, "efficiency": 0.0}, r"efficiency must be in \(0, 1\]"),
        ({"area": 1.0, "degradation_per_year": 1.0}, r"degradation_per_year must be in \[0, 1\)"),
        ({"area": 1.0, "packing": 1.5}, r"packing"),
        ({"area": 1.0, "pointing": "moon"}, r"pointing must be one of 'sun', 'fixed'"),
        ({"area": 1.0, "pointing": "fixed", "normal": "up"}, r"normal must be one of"),
        ({"area": 1.0, "pointing": "fixed", "normal": [0, 0, 0]}, r"non-zero 3-vector"),
    ],
)
def test_solar_array_rejects_non_physical_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SolarArray(**kwargs)


def test_solar_array_units():
    assert SolarArray(20000 * u.cm**2).area == pytest.approx(2.0, rel=1e-12)
    with pytest.raises(TypeError, match="area must be convertible to m2"):
        SolarArray(3 * u.kg)
    with pytest.raises(TypeError, match=r"area must be a scalar \(got shape \(2,\)\)"):
        SolarArray([1.0, 2.0])
    with pytest.raises(ValueError, match="shadow must be in"):
        SolarArray(1.0).power(shadow=1.5)
    with pytest.raises(ValueError, match="cos_incidence must be in"):
        SolarArray(1.0, pointing="fixed").power(cos_incidence=2.0)


# ---------------------------------------------------------------------------------- battery


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"capacity": -5.0}, r"capacity must be ≥ 0 W h \(got -5 W h\)"),
        ({"capacity": 5.0, "max_depth_of_discharge": 1.5},
         r"max_depth_of_discharge must be in \[0, 1\] \(got 1.5\)"),
        ({"capacity": 5.0, "max_depth_of_discharge": -0.1}, r"max_depth_of_discharge"),
        ({"capacity": 5.0, "charge_efficiency": 0.0}, r"charge_efficiency must be in \(0, 1\]"),
        ({"capacity": 5.0, "discharge_efficiency": 1.01}, r"discharge_efficiency"),
        ({"capacity": 5.0, "max_charge_rate": -1.0}, r"max_charge_rate must be > 0 W"),
        ({"capacity": 5.0, "max_discharge_rate": 0.0}, r"max_discharge_rate must be > 0 W"),
    ],
)
def test_battery_rejects_non_physical_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Battery(**kwargs)


def test_battery_units_and_derived_values():
    b = Battery(2 * u.kW * u.h, max_depth_of_discharge=0.25, discharge_efficiency=0.9)
    assert b.capacity == pytest.approx(2000.0, rel=1e-12)
    assert b.floor == pytest.approx(1500.0, rel=1e-12)
    assert b.max_charge_rate == np.inf  # None means unlimited: stored as inf, not computed
    with pytest.raises(TypeError, match="capacity must be convertible to W h"):
        Battery(3 * u.m)
    same = b.with_capacity(500.0)
    assert (same.max_depth_of_discharge, same.discharge_efficiency) == (0.25, 0.9)
    assert same.max_charge_rate == np.inf


def test_usable_energy_is_what_the_recursion_delivers_down_to_the_floor():
    """Battery.usable_energy against integrate_battery: a full 2 kWh battery (DoD 25 %, 90 %
    discharge efficiency) feeding 100 W in the dark delivers 2000 x 0.25 x 0.9 = 450 Wh."""
    b = Battery(2000.0, max_depth_of_discharge=0.25, discharge_efficiency=0.9)
    assert b.usable_energy == pytest.approx(450.0, rel=1e-12)
    dt = np.full(600, 60.0)  # ten hours: far longer than the 4.5 h the battery lasts
    res = integrate_battery(np.zeros((1, dt.size)), 100.0, 0.0, 0.0, dt, b.capacity,
                            b.max_depth_of_discharge, b.charge_efficiency,
                            b.discharge_efficiency)
    delivered = float((res["bus_served"] * dt).sum() / 3600.0)
    assert delivered == pytest.approx(b.usable_energy, rel=1e-9)
    assert float(res["final_stored_energy"][0]) == pytest.approx(b.floor, rel=1e-12)


# ---------------------------------------------------------------------------------- loads


def test_compute_load_uses_hardware_profiles():
    h100 = ComputeLoad("h100", duty_cycle=0.5)
    assert h100.request(np.arange(3.0)) == pytest.approx(70 + 630 * 0.5)
    assert ComputeLoad("tpu-v6e", count=4).peak_power == pytest.approx(4 * 300.0)
    assert ComputeLoad("jetson-agx-orin").idle_power == pytest.approx(15.0)
    sched = ComputeLoad("jetson-agx-orin", schedule=np.array([0.0, 1.0, 0.5]))
    np.testing.assert_allclose(sched.request(np.arange(3.0)), [[15.0, 60.0, 37.5]])
    with pytest.raises(ValueError, match="schedule must have shape"):
        sched.request(np.arange(4.0))
    with pytest.raises(ValueError, match="duty_cycle must be in"):
        ComputeLoad("h100", duty_cycle=2)
    with pytest.raises(ValueError, match="profile must be one of"):
        ComputeLoad("gpu9000")
    with pytest.raises(ValueError, match=r"count must be an integer ≥ 0 \(got -1\)"):
        ComputeLoad("h100", count=-1)
    with pytest.raises(TypeError, match="count must be an integer"):
        ComputeLoad("h100", count=1.5)
    with pytest.raises(ValueError, match="bus must be ≥ 0"):
        Loads(-3.0)


def test_loads_from_every_accepted_form():
    h100 = ComputeLoad("h100")
    assert as_loads("h100").compute.profile.name == h100.profile.name
    assert as_loads(h100).compute is h100
    assert as_loads(120.0).bus == 120.0 and as_loads(120.0).compute is None
    pair = as_loads((80.0, h100))
    assert (pair.bus, pair.compute) == (80.0, h100)
    bus, creq, idle = pair.arrays(np.arange(4.0))
    np.testing.assert_allclose(bus, 80.0)
    np.testing.assert_allclose(creq, 700.0)
    assert idle == pytest.approx(70.0)


@pytest.mark.parametrize("bad, error", [("heavy", ValueError), (None, TypeError),
                                        ({}, TypeError), (object(), TypeError)])
def test_loads_error_names_loads_and_every_accepted_form(bad, error):
    """Regression: ``loads="heavy"`` said "profile must be one of ..." and ``loads=None``
    "bus must be a number": neither named the parameter the caller passed."""
    with pytest.raises(error, match=r"^loads must be a Loads, a ComputeLoad, a hardware profile "
                                    r"name \(one of 'jetson-agx-orin', 'three-body-744', 'h100', "
                                    r"'h100-pcie', 'tpu-v6e'\), a bus power in W or a \(bus, "
                                    r"compute\) pair"):
        as_loads(bad)


def test_job_schedule_busy_fraction():
    t = np.arange(0.0, 600.0, 60.0)
    util = job_schedule(t, [30.0, 120.0, 125.0], [60.0, 30.0, 30.0])
    np.testing.assert_allclose(util[:4], [0.5, 0.5, 1.0, 0.0])
    assert util.sum() * 60 == pytest.approx(120.0, rel=1e-12)
    sched = prompt_schedule(np.arange(0.0, 86400.0, 60.0), 120, 10.0, seed=3)
    assert sched.mean() == pytest.approx(120 * 10 / 3600, rel=0.15)  # ≈ 1/3 busy
    assert np.all((sched >= 0) & (sched <= 1))


def test_job_schedule_matches_a_job_by_job_loop_across_step_blocks():
    """The blocked computation against a plain loop over jobs and steps (1,000 steps, so
    several blocks; uneven steps; jobs that span block edges and overlap each other)."""
    rng = np.random.default_rng(7)
    t = np.cumsum(rng.uniform(20.0, 40.0, 1000))
    starts = rng.uniform(t[0] - 100, t[-1], 60)
    durations = rng.uniform(0.0, 3000.0, 60)
    ends = np.append(t[1:], 2 * t[-1] - t[-2])
    expected = np.zeros(t.size)
    for s, d in zip(starts, durations, strict=True):
        for k in range(t.size):
            expected[k] += max(0.0, min(ends[k], s + d) - max(t[k], s))
    expected = np.minimum(expected / (ends - t), 1.0)
    np.testing.assert_allclose(job_schedule(t, starts, durations), expected, rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: job_schedule([], [0.0], [1.0]), r"times must hold ≥ 2 strictly increasing "
                                                 r"epochs \(got 0\)"),
        (lambda: job_schedule(np.zeros((2, 3)), [0.0], [1.0]), r"times must be 1-D"),
        (lambda: job_schedule([0, 60, 60], [0.0], [1.0]), r"epoch 2 is 0 s after epoch 1"),
        (lambda: job_schedule([0, 60], [0.0, 1.0], [1.0, 2.0, 3.0]),
         r"starts and durations must have the same length"),
        (lambda: prompt_schedule([], 10, 1.0), r"times must hold ≥ 2 strictly increasing"),
        (lambda: prompt_schedule([5.0], 10, 1.0), r"\(got 1\)"),
        (lambda: prompt_schedule([0, 3600], 1e12, 1.0), r"~1e\+12 prompts; at most 10,000,000"),
        (lambda: prompt_schedule([0, 3600], -1, 1.0), r"prompts_per_hour must be ≥ 0"),
    ],
)
def test_schedules_reject_degenerate_times(call, match):
    """Regression: empty times raised IndexError, 2-D times were used as if flat, and a huge
    prompt rate tried to allocate terabytes."""
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------- thermal


def test_radiator_area_matches_stefan_boltzmann_hand_calculation():
    hand = 1000.0 / (2 * 0.9 * 5.670374419e-8 * 300.0**4)
    assert hand == pytest.approx(1.2096, abs=1e-4)
    area = radiator_area(1 * u.kW, 300 * u.K, emissivity=0.9, sides=2)
    assert area.unit == u.m**2
    assert area.value == pytest.approx(hand, rel=1e-12)
    assert radiator_area(1000, 300, sides=1).value == pytest.approx(2 * hand, rel=1e-12)
    # a warmer radiator is much smaller (T^4)
    assert radiator_area(1000, 360).value == pytest.approx(hand * (300 / 360) ** 4, rel=1e-12)
    # radiating against a 250 K Earth-facing sink: 1000 / (1.8 sigma (300^4 - 250^4)) by hand,
    # 300^4 - 250^4 = 4.19375e9 K^4
    sink = radiator_area(1000, 300, sink_temperature=250).value
    assert sink == pytest.approx(1000 / (1.8 * 5.670374419e-8 * 4.19375e9), rel=1e-12)
    assert sink == pytest.approx(2.3362, abs=1e-4)
    # H100 at 700 W
    assert radiator_area(700, 300).value == pytest.approx(0.8467, abs=1e-4)


def test_plate_temperature_inverts_radiator_area():
    area = radiator_area(700, 330 * u.K, emissivity=0.85)
    assert plate_temperature(700, area, emissivity=0.85).to_value(u.K) == pytest.approx(330.0)
    assert plate_temperature(0, 1.0, sink_temperature=3).to_value(u.K) == pytest.approx(3.0)
    # 1 m^2 two-sided plate, white paint in full sun (alpha 0.2, eps 0.9):
    # T = (0.2 * 1361 / (2 * 0.9 * sigma)) ** 0.25
    p = power.absorbed_solar_power(1.0, 0.2)
    assert p.to_value(u.W) == pytest.approx(272.2, rel=1e-12)
    expected = (0.2 * 1361 / (2 * 0.9 * STEFAN_BOLTZMANN)) ** 0.25
    assert plate_temperature(p, 1.0).to_value(u.K) == pytest.approx(expected)
    assert power.absorbed_solar_power(1.0, 0.2, cos_incidence=-0.3).to_value(u.W) == 0.0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: radiator_area(1000, -5), r"temperature must be ≥ 0 K"),
        (lambda: radiator_area(1000, 200, sink_temperature=250), r"above sink_temperature"),
        (lambda: radiator_area(1000, 300, emissivity=1.3), r"emissivity must be in \(0, 1\]"),
        (lambda: radiator_area(-1, 300), r"heat must be ≥ 0 W"),
        (lambda: radiator_area(1000, 300, sides=3), r"sides must be 1 or 2"),
        (lambda: plate_temperature(10, 1.0, sink_temperature=-1),
         r"sink_temperature must be ≥ 0"),
        (lambda: plate_temperature(10, 0.0), r"area must be > 0"),
        (lambda: power.absorbed_solar_power(-1.0), r"area must be ≥ 0 m2"),
        (lambda: power.absorbed_solar_power(1.0, absorptivity=1.5), r"absorptivity must be in"),
    ],
)
def test_thermal_rejects_non_physical_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_radiator_faces_with_different_sinks_hand_calculation():
    """Issue 15: notebook 02's "one view of a 250 K Earth" treated both faces as seeing the
    Earth (1.64 m² for 700 W at 300 K); one face to the Earth, one to space is ~1.12 m²."""
    sigma = 5.670374419e-8
    hand = 700 / (0.9 * sigma * ((300.0**4 - 250.0**4) + (300.0**4 - 3.0**4)))
    area = power.radiator_area_faces(700 * u.W, 300 * u.K, (250, 3) * u.K)
    assert area.unit == u.m**2 and area.value == pytest.approx(hand, rel=1e-12)
    assert area.value == pytest.approx(1.116, abs=1e-3)
    both_earth = radiator_area(700, 300, sink_temperature=250).value
    assert both_earth == pytest.approx(1.64, abs=0.01) and area.value < 0.7 * both_earth
    # equal sinks: the two-sided radiator_area; one face: sides=1
    assert power.radiator_area_faces(700, 300, (3, 3)).value == pytest.approx(
        radiator_area(700, 300, sink_temperature=3).value, rel=1e-12)
    assert power.radiator_area_faces(700, 300, [250]).value == pytest.approx(
        radiator_area(700, 300, sides=1, sink_temperature=250).value, rel=1e-12)
    # vectorized over temperature
    temps = np.array([300.0, 330.0])
    np.testing.assert_allclose(power.radiator_area_faces(700, temps, (250, 3)).value,
                               [power.radiator_area_faces(700, t, (250, 3)).value for t in temps])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: power.radiator_area_faces(700, 300, (250, 3, 3)), r"face_sinks must hold one"),
        (lambda: power.radiator_area_faces(700, 200, (250, 3)), r"above sink_temperature"),
        (lambda: power.radiator_area_faces(-1, 300, (250, 3)), r"heat must be ≥ 0 W"),
        (lambda: power.radiator_area_faces(700, 300, (-1, 3)), r"face_sinks must be ≥ 0"),
        (lambda: power.earth_view_factor(-5), r"alt must be ≥ 0"),
    ],
)
def test_radiator_faces_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_earth_view_factor_of_a_nadir_plate():
    from lab.constants import R_EARTH

    assert power.earth_view_factor(0) == pytest.approx(1.0)
    assert power.earth_view_factor(535 * u.km) == pytest.approx((R_EARTH / (R_EARTH + 535)) ** 2)
    assert power.earth_view_factor(35786) == pytest.approx(0.0227, abs=1e-3)  # GEO: ~1/44
