"""What the power system feeds: a bus load and an inference payload, and when it is busy.

:class:`Loads` is a ``bus`` load (platform, comms, heaters; it always has priority) plus an
optional :class:`ComputeLoad` (``count`` accelerators of a :mod:`lab.hardware` profile, whose
watts follow their utilization). Utilization over time comes from a constant duty cycle, an
array, or a schedule: :func:`job_schedule` (given jobs) or :func:`prompt_schedule` (prompts
arriving at random, served first come first served).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from astropy import units as u

from lab._validate import as_value, check_int
from lab.hardware import PROFILES, HardwareProfile, get_profile
from lab.power.core import HOUR, require_increasing

__all__ = ["ComputeLoad", "Loads", "as_loads", "job_schedule", "prompt_schedule"]

_STEP_BLOCK = 256  # steps per block in job_schedule
MAX_PROMPTS = 10_000_000  # prompt_schedule refuses more expected arrivals than this


@dataclass(frozen=True)
class ComputeLoad:
    """An inference payload: ``count`` accelerators of a :mod:`lab.hardware` profile.

    The requested power is ``count * profile.power(utilization)`` (linear between idle and
    peak watts). ``utilization`` is ``duty_cycle`` (constant, 0–1) unless ``schedule`` is given:
    an array of per-step utilizations ``(E,)`` or ``(S, E)`` matching the simulation times, or a
    callable ``f(seconds_since_start) -> utilization`` (see :func:`job_schedule`,
    :func:`prompt_schedule`). When power runs short the accelerator is throttled down to its
    idle power, then switched off.
    """

    profile: str | HardwareProfile
    duty_cycle: Any = 1.0
    schedule: Any = None
    count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "profile", get_profile(self.profile))
        object.__setattr__(self, "duty_cycle", as_value(self.duty_cycle, "", "duty_cycle",
                                                        lo=0.0, hi=1.0))
        object.__setattr__(self, "count", check_int(self.count, "count", lo=0))

    @property
    def idle_power(self) -> float:
        """Idle power of all accelerators in W (the throttling floor before switching off)."""
        return self.count * self.profile.idle_power_w

    @property
    def peak_power(self) -> float:
        """Peak power of all accelerators in W."""
        return self.count * self.profile.peak_power_w

    def utilization(self, seconds: np.ndarray) -> np.ndarray:
        """Utilization in [0, 1] at ``seconds`` since the start, shape ``(1, E)`` or ``(S, E)``."""
        seconds = np.asarray(seconds, dtype=float)
        if self.schedule is None:
            util = np.full_like(seconds, self.duty_cycle)
        elif callable(self.schedule):
            util = self.schedule(seconds)
        else:
            util = self.schedule
        util = np.asarray(as_value(util, "", "schedule", lo=0.0, hi=1.0), dtype=float)
        if util.ndim == 0:
            util = np.full_like(seconds, util)
        if util.shape[-1] != seconds.shape[-1] or util.ndim > 2:
            raise ValueError(f"schedule must have shape (epochs,) or (satellites, epochs) with "
                             f"{seconds.shape[-1]} epochs (got {util.shape})")
        return util.reshape(-1, seconds.shape[-1])

    def request(self, seconds: np.ndarray) -> np.ndarray:
        """Requested power in W, shape ``(1, E)`` or ``(S, E)``."""
        return self.count * np.asarray(self.profile.power(self.utilization(seconds)))


@dataclass(frozen=True)
class Loads:
    """Electrical loads of a satellite: a ``bus`` load in W (platform, comms, heaters; scalar
    or per-step array) that always has priority, plus an optional :class:`ComputeLoad`."""

    bus: Any = 0.0
    compute: ComputeLoad | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "bus", as_value(self.bus, u.W, "bus", lo=0.0))
        if self.compute is not None and not isinstance(self.compute, ComputeLoad):
            raise TypeError(f"compute must be a ComputeLoad or None (got {self.compute!r})")

    def arrays(self, seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """``(bus (·,E), compute_request (·,E), compute_idle)`` in W at ``seconds``."""
        n_ep = np.shape(seconds)[-1]
        bus = np.asarray(self.bus, dtype=float)
        if bus.ndim == 0:
            bus = np.full((1, n_ep), float(bus))
        elif bus.shape[-1] != n_ep or bus.ndim > 2:
            raise ValueError(f"bus must be a scalar or have {n_ep} epochs (got {bus.shape})")
        bus = bus.reshape(-1, n_ep)
        if self.compute is None:
            return bus, np.zeros((1, n_ep)), 0.0
        return bus, self.compute.request(seconds), self.compute.idle_power


def as_loads(loads: Any, name: str = "loads") -> Loads:
    """``loads`` as :class:`Loads`: a Loads, a :class:`ComputeLoad`, a hardware profile (name
    or :class:`~lab.hardware.HardwareProfile`), a bus power in W, or a ``(bus, compute)`` pair."""
    if isinstance(loads, Loads):
        return loads
    if isinstance(loads, ComputeLoad):
        return Loads(0.0, loads)
    if isinstance(loads, HardwareProfile) or (isinstance(loads, str) and loads in PROFILES):
        return Loads(0.0, ComputeLoad(loads))
    if isinstance(loads, tuple | list) and len(loads) == 2:
        return Loads(*loads)
    if not isinstance(loads, str | bytes | dict | set) and loads is not None:
        try:
            return Loads(loads)  # a plain bus load in W (scalar or per step)
        except TypeError:
            pass
    raise (ValueError if isinstance(loads, str) else TypeError)(
        f"{name} must be a Loads, a ComputeLoad, a hardware profile name (one of "
        f"{', '.join(map(repr, PROFILES))}), a bus power in W or a (bus, compute) pair "
        f"(got {loads!r})")


def job_schedule(times: Any, starts: Any, durations: Any) -> np.ndarray:
    """Accelerator utilization per step from a list of inference jobs.

    ``times``: step start times in s ``(E,)``, ≥ 2 strictly increasing (the last step repeats
    the previous length); ``starts``, ``durations``: jobs in s. Returns the busy fraction of
    each step in [0, 1] (overlapping jobs saturate at 1: one accelerator, jobs queue inside a
    step).
    """
    t = require_increasing(np.atleast_1d(as_value(times, u.s, "times")))
    starts = np.atleast_1d(as_value(starts, u.s, "starts"))
    durations = np.atleast_1d(as_value(durations, u.s, "durations", lo=0.0))
    try:
        starts, durations = np.broadcast_arrays(starts, durations)
    except ValueError:
        raise ValueError(f"starts and durations must have the same length (got {starts.size} "
                         f"and {durations.size})") from None
    if starts.ndim != 1:
        raise ValueError(f"starts and durations must be 1-D (got shape {starts.shape})")
    ends_t = np.append(t[1:], t[-1] + (t[-1] - t[-2]))
    job_ends = starts + durations
    busy = np.zeros(t.size)
    # Steps in blocks, each against only the jobs that overlap it: memory stays bounded (a day
    # of prompts is ~20,000 jobs x 2,880 steps) and, since the jobs keep their order and the
    # left-out overlaps are exact zeros, the sums are the same as over all jobs at once.
    for a in range(0, t.size, _STEP_BLOCK):
        b = min(a + _STEP_BLOCK, t.size)
        near = (starts < ends_t[b - 1]) & (job_ends > t[a])
        ov = (np.minimum(ends_t[None, a:b], job_ends[near][:, None])
              - np.maximum(t[None, a:b], starts[near][:, None]))
        busy[a:b] = np.clip(ov, 0.0, None).sum(axis=0)
    return np.clip(busy / (ends_t - t), 0.0, 1.0)


def prompt_schedule(times: Any, prompts_per_hour: float, seconds_per_prompt: float,
                    seed: int = 0) -> np.ndarray:
    """Utilization per step for prompts arriving at random (Poisson) and served one at a time.

    Arrivals: a Poisson process of rate ``prompts_per_hour`` (fixed ``seed``, deterministic);
    each prompt keeps the accelerator busy for ``seconds_per_prompt`` after the previous one
    finishes (first-come first-served). ``times`` as in :func:`job_schedule`.
    """
    t = require_increasing(np.atleast_1d(as_value(times, u.s, "times")))
    rate = as_value(prompts_per_hour, 1 / u.h, "prompts_per_hour", lo=0.0)
    job = as_value(seconds_per_prompt, u.s, "seconds_per_prompt", lo=0.0)
    for name, value in (("prompts_per_hour", rate), ("seconds_per_prompt", job)):
        if np.ndim(value) != 0:
            raise TypeError(f"{name} must be a scalar (got shape {np.shape(value)})")
    rng = np.random.default_rng(check_int(seed, "seed", lo=0))
    span = t[-1] - t[0]
    expected = rate * span / HOUR
    if expected > MAX_PROMPTS:
        raise ValueError(f"prompts_per_hour x duration gives ~{expected:.3g} prompts; at most "
                         f"{MAX_PROMPTS:,} (got {rate:g} per hour over {span / HOUR:g} h)")
    n = rng.poisson(expected)
    arrivals = np.sort(rng.uniform(t[0], t[-1], n))
    # FIFO single server: start_i = max(arrival_i, end_{i-1}) = max over j<=i of a_j + (i-j)*job
    idx = np.arange(n)
    starts = np.maximum.accumulate(arrivals - idx * job) + idx * job if n else arrivals
    return job_schedule(t, starts, np.full(n, job)) if n else np.zeros(t.size)
