"""lab.mission with the ground segment (issue 11): the operator's chain, booking antennas,
acquisition, laser-link set-up, answer lengths, any day of the year, the real satellites from
their TLEs, the fast power rule against lab.power.simulate, and the sensitivity analysis."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from astropy import units as u

from lab import examples
from lab.links import LINK_PRESETS, get_network
from lab.mission import (
    PRESETS,
    SENSITIVITY_INPUTS,
    TERMS,
    Scenario,
    Shell,
    configure,
    geometry,
    response_times,
    sensitivity,
)
from lab.mission.steps import battery_endurance_s

GROUND_TERMS = ("operator", "booking", "acquisition", "isl_setup")


def _single(sc: Scenario, antennas: int = 1) -> Scenario:
    """The scenario with one station (Miyun) of ``antennas`` antennas."""
    return replace(sc, network=(get_network("single")[0].with_antennas(antennas),))


@pytest.fixture(scope="module")
def in_pass_time():
    """An arrival time (s after the epoch) such that mission control hands the prompt over at a
    sample where Miyun's best Three-Body satellite stays in view for 6 more minutes."""
    g = geometry(_single(PRESETS["three-body-12"]))
    sat = np.argmax(g.margin, axis=0)
    e = np.arange(g.t.size)
    start, end = g.contact_bounds(sat, e)
    ok = np.flatnonzero((start >= 0) & (start < e) & (end - e >= 6))
    return float(g.t[ok[0]] - PRESETS["three-body-12"].operator_s)


def test_every_ground_term_is_a_column_and_documented():
    import lab.mission as m

    assert TERMS[:5] == ("operator", "wait_for_contact", "booking", "acquisition", "uplink")
    assert "isl_setup" in TERMS and TERMS[-1] == "downlink"
    r = response_times("three-body-12", requests=200)
    assert list(r.table.index) == [*TERMS, "total"]
    np.testing.assert_allclose(r.breakdown[list(TERMS)].sum(axis=1), r.breakdown["total"])
    for term in TERMS:
        assert f"``{term}``" in m.__doc__


def test_lone_prompt_in_a_pass_by_hand(in_pass_time):
    """A prompt sent during a pass, alone: operator 10 s; no wait; no booking (the antenna is
    free); acquisition = slew 20 s + S-band lock 10 s (a new contact) + X-band lock 3 s (the
    answer comes down the same contact); uplink, inference and downlink as before."""
    sc = _single(PRESETS["three-body-12"])
    row = response_times(sc, arrival_times=[in_pass_time]).breakdown.iloc[0]
    assert row.operator == pytest.approx(10.0) and row.wait_for_contact == 0.0
    assert row.booking == 0.0
    assert row.acquisition == pytest.approx(20.0 + 10.0 + 3.0)
    assert row.isl_setup == 0.0 and row.downlink_sat == row.contact_sat
    assert row.total == pytest.approx(sum(row[t] for t in TERMS)) and row.total < 120.0
    # slower antennas and locks add exactly their seconds
    slow = replace(sc, network=(replace(sc.network[0], slew_s=50.0),),
                   uplink=sc.uplink_budget.replace(acquisition_s=25.0))
    row2 = response_times(slow, arrival_times=[in_pass_time]).breakdown.iloc[0]
    assert row2.acquisition == pytest.approx(50.0 + 25.0 + 3.0)
    assert row2.total - row.total == pytest.approx(45.0, abs=0.5)


def test_booking_and_acquisition_by_hand(in_pass_time):
    """Two prompts 1 s apart on the same contact. The first slews and locks (30 s); the second
    waits for the rest of that lock (29 s, acquisition too). Then both are ready to go up at
    once: with one antenna the second waits for the first's transmission (booking s1); with
    two it goes up in parallel (booking 0)."""
    t = np.array([in_pass_time, in_pass_time + 1.0])
    one = response_times(_single(PRESETS["three-body-12"], 1), arrival_times=t).breakdown
    s1 = 8 * (200 * 4 + 2000) / 256e3  # the first prompt's serialization at 256 kbit/s
    assert one.booking.tolist() == pytest.approx([0.0, s1])
    assert one.acquisition.tolist() == pytest.approx([33.0, 29.0 + 3.0])
    two = response_times(_single(PRESETS["three-body-12"], 2), arrival_times=t).breakdown
    assert two.booking.tolist() == pytest.approx([0.0, 0.0])
    assert two.acquisition.tolist() == pytest.approx([33.0, 29.0 + 3.0])


