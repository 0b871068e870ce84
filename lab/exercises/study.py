"""Check helpers for the exercises of notebook 07 (design studies).

Every expected answer is computed with :mod:`lab.mission` / :mod:`lab.study` on the notebook's
run settings (``FIXED``: statistics on 500 of the preset's day of prompts, a 2-minute grid,
seed 0), never typed in::

    from lab.exercises import study as ex
    ex.exercise_1("no")      # does the season move the mean response time by more than 10 %?
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lab.exercises import Feedback, check_choice, check_number, unanswered
from lab.mission import configure, response_times

__all__ = ["EPOCHS", "EXAMPLE_SPEC", "FIXED", "SAMPLED", "exercise_1", "exercise_2",
           "exercise_3", "season_means"]

FIXED = {"preset": "three-body-12", "requests": 500, "dt": 120, "seed": 0}  # notebook 07's
EPOCHS = ("2025-03-20T12:00:00", "2025-06-21T12:00:00", "2025-12-21T12:00:00")
#: Exercise 2's inputs and the small grid the check runs over them (their low and high ends).
SAMPLED = {"n_satellites": [12, 120, 1400], "alt": [400.0, 1000.0],
           "eclipse_cap_w": [50.0, 300.0]}
EXAMPLE_SPEC = Path(__file__).resolve().parents[2] / "studies" / "example.yaml"


def season_means(n_satellites: int = 12, network: str = "china") -> dict[str, float]:
    """Mean response time (s) of the grown Three-Body shell on each date of :data:`EPOCHS`."""
    run = {k: FIXED[k] for k in ("requests", "dt", "seed")}
    return {e: response_times(configure(FIXED["preset"], n_satellites=n_satellites,
                                        network=network, epoch=e)[0], **run).summary["mean"]
            for e in EPOCHS}


def exercise_1(answer: str, *, n_satellites: int = 12, network: str = "china") -> Feedback:
    """Does the season move the mean response time of 12 Three-Body satellites (Chinese
    stations) by more than 10 % across :data:`EPOCHS`? "yes" or "no"."""
    if answer is None:
        return unanswered("my_answer", '"yes" or "no"')
    means = season_means(n_satellites, network)
    change = max(means.values()) / min(means.values()) - 1.0
    return check_choice("answer", answer, "yes" if change > 0.10 else "no", ["yes", "no"],
                  why=f"the mean moves by {change:.0%} across the dates: the plane is "
                  "sun-synchronous, so its passes over China and its eclipses come back at the "
                  "same local times all year",
                  hint="add 'epoch' to the study (or call response_times on configure(..., "
                  "epoch=...) for each date) and compare the largest and smallest mean.")


def exercise_2(parameter: str) -> Feedback:
    """Which input of the Latin-hypercube study moves the p90 most: "n_satellites", "alt" or
    "eclipse_cap_w"? (checked with :func:`lab.study.sensitivity` on a small grid of their
    ends, :data:`SAMPLED`)."""
    if parameter is None:
        return unanswered("my_answer", '"n_satellites", "alt" or "eclipse_cap_w"')
    from lab import study

    ds = study.run(SAMPLED, fixed=FIXED, progress=False)
    spread = study.sensitivity(ds, "p90")
    expected = str(spread.idxmax())
    return check_choice("parameter", parameter, expected, list(SAMPLED),
                  why=f"p90 spread {spread[expected]:.2f} decades: the slow prompts wait for "
                  "passes, and the number of satellites sets how long; the eclipse cap only "
                  "changes the inference of prompts served on battery",
                  hint="plot p90 against each column of the sample (log scale): which one "
                  "orders the points?")


def exercise_3(n_points: Any, spec: str | Path = EXAMPLE_SPEC) -> Feedback:
    """The number of designs in the study of ``studies/example.yaml``."""
    if n_points is None:
        return unanswered("my_answer", 'a number of designs')
    from lab.study import load_spec, make_space

    s = load_spec(spec)
    expected = make_space(s.space, s.fixed).size
    return check_number("designs", n_points, expected, rtol=0.0, atol=0.5,
                        hint="a grid has one point per combination: multiply the number of "
                        "values of every parameter under 'grid:'.")
