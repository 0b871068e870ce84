"""lab.power along real orbits: illumination, simulate, energy_budget, size_for,
sunlight_over_year, sso_orbit and the figures.

Geometry comes from lab.orbits; results are checked against hand calculations (cylindrical
eclipse geometry, eclipse energy / depth of discharge), astropy (the Sun's right ascension)
and lab.orbits.beta_angle.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.time import Time

from lab import power
from lab.constants import R_EARTH
from lab.orbits import (
    DEFAULT_EPOCH,
    Constellation,
    Orbit,
    beta_angle,
    eclipse_fraction,
    raan_from_ltan,
    sun_synchronous_inclination,
)
from lab.power import Battery, ComputeLoad, Loads, SolarArray
from lab.power.plots import timeline_figure, year_figure


def _polar_beta0(alt=550.0):
    """A polar orbit whose plane contains the Sun at the epoch (beta = 0): node at noon."""
    return Orbit.from_classical(alt=alt, inc=90.0, raan=raan_from_ltan(12, DEFAULT_EPOCH),
                                epoch=DEFAULT_EPOCH)


# ---------------------------------------------------------------------------------- sunlight


def test_beta_zero_550km_spends_37_percent_in_shadow():
    orb = _polar_beta0(550.0)
    assert abs(beta_angle(orb, orb.epoch).to_value(u.deg)) < 0.01
    period = orb.period.to_value(u.s)
    ill = power.illumination(orb, np.linspace(0, 3 * period, 3 * 3600, endpoint=False),
                             model="cylindrical")
    frac = float(ill["shadow"].mean())
    # hand calculation: half-angle of the shadowed arc = arccos(sqrt(h^2 + 2Rh) / (R + h))
    r = R_EARTH + 550.0
    hand = np.arccos(np.sqrt(r**2 - R_EARTH**2) / r) / np.pi
    assert hand == pytest.approx(0.3723, abs=1e-3)
    assert frac == pytest.approx(hand, abs=0.005)  # beta drifts a little in three orbits
    assert frac == pytest.approx(eclipse_fraction(550.0, 0.0), abs=0.005)
    conical = power.illumination(orb, np.linspace(0, period, 3600, endpoint=False))["shadow"]
    assert float(conical.mean()) == pytest.approx(hand, abs=0.01)
    assert np.any((conical > 0) & (conical < 1))  # penumbra exists


def test_dawn_dusk_sso_is_mostly_sunlit_while_a_53_degree_shell_is_not():
    sso = power.sso_orbit(650.0, 18)
    shell = Orbit.from_classical(alt=550.0, inc=53.0, raan=0.0, epoch=sso.epoch)
    year = power.sunlight_over_year(Constellation.from_orbits([sso, shell]), days=365,
                                    step_days=5)
    ecl = year["eclipse_fraction"].values
    # eclipse_fraction is exactly 0 above the critical beta angle (a branch, not arithmetic)
    no_eclipse = (ecl == 0).mean(axis=1)
    assert no_eclipse[0] > 0.5  # dawn-dusk: eclipse only in a season around one solstice
    assert np.all(np.abs(year["beta"].values[0]) > 55)
    assert no_eclipse[1] < 0.25  # 53° shell: in shadow most of the year
    assert ecl[1].mean() > 0.25
    np.testing.assert_allclose(year["sunlit_fraction"] + year["eclipse_fraction"], 1.0)
    # the J2-propagated beta follows lab.orbits.beta_angle
    t100 = sso.epoch + 100 * u.day
    b100 = year["beta"].sel(time=np.datetime64(t100.datetime64), method="nearest").values[0]
    assert b100 == pytest.approx(beta_angle(sso, t100).to_value(u.deg), abs=0.5)
    # eclipse minutes: the longest shadow of the 53° shell at beta = 0 is 37 % of its period
    assert float(year["eclipse_minutes"][1].max()) == pytest.approx(
        eclipse_fraction(550.0, 0.0) * shell.period.to_value(u.min), rel=0.01)


def test_sso_orbit_node_is_the_local_time_from_the_suns_right_ascension():
    """The node against astropy's Sun (independent of lab.orbits): RAAN - RA_sun = 15°/h
    (LTAN - 12 h); and the numbers are those of lab.orbits.raan_from_ltan."""
    from astropy.coordinates import get_body

    epoch = Time("2026-03-01T06:00:00", scale="utc")
    ra_sun = get_body("sun", epoch).ra.to_value(u.deg)
    for ltan in (6.0, 10.5, 18.0, 22.5):
        orb = power.sso_orbit(600, ltan, epoch=epoch)
        local = (orb.raan.to_value(u.deg) - ra_sun - 15.0 * (ltan - 12.0) + 180.0) % 360.0 - 180
        assert abs(local) < 0.01
        assert orb.raan.to_value(u.deg) == pytest.approx(
            raan_from_ltan(ltan, epoch).to_value(u.deg), abs=1e-9)
    dd, noon = power.sso_orbit(650, 18), power.sso_orbit(650, 12)
    assert dd.inc.to_value(u.deg) == pytest.approx(sun_synchronous_inclination(650).value)
    assert abs(beta_angle(dd, dd.epoch).to_value(u.deg)) > 55
    assert abs(beta_angle(noon, noon.epoch).to_value(u.deg)) < 25
    assert power.sso_orbit(650, 18 * u.h).raan.to_value(u.deg) == pytest.approx(
        dd.raan.to_value(u.deg), abs=1e-9)  # a Quantity in hours is read as a local time
    with pytest.raises(ValueError, match=r"ltan must be in \[0, 24\] h"):
        power.sso_orbit(650, 25)


def test_sunlight_over_year_rejects_bad_input():
    orb = _polar_beta0()
    with pytest.raises(ValueError, match=r"step_days must be > 0 d"):
        power.sunlight_over_year(orb, step_days=0)
    with pytest.raises(TypeError, match=r"days must be a scalar"):
        power.sunlight_over_year(orb, days=[10, 20])
    with pytest.raises(ValueError, match=r"366 epochs x 1 satellites = 366 samples .* at most "
                                         r"max_samples = 100"):
        power.sunlight_over_year(orb, max_samples=100)
    with pytest.raises(TypeError, match=r"orbit must be a lab.orbits Orbit or Constellation"):
        power.sunlight_over_year("ISS")


def test_fixed_orbit_normal_array_sees_the_sun_at_beta():
    sso = power.sso_orbit(650.0, 18)
    arr = SolarArray(1.0, pointing="fixed", normal="orbit-normal")
    ill = power.illumination(sso, np.array([0.0, 600.0]), array=arr)
    beta = beta_angle(sso, sso.epoch).to_value(u.deg)
    assert ill["cos_incidence"].values[0, 0] == pytest.approx(np.sin(np.radians(beta)), abs=1e-3)


def test_illumination_flux_follows_the_sun_distance_and_accepts_iso_times():
    orb = _polar_beta0(550.0)
    ill = power.illumination(orb, ["2026-01-03T00:00:00", "2026-01-03T00:10:00",
                                   "2026-07-04T00:00:00"])
    flux = ill["flux"].values[0]
    assert flux[0] == pytest.approx(1361 * 1.0342, rel=2e-3)  # perihelion, 0.9833 AU
    assert flux[2] == pytest.approx(1361 * 0.9674, rel=2e-3)  # aphelion, 1.0167 AU
    np.testing.assert_allclose(ill["elapsed"].values[:2], [0.0, 600.0])
    # datetime64 arrays are calendar times too
    same = power.illumination(orb, np.array(["2026-01-03T00:00:00", "2026-01-03T00:10:00"],
                                            dtype="datetime64[s]"))
    np.testing.assert_allclose(same["flux"].values[0], flux[:2], rtol=1e-12)


# ---------------------------------------------------------------------------------- simulate


def test_simulate_day_energy_balance_and_limits():
    c = Constellation.walker_delta(6, 3, 1, alt=550.0, inc=53.0)
    arr = SolarArray(2.0, 0.3)
    bat = Battery(300.0, max_depth_of_discharge=0.3, max_charge_rate=400, max_discharge_rate=600)
    loads = Loads(bus=80.0, compute=ComputeLoad("three-body-744", duty_cycle=0.6))
    ds = power.simulate(c, arr, bat, loads, compute_reserve=0.05)
    assert ds.sizes == {"satellite": 6, "time": 1441}
    budget = power.energy_budget(ds)
    assert np.all(np.abs(budget["residual"]) <= 1e-9 * budget["generated"])
    assert float(ds["state_of_charge"].min()) >= 0.7 - 1e-12
    assert float(ds["state_of_charge"].max()) <= 1.0 + 1e-12
    assert bool(ds["eclipse"].any())
    # this design is too small: the timeline must record throttling honestly
    assert bool(ds["throttled"].any())
    assert float((ds["shortfall"] * ds["dt"]).sum()) > 0
    assert float(ds["shortfall"].min()) >= -1e-9  # never more served than asked
    # the payload is short only when the battery cannot give more: after such a step it is at
    # the compute floor (DoD floor + reserve = 225 Wh), or above it by less than one step at
    # the accelerator's idle power (below idle, compute is switched off)
    short = ds["shortfall"].values > 1e-9
    after = np.concatenate([ds["stored_energy"].values[:, 1:],
                            ds["final_stored_energy"].values[:, None]], axis=1)
    one_idle_step = 40.0 * 60.0 / 3600.0 / 0.95
    assert after[short].max() <= 300 * (0.7 + 0.05) + one_idle_step + 1e-9
    # the bus goes short only with the battery empty down to the DoD floor (210 Wh)
    bus_short = ds["bus_served"].values < 80.0 * (1 - 1e-12)
    assert bus_short.any() and after[bus_short].max() <= 300 * 0.7 + 1e-6
    # one satellite alone gives the same timeline as inside the constellation
    one = power.simulate(c[2], arr, bat, loads)
    np.testing.assert_allclose(one["state_of_charge"].values[0],
                               ds["state_of_charge"].values[2], atol=1e-6)


def test_callable_schedule_and_bus_priority_in_simulate():
    orb = _polar_beta0(550.0)
    times = np.arange(0.0, 3 * 5700.0, 60.0)
    busy = power.ComputeLoad("h100", schedule=lambda s: (s % 600 < 300).astype(float))
    ds = power.simulate(orb, SolarArray(1.0), Battery(200.0), Loads(60.0, busy), times,
                        compute_reserve=0.25)
    req = ds["compute_requested"].values[0]
    assert set(np.round(req, 6)) == {70.0, 700.0}
    # a 1 m² array cannot carry an H100: compute is cut, and with 50 Wh reserved for it the
    # 60 W bus runs through the 35-minute eclipses
    assert bool(ds["compute_off"].any()) and bool(ds["throttled"].any())
    np.testing.assert_allclose(ds["bus_served"], 60.0)
    assert float(ds["state_of_charge"].min()) >= 0.7 - 1e-12


def test_simulate_rejects_bad_input():
    orb = _polar_beta0(550.0)
    arr, bat = SolarArray(1.0), Battery(100.0)
    with pytest.raises(TypeError, match="array must be a SolarArray"):
        power.simulate(orb, 3.0, bat, 10.0)
    with pytest.raises(TypeError, match="battery must be a Battery"):
        power.simulate(orb, arr, 100.0, 10.0)
    with pytest.raises(ValueError, match="initial_soc must be in"):
        power.simulate(orb, arr, bat, 10.0, initial_soc=0.1)
    with pytest.raises(ValueError, match=r"compute_reserve must be in \[0, 0.3\]"):
        power.simulate(orb, arr, bat, 10.0, compute_reserve=0.5)
    with pytest.raises(ValueError, match=r"strictly increasing epochs \(epoch 1 is 0 s after"):
        power.simulate(orb, arr, bat, 10.0, times=np.array([0.0, 0.0, 60.0]))
    with pytest.raises(TypeError, match="orbit must be"):
        power.simulate("ISS", arr, bat, 10.0)
    with pytest.raises(ValueError, match="model must be one of"):
        power.simulate(orb, arr, bat, 10.0, model="flat")
    with pytest.raises(ValueError, match=r"bus must be a scalar or broadcast to \(satellites, "
                                         r"epochs\) = \(1, 3\)"):
        power.simulate(orb, arr, bat, Loads(np.ones((2, 3))), times=[0.0, 60.0, 120.0])


@pytest.mark.parametrize(
    "times, match",
    [
        ([], r"\(got 0\)"),
        ((), r"\(got 0\)"),
        (np.array([]), r"\(got 0\)"),
        (Time([], format="jd"), r"\(got 0\)"),
        ([0.0], r"\(got 1\)"),
        ("2026-01-01T00:00:00", r"\(got 1\)"),
    ],
)
def test_simulate_needs_two_increasing_epochs(times, match):
    """Regression: empty times raised ``IndexError: index 0 is out of bounds``."""
    with pytest.raises(ValueError,
                       match=r"^times must hold ≥ 2 strictly increasing epochs " + match):
        power.simulate(_polar_beta0(), SolarArray(1.0), Battery(100.0), 10.0, times=times)


@pytest.mark.parametrize(
    "times",
    [
        Time(["2026-01-01T00:00:00", "2026-01-01T00:01:00", "2026-01-01T00:02:00",
              "2026-01-01T00:03:00"]).reshape(2, 2),
        [["2026-01-01T00:00:00", "2026-01-01T00:01:00"], ["2026-01-01T00:02:00",
                                                           "2026-01-01T00:03:00"]],
        np.array([[0.0, 60.0], [120.0, 180.0]]),
    ],
)
def test_simulate_rejects_2d_times(times):
    """Regression: a 2-D astropy Time (or nested ISO strings) was flattened silently."""
    with pytest.raises(ValueError, match=r"times must be 1-D, one value per epoch \(got shape "
                                         r"\(2, 2\)\)"):
        power.simulate(_polar_beta0(), SolarArray(1.0), Battery(100.0), 10.0, times=times)


def test_simulate_rejects_an_empty_battery_and_names_bad_loads():
    """Regression: a 0 Wh battery gave a timeline whose state of charge was 0 (below the DoD
    floor it claims to respect); ``loads="heavy"`` talked about a "profile"."""
    orb = _polar_beta0()
    with pytest.raises(ValueError, match=r"battery.capacity must be > 0 Wh .* \(got 0 Wh\)"):
        power.simulate(orb, SolarArray(1.0), Battery(0.0), 10.0)
    with pytest.raises(ValueError, match=r"^loads must be a Loads, a ComputeLoad, a hardware "
                                         r"profile name \(one of 'jetson-agx-orin', .*\), a bus "
                                         r"power in W or a \(bus, compute\) pair \(got 'heavy'\)"):
        power.simulate(orb, SolarArray(1.0), Battery(100.0), "heavy")
    # a profile name is accepted as the compute load
    ds = power.simulate(orb, SolarArray(1.0), Battery(100.0), "h100", times=[0.0, 60.0])
    np.testing.assert_allclose(ds["compute_requested"], 700.0)


def test_energy_budget_rejects_other_datasets():
    with pytest.raises(TypeError,
                       match=r"ds must be the output of lab.power.simulate \(missing generated, "):
        power.energy_budget(power.illumination(_polar_beta0(), [0.0, 60.0]))


# ---------------------------------------------------------------------------------- sizing


def test_size_for_keeps_the_load_running_within_the_dod_limit():
    orb = _polar_beta0(550.0)
    load = Loads(bus=50.0, compute=ComputeLoad("three-body-744", duty_cycle=1.0))
    times = np.arange(0.0, 6 * 3600.0 + 1, 30.0)
    sized = power.size_for(orb, load, times, max_depth_of_discharge=0.3, compute_reserve=0.05)
    assert sized.verified
    tl = sized.timeline
    assert float(tl["shortfall"].max()) <= 1e-6
    assert sized.min_state_of_charge >= 0.7 - 1e-9
    assert sized.load_w == pytest.approx(350.0, rel=1e-12)
    # closed form from the worst eclipse: load * eclipse / (eta_d * DoD), within the step size
    ecl = sized.worst_eclipse_s
    assert ecl == pytest.approx(0.372 * orb.period.to_value(u.s), rel=0.02)
    assert sized.battery.capacity == pytest.approx(350 * ecl / 3600 / 0.95 / 0.25, rel=0.02)
    assert sized.capacity.to_value(u.kW * u.h) == pytest.approx(sized.battery.capacity / 1000)
    # minimal: 2 % less array or battery fails
    smaller_array = power.simulate(orb, sized.array.with_area(0.98 * sized.array.area),
                                   sized.battery, load, times)
    smaller_batt = power.simulate(orb, sized.array,
                                  sized.battery.with_capacity(0.98 * sized.battery.capacity),
                                  load, times)
    assert float(smaller_batt["shortfall"].max()) > 0
    refilled = smaller_array["stored_energy"].values[0, -120:].max()
    drained = (float(smaller_array["shortfall"].max()) > 0
               or refilled < sized.battery.capacity - 1e-6)
    assert drained


def test_size_for_a_constellation_sizes_the_worst_satellite():
    c = Constellation.walker_delta(3, 3, 0, alt=550.0, inc=53.0)
    times = np.arange(0.0, 4 * 3600.0 + 1, 60.0)
    whole = power.size_for(c, 200.0, times)
    parts = [power.size_for(c[i], 200.0, times) for i in range(3)]
    assert whole.verified and whole.timeline.sizes["satellite"] == 3
    assert whole.array.area == pytest.approx(max(p.array.area for p in parts), rel=1e-3)
    assert whole.battery.capacity >= max(p.battery.capacity for p in parts) * (1 - 1e-3)


def test_size_for_margin_scales_both():
    orb = _polar_beta0(550.0)
    times = np.arange(0.0, 4 * 3600.0 + 1, 60.0)
    base = power.size_for(orb, 200.0, times)
    padded = power.size_for(orb, 200.0, times, margin=0.2)
    assert padded.array.area == pytest.approx(1.2 * base.array.area, rel=1e-9)
    # more array also refills faster, so the drawdown per m² is no deeper
    assert padded.battery.capacity <= 1.2 * base.battery.capacity * (1 + 1e-9)
    assert padded.battery.capacity >= base.battery.capacity


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"times": []}, ValueError, r"times must hold ≥ 2 strictly increasing epochs \(got 0\)"),
        ({"times": np.arange(0.0, 3600.0, 60.0)}, ValueError, r"times must span at least two"),
        ({"load": "heavy"}, ValueError, r"^load must be a Loads, a ComputeLoad"),
        ({"load": 0.0}, ValueError, r"load must be > 0 W somewhere"),
        ({"efficiency": 1.2}, ValueError, r"efficiency must be in \(0, 1\]"),
        ({"max_depth_of_discharge": 1.5}, ValueError,
         r"max_depth_of_discharge must be in \[0, 1\]"),
        ({"max_depth_of_discharge": 0.05}, ValueError, r"must be > compute_reserve \(0.05\)"),
        ({"margin": -0.1}, ValueError, r"margin must be ≥ 0"),
        ({"max_discharge_rate": 10.0}, ValueError, r"max_discharge_rate must be ≥ \d"),
    ],
)
def test_size_for_rejects_bad_input(kwargs, error, match):
    args = {"orbit": _polar_beta0(), "load": 200.0, "times": np.arange(0.0, 4 * 3600.0 + 1, 60.0)}
    with pytest.raises(error, match=match):
        power.size_for(**{**args, **kwargs})


# ---------------------------------------------------------------------------------- figures


def test_figures_show_the_timeline_and_the_year():
    orb = _polar_beta0(550.0)
    ds = power.simulate(orb, SolarArray(1.0), Battery(300.0), 150.0,
                        np.arange(0.0, 4 * 3600.0, 60.0))
    fig = timeline_figure(ds)
    assert [t.name for t in fig.data] == ["generated", "served", "load", "state of charge"]
    np.testing.assert_allclose(fig.data[3].y, 100 * ds["state_of_charge"].values[0])
    ecl = ds["eclipse"].values[0].astype(int)
    n_eclipses = int((np.diff(np.concatenate([[0], ecl])) == 1).sum())
    assert n_eclipses >= 2
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 * n_eclipses  # one shaded box per eclipse in each panel
    dod = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(dod) == 1 and dod[0].y0 == pytest.approx(70.0)  # the DoD floor, in %
    with pytest.raises(ValueError, match=r"satellite must be an integer in \[0, 0\] \(got 1\)"):
        timeline_figure(ds, satellite=1)
    year = power.sunlight_over_year(orb, days=30, step_days=10)
    yfig = year_figure(year, labels=["polar"])
    assert [t.name for t in yfig.data] == ["polar", "polar"]
    np.testing.assert_allclose(yfig.data[0].y, year["beta"].values[0])
    with pytest.raises(ValueError, match=r"labels must have one name per satellite \(1\)"):
        year_figure(year, labels=["a", "b"])
    with pytest.raises(TypeError, match=r"year must be the output of lab.power.sunlight_over_year"):
        year_figure(ds)


def test_year_figure_has_a_calendar_axis_with_the_seasons_marked():
    """Issue 15: notebook 02's year plot on dates (UTC), solstices and equinoxes marked (computed
    from the Sun's ecliptic longitude, lab.orbits.seasons)."""
    from lab.orbits import seasons

    year = power.sunlight_over_year(_polar_beta0(550.0), start="2025-05-14", days=365,
                                    step_days=5)
    fig = year_figure(year, labels=["polar"])
    assert np.asarray(fig.data[0].x).dtype.kind == "M"  # datetimes, not day numbers
    assert fig.layout.xaxis2.title.text == "date (UTC)"
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    expected = seasons("2025-05-14", str(year.time.values[-1]))
    assert len(expected) == 4 and len(lines) == 2 * len(expected)  # both panels
    marked = sorted({np.datetime64(s.x0, "m") for s in lines})
    assert marked == sorted(np.datetime64(t.datetime64, "m") for _, t in expected)
    labels = {a.text for a in fig.layout.annotations}
    assert {"June<br>solstice", "December<br>solstice", "March<br>equinox"} <= labels