def test_finite_antennas_queue_prompts_where_they_should():
    """2,800 satellites over one single-antenna station: a satellite is always in view, the
    antenna is the bottleneck and prompts queue behind each other (slow telecommand, busy day);
    with more antennas they do not."""
    sc, _ = configure("three-body-12", n_satellites=2800)
    slow = replace(sc, uplink=LINK_PRESETS["s-band-uplink"].replace(bandwidth=4e3))
    booking = {}
    for k in (1, 4):
        r = response_times(_single(slow, k), load=8000, seed=3)
        assert r.summary["in_view_share"] > 0.99
        booking[k] = r.breakdown["booking"]
    assert booking[1].mean() > 5.0 and (booking[1] > 0).mean() > 0.3
    assert booking[4].mean() < booking[1].mean() / 10
    assert np.percentile(booking[4], 90) < 1.0


@pytest.mark.parametrize("antennas", [2, 5])
def test_more_antennas_never_wait_longer_on_the_ground(antennas):
    """Booking + acquisition (the wait for an antenna and its lock) never grows with antennas."""
    t = np.linspace(0, 86000, 800)
    base = PRESETS["three-body-12"]
    few = response_times(base, arrival_times=t).breakdown
    many = response_times(configure(base, antennas=antennas)[0], arrival_times=t).breakdown
    def wait(b):  # the wait for an antenna and the uplink's lock
        return (b.booking + b.acquisition - b.downlink_acquisition).to_numpy()

    assert (wait(many) <= wait(few) + 1e-6).all()


def test_a_station_keeps_its_satellite_while_it_is_in_view():
    """2,800 satellites: a new contact (and its acquisition) only when the tracked satellite has
    set, not whenever another one is higher: few prompts start one."""
    r = response_times("star-compute-2800", requests=2000)
    b, g = r.breakdown, r.geometry
    started = b.acquisition - b.downlink_acquisition > 25.0  # paid slew + lock for the uplink
    assert 0 < started.mean() < 0.4
    t = (b.arrival + b.operator).to_numpy()
    e = np.rint(t / g.dt).astype(int) % g.t.size
    best = np.argmax(g.margin[:, e], axis=0)
    assert (b.contact_sat.to_numpy() != best).mean() > 0.3  # kept, though another is higher
    assert (g.margin[b.contact_sat.to_numpy(), e] >= 0).mean() > 0.9  # and still in view


def test_isl_setup_hand_calculation():
    """A route that needs a laser link that is not kept up pays isl_setup_s once; persistent
    in-plane links (the default) pay nothing within a plane."""
    t = np.linspace(0, 86000, 400)
    base = PRESETS["star-compute-2800"]
    none = response_times(replace(base, persistent_links="none"), arrival_times=t).breakdown
    expect = 15.0 * ((none.hops_up > 0).astype(float) + (none.hops_back > 0))
    np.testing.assert_allclose(none.isl_setup, expect)
    assert (none.hops_up > 0).sum() > 10
    everything = response_times(replace(base, persistent_links="all"), arrival_times=t).breakdown
    assert (everything.isl_setup == 0).all()
    in_plane = response_times(base, arrival_times=t).breakdown
    assert ((in_plane.isl_setup == 0) | (in_plane.isl_setup == 15) | (in_plane.isl_setup == 30)
            ).all() and (in_plane.isl_setup <= none.isl_setup).all()
    # one plane: every hop is in-plane, no set-up
    tb = replace(PRESETS["three-body-12"], shells=(replace(PRESETS["three-body-12"].shells[0],
                                                           compute_fraction=0.5),))
    b = response_times(tb, arrival_times=t).breakdown
    assert (b.hops_up > 0).any() and (b.isl_setup == 0).all()


