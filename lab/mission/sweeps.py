"""Response time versus constellation size: :func:`sweep` (the widgets' curve, the CLI's
``sweep``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from lab._validate import check_int
from lab.mission.rescale import MAX_SATELLITES
from lab.mission.response import TERMS, response_times
from lab.mission.scenario import Scenario

__all__ = ["SWEEP_SIZES", "sweep"]

SWEEP_SIZES = (12, 48, 120, 300, 720, 1400, 2800)  # default sizes of sweep() and the CLI


def sweep(
    scenario: str | Scenario,
    n_satellites: Iterable[int] = SWEEP_SIZES,
    requests: int | None = 1000,
    seed: int = 0,
    *,
    dt: float = 60.0,
    progress: bool = True,
    callback: Any = None,
    max_memory_gb: float | None = None,
) -> pd.DataFrame:
    """Response-time percentiles (s) versus constellation size.

    One row per size: p50, p90, p99, mean, the mean of every term, the dominant term, the
    planes used and ``n_used``, the satellites actually simulated (auto planes may move a prime
    total to the nearest one with an even Walker split, see :func:`configure`). ``progress``
    shows a tqdm bar; ``callback(i, n)`` is called after each size. ``max_memory_gb``: the
    memory limit of each size (see :func:`response_times`).
    """
    sizes = [check_int(n, "n_satellites", lo=1, hi=MAX_SATELLITES) for n in n_satellites]
    if not sizes:
        raise ValueError("n_satellites must list at least one size")
    from tqdm.auto import tqdm

    rows = []
    for i, n in enumerate(tqdm(sizes, disable=not progress, desc="sweep", leave=False)):
        r = response_times(scenario, n_satellites=n, requests=requests, seed=seed, dt=dt,
                           max_memory_gb=max_memory_gb)
        row = {"n_satellites": n, **{k: r.summary[k] for k in ("p50", "p90", "p99", "mean")}}
        row.update({f"mean_{t}": float(r.table.loc[t, "mean"]) for t in TERMS})
        row["dominant"] = r.summary["dominant"]
        row["dominant_at_median"] = r.summary["dominant_at_median"]
        row["planes"] = "+".join(str(s.planes) for s in r.scenario.shells)
        row["n_used"] = r.scenario.n_satellites  # may differ from n (see configure's notes)
        row["in_view_share"] = r.summary["in_view_share"]
        rows.append(row)
        if callback is not None:
            callback(i + 1, len(sizes))
    return pd.DataFrame(rows).set_index("n_satellites")

