"""Check helpers for the exercises of notebook 05 (response time).

Every expected answer is computed with :mod:`lab.mission` on the notebook's request sample
(``requests=2000, seed=0`` unless given), never typed in::

    from lab.exercises import mission as ex
    ex.exercise_1(120)                      # satellites until no prompt waits for a pass
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from lab.exercises import Feedback, check_choice, check_number, unanswered
from lab.links import LINK_PRESETS
from lab.mission import PRESETS, TERMS, configure, prompt_latency, response_times, sweep

__all__ = ["REQUESTS", "SEED", "SIZES", "exercise_1", "exercise_2", "exercise_3", "exercise_4",
           "exercise_5", "exercise_6", "exercise_7", "bottleneck_scenario", "small_battery"]

REQUESTS, SEED = 2000, 0  # the request sample of notebook 05
SIZES = (12, 24, 48, 120, 300, 720, 839, 1400, 2800)  # the sizes of notebook 05, section 4
BASE = "three-body-12"


def _mean_terms(scenario: Any, requests: int, seed: int) -> Any:
    """Mean of every term (s) over the answered requests of ``scenario``."""
    return response_times(scenario, requests=requests, seed=seed).table.loc[list(TERMS), "mean"]


def _largest_change(before: Any, after: Any, requests: int, seed: int) -> str:
    """The term whose mean grows the most from ``before`` to ``after``."""
    growth = _mean_terms(after, requests, seed) - _mean_terms(before, requests, seed)
    return str(growth.idxmax())


def exercise_1(n_satellites: Any, network: str = "china", *, sizes: Any = SIZES,
               requests: int = REQUESTS, seed: int = SEED) -> Feedback:
    """The smallest size of the grown Three-Body shell (among ``sizes``) at which every prompt
    finds a satellite in view of ``network`` (``in_view_share`` >= 0.999)."""
    if n_satellites is None:
        return unanswered("my_answer", 'a number of satellites')
    sc, _ = configure(BASE, network=network)
    curve = sweep(sc, sizes, requests=requests, seed=seed, progress=False)
    covered = curve.index[curve.in_view_share >= 0.999]
    expected = int(covered.min()) if len(covered) else -1
    return check_number(f"satellites ({network})", n_satellites, expected, rtol=0.0, atol=0.5,
                        hint="run sweep(...) on configure('three-body-12', network=...) and "
                        "look for the first row whose in_view_share is 1.")


def exercise_2(planes: Any, *, requests: int = REQUESTS, seed: int = SEED) -> Feedback:
    """Which plane count (2, 3 or 4) gives 48 Three-Body satellites the lowest mean response
    time?"""
    if planes is None:
        return unanswered("my_answer", 'a plane count (2, 3 or 4)')
    means = {p: response_times(configure(BASE, n_satellites=48, planes=p)[0], requests=requests,
                               seed=seed).summary["mean"] for p in (2, 3, 4)}
    best = min(means, key=means.get)
    return check_choice("planes", planes, best, list(means),
                  why=f"mean {means[best] / 60:.0f} min: planes spread around the Earth put a "
                  "satellite over China more often than one ring does",
                  hint="compare response_times(configure('three-body-12', n_satellites=48, "
                  "planes=p)[0], requests=REQUESTS, seed=SEED).summary['mean'] for p = 2, 3, 4.")


def small_battery(battery_wh: float = 50.0) -> Any:
    """Exercise 3's scenario: Starcloud-1 with a battery of ``battery_wh`` Wh."""
    return replace(PRESETS["starcloud-1"], battery_wh=battery_wh)


def exercise_3(term: str, *, requests: int = REQUESTS, seed: int = SEED) -> Feedback:
    """Which term's mean grows the most when Starcloud-1's battery is too small for the eclipse
    (50 Wh)?"""
    if term is None:
        return unanswered("my_answer", 'a term of mission.TERMS')
    expected = _largest_change(PRESETS["starcloud-1"], small_battery(), requests, seed)
    return check_choice("term", term, expected, TERMS,
                  why="a prompt that reaches the satellite in the shadow waits for sunlight "
                  "(queueing), and its answer then often misses the pass and waits for the next "
                  "one (wait_for_downlink)",
                  hint="subtract the two tables' 'mean' columns "
                  "(response_times(...).table['mean']) and take the largest difference.")