def test_answer_lengths_are_a_seeded_lognormal():
    sc = PRESETS["three-body-12"]
    n = sc.answer_lengths(20000, seed=5)
    assert n.dtype.kind == "i" and n.min() >= 1 and n.max() <= sc.max_output_tokens
    assert np.median(n) == pytest.approx(sc.output_tokens, rel=0.05)
    assert np.std(np.log(n)) == pytest.approx(sc.output_sigma, rel=0.05)
    np.testing.assert_array_equal(n, sc.answer_lengths(20000, seed=5))
    assert not np.array_equal(n, sc.answer_lengths(20000, seed=6))
    fixed = replace(sc, output_sigma=0.0)
    assert (fixed.answer_lengths(10) == sc.output_tokens).all()
    # the answer lengths have their own random stream: the arrivals do not move
    a = response_times(sc, requests=300, seed=2).breakdown
    b = response_times(fixed, requests=300, seed=2).breakdown
    np.testing.assert_array_equal(a.arrival, b.arrival)
    assert (b.output_tokens == sc.output_tokens).all()


def test_thinking_answers_make_the_inference_longer():
    think = response_times("three-body-12", requests=400, seed=1).breakdown
    chat = response_times(replace(PRESETS["three-body-12"], output_tokens=256, output_sigma=0.0),
                          requests=400, seed=1).breakdown
    assert think.inference.median() > 2 * chat.inference.median()


def test_any_day_of_the_year():
    """The epoch is a scenario parameter: the season changes the shadow of the SSO ring."""
    from lab.orbits import beta_angle, eclipse_fraction

    may = PRESETS["three-body-12"]
    dec, notes = configure(may, epoch="2025-12-21T00:00:00")
    assert dec.epoch == "2025-12-21T00:00:00.000" and not notes
    for sc in (may, dec):
        g = geometry(sc)
        c = sc.shells[0].constellation(sc.epoch)
        beta = float(beta_angle(c, sc.epoch).to_value(u.deg)[0])
        assert 1 - g.sunlit.mean() == pytest.approx(
            eclipse_fraction(sc.shells[0].alt, beta), abs=0.02)
    assert geometry(may).sunlit.mean() != pytest.approx(geometry(dec).sunlit.mean(), abs=1e-3)
    with pytest.raises(ValueError, match="epoch must be a UTC date and time"):
        configure(may, epoch="yesterday")


def test_starcloud_flies_its_public_tle():
    """Starcloud-1's preset propagates its real element set with SGP4 on the day of that set."""
    sc = PRESETS["starcloud-1"]
    (shell,) = sc.shells
    assert shell.kind == "tle" and shell.model == "sgp4" and shell.total == 1
    assert 480 < shell.alt < 520 and shell.inclination == pytest.approx(45.3, abs=0.2)
    assert sc.epoch.startswith("2026-07-26")
    g = geometry(sc)
    ref = examples.starcloud_1().positions(np.array([0.0]), model="sgp4", frame="itrs")
    np.testing.assert_allclose(g.snapshot[0], np.asarray(ref).reshape(3), atol=1e-3)  # 1 m
    assert "66303" in sc.source("shells")
    r = response_times(sc, requests=200)
    assert r.summary["answered"] == 200


def test_tle_shells_are_checked_and_resize_to_walker():
    _, l1, l2 = examples.STARCLOUD_1_TLE.splitlines()
    with pytest.raises(ValueError, match="one element set per satellite"):
        Shell(total=2, kind="tle", tle=((l1, l2),))
    with pytest.raises(ValueError, match="tle is only used by shells of kind 'tle'"):
        Shell(total=1, tle=((l1, l2),))
    with pytest.raises(ValueError, match="checksum"):
        Shell(total=1, kind="tle", tle=((l1[:-1] + "0", l2),))
    sc, notes = configure("starcloud-1", n_satellites=8)
    assert sc.shells[0].kind == "walker" and "replaced by a Walker shell" in notes[0]


