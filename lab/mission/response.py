"""The response model: :func:`response_times` runs the steps of :mod:`lab.mission.steps` on a
day of requests and summarizes them in a :class:`ResponseTimes`.

**Load and sample.** The load (``load``, default the scenario's ``requests_per_day``) sets the
queues: every arrival of the day is simulated, because each waits for the antennas and the
accelerators the others hold. The statistics are reported on a sample of ``requests`` of them
(:class:`Arrivals`), so the sample size sets only the statistical precision: the queueing mean
at 2,000 requests a day is the same whether 200 or 2,000 of them are reported (more than a
day's load simulate several days at that load; tests/test_mission_response.py).

Before allocating anything it estimates the memory (:mod:`lab.mission.budget`) and refuses
over the limit. A request no step can complete (no satellite ever in view, no accelerator
within reach, no power, no way down) gets an infinite total; when no request at all is
answered the summary says so (``answered`` 0, percentiles inf) and a note says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lab._validate import as_value, check_int
from lab.mission.budget import Estimate
from lab.mission.grid import Geometry, cached_geometry, n_epochs, scenario_stations
from lab.mission.presets import get_preset
from lab.mission.rescale import configure
from lab.mission.scenario import Scenario
from lab.mission.steps import (
    Context,
    RequestState,
    back_to_view,
    choose_computer,
    downlink,
    queue_and_infer,
    uplink,
    wait_for_contact,
    wait_for_power,
)

__all__ = ["TERMS", "ResponseTimes", "response_times"]

TERMS = (
    "operator",
    "wait_for_contact",
    "booking",
    "acquisition",
    "uplink",
    "isl_setup",
    "isl_to_compute",
    "queueing",
    "inference",
    "isl_back",
    "wait_for_downlink",
    "downlink",
)
PERCENTILES = {"p50": 50, "p90": 90, "p99": 99}


@dataclass
class ResponseTimes:
    """Result of :func:`response_times`: ``breakdown`` (one row per request, seconds),
    ``summary`` (dict of headline numbers), ``table`` (percentiles of every term over the
    answered requests), ``notes`` (adjustments and warnings, e.g. "no request answered: ...")."""

    scenario: Scenario
    breakdown: pd.DataFrame
    summary: dict[str, Any]
    table: pd.DataFrame
    notes: list[str]
    geometry: Geometry

    def __repr__(self) -> str:
        s = self.summary
        return (f"ResponseTimes({self.scenario.name}: {s['n_satellites']} satellites, "
                f"{s['n_requests']} requests, median {s['p50']:.1f} s, p90 {s['p90']:.1f} s, "
                f"dominant term {s['dominant']!r})")


def _term_table(v: np.ndarray, cols: list[str]) -> pd.DataFrame:
    """Mean, percentiles and share of the mean total of every column of ``v`` (answered
    requests x terms + total); the total of no request is inf, its terms NaN."""
    if not len(v):
        table = pd.DataFrame(np.nan, index=cols, columns=["mean", *PERCENTILES, "share"])
        table.loc["total", ["mean", *PERCENTILES]] = np.inf
        return table
    pct = np.percentile(v, list(PERCENTILES.values()), axis=0)
    table = pd.DataFrame({"mean": v.mean(axis=0), **dict(zip(PERCENTILES, pct, strict=True))},
                         index=cols)
    total_mean = table.loc["total", "mean"]
    table["share"] = table["mean"] / total_mean if total_mean > 0 else 0.0
    return table


def _summarize(df: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame]:
    """Headline numbers (total percentiles and mean, dominant terms, answered count) and the
    table of every term, over the requests with a finite total."""
    cols = [*TERMS, "total"]
    v = df[cols].to_numpy()
    answered = np.isfinite(v[:, -1])
    v = v[answered]
    table = _term_table(v, cols)
    summary: dict[str, Any] = {k: float(table.loc["total", k]) for k in PERCENTILES}
    summary["mean"] = float(table.loc["total", "mean"])
    if len(v):
        med_row = np.argsort(v[:, -1])[len(v) // 2]
        summary["dominant"] = str(table.loc[list(TERMS), "mean"].idxmax())
        summary["dominant_at_median"] = str(TERMS[int(np.argmax(v[med_row, :-1]))])
    else:
        summary["dominant"] = summary["dominant_at_median"] = "none"
    summary["unanswered"] = int((~answered).sum())
    summary["answered"] = int(answered.sum())
    return summary, table


def _elapsed(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``end - start`` (s), inf where ``start`` is never (inf)."""
    out = np.full(start.shape, np.inf)
    ok = np.isfinite(start)
    out[ok] = end[ok] - start[ok]
    return out


def _breakdown(req: RequestState, sample: np.ndarray) -> pd.DataFrame:
    """One row per reported request (``sample``: their indices among the simulated ones):
    every term (s), the total, the satellites and hops used."""
    df = _all_requests(req).iloc[sample]
    df.index = pd.RangeIndex(sample.size, name="request")
    return df


