"""lab.exercises: the check helpers say right or not yet, and why."""

from __future__ import annotations

import doctest

from astropy import units as u

import lab.exercises
from lab.exercises import check_choice, check_number


def test_docstring_examples_run():
    assert doctest.testmod(lab.exercises).failed == 0


def test_check_number_within_and_outside_the_tolerance():
    assert check_number("a", 101.0, 100.0, rtol=0.02)
    wrong = check_number("a", 110.0, 100.0, rtol=0.02, hint="use the semi-major axis")
    assert not wrong and "too high" in wrong.message and "semi-major axis" in wrong.message
    assert "too low" in check_number("a", 90.0, 100.0).message
    assert check_number("r", 7000 * u.km, 7000.0, unit="km", rtol=1e-6)
    assert check_number("r", 7 * u.Mm, 7000.0, unit="km", rtol=1e-6)
    assert check_number("d", 0.004, 0.0, atol=0.01)


def test_bad_answers_are_not_yet_not_a_crash():
    for bad in ("seven", None, 3 * u.s):
        fb = check_number("r", bad, 7000.0, unit="km")
        assert not fb.correct and "should be a number in km" in fb.message


def test_check_choice():
    assert check_choice("orbit", "dawn-dusk", "dawn-dusk", ["noon", "dawn-dusk"])
    fb = check_choice("orbit", "noon", "dawn-dusk", ["noon", "dawn-dusk"], why="beta near 90")
    assert not fb and "beta near 90" in fb.message
    assert "must be one of" in check_choice("orbit", "x", "noon", ["noon"]).message
    assert "font-weight" in fb._repr_html_()


def test_check_answer_computes_only_for_an_answer():
    from lab.exercises import check_answer

    calls = []

    def expected():
        calls.append(1)
        return 42.0

    fb = check_answer("x", None, expected, what="a number of widgets")
    assert not fb and calls == [] and "a number of widgets" in fb.message
    assert check_answer("x", 42.5, expected, rtol=0.02) and calls == [1]
    assert check_answer("c", "b", lambda: "b", options=("a", "b"), why="because")
    assert "Hint: look" in check_answer("c", "a", lambda: "b", options=("a", "b"),
                                        why="because", hint="look").message


# ------------------------------------------------------------------ the notebooks' exercises
# Each exercise: the right answer (computed here independently where possible) passes, a wrong
# one fails with a hint, the notebook's placeholder None is "no answer yet" (computes nothing).
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lab.exercises import links as ex03  # noqa: E402
from lab.exercises import orbits as ex01  # noqa: E402
from lab.exercises import power as ex02  # noqa: E402


@pytest.mark.parametrize("module", [ex01, ex02, ex03], ids=lambda m: m.__name__)
def test_every_exercise_answers_a_placeholder_without_computing(module):
    names = [n for n in module.__all__ if n.startswith("exercise_")]
    assert names and doctest.testmod(module).failed == 0
    for name in names:
        fb = getattr(module, name)(None)
        assert not fb and fb.message.startswith("No answer yet")


def _wrong(fb):
    """A wrong answer is "not yet" with a hint."""
    assert not fb.correct and fb.message.startswith("Not yet") and "Hint:" in fb.message
    return True


def test_01_eclipse_season_of_a_dawn_dusk_ring():
    # LTAN 06:00: the orbit normal points away from the Sun; with the Sun south of the equator
    # (December) its beta is smallest: the season straddles the December solstice
    from lab import examples
    from lab.orbits import beta_angle

    orbit = examples.shell({**examples.THREE_BODY, "ltan": 6.0}, "2026-01-01")[0]
    june, december = (abs(beta_angle(orbit, t).to_value(u.deg)) for t in
                      ("2026-06-21", "2026-12-21"))
    assert december < june
    assert ex01.exercise_1("December") and _wrong(ex01.exercise_1("June"))


def test_01_beta_cycle_against_the_textbook_formula():
    # dOmega/dt = -3/2 n J2 (R/a)^2 cos i (Vallado eq. 9-41), Sun 360 deg per tropical year
    mu, r_e, j2 = 398600.4418, 6378.137, 1.08262668e-3
    a = r_e + 550.0
    n = np.sqrt(mu / a**3)
    node = -1.5 * n * j2 * (r_e / a) ** 2 * np.cos(np.radians(53.0))
    days = 2 * np.pi / abs(node - 2 * np.pi / (365.24219 * 86400)) / 86400
    assert days == pytest.approx(65.8, abs=0.1)
    assert ex01.exercise_2(days) and ex01.exercise_2(0.95 * days)
    assert _wrong(ex01.exercise_2(days / 2))


