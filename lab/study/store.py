"""The results of a study, in memory and (optionally) in a Zarr store written as points finish.

Layout: the store *is* the result Dataset (``xarray.open_zarr(store)`` reads it, Zarr format 2):
one float64 variable per metric over the study's dimensions, the parameters as coordinates,
the fixed values as attributes, and two bookkeeping variables: ``finished_at`` (Unix time in s
when the point was stored; NaN = not computed yet) and ``point_seconds`` (wall time of the
point's computation). The attribute ``lab_study`` holds the study's identity
(:meth:`lab.study.space.Space.identity`, JSON).

Resume: opening an existing store checks that its identity is the study's (else a
``ValueError`` saying what differs) and reads the points already finished; only the others are
computed. Crash safety: the client keeps every result in memory and, after each batch of
finished points, rewrites the chunks that hold them, the metrics first and ``finished_at``
last; Zarr's local store writes every chunk to a temporary file and renames it into place, so
a killed study leaves each chunk either old or new and loses at most the points not yet
written (those in flight). A point whose metrics were written but not its ``finished_at`` is
simply computed again. Chunks hold at most :data:`CHUNK_POINTS` points, so a write costs about
1 ms per variable whatever the size of the study. One study writes to a store at a time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lab.study.metrics import METRICS
from lab.study.parameters import PARAMETERS
from lab.study.space import POINT_DIM, Space

__all__ = ["BOOKKEEPING", "CHUNK_POINTS", "Results"]

CHUNK_POINTS = 4096  # at most this many points per Zarr chunk
BOOKKEEPING = ("point_seconds", "finished_at")  # written after the metrics, finished_at last
_BOOK_ATTRS = {
    "point_seconds": {"units": "s", "long_name": "wall time of the point's computation"},
    "finished_at": {"units": "s", "long_name": "Unix time when the point was stored "
                    "(NaN: not computed yet)"},
}


def _chunks(shape: tuple[int, ...], limit: int = CHUNK_POINTS) -> tuple[int, ...]:
    """Chunk shape of at most ``limit`` points: whole trailing dimensions, then a slab."""
    chunks, room = [1] * len(shape), limit
    for i in reversed(range(len(shape))):
        chunks[i] = max(1, min(shape[i], room))
        room //= max(shape[i], 1)
        if room < 1:
            break
    return tuple(chunks)


def _template(space: Space, metrics: Sequence[str], identity: dict[str, Any]) -> xr.Dataset:
    """The empty result Dataset (every value NaN) with coordinates and attributes."""
    shape = space.shape
    data = {m: (space.dims, np.full(shape, np.nan),
                {"units": METRICS[m].unit, "long_name": METRICS[m].doc}) for m in metrics}
    data.update({b: (space.dims, np.full(shape, np.nan), _BOOK_ATTRS[b]) for b in BOOKKEEPING})
    if space.kind == "table":
        coords = {POINT_DIM: np.arange(space.size)}
        coords.update({k: (POINT_DIM, v) for k, v in space.coords.items()})
    else:
        coords = dict(space.coords)
    ds = xr.Dataset(data, coords=coords)
    for name in space.coords:
        p = PARAMETERS[name]
        ds[name].attrs.update({"units": p.unit_label, "long_name": p.doc})
    ds.attrs.update(space.fixed)
    ds.attrs["lab_study"] = json.dumps(identity)
    ds.attrs["description"] = space.describe()
    return ds


def _differences(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between two study identities, in words."""
    out = [k for k in ("kind", "dims", "fixed", "metrics") if old.get(k) != new.get(k)]
    oc, nc = old.get("coords", {}), new.get("coords", {})
    out += [f"values of {k!r}" for k in sorted(set(oc) | set(nc)) if oc.get(k) != nc.get(k)]
    return ", ".join(out) or "format"


