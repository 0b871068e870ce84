"""Fixtures shared by more than one test module."""

from __future__ import annotations

import pytest

import lab.study.execute


@pytest.fixture
def count_points(monkeypatch):
    """The points computed in this process (the calls of ``lab.study.execute.evaluate_timed``;
    a study on Dask computes none here)."""
    calls = []
    real = lab.study.execute.evaluate_timed

    def counting(values, metrics):
        calls.append(dict(values))
        return real(values, metrics)

    monkeypatch.setattr(lab.study.execute, "evaluate_timed", counting)
    return calls