def _all_requests(req: RequestState) -> pd.DataFrame:
    """The breakdown of every simulated request."""
    df = pd.DataFrame({
        "arrival": req.arrival,
        "operator": req.operator,
        "wait_for_contact": req.contact_time - (req.arrival + req.operator),
        "booking": req.booking,
        "acquisition": req.acquisition_up + req.acquisition_down,
        "uplink": req.uplink,
        "isl_setup": req.isl_setup_up + req.isl_setup_back,
        "isl_to_compute": req.isl_to_compute,
        "queueing": req.power_wait + req.queue,
        "inference": req.inference,
        "isl_back": req.isl_back,
        "wait_for_downlink": _elapsed(req.answered_at, req.downlink_time),
        "downlink": req.downlink,
    })
    df["total"] = df[list(TERMS)].sum(axis=1)
    df.loc[~req.reachable | ~np.isfinite(req.contact_time), "total"] = np.inf
    df["contact_sat"] = req.contact_sat
    df["compute_sat"] = req.compute_sat
    df["downlink_sat"] = req.downlink_sat
    df["hops_up"] = req.hops_up[0] + req.hops_up[1]
    df["hops_back"] = req.hops_back[0] + req.hops_back[1]
    df["on_battery"] = req.on_battery
    df["output_tokens"] = req.output_tokens
    df["station"] = req.station
    df["downlink_acquisition"] = req.acquisition_down  # the downlink's part of "acquisition"
    return df


def _why_unanswered(sc: Scenario, req: RequestState) -> str:
    """The first step that no request got through, in words."""
    if not np.isfinite(req.contact_time).any():
        net = repr(sc.network) if isinstance(sc.network, str) else f"of {len(sc.network)} stations"
        return (f"no satellite ever comes into view of a station of the network {net} "
                "(above its elevation mask) during the day")
    if not req.reachable.any():
        return ("no satellite with an accelerator is within reach of the satellites in view "
                "(no accelerator on them, and no usable laser links to one that has)")
    if not np.isfinite(req.powered_at).any():
        return "the serving satellites never have power (shadow with an empty battery)"
    return "no answer ever reaches a satellite in view of a station"


@dataclass(frozen=True)
class Arrivals:
    """The simulated day(s) of requests and the sample reported.

    ``n_simulated`` requests arrive over ``days`` days at the load (``load`` per day), all of
    them queue for antennas and accelerators; statistics are reported on ``n_reported`` of them
    (a uniform subsample, the same for the same seed; all of them when the counts agree)."""

    load: int  # requests per day (the load on the queues)
    days: int
    n_simulated: int
    n_reported: int
    seed: int
    times: np.ndarray | None = None  # explicit arrival times (then all are simulated)

    def draw(self) -> np.ndarray:
        """(n_simulated,) sorted arrival times, s after the epoch (may pass the first day)."""
        if self.times is not None:
            return self.times
        rng = np.random.default_rng(self.seed)
        return np.sort(rng.uniform(0.0, 86400.0 * self.days, self.n_simulated))

    def sample(self) -> np.ndarray:
        """Sorted indices of the reported requests among the simulated ones."""
        if self.n_reported == self.n_simulated:
            return np.arange(self.n_simulated)
        rng = np.random.default_rng([self.seed, 2])
        return np.sort(rng.choice(self.n_simulated, self.n_reported, replace=False))


