"""One design point at scale (issue 14, part B): the chunked, compact geometry gives the same
results as the whole fleet at once, the load is separate from the reported sample, the laser
links are usable per kind, the geometry cache is bounded in bytes, and ``configure`` builds
multi-shell fleets (Starlink Gen1)."""

from __future__ import annotations

import contextlib
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from lab.mission import (
    FLEETS,
    clear_geometry_cache,
    configure,
    geometry,
    geometry_cache_info,
    response_times,
    set_geometry_cache_limit,
)
from lab.mission import grid as grid_module
from lab.mission.grid import build_geometry
from lab.mission.scenario import Shell
from lab.orbits import in_shadow


# ------------------------------------------------------------------ chunked == unchunked
@pytest.fixture(scope="module")
def mixed():
    """A mid-size multi-shell fleet (the five Starlink Gen1 shells scaled to ~1,000
    satellites, sun-synchronous shells included) over the global network, at dt 120 s."""
    sc, _ = configure("three-body-12", shells="starlink-gen1", n_satellites=1000,
                      network="global")
    return sc


def _assert_same_geometry(a, b) -> None:
    """Every array of two geometries equal, to the last bit."""
    for f in fields(a):
        va, vb = getattr(a, f.name), getattr(b, f.name)
        if isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb, err_msg=f.name)
    for name in ("key", "margin", "station"):
        np.testing.assert_array_equal(getattr(a.visibility, name), getattr(b.visibility, name),
                                      err_msg=name)
    np.testing.assert_array_equal(a.shadow.start, b.shadow.start)
    np.testing.assert_array_equal(a.shadow.stop, b.shadow.stop)
    for sa, sb in zip(a.shells, b.shells, strict=True):
        for f in fields(sa):
            va, vb = getattr(sa, f.name), getattr(sb, f.name)
            if isinstance(va, np.ndarray):
                np.testing.assert_array_equal(va, vb, err_msg=f"{sa.name}.{f.name}")
            else:
                assert va == vb, (sa.name, f.name)


def test_chunked_geometry_is_bitwise_the_whole_fleet_at_once(mixed):
    """Chunks of 37 satellites (odd, not dividing any shell) against the whole fleet in one
    chunk: every kept array identical to the last bit (not only to float rounding)."""
    whole = build_geometry(mixed, 120.0, chunk_satellites=10**6)
    chunked = build_geometry(mixed, 120.0, chunk_satellites=37)
    assert len(whole.shells) == 5 and whole.n_satellites == mixed.n_satellites
    _assert_same_geometry(whole, chunked)


def test_compact_geometry_is_the_dense_arrays(mixed):
    """The compact visibility and shadow runs reproduce, bit for bit, the dense (S, E) arrays
    computed from all positions at once (the pre-chunking algorithm)."""
    g = build_geometry(mixed, 120.0)
    c = g.constellation
    r = c.positions(g.t, model="j2", frame="itrs", max_memory_gb=math.inf)  # (S, E, 3)
    margin, station = grid_module._view_margin(r, g.stations)
    np.testing.assert_array_equal(g.margin, margin)
    in_view = margin >= 0  # where the station matters
    np.testing.assert_array_equal(g.station[in_view], station[in_view])
    sunlit = in_shadow(r, grid_module._sun_itrs(mixed.epoch, 120.0), model="cylindrical") == 0
    np.testing.assert_array_equal(g.sunlit, sunlit)
    # the time since entering the shadow, as the dense float32 cumulative count had it
    e = np.arange(g.t.size)
    run = np.zeros(sunlit.shape, dtype=np.int64)
    for j in e:  # a reference loop over epochs (test only)
        run[:, j] = np.where(sunlit[:, j], 0, (run[:, j - 1] if j else 0) + 1)
    np.testing.assert_array_equal(g.since_eclipse, run.astype(np.float32) * np.float32(120.0))


def test_response_times_do_not_depend_on_chunks_threads_or_blas(monkeypatch):
    """The model's breakdown is identical (bitwise) with the default chunks, small chunks,
    two propagation threads and NumPy's own BLAS threading."""
    sc, _ = configure("three-body-12", shells="starlink-gen1", n_satellites=700)

    def run():
        clear_geometry_cache()
        return response_times(sc, requests=600, seed=4, dt=120.0).breakdown

    reference = run()
    monkeypatch.setattr(grid_module, "CHUNK_SAMPLES", 23 * 720)
    pd.testing.assert_frame_equal(run(), reference, check_exact=True)
    pool = ThreadPoolExecutor(2)
    monkeypatch.setattr(grid_module, "_pool", lambda: pool)
    pd.testing.assert_frame_equal(run(), reference, check_exact=True)
    monkeypatch.setattr(grid_module, "_pool", lambda: None)
    pool.shutdown()
    monkeypatch.setattr(grid_module, "one_blas_thread", contextlib.nullcontext)
    pd.testing.assert_frame_equal(run(), reference, check_exact=True)
    clear_geometry_cache()


