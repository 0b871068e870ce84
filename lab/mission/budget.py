"""Memory guard: estimate what a response-time computation allocates, refuse before allocating.

The model holds whole arrays in memory (no chunking yet): the time-grid geometry is
(satellites x epochs), the requests are (requests,), and requests whose contact satellite
cannot serve them compare every satellite of the shell at once (requests x satellites). Before
allocating, :func:`lab.mission.response_times`, :func:`lab.mission.geometry` and
:func:`lab.mission.sweep` estimate the peak memory and raise :class:`MemoryLimitError` (a
``MemoryError`` and a ``ValueError``) with the estimate, a rough time and the limit when it is
over the limit.

The limit: the ``max_memory_gb`` argument, else the environment variable ``LAB_MAX_MEMORY_GB``,
else :data:`DEFAULT_MAX_MEMORY_GB` (4 GB); ``inf`` switches the guard off.

Estimates (peaks measured with ``tracemalloc`` on this code; times on a 2-core x86_64):

- geometry: ~64 bytes and ~0.25 us per satellite-epoch sample (positions (S, E, 3) float64 and
  the visibility/shadow temporaries of one shell, plus the kept margin, station, sunlight and
  time-since-eclipse arrays);
- requests: ~800 bytes and ~1.2 us per request (arrivals, answer lengths, the request record
  with the ground segment's arrays, the breakdown: ~680 bytes measured);
- hop matrix: ~48 bytes and ~0.13 us per (request x candidate satellite) pair.
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
    "DEFAULT_MAX_MEMORY_GB",
    "ENV_VAR",
    "Estimate",
    "MemoryLimitError",
    "memory_limit_bytes",
]

ENV_VAR = MEMORY_ENV
GEOMETRY_BYTES_PER_SAMPLE = 64.0
GEOMETRY_SECONDS_PER_SAMPLE = 2.5e-7
REQUEST_BYTES = 800.0
REQUEST_SECONDS = 1.2e-6
HOP_BYTES_PER_PAIR = 48.0
HOP_SECONDS_PER_PAIR = 1.3e-7


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
    def geometry(cls, n_satellites: int, n_epochs: int) -> Estimate:
        """The time-grid geometry of ``n_satellites`` x ``n_epochs`` samples."""
        samples = float(n_satellites) * float(n_epochs)
        return cls({f"geometry of {n_satellites:,} satellites x {n_epochs:,} epochs":
                    samples * GEOMETRY_BYTES_PER_SAMPLE}, samples * GEOMETRY_SECONDS_PER_SAMPLE)

    @classmethod
    def requests(cls, n_requests: int) -> Estimate:
        """``n_requests`` requests (arrivals, the request record, the breakdown table)."""
        return cls({f"{n_requests:,} requests": n_requests * REQUEST_BYTES},
                   n_requests * REQUEST_SECONDS)

    @classmethod
    def hop_matrix(cls, pairs: float) -> Estimate:
        """Hop matrices of ``pairs`` (request x candidate satellite) entries in all."""
        return cls({f"hop matrix of {pairs:,.0f} request-satellite pairs":
                    pairs * HOP_BYTES_PER_PAIR}, pairs * HOP_SECONDS_PER_PAIR)

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