def _arrivals(sc: Scenario, requests: int | None, load: int | None, seed: int,
              arrival_times: Sequence[float] | np.ndarray | None) -> Arrivals:
    """The requests to simulate and to report (checked before anything is drawn, so that the
    memory can be estimated first)."""
    if arrival_times is not None:
        t = np.asarray(as_value(arrival_times, "s", "arrival_times", lo=0.0), dtype=float)
        if t.ndim > 1:
            raise ValueError(f"arrival_times must be a 1-D sequence of times (got shape {t.shape})")
        t = np.atleast_1d(t)
        if t.size == 0:
            raise ValueError("arrival_times must contain at least one time in s after the "
                             "scenario epoch (got an empty sequence)")
        return Arrivals(t.size, 1, t.size, t.size, seed, t)
    per_day = sc.requests_per_day if load is None else check_int(
        load, "load (requests per day)", lo=1)
    n = per_day if requests is None else check_int(requests, "requests", lo=1)
    days = -(-n // per_day)
    return Arrivals(per_day, days, per_day * days, n, seed)


def _expected_hop_pairs(sc: Scenario, n_requests: int) -> float:
    """Expected hop-matrix entries: requests whose contact satellite has no accelerator, times
    the satellites of its shell (satellites without power add to this at run time)."""
    if sc.isl_bps <= 0:
        return 0.0
    return float(n_requests * sum(s.total / sc.n_satellites * (1 - s.compute_fraction) * s.total
                                  for s in sc.shells))


def response_times(
    scenario: str | Scenario,
    n_satellites: int | None = None,
    requests: int | None = None,
    seed: int = 0,
    *,
    load: int | None = None,
    arrival_times: Sequence[float] | np.ndarray | None = None,
    dt: float = 60.0,
    live: bool = False,
    live_requests: int = 3,
    server: Any = None,
    max_memory_gb: float | None = None,
) -> ResponseTimes:
    """Response time of every request of one simulated day, broken down term by term.

    scenario : a preset name or :class:`Scenario`. n_satellites : rescale its shells (see
    :func:`configure`).
    load : the requests per day that share the antennas and accelerators (default: the
    scenario's ``requests_per_day``); it alone sets the queues. requests : how many of them the
    statistics are reported on (default: one day's load): the day's arrivals (uniform, a
    Poisson process given the count, from a ``seed``-ed RNG) are all simulated and a uniform
    sample of ``requests`` is reported; more requests than a day's load simulate as many days
    at that load. Or give ``arrival_times`` in s after the scenario epoch (at least one): those
    requests alone are simulated and reported. Each request's answer length is drawn from the
    scenario's distribution with the same seed (:meth:`Scenario.answer_lengths`).
    dt : time grid step in s. live : measure the inference term of ``live_requests`` requests
    with the real vLLM server through :class:`lab.node.LinkEmulator` (``server`` = a running
    InferenceServer or URL; started if None). max_memory_gb : refuse (``MemoryLimitError``)
    when the estimated peak memory is above it (default ``$LAB_MAX_MEMORY_GB`` or 4 GB).
    """
    sc = get_preset(scenario)
    notes: list[str] = []
    if n_satellites is not None:
        sc, notes = configure(sc, n_satellites=n_satellites)
    dt = as_value(dt, "s", "dt", lo=1.0, hi=600.0)
    seed = check_int(seed, "seed", lo=0)
    arrivals = _arrivals(sc, requests, load, seed, arrival_times)
    n_sim = arrivals.n_simulated
    estimate = (Estimate.geometry(sc.n_satellites, n_epochs(dt), len(scenario_stations(sc)))
                + Estimate.requests(n_sim))
    (estimate + Estimate.hop_matrix(_expected_hop_pairs(sc, n_sim))).check(
        f"response_times of {sc.name!r}", max_memory_gb)
    ctx = Context.build(sc, cached_geometry(sc, dt), dt, estimate, max_memory_gb)
    req = RequestState(arrival=arrivals.draw(), output_tokens=sc.answer_lengths(n_sim, seed))
    sample = arrivals.sample()
    for step in (wait_for_contact, uplink, choose_computer, wait_for_power, queue_and_infer):
        notes += step(ctx, req)
    if live:
        k = check_int(live_requests, "live_requests", lo=1)
        notes += _measure_live(ctx, req, sample[:k], server)
    for step in (back_to_view, downlink):
        notes += step(ctx, req)
    df = _breakdown(req, sample)
    summary, table = _summarize(df)
    if summary["answered"] == 0:
        notes.append(f"no request answered: {_why_unanswered(sc, req)}")
    summary.update({
        "scenario": sc.name, "n_satellites": sc.n_satellites, "n_requests": int(sample.size),
        "load_per_day": arrivals.load, "n_simulated": n_sim,
        "planes": [s.planes for s in sc.shells], "seed": seed, "dt": dt,
        "in_view_share": float(np.mean(df["wait_for_contact"] == 0)),
    })
    return ResponseTimes(sc, df, summary, table, notes, ctx.g)


def _measure_live(ctx: Context, req: RequestState, rows: np.ndarray,
                  server: Any) -> list[str]:
    """5b. Replace the inference term of requests ``rows`` (the first reported ones) by a
    real measurement.

    Each request goes through :class:`lab.node.emulator.LinkEmulator` with that request's
    uplink delay in each direction and its uplink rate (bit/s); the measured end-to-end latency
    minus the emulated round-trip delay is the inference term. The local CPU server with the
    tiny model is not the satellite's accelerator: this shows that the pipeline is real, not
    the on-orbit speed.
    """
    from contextlib import ExitStack

    from lab.node.emulator import LinkEmulator
    from lab.node.measure import measure
    from lab.node.server import InferenceServer

    with ExitStack() as stack:
        srv = server if server is not None else stack.enter_context(InferenceServer())
        for i in rows:  # a few real requests, one at a time
            delay = float(req.uplink[i])
            emu = LinkEmulator(srv, delay=delay, bandwidth=float(req.uplink_rate[i])).start()
            stack.callback(emu.stop)
            res = measure(emu, ["Why do satellites need sunlight to compute?"],
                          max_tokens=min(ctx.sc.output_tokens, 32))
            req.inference[i] = max(float(res.requests[0].e2el) - 2 * delay, 0.0)
    req.answered_at = req.powered_at + req.queue + req.inference
    return [f"inference of the first {len(rows)} requests measured live (local vLLM server "
            "through the link emulator; CPU speed, not the satellite's)"]
