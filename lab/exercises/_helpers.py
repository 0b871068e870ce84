"""A building block the check helpers of notebooks 04-07 share, on top of
:func:`lab.exercises.check_number`, :func:`~lab.exercises.check_choice` and
:func:`~lab.exercises.unanswered`: a set of names out of a list (:func:`check_names`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lab.exercises import Feedback

__all__ = ["check_names"]


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
