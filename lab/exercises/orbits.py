"""Check helpers for the exercises of notebook 01 (orbits).

>>> from lab.exercises import orbits as ex
>>> ex.exercise_3(None)
No answer yet: set my_answer to a whole number of satellites and run the cell again.
>>> ex.exercise_3(10).correct
False
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from astropy import units as u

from lab import examples
from lab.constants import SECONDS_PER_DAY, TROPICAL_YEAR
from lab.exercises import Feedback, check_answer, check_number, unanswered
from lab.orbits import Orbit, core, seasons, sun_synchronous_inclination
from lab.power import sunlight_over_year

__all__ = ["EXERCISE_1", "EXERCISE_2", "EXERCISE_3", "exercise_1", "exercise_2", "exercise_3"]

#: Exercise 1: the Three-Body ring moved to a dawn-dusk plane, followed through this year.
EXERCISE_1 = {"ltan": 6.0, "year_start": "2026-01-01"}
#: Exercise 2: a 550 km orbit at 53 deg (a Starlink-like shell).
EXERCISE_2 = {"alt": 550.0, "inc": 53.0}
#: Exercise 3: one plane at 550 km, in-plane neighbours closer than 1,000 km.
EXERCISE_3 = {"alt": 550.0, "max_distance_km": 1000.0}


@cache
def _eclipse_season_solstice() -> str:
    """"June" or "December": the solstice nearest the longest eclipse of the dawn-dusk ring."""
    orbit = examples.shell({**examples.THREE_BODY, "ltan": EXERCISE_1["ltan"]},
                           EXERCISE_1["year_start"])[0]
    year = sunlight_over_year(orbit, days=365).isel(satellite=0)
    worst = year.time.values[int(np.argmax(year.eclipse_minutes.values))]
    start = year.time.values[0]
    solstices = [(name, t) for name, t in seasons(str(start), str(year.time.values[-1]))
                 if "solstice" in name]
    name, _ = min(solstices, key=lambda s: abs(np.datetime64(s[1].datetime64) - worst))
    return name.split()[0]


def exercise_1(answer: Any) -> Feedback:
    """Around which solstice ("June" or "December") does the dawn-dusk ring (LTAN 06:00) go
    through its eclipse season?"""
    return check_answer("eclipse season", answer, _eclipse_season_solstice,
                        options=("June", "December"), what='"June" or "December"',
                        why="the Sun's declination tilts the Sun towards the orbit plane around "
                            "that solstice, beta drops below beta* and the ring crosses the "
                            "winter pole's night",
                        hint="plot the eclipse minutes of sunlight_over_year on dates "
                             "(year_figure) and look where they are not zero")


@cache
def _beta_cycle_days() -> float:
    """Days for the node of the 53 deg orbit to turn once relative to the Sun."""
    orbit = Orbit.from_classical(alt=EXERCISE_2["alt"], inc=EXERCISE_2["inc"])
    raan_dot = core.j2_rates(orbit.a.to_value(u.km), 0.0, orbit.inc.to_value(u.rad))[0]
    sun_dot = 2.0 * np.pi / TROPICAL_YEAR
    return float(2.0 * np.pi / abs(raan_dot - sun_dot) / SECONDS_PER_DAY)


def exercise_2(answer: Any) -> Feedback:
    """How many days does the 53 deg orbit take to go through a whole cycle of beta angles
    (its node turning once relative to the Sun)? Within 10 % (read off a plot)."""
    sso = sun_synchronous_inclination(EXERCISE_2["alt"]).to_value(u.deg)
    return check_answer("beta cycle", answer, _beta_cycle_days, unit="d", rtol=0.10,
                        what="a number of days",
                        hint=f"the node of the 53° orbit moves about -4.5°/day while the Sun "
                             f"moves +0.99°/day (the {sso:.1f}° SSO node keeps pace with it): "
                             "how long until they are 360° apart?")


@cache
def _satellites_for_range() -> int:
    """Fewest satellites in one plane whose neighbours are closer than the limit: chord
    2 a sin(pi / N) < d."""
    a = Orbit.from_classical(alt=EXERCISE_3["alt"]).a.to_value(u.km)
    half = EXERCISE_3["max_distance_km"] / (2.0 * a)
    n = int(np.floor(np.pi / np.arcsin(half))) + 1
    return n


def exercise_3(answer: Any) -> Feedback:
    """How many satellites must one plane at 550 km hold so that in-plane neighbours are
    closer than 1,000 km (the fewest that do)?"""
    if answer is None:
        return unanswered("my_answer", "a whole number of satellites")
    want = _satellites_for_range()
    fb = check_number("satellites per plane", answer, want, rtol=0.0, atol=0.0,
                      hint="neighbours are a chord 2 a sin(180°/N) apart; find the smallest N "
                           "that makes it shorter than 1,000 km")
    if not fb and isinstance(answer, int | np.integer) and answer > want:
        return Feedback(False, f"Not yet: {answer} satellites work, but fewer would too "
                               "(the question asks for the fewest).")
    return fb