class Results:
    """The values of every metric at every point, in memory, mirrored to a Zarr store if one is
    given (:meth:`open`, then :meth:`create_store`); :meth:`record` adds a batch of finished
    points."""

    def __init__(self, space: Space, metrics: Sequence[str], path: Path | None = None) -> None:
        self.space, self.metrics, self.path = space, tuple(metrics), path
        self.identity = space.identity(self.metrics)
        self.ds = _template(space, self.metrics, self.identity)
        self._arrays: dict[str, Any] = {}
        self._created = True  # a resumed store exists; open() marks a new one

    @classmethod
    def open(cls, space: Space, metrics: Sequence[str], store: str | os.PathLike | None
             ) -> Results:
        """Results of the study, resumed from ``store`` when it holds this study, written to a
        new store when ``store`` does not exist yet (or is an empty directory), in memory only
        when ``store`` is None."""
        if store is None:
            return cls(space, metrics)
        out = cls(space, metrics, Path(store))
        if out._is_new():
            out._created = False
        else:
            out._resume()
        return out

    def create_store(self) -> None:
        """Write the empty study to a new store (once the scheduler is connected)."""
        if self.path is not None and not self._created:
            self.ds.to_zarr(self.path, mode="w-", zarr_format=2, consolidated=True,
                            encoding={v: {"chunks": _chunks(self.space.shape)}
                                      for v in self.ds.data_vars})
            self._created = True

    def _is_new(self) -> bool:
        p = self.path
        if not p.exists() or (p.is_dir() and not any(p.iterdir())):
            return True
        if not (p / ".zgroup").exists():
            raise ValueError(f"store {str(p)!r} exists and is not a Zarr store of a lab.study "
                             "study: give a new directory (or delete that one)")
        return False

    def _resume(self) -> None:
        with xr.open_zarr(self.path, consolidated=True) as old:
            raw = old.attrs.get("lab_study")
            if raw is None:
                raise ValueError(f"store {str(self.path)!r} is a Zarr store but not one of a "
                                 "lab.study study (no 'lab_study' attribute)")
            stored = json.loads(raw)
            if stored != self.identity:
                what = _differences(stored, self.identity)
                raise ValueError(
                    f"store {str(self.path)!r} holds a different study ({what} differ): run "
                    "this study into another store, or delete that one to start again")
            for name in (*self.metrics, *BOOKKEEPING):
                self.ds[name].values[...] = old[name].values

    @property
    def done(self) -> np.ndarray:
        """Flat bool array: the points already finished."""
        return np.isfinite(self.ds["finished_at"].values).ravel()

    def missing(self) -> np.ndarray:
        """Flat indices (C order) of the points not finished yet."""
        return np.flatnonzero(~self.done)

    def record(self, batch: Iterable[tuple[int, Sequence[float], float]]) -> None:
        """Store finished points ``(flat index, metric values, seconds)`` and write their
        chunks to the store (metrics first, ``finished_at`` last)."""
        shape, now, touched = self.space.shape, time.time(), set()
        chunks = _chunks(shape)
        for flat, values, seconds in batch:
            idx = np.unravel_index(flat, shape) if shape else ()
            for m, v in zip(self.metrics, values, strict=True):
                self.ds[m].values[idx] = v
            self.ds["point_seconds"].values[idx] = seconds
            self.ds["finished_at"].values[idx] = now
            touched.add(tuple(int(i) // c for i, c in zip(idx, chunks, strict=True)))
        if self.path is not None:
            self._write(touched, chunks)

    def _write(self, touched: set[tuple[int, ...]], chunks: tuple[int, ...]) -> None:
        if not self._arrays:
            import zarr

            group = zarr.open_group(self.path, mode="r+", zarr_format=2)
            self._arrays = {name: group[name] for name in (*self.metrics, *BOOKKEEPING)}
        for chunk in sorted(touched):
            where = tuple(slice(i * c, (i + 1) * c) for i, c in zip(chunk, chunks, strict=True))
            for name, array in self._arrays.items():  # insertion order: finished_at last
                array[where] = self.ds[name].values[where]

    def dataset(self) -> xr.Dataset:
        """The results as an xarray Dataset (a copy; NaN where a point is missing)."""
        return self.ds.copy(deep=True)

