"""lab.orbits.plots: the notebook figures build from real data (offline)."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u

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


# ------------------------------------------------------------------ the Sun on the globes
def test_earth_traces_sun_terminator_and_night_side():
    """Issue 15: the globes show the Sun's direction and the day/night terminator."""
    from lab.orbits import DEFAULT_EPOCH, gcrs_to_itrs_matrix, sun_direction

    s_hat = np.array([1.0, 2.0, 2.0]) / 3.0
    sphere, term, arrow = plots.earth_traces(1000.0, sun=3 * s_hat)
    assert (term.name, arrow.name) == ("day/night terminator", "direction of the Sun")
    ring = np.column_stack([term.x, term.y, term.z]).astype(float)
    np.testing.assert_allclose(ring @ s_hat, 0.0, atol=1e-9)  # 90° from the Sun
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 1010.0, rtol=1e-12)
    tip = np.array([arrow.x[-1], arrow.y[-1], arrow.z[-1]], dtype=float)
    np.testing.assert_allclose(tip / np.linalg.norm(tip), s_hat, atol=1e-12)
    # the surface colour is the Sun's elevation: night below 0, on the dark end of the scale
    pts = np.stack([sphere.x, sphere.y, sphere.z], axis=-1) / 1000.0
    np.testing.assert_allclose(sphere.surfacecolor, pts @ s_hat, atol=1e-12)
    assert sphere.showlegend and sphere.colorscale[0][1] == sphere.colorscale[1][1]  # flat night
    # a Time: the GCRS Sun turned to the figure's frame (Earth-fixed without a rotation)
    t = DEFAULT_EPOCH
    M = gcrs_to_itrs_matrix(t)
    np.testing.assert_allclose(plots.sun_in_frame(t), M @ sun_direction(t), atol=1e-12)
    np.testing.assert_allclose(plots.sun_in_frame(t, rotation=M.T), sun_direction(t), atol=1e-12)
    with pytest.raises(ValueError, match="sun must be an astropy Time or a non-zero 3-vector"):
        plots.earth_traces(sun=[0, 0, 0])


def test_globe_figure_states_its_frame_and_draws_the_sun(shell):
    from lab.orbits import DEFAULT_EPOCH

    pos = shell.positions(time_grid(DEFAULT_EPOCH, duration=600, step=60))
    inertial = plots.globe_figure(pos, groups=shell.plane, epoch=DEFAULT_EPOCH, title="x")
    names = [t.name for t in inertial.data]
    assert "day/night terminator" in names and "direction of the Sun" in names
    assert "inertial frame (GCRS)" in inertial.layout.title.text
    assert inertial.layout.showlegend and inertial.data[-1].marker.colorbar.title.text == "plane"
    assert all(t.showlegend for t in inertial.data if t.name in ("coastlines", "borders"))
    assert not any(t.showlegend for t in plots.earth_traces(coastlines=True)[1:])  # default
    fixed = plots.globe_figure(pos)
    assert "Earth-fixed frame (ITRS)" in fixed.layout.title.text
    assert "day/night terminator" not in [t.name for t in fixed.data]  # no time, no Sun


def test_shadow_figure_zooms_on_the_penumbra(shell):
    t = time_grid(shell.epoch, duration=6000, step=30)
    f = in_shadow(shell[:1].positions(t), t, model="conical")[0]
    edge = t[int(np.argmax(f > 0))]
    fine = edge + np.arange(-60.0, 60.0, 0.5) * u.s
    zoom = in_shadow(shell[:1].positions(fine), fine, model="conical")[0]
    fig = plots.shadow_figure(np.arange(t.size) / 2, {"conical": f},
                              zoom=(np.arange(-60.0, 60.0, 0.5), {"conical": zoom}))
    assert len(fig.data) == 2 and fig.data[1].xaxis == "x2"
    assert ((zoom > 0) & (zoom < 1)).sum() > 5  # the penumbra, resolved
    assert fig.layout.xaxis2.title.text == "seconds around the shadow edge"
