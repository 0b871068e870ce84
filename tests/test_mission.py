"""lab.mission: each term of the response time against hand calculations, the expected
behaviour of the real systems, monotonic properties, bad input, and the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab import mission
from lab.constants import C_LIGHT, R_EARTH
from lab.mission import (
    PRESETS,
    TERMS,
    Scenario,
    Shell,
    configure,
    fifo_wait,
    next_contact,
    response_times,
    sweep,
)


# ------------------------------------------------------------------ building blocks
def test_next_contact_hand_cases():
    m = np.array([-1.0, -1.0, 1.0, 1.0, -1.0])  # in view around samples 2-3, dt = 10 s
    t = np.array([0.0, 25.0, 30.0, 41.0])
    tc, j = next_contact(m, t, 10.0)
    # from t=0: zero crossing halfway between samples 1 (-1) and 2 (+1) -> 15 s
    # t=25 and t=30 are inside the pass; t=41 waits for the next day's crossing: 50 + 15 = 65 s
    np.testing.assert_allclose(tc, [15.0, 25.0, 30.0, 65.0])
    assert list(j[[0, 3]]) == [2, 7]
    tc, _ = next_contact(np.full(4, -0.5), np.array([3.0]), 10.0)
    assert np.isinf(tc[0])


def test_fifo_wait_hand_case():
    server = np.array([0, 0, 0, 1, 1])
    ready = np.array([0.0, 1.0, 2.0, 0.0, 10.0])
    wait = fifo_wait(server, ready, np.array([5.0, 5.0, 5.0, 1.0, 1.0]))
    np.testing.assert_allclose(wait, [0.0, 4.0, 8.0, 0.0, 0.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.floats(0, 100), st.floats(0.01, 20)),
                min_size=1, max_size=40))
def test_fifo_wait_matches_lindley_loop(reqs):
    server = np.array([r[0] for r in reqs])
    ready = np.array([r[1] for r in reqs])
    service = np.array([r[2] for r in reqs])
    got = fifo_wait(server, ready, service)
    expect = np.zeros(len(reqs))
    for s in np.unique(server):  # reference: the textbook recursion, one request at a time
        idx = [i for i in np.lexsort((ready, server)) if server[i] == s]
        free = -np.inf
        for i in idx:
            start = max(ready[i], free)
            expect[i] = start - ready[i]
            free = start + service[i]
    np.testing.assert_allclose(got, expect, atol=1e-6)


def test_sso_inclination_reference():
    # Sun-synchronous inclination at 535 km is ~97.5 deg, at 800 km ~98.6 deg (Vallado).
    assert Shell(total=12, alt=535).inclination == pytest.approx(97.5, abs=0.1)
    assert Shell(total=12, alt=800).inclination == pytest.approx(98.6, abs=0.1)
    assert Shell(total=12, alt=800, inc=53.0).inclination == 53.0


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
    np.testing.assert_allclose(delta.raan.value, 60.0 * j)
    np.testing.assert_allclose(np.remainder(delta.nu.value, 360), np.remainder(
        36.0 * k + 6.0 * j, 360), atol=1e-9)
    band = Shell(total=40, planes=5, phasing=1, alt=800, ltan=18.0, raan_spread=60.0)
    c = band.constellation(epoch)
    node = ra_sun + 15.0 * (18.0 - 12.0)  # dawn-dusk: ascending node 90 deg east of the Sun
    expect = node - 30.0 + 15.0 * np.asarray(c.plane)
    diff = np.remainder(c.raan.value - expect + 180.0, 360.0) - 180.0
    assert np.abs(diff).max() < 0.05  # deg (apparent vs true Sun)
    np.testing.assert_allclose(c.inc.value, band.inclination)
    np.testing.assert_allclose(np.remainder(c.nu.value, 360), np.remainder(
        45.0 * np.asarray(c.slot) + 9.0 * np.asarray(c.plane), 360), atol=1e-9)
    cluster = Shell(total=81, alt=650, ltan=18.0, kind="cluster").constellation(epoch)
    r = cluster.positions(np.array([0.0, 3000.0]))
    assert len(cluster) == 81 and np.ptp(r, axis=0).max() == 0.0  # all at one point


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


def test_empty_battery_makes_requests_wait_for_sunlight():
    base = PRESETS["starcloud-1"]
    t = np.linspace(0, 86000, 400)
    ok = response_times(base, arrival_times=t).breakdown
    flat = response_times(replace(base, battery_wh=0.0), arrival_times=t).breakdown
    assert (flat["queueing"] >= ok["queueing"] - 1e-9).all()
    assert flat["queueing"].max() > 60.0  # waited for the satellite to leave the shadow
    assert not flat["on_battery"].any()  # with no battery it only computes in sunlight


def test_hop_counts_match_shortest_paths_on_the_links_isl_graph():
    """The closed-form +Grid hop count equals networkx shortest paths over lab.links' ISL pairs
    (Walker delta with its phasing seam)."""
    import networkx as nx

    from lab.links.isl import isl_pairs
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
    dk, dp = mission._hops(g, np.arange(total)[:, None], np.arange(total)[None, :])
    np.testing.assert_array_equal(dk + dp, ref)


# ------------------------------------------------------------------ terms of the breakdown
@pytest.fixture(scope="module")
def tb12():
    return response_times("three-body-12", requests=1500, seed=1)


def test_breakdown_columns_and_total(tb12):
    b = tb12.breakdown
    for col in (*TERMS, "total"):
        assert col in b
        assert (b[col] >= 0).all()
    np.testing.assert_allclose(b[list(TERMS)].sum(axis=1), b["total"])
    assert set(tb12.summary) >= {"p50", "p90", "p99", "mean", "dominant"}


def test_uplink_and_downlink_terms_bounds(tb12):
    """Light time over the slant range + serialization + backhaul, between hand-computed bounds."""
    sc = tb12.scenario
    a = R_EARTH + sc.shells[0].alt
    eps = math.radians(10.0)
    rho_max = math.sqrt(a**2 - (R_EARTH * math.cos(eps)) ** 2) - R_EARTH * math.sin(eps)
    up_bits = 8 * (sc.prompt_tokens * sc.bytes_per_token + sc.request_overhead_bytes)
    b = tb12.breakdown
    lo = sc.shells[0].alt / C_LIGHT
    assert (b["uplink"] >= lo).all()
    # the farthest station from Beijing (Kashgar) is ~3,400 km of fibre away
    hi = rho_max / C_LIGHT + up_bits / 1e6 + 3500 / mission.FIBER_SPEED
    assert (b["uplink"] <= hi).all()
    assert (b["downlink"] <= hi).all()


def test_inference_term_is_the_roofline(tb12):
    from lab.node.roofline import predict_latency

    sc = tb12.scenario
    e2el = float(predict_latency(sc.profile, sc.model_params, sc.bytes_per_param,
                                 sc.prompt_tokens, sc.output_tokens, 1).e2el)
    b = tb12.breakdown
    sunlit_alone = b[(b.queueing == 0) & ~b.on_battery]
    assert len(sunlit_alone) > 50
    np.testing.assert_allclose(sunlit_alone["inference"], e2el, rtol=1e-9)
    # on battery the accelerator is power-capped: slower, never faster
    assert (b.loc[b.on_battery, "inference"] >= e2el).all()


def test_isl_term_hand_calculation():
    """A request whose contact satellite has no accelerator crosses ISLs: hops x (L/c + bits/R)."""
    sc = replace(PRESETS["three-body-12"], shells=(replace(PRESETS["three-body-12"].shells[0],
                                                           compute_fraction=0.5),))
    r = response_times(sc, requests=400, seed=3)
    b = r.breakdown
    moved = b[b.hops_up > 0]
    assert len(moved) > 0
    a = R_EARTH + sc.shells[0].alt
    hop = 2 * a * math.sin(math.pi / 12)
    up_bits = 8 * (sc.prompt_tokens * sc.bytes_per_token + sc.request_overhead_bytes)
    np.testing.assert_allclose(moved["isl_to_compute"],
                               moved["hops_up"] * (hop / C_LIGHT + up_bits / sc.isl_bps))
    # every other satellite computes: the nearest computer is one hop away
    assert (moved["hops_up"] == 1).all()


# ------------------------------------------------------------------ expected behaviour
def test_three_body_in_view_answers_within_two_minutes(tb12):
    """Reported: prompt up, inference on orbit, answer down in under 2 minutes."""
    b = tb12.breakdown
    in_view = b[b.wait_for_contact == 0]
    assert len(in_view) > 100
    assert in_view["total"].median() < 120.0
    assert (in_view["total"] < 120.0).mean() > 0.9


def test_three_body_day_average_is_mostly_waiting(tb12):
    t = tb12.table
    waiting = t.loc["wait_for_contact", "mean"] + t.loc["wait_for_downlink", "mean"]
    assert waiting / t.loc["total", "mean"] > 0.5
    assert tb12.summary["dominant"] == "wait_for_contact"


def test_median_falls_with_size_and_flattens():
    df = sweep("three-body-12", [12, 48, 300, 1400, 2800], requests=600, seed=2, progress=False)
    p50 = df["p50"].to_numpy()
    assert p50[0] > p50[-1]
    assert np.all(np.diff(p50) <= 0.05 * p50[:-1] + 1e-9)  # non-increasing (5 % sampling noise)
    assert abs(p50[-1] - p50[-2]) / p50[-1] < 0.1  # flat at the large end
    assert df.loc[2800, "dominant"] in ("inference", "queueing", "uplink", "downlink")
    assert df.loc[12, "mean"] > 10 * df.loc[2800, "mean"]


def test_star_compute_preset_is_always_in_view():
    r = response_times("star-compute-2800", requests=500)
    assert r.summary["n_satellites"] == 2800
    assert r.summary["in_view_share"] > 0.95
    assert r.summary["p50"] < 60


# ------------------------------------------------------------------ monotonic properties
@settings(max_examples=8, deadline=None)
@given(st.sets(st.integers(0, 4), min_size=1, max_size=4))
def test_more_stations_never_wait_longer(subset):
    """Adding stations can only bring the next contact earlier (same arrival times)."""
    base = PRESETS["three-body-12"]
    full = mission._stations("china")
    t = np.linspace(0, 86000, 300)
    few = response_times(replace(base, network=tuple(full[i] for i in sorted(subset))),
                         arrival_times=t).breakdown
    many = response_times(replace(base, network=full), arrival_times=t).breakdown
    assert (many["wait_for_contact"].to_numpy() <= few["wait_for_contact"].to_numpy() + 1e-6).all()


def test_direct_user_access_never_waits_longer():
    """A user terminal that talks to the satellites directly is one more station."""
    base = replace(PRESETS["three-body-12"], network="single")
    t = np.linspace(0, 86000, 300)
    a = response_times(base, arrival_times=t).breakdown
    b = response_times(replace(base, direct_user_access=True, user=(30.6, 104.1)),
                       arrival_times=t).breakdown
    assert (b["wait_for_contact"].to_numpy() <= a["wait_for_contact"].to_numpy() + 1e-6).all()
    assert b["wait_for_contact"].mean() < a["wait_for_contact"].mean()


def test_more_satellites_never_wait_longer():
    """A superset constellation (extra shell) never waits longer for the first contact."""
    base = PRESETS["three-body-12"]
    extra = replace(base, shells=(*base.shells, Shell(total=24, planes=3, phasing=1, alt=600,
                                                      inc=53.0, name="extra")))
    t = np.linspace(0, 86000, 400)
    a = response_times(base, arrival_times=t).breakdown["wait_for_contact"].to_numpy()
    b = response_times(extra, arrival_times=t).breakdown["wait_for_contact"].to_numpy()
    assert (b <= a + 1e-6).all()
    assert b.mean() < a.mean()


@settings(max_examples=10, deadline=None)
@given(st.floats(1.5, 100.0))
def test_faster_isl_never_slower(factor):
    sc = replace(PRESETS["three-body-12"], shells=(replace(PRESETS["three-body-12"].shells[0],
                                                           compute_fraction=0.5),))
    t = np.linspace(0, 86000, 200)
    slow = response_times(sc, arrival_times=t).breakdown
    fast = response_times(replace(sc, isl_bps=sc.isl_bps * factor), arrival_times=t).breakdown
    for col in ("isl_to_compute", "isl_back"):
        assert (fast[col].to_numpy() <= slow[col].to_numpy() + 1e-12).all()


def test_faster_accelerator_never_slower_inference():
    t = np.linspace(0, 86000, 200)
    a = response_times("three-body-12", arrival_times=t).breakdown
    b = response_times(configure("three-body-12", hardware="h100")[0], arrival_times=t).breakdown
    assert (b["inference"] <= a["inference"]).all()


# ------------------------------------------------------------------ presets, rescaling, errors
def test_every_preset_number_has_a_source():
    for name, sc in PRESETS.items():
        src = dict(sc.sources)
        for key in ("shells", "hardware", "model_params", "bytes_per_param", "isl_bps",
                    "prompt_tokens", "output_tokens", "uplink", "downlink", "network",
                    "requests_per_day", "max_batch", "battery_wh"):
            assert src.get(key), f"{name}: no source for {key}"
        assert sc.description


def test_preset_facts():
    tb = PRESETS["three-body-12"]
    assert tb.n_satellites == 12 and tb.shells[0].planes == 1
    assert 500 <= tb.shells[0].alt <= 600 and tb.profile.peak_tops == 744
    assert tb.isl_bps == 100e9
    assert PRESETS["star-compute-2800"].n_satellites == 2800
    sun = PRESETS["suncatcher-81"]
    assert sun.n_satellites == 81 and sun.shells[0].alt == 650 and sun.profile.name == "tpu-v6e"
    assert sun.shells[0].ltan == 18.0  # dawn-dusk
    assert PRESETS["starcloud-1"].n_satellites == 1 and PRESETS["starcloud-1"].profile.name == "h100"


def test_configure_picks_a_valid_plane_count_and_says_so():
    sc, notes = configure("three-body-12", n_satellites=100, planes=7)
    p = sc.shells[0].planes
    assert 100 % p == 0 and p in (5, 10)
    assert notes and "7 planes" in notes[0]
    sc, notes = configure("star-compute-2800", n_satellites=1400)
    assert sc.n_satellites == 1400 and not notes


def _auto_target(n: int) -> float:
    """The sqrt-size plane target for the Three-Body shell (1 plane at 12), clamped to >= 1."""
    return max(1.0, math.sqrt(n / 12))


@pytest.mark.parametrize("n", [*range(700, 901), 101, 211, 409, 839, 997, 1009, 1999, 2797, 2799])
def test_auto_planes_near_the_sqrt_target_with_a_note_when_the_total_moves(n):
    sc, notes = configure("three-body-12", n_satellites=n)
    (shell,) = sc.shells
    total, p = shell.total, shell.planes
    assert total % p == 0 and total // p >= 8
    target = _auto_target(total)
    assert target / 2 <= p <= 2 * target, (n, total, p, target)
    if total == n:
        assert not notes
    else:  # moved to the nearest total with a sensible Walker split, and it says so
        assert abs(total - n) <= 3
        assert len(notes) == 1
        assert f"{n} satellites cannot form an even Walker shell" in notes[0]
        assert f"using {total} = {p} \u00d7 {total // p}" in notes[0]


def test_auto_planes_examples_from_qa():
    sc, notes = configure("three-body-12", n_satellites=839)
    assert (sc.n_satellites, sc.shells[0].planes) == (840, 8)
    assert "using 840 = 8 \u00d7 105" in notes[0]
    # explicit planes keep their behaviour: the total stays, nearest divisor + note
    sc, notes = configure("three-body-12", n_satellites=839, planes=8)
    assert (sc.n_satellites, sc.shells[0].planes) == (839, 1)
    assert "8 planes do not divide 839" in notes[0]
    # two shells: each shell is adjusted on its own
    sc, notes = configure("star-compute-2800", n_satellites=1399)
    preset = {sh.name: sh for sh in PRESETS["star-compute-2800"].shells}
    for sh in sc.shells:
        t = preset[sh.name].planes * math.sqrt(sh.total / preset[sh.name].total)
        assert sh.total % sh.planes == 0 and t / 2 <= sh.planes <= 2 * t


def test_median_does_not_jump_back_to_hours_for_primes():
    """QA: 839 satellites used to become one plane (p90 ~4.4 h, 55 % in view)."""
    primes = [101, 211, 409, 839, 997, 1009, 2797]
    df = sweep("three-body-12", [100, *primes, 2800], requests=300, seed=0, progress=False)
    assert (df.in_view_share.loc[primes] == 1.0).all()
    ref = df.loc[[100, 2800], "p90"].max()
    assert (df.p90.loc[primes] < 2 * ref).all() and (df.p90.loc[primes] < 60).all()
    assert (df.p50.loc[primes] < 30).all()
    assert list(df.n_used.loc[[839, 2797]]) == [840, 2796]


def test_bad_input_errors():
    with pytest.raises(ValueError, match="n_satellites"):
        response_times("three-body-12", n_satellites=0)
    with pytest.raises(ValueError, match="preset"):
        response_times("no-such-constellation")
    with pytest.raises(ValueError, match="requests"):
        response_times("three-body-12", requests=-5)
    with pytest.raises(ValueError, match="model_params"):
        configure("three-body-12", model_params=-8e9)
    with pytest.raises(ValueError, match="alt"):
        Shell(total=12, alt=-100)
    with pytest.raises(ValueError, match="total"):
        Shell(total=0)
    with pytest.raises(ValueError, match="planes must divide"):
        Shell(total=12, planes=5)
    with pytest.raises(ValueError, match="shells"):
        Scenario(name="empty", shells=())
    with pytest.raises(ValueError, match="network"):
        configure("three-body-12", network="atlantis")
    with pytest.raises(ValueError, match="n_satellites"):
        sweep("three-body-12", [12, -3], progress=False)


def test_deterministic_with_seed():
    a = response_times("suncatcher-81", requests=300, seed=5).breakdown
    b = response_times("suncatcher-81", requests=300, seed=5).breakdown
    np.testing.assert_array_equal(a["total"], b["total"])


def test_single_satellite_without_isl_waits_for_its_own_pass():
    r = response_times("starcloud-1", requests=300)
    b = r.breakdown
    assert (b["contact_sat"] == 0).all() and (b["isl_to_compute"] == 0).all()
    assert r.summary["dominant"] == "wait_for_contact"


# ------------------------------------------------------------------ CLI
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_respond_json():
    out = _cli("respond", "--preset", "three-body-12", "--satellites", "48", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n_satellites"] == 48
    assert set(data["terms_s"]) == {*TERMS, "total"}
    assert data["summary_s"]["p50"] > 0


def test_cli_sweep_and_errors():
    out = _cli("sweep", "--preset", "star-compute-2800", "--sizes", "12", "300", "--requests",
               "200", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["rows"]
    assert [r["n_satellites"] for r in rows] == [12, 300]
    bad = _cli("respond", "--preset", "nope")
    assert bad.returncode != 0 and "invalid choice" in bad.stderr
    bad = _cli("respond", "--preset", "three-body-12", "--satellites", "0")
    assert bad.returncode != 0 and ">= 1" in bad.stderr


# ------------------------------------------------------------------ live inference (real vLLM)
@pytest.mark.vllm
def test_live_inference_through_the_link_emulator():
    """live=True measures the inference term of the first requests with the real vLLM server."""
    sim = response_times("three-body-12", requests=20, seed=4)
    live = response_times("three-body-12", requests=20, seed=4, live=True, live_requests=2)
    assert any("measured live" in n for n in live.notes)
    measured = live.breakdown["inference"].to_numpy()
    predicted = sim.breakdown["inference"].to_numpy()
    assert np.all(measured[:2] > 0) and not np.allclose(measured[:2], predicted[:2])
    np.testing.assert_allclose(measured[2:], predicted[2:])  # the others stay the roofline
    np.testing.assert_allclose(live.breakdown[list(TERMS)].sum(axis=1), live.breakdown["total"])


def test_next_contact_rows_equal_one_dimensional_calls():
    rng = np.random.default_rng(0)
    margins = rng.normal(size=(4, 50)) - 0.8
    t = rng.uniform(0, 500, 30)
    rows = rng.integers(0, 4, 30)
    tc, j = next_contact(margins, t, 10.0, rows=rows)
    for i in range(30):
        tc1, j1 = next_contact(margins[rows[i]], t[i:i + 1], 10.0)
        assert tc[i] == tc1[0] and j[i] == j1[0]