def test_01_satellites_per_plane_by_brute_force():
    from lab.orbits import Constellation

    def gap(n):
        pos = Constellation.walker_delta(n, 1, 0, alt=550, inc=53).positions([0.0])
        return np.linalg.norm(pos[1, 0] - pos[0, 0])

    fewest = next(n for n in range(30, 60) if gap(n) < 1000.0)
    assert ex01.exercise_3(fewest) and ex01.exercise_3(np.int64(fewest))
    assert _wrong(ex01.exercise_3(fewest - 1))
    assert "fewer would too" in ex01.exercise_3(fewest + 5).message


def test_02_power_exercises_against_hand_estimates():
    # 1: the array grows by 1 / (1 - 0.02)^10
    assert ex02.exercise_1(1 / 0.98**10) and _wrong(ex02.exercise_1(1.10))
    # 2: usable share of the battery (DoD - 5 % reserve): (0.3 - 0.05) / (0.6 - 0.05)
    assert ex02.exercise_2(0.25 / 0.55) and _wrong(ex02.exercise_2(0.5))  # not "halves"
    # 3: the dawn-dusk orbit's normal points towards the Sun (beta > 0)
    from lab import examples
    from lab.orbits import beta_angle

    assert beta_angle(examples.suncatcher_81()[0], examples.DEFAULT_EPOCH).value > 45
    assert ex02.exercise_3("orbit-normal") and _wrong(ex02.exercise_3("anti-orbit-normal"))
    # 4: the battery limits it: 600 Wh x (0.3 - 0.05) x 0.95 over a 35.5 min eclipse gives
    # ~241 W for 100 W of bus, 40 W idle and 260 W more at full load
    estimate = (600 * 0.25 * 0.95 / (35.5 / 60) - 100 - 40) / 260
    assert ex02.exercise_4(estimate) and _wrong(ex02.exercise_4(0.7))


def test_02_short_satellites_of_the_build_out():
    from lab import examples, power

    bo = examples.star_compute()
    times = np.arange(0.0, 3601.0, 30.0)
    ill = power.illumination(bo, times)
    dark = (ill.shadow > 0).any("time").values
    right = ex02._short_satellites()
    assert 0 < right < dark.sum()  # only satellites that see the shadow can be short
    assert ex02.exercise_5(right) and _wrong(ex02.exercise_5(int(dark.sum())))


def test_03_links_exercises():
    import lab.links as L
    from lab import examples
    from lab.orbits import DEFAULT_EPOCH, Constellation

    # 1: minutes above each mask from a 1 s elevation scan (no pass refinement)
    ks = L.get_network("china")[0]
    sec = np.arange(0.0, 86400.0, 1.0)
    r = L.itrs_positions(examples.three_body(DEFAULT_EPOCH)[:1],
                         DEFAULT_EPOCH + sec * u.s, None)[0]
    el = L.elevation(r, ks)
    lost = ((el > 10).sum() - (el > 25).sum()) / 60.0
    assert ex03.exercise_1(lost) and _wrong(ex03.exercise_1(lost / 2))
    # 2: 20 log10(2) dB
    assert ex03.exercise_2(20 * np.log10(2)) and _wrong(ex03.exercise_2(3.0))
    # 3: cutting cross-plane links near the poles lowers the mean degree below +Grid's 4
    right = ex03._links_per_satellite()
    walker = Constellation.walker_star(66, 6, 2, alt=780, inc=86.4, epoch=DEFAULT_EPOCH)
    star = L.isl_graph(walker, DEFAULT_EPOCH)
    assert right < 2 * star.number_of_edges() / 66 < 4
    assert ex03.exercise_3(right) and _wrong(ex03.exercise_3(4.0))
    # 4: a KSAT station sees the ring 3 h after launch: no wait
    assert ex03.exercise_4(0.0) and _wrong(ex03.exercise_4(280.0))
