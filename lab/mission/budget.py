"""Memory guard: estimate what a response-time computation allocates, refuse before allocating.

The model's memory is bounded by chunking (:mod:`lab.mission.grid`): the satellites are
propagated a chunk of :data:`CHUNK_SAMPLES` satellite-epoch samples at a time, and the hop
matrices (requests x candidate satellites) are built :data:`HOP_CHUNK_PAIRS` pairs at a time.
What grows with the constellation is only what is kept: the samples near a station's horizon
(:class:`lab.mission.compact.Visibility`), the shadow runs, and ~2 kB per satellite (positions
every ~30 minutes for the laser-link lengths, the per-satellite columns). Before allocating,
:func:`lab.mission.response_times`, :func:`lab.mission.geometry` and :func:`lab.mission.sweep`
estimate the peak and raise :class:`MemoryLimitError` (a ``MemoryError`` and a ``ValueError``)
with the estimate, a rough time and the limit when it is over the limit.

The limit: the ``max_memory_gb`` argument, else the environment variable ``LAB_MAX_MEMORY_GB``,
else :data:`DEFAULT_MAX_MEMORY_GB` (4 GB); ``inf`` switches the guard off.

Estimates (peaks measured with ``tracemalloc`` on this code; times on a 2-core x86_64):

- geometry: the temporaries of one chunk (~:data:`CHUNK_BYTES_PER_SAMPLE` bytes per sample
  of a chunk: positions, the shadow test, the horizon tests) plus what is kept:
  :data:`KEPT_BYTES_PER_SAMPLE_PER_STATION` per satellite-epoch and station (the visibility
  entries near the stations' horizons) and :data:`BYTES_PER_SATELLITE`;
  ~:data:`GEOMETRY_SECONDS_PER_SAMPLE` s per sample (one BLAS thread);
- requests: ~800 bytes and ~1.2 us per simulated request (arrivals, answer lengths, the
  request record with the ground segment's arrays, the breakdown: ~680 bytes measured);
- hop matrix: ~48 bytes and ~0.13 us per (request x candidate satellite) pair, of one chunk.

The documented ceiling: what is kept grows with the constellation, the rest does not. A day at
60 s of 100,000 satellites (1.44e8 samples) over the five Chinese stations is estimated at
~0.73 GB (measured with ``benchmarks/bench_scale.py``: 1.10 GB peak RSS, 0.16 GB of it the
interpreter and the imports; under the 2 GB ceiling); over the ten stations of the global
network the estimate is ~1.16 GB.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lab._validate import (
    DEFAULT_MAX_MEMORY_GB,
    MEMORY_ENV,
    MemoryLimitError,
    memory_limit_gb,
)

__all__ = [
    "CHUNK_SAMPLES",
    "DEFAULT_MAX_MEMORY_GB",
    "HOP_CHUNK_PAIRS",
    "ENV_VAR",
    "Estimate",
    "MemoryLimitError",
    "memory_limit_bytes",
]

ENV_VAR = MEMORY_ENV
#: Satellite-epoch samples propagated at once (lab.mission.grid; positions ~12 MB).
CHUNK_SAMPLES = 1 << 19
CHUNK_BYTES_PER_SAMPLE = 80.0
#: Kept bytes per satellite-epoch and per station: the visibility entries (9 bytes, 8 more in
#: view) of the ~5 % of samples near one station's horizon (LEO; an upper bound measured over
#: the regional and global networks), and the concatenation of the chunks' entries.
KEPT_BYTES_PER_SAMPLE_PER_STATION = 0.6
KEPT_BYTES_PER_SAMPLE_MAX = 17.0
BYTES_PER_SATELLITE = 2500.0
GEOMETRY_SECONDS_PER_SAMPLE = 5e-8
REQUEST_BYTES = 800.0
REQUEST_SECONDS = 1.2e-6
HOP_BYTES_PER_PAIR = 48.0
HOP_SECONDS_PER_PAIR = 1.3e-7
#: Request-satellite pairs of one chunk of a hop matrix (lab.mission.steps).
HOP_CHUNK_PAIRS = 1 << 20


def memory_limit_bytes(max_memory_gb: float | None = None) -> float:
    """The memory limit in bytes (:func:`lab._validate.memory_limit_gb`: ``max_memory_gb``,
    else ``$LAB_MAX_MEMORY_GB``, else 4 GB; ``inf`` switches the guard off)."""
    return memory_limit_gb(max_memory_gb)[0] * 1e9


def _size(nbytes: float) -> str:
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e8 else f"{nbytes / 1e6:.0f} MB"


@dataclass(frozen=True)
class Estimate:
    """Estimated peak memory (bytes, by part) and run time (s) of a computation."""

    parts: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def nbytes(self) -> float:
        return float(sum(self.parts.values()))

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate({**self.parts, **other.parts}, self.seconds + other.seconds)

    @classmethod
    def geometry(cls, n_satellites: int, n_epochs: int, n_stations: int = 5) -> Estimate:
        """The time-grid geometry of ``n_satellites`` x ``n_epochs`` samples seen from
        ``n_stations`` stations: one chunk's temporaries plus what is kept."""
        samples = float(n_satellites) * float(n_epochs)
        chunk = min(float(n_satellites), max(2.0, CHUNK_SAMPLES // max(n_epochs, 1)))
        kept = min(KEPT_BYTES_PER_SAMPLE_PER_STATION * n_stations, KEPT_BYTES_PER_SAMPLE_MAX)
        nbytes = (chunk * n_epochs * CHUNK_BYTES_PER_SAMPLE + samples * kept
                  + n_satellites * BYTES_PER_SATELLITE)
        return cls({f"geometry of {n_satellites:,} satellites x {n_epochs:,} epochs": nbytes},
                   samples * GEOMETRY_SECONDS_PER_SAMPLE)

    @classmethod
    def requests(cls, n_requests: int) -> Estimate:
        """``n_requests`` requests (arrivals, the request record, the breakdown table)."""
        return cls({f"{n_requests:,} requests": n_requests * REQUEST_BYTES},
                   n_requests * REQUEST_SECONDS)

    @classmethod
    def hop_matrix(cls, pairs: float) -> Estimate:
        """Hop matrices of ``pairs`` (request x candidate satellite) entries in all, built
        :data:`HOP_CHUNK_PAIRS` at a time."""
        return cls({f"hop matrix of {pairs:,.0f} request-satellite pairs":
                    min(pairs, HOP_CHUNK_PAIRS) * HOP_BYTES_PER_PAIR}, pairs * HOP_SECONDS_PER_PAIR)

    def check(self, what: str, max_memory_gb: float | None = None) -> None:
        """Raise :class:`MemoryLimitError` if this estimate is over the memory limit."""
        limit = memory_limit_bytes(max_memory_gb)
        if self.nbytes <= limit:
            return
        parts = "; ".join(f"{k}: {_size(v)}" for k, v in self.parts.items() if v > 0)
        raise MemoryLimitError(
            f"{what} would need about {_size(self.nbytes)} of memory ({parts}) and roughly "
            f"{self.seconds:,.0f} s; the limit is {_size(limit)}. Use fewer satellites or "
            f"requests or a longer dt, or raise the limit with max_memory_gb= or the {ENV_VAR} "
            "environment variable (in GB; inf switches the guard off).")
