"""Check helpers for the exercises of notebook 02 (power and heat).

The inputs of each exercise are module constants (``EXERCISE_N``), the numbers the notebook's
exercise text gives; the expected answers are computed from them with :mod:`lab.power`.

>>> from lab.exercises import power as ex
>>> ex.exercise_3("orbit-normal").correct
True
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from lab import examples, power
from lab.exercises import Feedback, check_answer
from lab.orbits import Orbit

__all__ = ["EXERCISE_1", "EXERCISE_2", "EXERCISE_3", "EXERCISE_4", "EXERCISE_5", "exercise_1",
           "exercise_2", "exercise_3", "exercise_4", "exercise_5"]

_DAY = np.arange(0, 86400 + 1, 30.0)  # one day, 30 s steps (notebook 02, section 3)

#: Exercise 1: the Three-Body payload at full load, beginning of life vs 10 years at 2 %/year.
EXERCISE_1 = {"payload": "three-body-744", "bus_w": 100.0, "years": 10, "degradation": 0.02}
#: Exercise 2: the H100 satellite in the 53 deg shell, depth of discharge 0.3 -> 0.6.
EXERCISE_2 = {"payload": "h100", "bus_w": 100.0, "alt": 550.0, "inc": 53.0, "age": 5,
              "dod": (0.3, 0.6)}
#: Exercise 3: a fixed array on the dawn-dusk orbit (Suncatcher's), one of two normals.
EXERCISE_3 = {"normals": ("orbit-normal", "anti-orbit-normal")}
#: Exercise 4: the section-3 satellite with a 1.6 m² array: the highest duty cycle it sustains.
EXERCISE_4 = {"payload": "three-body-744", "bus_w": 100.0, "array_m2": 1.6, "battery_wh": 600.0,
              "dod": 0.3}
#: Exercise 5: the build-out at full load for one hour with the section-3 design.
EXERCISE_5 = {"payload": "three-body-744", "bus_w": 100.0, "array_m2": 1.3, "battery_wh": 600.0,
              "dod": 0.3, "hours": 1.0}


def _load(spec: dict[str, Any], duty: float = 1.0) -> power.Loads:
    return power.Loads(bus=spec["bus_w"], compute=power.ComputeLoad(spec["payload"],
                                                                     duty_cycle=duty))


def _sizing_ratio(orbit: Any, spec: dict[str, Any], pick: Any, first: dict[str, Any],
                  second: dict[str, Any]) -> float:
    """``pick(design)`` of the :func:`lab.power.size_for` design with ``second`` keywords over
    that with ``first`` (one day at 30 s steps, ``spec``'s load)."""
    one, two = (power.size_for(orbit, _load(spec), _DAY, **kw) for kw in (first, second))
    return float(pick(two) / pick(one))


@cache
def _degradation_ratio() -> float:
    return _sizing_ratio(examples.three_body_orbit(), EXERCISE_1, lambda s: s.array.area,
                         {"age": 0}, {"age": EXERCISE_1["years"],
                                      "degradation_per_year": EXERCISE_1["degradation"]})


def exercise_1(answer: Any) -> Feedback:
    """Array area after 10 years at 2 %/year divided by the area at beginning of life."""
    return check_answer("area ratio (10 years / new)", answer, _degradation_ratio, rtol=0.01,
                        what="the ratio of the two array areas (e.g. 1.5)",
                        hint="the cells give (1 - d)^age of their new output; the array must "
                             "grow by the inverse")


@cache
def _dod_ratio() -> float:
    orbit = Orbit.from_classical(alt=EXERCISE_2["alt"], inc=EXERCISE_2["inc"])
    shallow, deep = ({"age": EXERCISE_2["age"], "max_depth_of_discharge": d}
                     for d in EXERCISE_2["dod"])
    return _sizing_ratio(orbit, EXERCISE_2, lambda s: s.battery.capacity, shallow, deep)


def exercise_2(answer: Any) -> Feedback:
    """Battery capacity at depth of discharge 0.6 divided by the capacity at 0.3."""
    return check_answer("capacity ratio (DoD 0.6 / 0.3)", answer, _dod_ratio, rtol=0.02,
                        what="the ratio of the two capacities (e.g. 0.5)",
                        hint="the usable share of the battery is the depth of discharge minus "
                             "the 5 % reserve kept for the bus (compute_reserve)")


@cache
def _sunward_normal() -> str:
    orbit = examples.suncatcher_81()[0]
    cos = {n: float(power.illumination(orbit, _DAY, array=power.SolarArray(
        1.0, pointing="fixed", normal=n)).cos_incidence.mean()) for n in EXERCISE_3["normals"]}
    return max(cos, key=cos.get)


def exercise_3(answer: Any) -> Feedback:
    """Which fixed array normal faces the Sun on the dawn-dusk (LTAN 18:00) orbit?"""
    return check_answer("the sunward face", answer, _sunward_normal,
                        options=EXERCISE_3["normals"],
                        what='"orbit-normal" or "anti-orbit-normal"',
                        why="a dawn-dusk orbit's normal points nearly at the Sun (beta of "
                            "60-90°): that face is lit at a steady angle all orbit",
                        hint="compare power.illumination(..., array=...).cos_incidence for "
                             "both normals: positive means lit from the front")


@cache
def _sustained_duty(iterations: int = 10) -> float:
    """Highest constant duty cycle that is never throttled through the day (bisection)."""
    spec = EXERCISE_4
    array = power.SolarArray(spec["array_m2"], efficiency=0.30)
    battery = power.Battery(spec["battery_wh"], max_depth_of_discharge=spec["dod"])
    orbit = examples.three_body_orbit()
    lo, hi = 0.0, 1.0
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        day = power.simulate(orbit, array, battery, _load(spec, mid), _DAY)
        lo, hi = (mid, hi) if int(day.throttled.sum()) == 0 else (lo, mid)
    return lo


def exercise_4(answer: Any) -> Feedback:
    """The highest utilization (0-1) the 1.6 m² / 600 Wh satellite serves all day unthrottled."""
    return check_answer("sustained utilization", answer, _sustained_duty, atol=0.03, rtol=0.0,
                        what="a utilization between 0 and 1",
                        hint="look at where the throttling starts: in sunlight, or at the end "
                             "of an eclipse? The battery's usable energy, not the array, may "
                             "set the limit")


@cache
def _short_satellites() -> int:
    spec = EXERCISE_5
    times = np.arange(0.0, spec["hours"] * 3600.0 + 1.0, 30.0)
    run = power.simulate(examples.star_compute(), power.SolarArray(spec["array_m2"],
                                                                   efficiency=0.30),
                         power.Battery(spec["battery_wh"], max_depth_of_discharge=spec["dod"]),
                         _load(spec), times)
    return int(run.throttled.any("time").sum())


def exercise_5(answer: Any) -> Feedback:
    """How many of the 2,800 build-out satellites have their compute throttled at least once in
    the first hour (full load, the section-3 array and battery)?"""
    return check_answer("satellites throttled", answer, _short_satellites, rtol=0.01,
                        what="a number of satellites",
                        hint="day.throttled has dims (satellite, time): reduce over time with "
                             ".any('time'), then count")
