"""Argument types and the user-error type shared by the command groups of :mod:`lab.cli`."""

from __future__ import annotations

import argparse
import math

__all__ = ["CommandError", "non_negative_seconds", "port", "positive_int", "positive_seconds"]


class CommandError(Exception):
    """A failure the user can fix (printed as ``python -m lab: error: ...``, exit code 2)."""


def positive_int(text: str) -> int:
    """An integer ≥ 1."""
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 (got {value})")
    return value


def port(text: str) -> int:
    """A TCP port, 1-65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a TCP port in [1, 65535] (got {value})")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from exc
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds (got {text!r})")
    return value


def non_negative_seconds(text: str) -> float:
    """A finite number of seconds ≥ 0 (``nan``, ``inf`` and negatives are refused)."""
    value = _seconds(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 s (got {text})")
    return value


def positive_seconds(text: str) -> float:
    """A finite number of seconds > 0."""
    value = _seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0 s (got {text})")
    return value
