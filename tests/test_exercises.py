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
