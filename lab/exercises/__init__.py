"""Check helpers for the notebooks' exercises: a student's answer in, "right" or "not yet, and why" out.

Each notebook has a module here (``lab.exercises.orbits`` for 01, ...) with one function per
exercise, ``exercise_N(answer, ...)``, that computes the expected answer **with the lab itself**
(never a typed-in number) and returns a :class:`Feedback`. The building blocks are
:func:`check_number` (a number within a tolerance, units accepted) and :func:`check_choice`;
an exercise left at ``None`` (the notebooks' placeholder) gets :func:`unanswered` without
computing anything (:func:`check_answer` does both: an exercise is one call). The expected
answers are computed once per session (``functools.cache``).
The instructor's worked solutions are in ``notebooks/solutions/`` and check themselves with
these functions.

>>> from lab.exercises import check_number
>>> check_number("period", 95.6, expected=95.65, unit="min", rtol=0.01)
Right: period = 95.6 min (expected 95.65 min, within 1%).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from astropy import units as u

__all__ = ["Feedback", "check_answer", "check_choice", "check_number", "unanswered"]


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct`` and a sentence that says why."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.correct else "#b35900"
        return f'<span style="color:{colour};font-weight:600">{self.message}</span>'


def _plain(x: Any, unit: str) -> float:
    if isinstance(x, u.Quantity):
        return float(x.to_value(u.Unit(unit))) if unit else float(x.value)
    return float(x)


def check_number(name: str, answer: Any, expected: Any, *, unit: str = "", rtol: float = 0.02,
                 atol: float = 0.0, hint: str = "") -> Feedback:
    """Is ``answer`` within ``rtol`` (relative) or ``atol`` (absolute) of ``expected``?

    Quantities are converted to ``unit``; plain numbers are read in ``unit``. ``hint`` is added
    to a wrong answer's message (what to look at again).
    """
    try:
        got = _plain(answer, unit)
    except (TypeError, ValueError, u.UnitConversionError):
        return Feedback(False, f"Not yet: {name} should be a number"
                               f"{f' in {unit}' if unit else ''} (got {answer!r}).")
    want = _plain(expected, unit)
    unit_s = f" {unit}" if unit else ""
    tol = max(atol, rtol * abs(want))
    if np.isfinite(got) and abs(got - want) <= tol:
        within = ("exactly" if tol == 0 else f"within {rtol:.0%}" if tol == rtol * abs(want)
                  else f"within {atol:g}{unit_s}")
        return Feedback(True, f"Right: {name} = {got:.4g}{unit_s} (expected {want:.4g}{unit_s}, "
                              f"{within}).")
    direction = "too high" if got > want else "too low"
    return Feedback(False, f"Not yet: {name} = {got:.4g}{unit_s} is {direction}"
                           f"{f'. Hint: {hint}' if hint else '.'}")


def check_choice(name: str, answer: Any, expected: Any, options: Iterable[Any], *,
                 why: str = "", hint: str = "") -> Feedback:
    """Is ``answer`` the ``expected`` one of ``options``? ``why`` explains the right choice (shown
    with a right answer); ``hint`` (default: ``why``) is shown with a wrong one."""
    options = list(options)
    if answer not in options:
        return Feedback(False, f"Not yet: {name} must be one of {options} (got {answer!r}).")
    if answer == expected:
        return Feedback(True, f"Right: {name} = {answer!r}{f' ({why})' if why else ''}.")
    hint = hint or why
    return Feedback(False, f"Not yet: {name} = {answer!r} is not it"
                           f"{f'. Hint: {hint}' if hint else '.'}")


def unanswered(name: str = "my_answer", what: str = "a number") -> Feedback:
    """The verdict on a placeholder (``None``): not yet, and what to put there."""
    return Feedback(False, f"No answer yet: set {name} to {what} and run the cell again.")


def check_answer(name: str, answer: Any, expected: Callable[[], Any], *, what: str = "a number",
                 options: Iterable[Any] | None = None, **kwargs: Any) -> Feedback:
    """One exercise's verdict: :func:`unanswered` for the placeholder ``None`` (``expected`` is
    not called), else :func:`check_choice` among ``options`` or :func:`check_number`, against
    ``expected()``; ``kwargs`` go to that check (``rtol``, ``unit``, ``hint``, ``why`` ...)."""
    if answer is None:
        return unanswered(what=what)
    if options is not None:
        return check_choice(name, answer, expected(), options, **kwargs)
    return check_number(name, answer, expected(), **kwargs)