# ------------------------------------------------------------------ load and sample
def test_queueing_depends_on_the_load_not_on_the_sample_size():
    """Regression: ``requests`` set both the sample and the load (queueing mean 18 s at
    2,000/day, 188 s at 20,000/day). Now the reported sample is a subset of the same
    simulated day, and only ``load`` moves the queues."""
    day = response_times("three-body-12", seed=5)
    assert day.summary["load_per_day"] == 2000 and day.summary["n_requests"] == 2000
    few = response_times("three-body-12", requests=300, seed=5)
    assert few.summary["n_simulated"] == 2000 and few.summary["n_requests"] == 300
    # the 300 reported rows are rows of the full day, unchanged
    full = day.breakdown
    merged = few.breakdown.merge(full, on=list(full.columns), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    q_day, q_few = full["queueing"].mean(), few.breakdown["queueing"].mean()
    busy = response_times("three-body-12", requests=300, load=20000, seed=5)
    q_busy = busy.breakdown["queueing"].mean()
    assert busy.summary["load_per_day"] == 20000 and busy.summary["n_requests"] == 300
    assert q_busy > 5 * max(q_day, q_few), (q_day, q_few, q_busy)
    assert abs(q_few - q_day) < 0.5 * q_busy


def test_more_requests_than_a_days_load_simulate_several_days():
    r = response_times("three-body-12", requests=4500, load=2000, seed=1)
    assert r.summary["n_simulated"] == 6000 and r.summary["n_requests"] == 4500
    assert r.breakdown["arrival"].max() > 2 * 86400


def test_load_must_be_a_positive_count():
    with pytest.raises(ValueError, match="load"):
        response_times("three-body-12", load=0)


# ------------------------------------------------------------------ laser links per kind
def test_two_plane_shell_uses_its_in_plane_ring():
    """Regression: a shell's whole +Grid was unusable when either kind of link was up less than
    90 % of the time, so a 24-satellite 2-plane shell had no laser links at all, even its
    in-plane rings (always in range). Now it routes around its rings."""
    sc, _ = configure("three-body-12", n_satellites=24, planes=2)
    g = geometry(sc)
    (shell,) = g.shells
    assert (shell.planes, shell.slots) == (2, 12)
    assert shell.in_plane_ok and not shell.cross_plane_ok and shell.routing == "in-plane"
    b = response_times(sc, seed=1).breakdown
    back = b["hops_back"] > 0  # answers sent over the ring to a satellite in view
    assert back.mean() > 0.3 and (b.loc[back, "isl_back"] > 0).all()
    np.testing.assert_array_equal(g.plane[b.loc[back, "compute_sat"]],
                                  g.plane[b.loc[back, "downlink_sat"]])
    # with a quarter of the shell computing, prompts go over the ring too, within the plane
    sc, _ = configure(sc, shells=[{"total": 24, "planes": 2, "alt": 535.0, "inc": None,
                                   "ltan": 22.5, "compute_fraction": 0.25}])
    g = geometry(sc)
    b = response_times(sc, seed=1).breakdown
    up = b["hops_up"] > 0
    assert up.mean() > 0.5
    np.testing.assert_array_equal(g.plane[b.loc[up, "contact_sat"]],
                                  g.plane[b.loc[up, "compute_sat"]])


def test_routes_follow_the_usable_kinds():
    """route(): the grid, the ring of the plane, or nothing; hop counts by hand."""
    sc, _ = configure("three-body-12", n_satellites=24, planes=2)
    g = geometry(sc)
    dk, dp, reach = grid_module.route(g, np.array([0, 0, 0]), np.array([5, 11, 12]))
    np.testing.assert_array_equal(reach, [True, True, False])  # 12 is in the other plane
    np.testing.assert_array_equal(dk, [5, 1, 0])  # around the ring of 12: 5 and 1 hops
    np.testing.assert_array_equal(dp, [0, 0, 0])


# ------------------------------------------------------------------ the cache in bytes
def test_geometry_cache_is_bounded_in_bytes():
    """The least recently used geometries go first when the byte budget is exceeded; a
    geometry larger than the budget is returned, not kept."""
    clear_geometry_cache()
    try:
        sizes = {}
        for n in (30, 60, 90):
            sc, _ = configure("three-body-12", n_satellites=n)
            sizes[n] = geometry(sc, 300.0).nbytes
        info = geometry_cache_info()
        assert info["entries"] == 3 and info["bytes"] == sum(sizes.values())
        set_geometry_cache_limit((sizes[60] + sizes[90]) / 1e9)
        assert geometry_cache_info()["entries"] == 2  # the oldest (30) evicted
        sc30, _ = configure("three-body-12", n_satellites=30)
        geometry(sc30, 300.0)  # back: now 60 is the least recently used
        sc90, _ = configure("three-body-12", n_satellites=90)
        a = geometry(sc90, 300.0)
        assert geometry(sc90, 300.0) is a  # still cached
        info = geometry_cache_info()
        assert info["bytes"] <= info["limit_bytes"]
        set_geometry_cache_limit(0)
        assert geometry_cache_info()["entries"] == 0
        assert geometry(sc90, 300.0).n_satellites == 90 and geometry_cache_info()["entries"] == 0
        with pytest.raises(ValueError, match="gb"):
            set_geometry_cache_limit(-1)
    finally:
        set_geometry_cache_limit(None)
        clear_geometry_cache()


def test_geometry_cache_limit_from_the_environment(monkeypatch):
    monkeypatch.setenv("LAB_GEOMETRY_CACHE_GB", "0.25")
    assert geometry_cache_info()["limit_bytes"] == pytest.approx(0.25e9)
    monkeypatch.delenv("LAB_GEOMETRY_CACHE_GB")
    assert geometry_cache_info()["limit_bytes"] == pytest.approx(grid_module.DEFAULT_CACHE_GB
                                                                 * 1e9)


# ------------------------------------------------------------------ multi-shell fleets
def test_starlink_gen1_fleet_is_the_fcc_authorization():
    """FCC 21-48 (27 Apr 2021): 4,408 satellites, 1,584 at 550 km / 53 deg, 1,584 at 540 km /
    53.2 deg, 720 at 570 km / 70 deg, 348 + 172 at 560 km / 97.6 deg."""
    sc, notes = configure("three-body-12", shells="starlink-gen1")
    assert sc.n_satellites == 4408 and not notes
    got = [(s.total, s.alt, s.inc) for s in sc.shells]
    assert got == [(1584, 550.0, 53.0), (1584, 540.0, 53.2), (720, 570.0, 70.0),
                   (348, 560.0, 97.6), (172, 560.0, 97.6)]
    assert [s.planes for s in FLEETS["starlink-gen1"]] == [72, 72, 36, 6, 4]


def test_starlink_like_fleet_scales_to_30000_in_proportion():
    sc, notes = configure("three-body-12", shells="starlink-gen1", n_satellites=30_000)
    assert abs(sc.n_satellites - 30_000) <= 5
    share = np.array([s.total for s in sc.shells]) / sc.n_satellites
    np.testing.assert_allclose(share, np.array([1584, 1584, 720, 348, 172]) / 4408, atol=2e-3)
    for s in sc.shells:
        assert s.total % s.planes == 0
    assert all("cannot form an even Walker shell" in n for n in notes)


def test_configure_takes_shells_as_tuples_and_mappings():
    sc, _ = configure("three-body-12", shells=[(60, 6, 550, 53), {"total": 40, "planes": 4,
                                                                  "alt": 600.0, "inc": 97.0}])
    assert [(s.total, s.planes, s.alt, s.inc) for s in sc.shells] == [(60, 6, 550, 53),
                                                                        (40, 4, 600.0, 97.0)]
    g = geometry(sc, 300.0)
    assert [(s.start, s.stop) for s in g.shells] == [(0, 60), (60, 100)]
    assert response_times(sc, requests=100, dt=300.0).summary["answered"] > 0


@pytest.mark.parametrize("shells, error, match", [
    ("starlink-gen2", ValueError, "starlink-gen1"),
    ([], TypeError, "non-empty sequence"),
    (Shell(60, 6, 1, alt=550, inc=53), TypeError, "fleet name"),
    ([(60, 6, 550, 53, 1, 2)], TypeError, r"shells\[0\]"),
    ([(60, 0, 550, 53)], ValueError, "planes"),
])
def test_configure_rejects_bad_shells(shells, error, match):
    with pytest.raises(error, match=match):
        configure("three-body-12", shells=shells)

