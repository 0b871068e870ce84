"""What every benchmark shares, in the shape of vLLM's ``benchmarks/``: one timer, one report.

A benchmark module defines ``add_cli_args(parser)`` and ``main(args) -> int`` and ends with
``if __name__ == "__main__": sys.exit(run(__doc__, add_cli_args, main))``. ``main`` fills a
:class:`Report`: timings (``report.time``), derived numbers (``report.value``) and stated targets
(``report.target``), then returns ``report.finish(args)``, which prints a table (or JSON with
``--json``) and returns 1 when a stated target is missed, so ``make bench`` fails loudly.
Peer libraries are measured in the same run, so every ratio compares like with like.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Report", "best_of", "run"]


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """(best wall time in s over ``repeat`` calls, the last result): the one timer of the suite."""
    best, out = math.inf, None
    for _ in range(max(1, int(repeat))):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


@dataclass
class Report:
    """Timings, values and targets of one benchmark run."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)

    def time(self, label: str, seconds: float, **extra: Any) -> float:
        """Record a timing (s); returns it."""
        self.rows.append({"label": label, "seconds": float(seconds), **extra})
        return seconds

    def value(self, label: str, value: float, unit: str = "", **extra: Any) -> float:
        """Record a derived number (a ratio, a count, an error) with its unit."""
        self.rows.append({"label": label, "value": float(value), "unit": unit, **extra})
        return value

    def target(self, label: str, value: float, *, at_most: float | None = None,
               at_least: float | None = None, unit: str = "") -> bool:
        """Record a stated target: ``value`` must be <= ``at_most`` and/or >= ``at_least``."""
        ok = (at_most is None or value <= at_most) and (at_least is None or value >= at_least)
        self.targets.append({"label": label, "value": float(value), "at_most": at_most,
                             "at_least": at_least, "unit": unit, "met": bool(ok)})
        return ok

    def finish(self, args: argparse.Namespace) -> int:
        """Print the report (text or ``--json``); 1 if a target is missed, else 0."""
        if getattr(args, "json", False):
            print(json.dumps({"benchmark": self.name, "machine": _machine(), "rows": self.rows,
                              "targets": self.targets}, indent=1))
        else:
            self._print_text()
        return 0 if all(t["met"] for t in self.targets) else 1

    def _print_text(self) -> None:
        print(f"== {self.name} ({_machine()['processor']}, {_machine()['cpus']} CPUs)")
        for row in self.rows:
            extra = {k: v for k, v in row.items() if k not in ("label", "seconds", "value", "unit")}
            note = "  " + ", ".join(f"{k}={v}" for k, v in extra.items()) if extra else ""
            if "seconds" in row:
                print(f"  {row['label']:<58s} {row['seconds'] * 1e3:10.1f} ms{note}")
            else:
                print(f"  {row['label']:<58s} {row['value']:10.4g} {row['unit']}{note}")
        for t in self.targets:
            bound = " and ".join(b for b in (
                f">= {t['at_least']:g}" if t["at_least"] is not None else "",
                f"<= {t['at_most']:g}" if t["at_most"] is not None else "") if b)
            print(f"  target: {t['label']} = {t['value']:.4g} {t['unit']} (must be {bound}) -> "
                  f"{'MET' if t['met'] else 'NOT MET'}")


def _machine() -> dict[str, Any]:
    import os

    return {"python": platform.python_version(), "processor": platform.machine(),
            "cpus": os.cpu_count()}


def run(doc: str | None, add_cli_args: Callable[[argparse.ArgumentParser], None],
        main: Callable[[argparse.Namespace], int], argv: list[str] | None = None) -> int:
    """Parse the command line (the module's own arguments plus ``--json``) and run ``main``."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    add_cli_args(parser)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return int(main(parser.parse_args(argv)) or 0)
