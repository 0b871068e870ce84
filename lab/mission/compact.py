"""Compact storage of the time-grid geometry: what a satellite sees, and when it is in shadow.

The geometry of S satellites on E epochs of a day would be (S, E) arrays: at 100,000
satellites x 1,440 epochs that is 144 million samples, 1.6 GB at the 11 bytes a sample the
dense margin, station, sunlight and time-since-eclipse arrays took. Two facts make it small,
with nothing lost (every dense value is reproduced bit for bit):

- **visibility is sparse.** A satellite is near a station's horizon a few per cent of the day.
  :class:`Visibility` keeps only the samples whose elevation margin was computed (above a
  station's horizon plane, and their neighbours in time, :func:`lab.mission.grid`): a sorted
  flat key ``s * E + e`` (int32 while ``S * E < 2**31``), the margin (float32 deg) and the
  best station (int16). Every other sample is "far below every horizon": margin :data:`FAR`,
  station 0, exactly what the dense arrays held there. The runs of samples in view of the same
  station (the contacts) are derived once from the kept samples;
- **shadow comes in runs.** A LEO satellite enters the Earth's shadow ~15 times a day.
  :class:`Runs` keeps each run of samples ``[start, stop)`` as flat keys (a run never crosses
  from one satellite to the next): sunlight, the time since the satellite entered the shadow
  (``(e - start + 1) * dt``, as the dense float32 array had it), and the samples in which the
  battery is empty (the shadow runs shortened by the battery's reach, :meth:`Runs.after`) all
  follow from it.

Lookups at (satellite, epoch) pairs are binary searches over the kept keys; dense rows for a
few satellites are built on demand (:meth:`Visibility.rows`, :meth:`Runs.rows`). Both are
filled chunk by chunk of satellites (:meth:`Visibility.entries`, :meth:`Runs.entries`), so the
dense (S, E) arrays never exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FAR", "Runs", "Visibility"]

FAR = np.float32(-180.0)  #: margin (deg) of samples far below every station's horizon
#: Samples of the dense rows built at once (Runs.packed_rows): bounds their temporaries.
_ROW_CHUNK_SAMPLES = 1 << 22


def _key_dtype(n_satellites: int, n_epochs: int) -> type:
    """int32 flat keys while they fit, else int64."""
    return np.int32 if n_satellites * n_epochs < 2**31 - 1 else np.int64


def _flat(sat: np.ndarray, e: np.ndarray, n_epochs: int) -> np.ndarray:
    """Flat keys ``sat * E + e`` (int64) of (satellite, epoch) pairs; broadcasts."""
    return np.asarray(sat, dtype=np.int64) * n_epochs + np.asarray(e, dtype=np.int64)


def _row_ranges(key: np.ndarray, sats: np.ndarray, n_epochs: int) -> tuple[np.ndarray, ...]:
    """The sorted flat ``key`` entries of each satellite of ``sats`` (k,): (row, entry, base),
    ``key[entry]`` lying in row ``row`` whose first flat key is ``base[row]`` (vectorized: no
    loop over satellites)."""
    base = sats.astype(np.int64) * n_epochs
    lo = np.searchsorted(key, base)
    hi = np.searchsorted(key, base + n_epochs)
    counts = hi - lo
    row = np.repeat(np.arange(sats.size), counts)
    entry = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + lo[row]
    return row, entry, base


def _concatenate_fields(parts: Sequence[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
    """Concatenate the chunks' fields one field at a time, releasing each field's chunks as
    it goes (the peak is the result plus one field of the chunks, not twice the result)."""
    columns = [list(col) for col in zip(*parts, strict=True)]
    if isinstance(parts, list):
        parts.clear()
    out = []
    for col in columns:
        dtype = np.result_type(*col)
        out.append(np.concatenate(col).astype(dtype, copy=False))
        col.clear()
    return out


@dataclass(frozen=True, eq=False)
class Visibility:
    """The kept samples of the elevation margin of the best station (see the module docstring)
    and the contacts derived from them."""

    n_satellites: int
    n_epochs: int
    key: np.ndarray  # (M,) sorted flat keys s * E + e
    margin: np.ndarray  # (M,) float32 deg above the best station's mask (> FAR)
    station: np.ndarray  # (M,) int8 (int16 for 128 stations or more), that station
    # contacts: the samples in view (margin >= 0) and their runs of the same station
    _view_key: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    _run_of: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    _run_first: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]
    _run_last: np.ndarray = field(repr=False, default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        seen = self.margin >= 0
        vk, vs = self.key[seen], self.station[seen]
        E = self.n_epochs
        start = np.ones(vk.size, dtype=bool)
        start[1:] = (vk[1:] != vk[:-1] + 1) | (vs[1:] != vs[:-1]) | (vk[1:] % E == 0)
        run_of = (np.cumsum(start) - 1).astype(np.int32)
        first = vk[start].astype(np.int64)
        last = np.append(vk[np.flatnonzero(start)[1:] - 1], vk[-1:]).astype(np.int64)
        object.__setattr__(self, "_view_key", vk)
        object.__setattr__(self, "_run_of", run_of)
        object.__setattr__(self, "_run_first", first)
        object.__setattr__(self, "_run_last", last)

    # -- construction ----------------------------------------------------------------------
    @staticmethod
    def entries(margin: np.ndarray, station: np.ndarray, first_sat: int,
                n_satellites: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The kept samples of a chunk of dense rows (satellites ``first_sat ...``):
        (keys, margins, stations), keys in the dtype of a geometry of ``n_satellites``."""
        E = margin.shape[1]
        idx = np.flatnonzero(margin > FAR)
        key = (idx + first_sat * E).astype(_key_dtype(n_satellites, E))
        small = station.size == 0 or int(station.max()) < 128
        return key, margin.ravel()[idx], station.ravel()[idx].astype(np.int8 if small else np.int16)

    @classmethod
    def concatenate(cls, parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
                    n_satellites: int, n_epochs: int) -> Visibility:
        """The visibility of chunks in satellite order (:meth:`entries` of each)."""
        if not parts:
            return cls(n_satellites, n_epochs, np.zeros(0, _key_dtype(n_satellites, n_epochs)),
                       np.zeros(0, np.float32), np.zeros(0, np.int8))
        return cls(n_satellites, n_epochs, *_concatenate_fields(parts))

    # -- lookups ---------------------------------------------------------------------------
    def _find(self, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        q = _flat(sat, e, self.n_epochs)
        pos = np.searchsorted(self.key, q)
        safe = np.minimum(pos, max(self.key.size - 1, 0))
        found = (pos < self.key.size) & (self.key[safe] == q) if self.key.size else \
            np.zeros(q.shape, dtype=bool)
        return safe, found

    def margin_at(self, sat: np.ndarray, e: np.ndarray) -> np.ndarray:
        """float32 margins (deg) of satellites ``sat`` at epochs ``e`` (FAR where not kept)."""
        pos, found = self._find(sat, e)
        return np.where(found, self.margin[pos] if self.key.size else FAR, FAR)

    def station_at(self, sat: np.ndarray, e: np.ndarray) -> np.ndarray:
        """int16 best station of satellites ``sat`` at epochs ``e`` (0 where not kept)."""
        pos, found = self._find(sat, e)
        return np.where(found, self.station[pos] if self.key.size else 0, 0).astype(np.int16)

    def rows(self, sats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dense (k, E) float32 margins and int16 stations of satellites ``sats`` (k,)."""
        sats = np.asarray(sats, dtype=np.int64).ravel()
        margin = np.full((sats.size, self.n_epochs), FAR, dtype=np.float32)
        station = np.zeros((sats.size, self.n_epochs), dtype=np.int16)
        row, entry, base = _row_ranges(self.key, sats, self.n_epochs)
        col = self.key[entry].astype(np.int64) - base[row]
        margin[row, col] = self.margin[entry]
        station[row, col] = self.station[entry]
        return margin, station

    def contact_bounds(self, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and last sample (0 .. E-1) of the run of samples in which satellite ``sat`` is
        in view (margin >= 0) of the same best station as at sample ``e``; (-1, -1) where it is
        in view of none. Runs end at the end of the day (contacts over midnight count as two)."""
        q = _flat(sat, e, self.n_epochs)
        vk = self._view_key
        if vk.size == 0:
            none = np.full(q.shape, -1, dtype=np.int64)
            return none, none.copy()
        pos = np.minimum(np.searchsorted(vk, q), vk.size - 1)
        seen = vk[pos] == q
        run = self._run_of[pos]
        row = q - np.asarray(e, dtype=np.int64)
        start = np.where(seen, self._run_first[run] - row, -1)
        end = np.where(seen, self._run_last[run] - row, -1)
        return start, end

    @property
    def nbytes(self) -> int:
        return int(sum(a.nbytes for a in (self.key, self.margin, self.station, self._view_key,
                                           self._run_of, self._run_first, self._run_last)))


@dataclass(frozen=True, eq=False)
class Runs:
    """Runs of samples ``[start, stop)`` per satellite on the day's grid, as sorted flat keys
    ``s * E + e`` (a run never crosses from one satellite to the next)."""

    n_satellites: int
    n_epochs: int
    start: np.ndarray  # (R,) int64
    stop: np.ndarray  # (R,) int64, one past the run's last sample

    # -- construction ----------------------------------------------------------------------
    @staticmethod
    def entries(mask: np.ndarray, first_sat: int) -> tuple[np.ndarray, np.ndarray]:
        """The runs of True in each row of a chunk ``mask`` (C, E) of satellites
        ``first_sat ...``, as flat (start, stop) keys."""
        C, E = mask.shape
        edge = np.zeros((C, E + 1), dtype=np.int8)
        edge[:, :E] = mask
        edge[:, 1:] -= mask  # +1 where a run starts, -1 one past where it ends
        ups = np.flatnonzero(edge == 1)
        downs = np.flatnonzero(edge == -1)
        base = first_sat * E
        return (ups // (E + 1) * E + ups % (E + 1) + base,
                downs // (E + 1) * E + downs % (E + 1) + base)

    @classmethod
    def concatenate(cls, parts: Sequence[tuple[np.ndarray, np.ndarray]], n_satellites: int,
                    n_epochs: int) -> Runs:
        """The runs of chunks in satellite order (:meth:`entries` of each)."""
        if not parts:
            return cls(n_satellites, n_epochs, np.zeros(0, np.int64), np.zeros(0, np.int64))
        start, stop = (a.astype(np.int64, copy=False) for a in _concatenate_fields(parts))
        return cls(n_satellites, n_epochs, start, stop)

    def after(self, lead: int) -> Runs:
        """The runs without their first ``lead`` samples (runs that short disappear): e.g. the
        samples of a shadow run after the battery ran out."""
        start = self.start + max(int(lead), 0)
        keep = start < self.stop
        return Runs(self.n_satellites, self.n_epochs, start[keep], self.stop[keep])

    # -- lookups ---------------------------------------------------------------------------
    def _find(self, sat: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the run at or before each (sat, e), whether (sat, e) lies inside it)."""
        q = _flat(sat, e, self.n_epochs)
        i = np.searchsorted(self.start, q, side="right") - 1
        safe = np.maximum(i, 0)
        inside = (i >= 0) & (q < self.stop[safe]) if self.start.size else \
            np.zeros(q.shape, dtype=bool)
        return safe, inside

    def contains(self, sat: np.ndarray, e: np.ndarray) -> np.ndarray:
        """bool: sample ``e`` of satellite ``sat`` lies in a run."""
        return self._find(sat, e)[1]

    def since_start(self, sat: np.ndarray, e: np.ndarray) -> np.ndarray:
        """int64 ``e - first + 1`` inside a run whose first sample is ``first`` (the samples since
        the last one before the run), 0 outside runs."""
        i, inside = self._find(sat, e)
        first = (self.start[i] % self.n_epochs) if self.start.size else 0
        return np.where(inside, np.asarray(e, dtype=np.int64) - first + 1, 0)

    def rows(self, sats: np.ndarray) -> np.ndarray:
        """Dense (k, E) bool: the samples of satellites ``sats`` (k,) that lie in a run."""
        sats = np.asarray(sats, dtype=np.int64).ravel()
        E = self.n_epochs
        out = np.zeros((sats.size, E + 1), dtype=np.int8)
        row, run, base = _row_ranges(self.start, sats, E)  # the runs that start in each row
        np.add.at(out, (row, self.start[run] - base[row]), 1)
        np.add.at(out, (row, self.stop[run] - base[row]), -1)
        return np.cumsum(out[:, :E], axis=1, dtype=np.int8) > 0

    def packed_rows(self, sats: np.ndarray) -> np.ndarray:
        """:meth:`rows` packed 8 samples a byte ((k, ceil(E / 8)) uint8, np.packbits), built
        in chunks of rows (the dense rows of all ``sats`` never exist at once)."""
        sats = np.asarray(sats, dtype=np.int64).ravel()
        step = max(1, _ROW_CHUNK_SAMPLES // max(self.n_epochs, 1))
        parts = [np.packbits(self.rows(sats[i:i + step]), axis=1)
                 for i in range(0, sats.size, step)]  # loop over chunks of rows
        return np.concatenate(parts) if parts else np.zeros((0, (self.n_epochs + 7) // 8),
                                                            dtype=np.uint8)

    @staticmethod
    def packed_at(packed: np.ndarray, row: np.ndarray, e: np.ndarray) -> np.ndarray:
        """bool sample ``e`` of row ``row`` of :meth:`packed_rows` output; broadcasts."""
        e = np.asarray(e, dtype=np.int64)
        return ((packed[row, e >> 3] >> (7 - (e & 7))) & 1).astype(bool)

    @property
    def nbytes(self) -> int:
        return int(self.start.nbytes + self.stop.nbytes)
