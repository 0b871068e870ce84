"""Building blocks the check helpers of notebooks 04-07 share (on top of
:func:`lab.exercises.check_number` and :func:`lab.exercises.check_choice`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lab.exercises import Feedback, check_choice

__all__ = ["check_names", "choice", "unanswered"]


def unanswered(name: str = "my_answer", what: str = "a number") -> Feedback:
    """The verdict on a placeholder (``None``): not yet, and what to put there."""
    return Feedback(False, f"No answer yet: set {name} to {what} and run the cell again.")


def choice(name: str, answer: Any, expected: Any, options: Iterable[Any], *, why: str,
           hint: str) -> Feedback:
    """:func:`lab.exercises.check_choice` that explains ``why`` when the answer is right and
    only gives a ``hint`` (not the answer) when it is wrong."""
    options = list(options)
    ok = answer in options and answer == expected
    return check_choice(name, answer, expected, options, why=why if ok else hint)


def check_names(name: str, answer: Any, expected: Iterable[str], options: Iterable[str], *,
                why: str = "", hint: str = "") -> Feedback:
    """Is ``answer`` (a name or an iterable of names out of ``options``) exactly the set
    ``expected``? A wrong answer says which names are missing and which are extra."""
    options = list(options)
    if isinstance(answer, str):
        answer = [answer]
    try:
        got = set(answer)
    except TypeError:
        return Feedback(False, f"Not yet: {name} should be a list of names out of {options} "
                               f"(got {answer!r}).")
    want = set(expected)
    unknown = sorted(map(str, got - set(options)))
    if unknown:
        return Feedback(False, f"Not yet: {unknown} are not among {options}.")
    ordered = [o for o in options if o in want]
    if got == want:
        return Feedback(True, f"Right: {name} = {ordered}{f' ({why})' if why else ''}.")
    missing, extra = [o for o in options if o in want - got], [o for o in options if o in got - want]
    parts = ([f"missing {missing}"] if missing else []) + ([f"not these: {extra}"] if extra else [])
    return Feedback(False, f"Not yet: {name}: " + "; ".join(parts)
                    + (f". Hint: {hint}" if hint else "."))