def test_fast_power_rule_matches_the_full_simulation():
    """The mission's rule "sunlit, or in the shadow while the battery lasts" (battery endurance
    at the bus + eclipse-capped accelerator load) against lab.power.simulate: state of charge
    across a day of orbits, the same load, the battery emptied to its depth of discharge. Where
    the rule says "no power", the simulation has switched the accelerator off, and vice versa,
    up to a sample at each switch."""
    from lab.power import Battery, ComputeLoad, Loads, SolarArray, simulate

    sc = replace(PRESETS["three-body-12"], battery_wh=400.0)  # runs out inside the eclipse
    g = geometry(sc)
    endurance = battery_endurance_s(sc)
    eclipse_s = (~g.sunlit[0]).sum() / max(1, np.count_nonzero(np.diff(g.sunlit[0].astype(int))
                                                              == -1)) * g.dt
    assert endurance < eclipse_s  # the battery empties before the satellite leaves the shadow
    fast = g.sunlit[0] | (g.since_eclipse[0] < endurance)
    load = Loads(sc.bus_power_w, ComputeLoad(sc.profile.with_power_cap(sc.eclipse_power_w)))
    ds = simulate(sc.shells[0].constellation(sc.epoch)[0], SolarArray(area=20.0),
                  Battery(sc.battery_wh, max_depth_of_discharge=sc.depth_of_discharge), load,
                  g.t, compute_reserve=0.0, model="cylindrical")
    full = ~ds["compute_off"].values[0] & (ds["compute_served"].values[0] > 0.5 *
                                           sc.eclipse_power_w)
    assert (fast == full).mean() > 0.98
    # the accelerator goes off at the same time after entering the shadow (within a sample)
    off_fast = np.flatnonzero(np.diff(fast.astype(int)) == -1)
    off_full = np.flatnonzero(np.diff(full.astype(int)) == -1)
    assert len(off_fast) == len(off_full) > 5
    assert np.abs(off_fast - off_full).max() <= 1


def test_ground_segment_bad_inputs():
    base = PRESETS["three-body-12"]
    with pytest.raises(ValueError, match=r"operator_s must be in \[0, 86400\] s \(got -1 s\)"):
        replace(base, operator_s=-1)
    with pytest.raises(ValueError, match=r"isl_setup_s must be in \[0, 3600\] s"):
        replace(base, isl_setup_s=-5)
    with pytest.raises(ValueError, match="persistent_links must be one of"):
        replace(base, persistent_links="some")
    with pytest.raises(ValueError, match="output_sigma"):
        replace(base, output_sigma=-0.5)
    with pytest.raises(ValueError, match="max_output_tokens"):
        replace(base, max_output_tokens=10)
    with pytest.raises(ValueError, match="uplink must be one of"):
        replace(base, uplink="w-band")
    with pytest.raises(ValueError, match=r"acquisition_s must be in \[0, 3600\] s"):
        replace(base, uplink=LINK_PRESETS["s-band-uplink"].replace(acquisition_s=-2))
    with pytest.raises(ValueError, match="band must be one of"):
        replace(base, downlink=LINK_PRESETS["x-band-downlink"].replace(band="w"))
    with pytest.raises(ValueError, match=r"antennas \(per station\) must be an integer"):
        configure(base, antennas=0)
    with pytest.raises(ValueError, match="antennas of station 'Miyun'"):
        replace(base, network=(replace(get_network("single")[0], antennas=0),))


# ------------------------------------------------------------------ sensitivity
@pytest.fixture(scope="module")
def tornado():
    return sensitivity("three-body-12", requests=400)


def test_sensitivity_states_every_input(tornado):
    assert set(tornado.index) == set(SENSITIVITY_INPUTS)
    for name, row in tornado.iterrows():
        assert row["low"] < row["high"] and row["source"], name
    assert tornado["in_pass_swing_s"].is_monotonic_decreasing
    assert 20 < tornado.attrs["in_pass_s"] < 120 and tornado.attrs["day_s"] > 120
    r = tornado.loc["operator chain"]
    assert r["in_pass_high_s"] - r["in_pass_low_s"] == pytest.approx(298.0, rel=0.1)
    for name in ("answer length", "acquisition"):
        assert tornado.loc[name, "in_pass_high_s"] > tornado.loc[name, "in_pass_low_s"]
    assert tornado.loc["efficiency", "in_pass_low_s"] > tornado.loc["efficiency",
                                                                    "in_pass_high_s"]
    # memory-bound decode: the peak operations barely matter, the bandwidth does
    assert tornado.loc["peak TOPS", "in_pass_swing_s"] < 5.0  # queue and batch timing only
    assert tornado.loc["memory bandwidth", "in_pass_swing_s"] > 10.0


def test_tornado_figure(tornado):
    from lab.mission.plots import tornado_figure

    fig = tornado_figure(tornado)
    assert len(fig.data) == 2 and len(fig.data[0].y) == len(SENSITIVITY_INPUTS)
    assert fig.data[0].y[-1].startswith(tornado.index[0])  # the largest swing on top
    with pytest.raises(ValueError, match="outcome"):
        tornado_figure(tornado, "night")


def test_sensitivity_bad_input():
    with pytest.raises(ValueError, match="sensitivity input"):
        sensitivity("three-body-12", ["moon phase"])
