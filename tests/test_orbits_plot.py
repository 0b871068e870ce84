"""lab.orbits.plots: the notebook figures build from real data (offline)."""

from __future__ import annotations

import numpy as np
import pytest

from lab.orbits import Constellation, in_shadow, plots, time_grid


@pytest.fixture(scope="module")
def shell():
    return Constellation.walker_delta(12, 3, 1, alt=550, inc=53)


def test_globe_figure(shell):
    pos = shell.positions(np.arange(0, 6000, 60.0))
    fig = plots.globe_figure(pos, groups=shell.plane, max_tracks=5)
    kinds = [t.type for t in fig.data]
    # 5 tracks + markers + coastlines + borders
    assert kinds.count("surface") == 1 and kinds.count("scatter3d") == 8
    assert [t.name for t in fig.data[1:3]] == ["coastlines", "borders"]
    assert len(fig.data[-1].x) == 12
    bare = plots.globe_figure(pos, max_tracks=5, coastlines=False)
    assert [t.type for t in bare.data].count("scatter3d") == 6


def test_globe_figure_single_plane_is_not_edge_on():
    ring = Constellation.walker_delta(12, 1, 0, alt=535, inc=97.5)
    pos = ring.positions(np.arange(0, 5760, 60.0))
    eye = plots.globe_figure(pos).layout.scene.camera.eye
    d = np.array([eye.x, eye.y, eye.z]) / np.linalg.norm([eye.x, eye.y, eye.z])
    normal = np.cross(pos[0, 0], pos[3, 0])
    normal /= np.linalg.norm(normal)
    # seen edge-on the eye would lie in the orbit plane (|cos| = 0); we want it 15° off the normal
    assert abs(d @ normal) == pytest.approx(np.cos(np.radians(15)), abs=0.02)
    custom = plots.globe_figure(pos, camera_eye={"x": 0, "y": 0, "z": 2}).layout.scene.camera.eye
    assert (custom.x, custom.y, custom.z) == (0, 0, 2)


def test_ground_track_figure_breaks_at_dateline(shell):
    t = time_grid(shell.epoch, duration=3 * 3600, step=60)
    lat, lon, _ = shell[[0, 5]].ground_track(t)
    fig = plots.ground_track_figure(lat, lon, stations={"Beijing": (39.9, 116.4)})
    assert [t.name for t in fig.data[:2]] == ["coastlines", "borders"]  # under the tracks
    for trace in (fig.data[0], fig.data[2]):  # the coastlines and the first track
        x = np.asarray(trace.x, dtype=float)
        # wrap points are split by NaN gaps: no segment jumps across the map
        assert np.isnan(x).any() and np.nanmax(np.abs(np.diff(x))) < 180
    geo = plots.ground_track_figure(lat, lon, basemap="geo")
    assert {t.type for t in geo.data} == {"scattergeo"}
    # plotly's own base layers would make the browser fetch topojson from a CDN: all off
    g = geo.layout.geo
    assert not any((g.showcoastlines, g.showcountries, g.showland, g.showocean, g.showlakes,
                    g.showrivers, g.showsubunits))
    with pytest.raises(ValueError, match="basemap must be one of"):
        plots.ground_track_figure(lat, lon, basemap="mercator")


def test_shadow_figure(shell):
    t = time_grid(shell.epoch, duration=6000, step=30)
    f = in_shadow(shell[:1].positions(t), t)[0]
    fig = plots.shadow_figure(np.arange(t.size) / 2, {"cylindrical": f})
    assert len(fig.data) == 1 and set(np.unique(fig.data[0].y)) <= {0.0, 1.0}


def test_earth_traces_sphere_and_graticule():
    from lab.constants import R_EARTH

    (sphere,) = plots.earth_traces()
    r = np.sqrt(sphere.x**2 + sphere.y**2 + sphere.z**2)
    np.testing.assert_allclose(r, R_EARTH, rtol=1e-12)
    assert sphere.x.shape == (37, 73) and sphere.hoverinfo == "skip"
    sphere, grid = plots.earth_traces(1000.0, color="white", resolution=19, graticule=30)
    assert sphere.x.shape == (19, 37) and sphere.colorscale[0][1] == sphere.colorscale[1][1]
    pts = np.column_stack([grid.x, grid.y, grid.z]).astype(float)
    pts = pts[np.isfinite(pts).all(axis=1)]
    np.testing.assert_allclose(np.linalg.norm(pts, axis=1), 1002.0, rtol=1e-12)  # just above
    lat = np.degrees(np.arcsin(pts[:, 2] / 1002.0))
    parallels = np.repeat([[-60.0], [-30.0], [0.0], [30.0], [60.0]], 121, axis=1)
    np.testing.assert_allclose(lat[: 121 * 5].reshape(5, 121), parallels, atol=1e-9)