def exercise_4(n_satellites: Any, *, sizes: Any = SIZES, requests: int = REQUESTS,
               seed: int = SEED) -> Feedback:
    """With a 32B model (``configure(..., model_params=32e9)``), the smallest size of the grown
    shell (among ``sizes``) at which ``inference`` is the largest term of the mean."""
    if n_satellites is None:
        return unanswered("my_answer", 'a number of satellites')
    sc, _ = configure(BASE, model_params=32e9)
    curve = sweep(sc, sizes, requests=requests, seed=seed, progress=False)
    sizes_inference = curve.index[curve.dominant == "inference"]
    expected = int(sizes_inference.min()) if len(sizes_inference) else -1
    alone = float(prompt_latency(sc).e2el)
    return check_number("satellites (32B model)", n_satellites, expected, rtol=0.0, atol=0.5,
                        hint=f"one 32B answer alone takes {alone:.0f} s "
                        "(mission.prompt_latency); sweep the 32B scenario and look at the "
                        "'dominant' column.")


def bottleneck_scenario(antennas: int = 4, uplink_bps: float = 4e3) -> Any:
    """Exercise 5's scenario: Three-Body-12 with ``antennas`` per station and an S-band uplink
    of ``uplink_bps`` bit/s (the budget's bandwidth at 1 bit/s/Hz)."""
    sc, _ = configure(BASE, antennas=antennas)
    return replace(sc, uplink=replace(LINK_PRESETS["s-band-uplink"], bandwidth=uplink_bps))


def exercise_5(term: str, *, requests: int = REQUESTS, seed: int = SEED) -> Feedback:
    """Four antennas per station and a 4 kbit/s uplink: which term's mean grows the most?"""
    if term is None:
        return unanswered("my_answer", 'a term of mission.TERMS')
    expected = _largest_change(BASE, bottleneck_scenario(), requests, seed)
    return check_choice("term", term, expected, TERMS,
                  why="each prompt now holds an antenna for seconds while it trickles up, so "
                  "prompts queue for the antennas (booking) instead of for the accelerator",
                  hint="compare the 'mean' column of both tables; one term shrinks and another "
                  "one grows: where do the prompts wait now?")


def exercise_6(factor: Any, *, seed: int = SEED) -> Feedback:
    """By what factor does the mean queueing time of Three-Body-12 grow when the load doubles
    (``requests_per_day`` 2,000 -> 4,000, each simulated as one day of that load:
    ``requests`` = ``requests_per_day``, so the answer is the same whether ``requests`` sets the
    load or only the sample)?"""
    if factor is None:
        return unanswered("my_answer", 'a factor')
    base = PRESETS[BASE]
    loads = (base.requests_per_day, 2 * base.requests_per_day)
    q = [float(_mean_terms(replace(base, requests_per_day=n), n, seed)["queueing"]) for n in loads]
    expected = q[1] / q[0] if q[0] > 0 else np.inf
    return check_number("queueing growth factor", factor, expected, rtol=0.05,
                        hint="divide the mean queueing time at 4,000 prompts/day by the one at "
                        "2,000 (response_times(...).table.loc['queueing', 'mean']).")


def exercise_7(reason: str) -> Feedback:
    """Why the live inference term (``live=True``) is slower than the satellite's roofline:
    "light time", "this CPU", "queueing" or "the link emulator"."""
    if reason is None:
        return unanswered("my_answer", '"light time", "this CPU", "queueing" or "the link emulator"')
    return check_choice("reason", reason, "this CPU", ["light time", "this CPU", "queueing",
                                                 "the link emulator"],
                  why="the live term is the tiny model on this laptop's CPU with vLLM's fixed "
                  "per-step overhead (notebook 04, section 7): it shows the pipeline is real, "
                  "not the speed of the satellite's accelerator; the emulated delay is "
                  "subtracted",
                  hint="what runs the live request, and what does notebook 04, section 7 say "
                  "about the tiny model's time per token?")
