"""``python -m lab study SPEC.yaml --out study.zarr``: a design study from the command line.

The spec (YAML, :func:`lab.study.load_spec`; an example is ``studies/example.yaml``) says
which designs to evaluate; ``--out`` is the Zarr store, written as points finish and resumed
when the same command runs again; ``--workers N`` runs on a LocalCluster of N worker processes,
``--scheduler ADDRESS`` on an existing Dask cluster (default: in this process). The text
output lists the best designs by median response time; ``--json`` prints every point.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

from lab.cli._args import CommandError, positive_int, positive_seconds

__all__ = ["register", "study"]


def _plain(x: Any) -> Any:
    """A JSON-able value: numpy scalars as Python ones, inf/NaN as null."""
    x = x.item() if hasattr(x, "item") else x
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _rows(ds: Any, metrics: tuple[str, ...]) -> list[dict[str, Any]]:
    df = ds[list(metrics)].to_dataframe().reset_index()
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _print_text(ds: Any, out: dict[str, Any]) -> None:
    from lab.study import best

    print(f"study: {ds.attrs['description']} -> {out['store']}")
    print(f"computed {out['computed']} points ({out['resumed']} already in the store) in "
          f"{out['seconds']:.1f} s")
    by = "p50" if "p50" in ds.data_vars else out["metrics"][0]
    print(f"best designs by {by}:")
    print(best(ds, by=by).round(3).to_string())


def study(args: argparse.Namespace) -> int:
    """Run (or resume) the study of ``args.spec`` into ``args.out``."""
    from lab import study as lab_study

    spec = lab_study.load_spec(args.spec)
    scheduler = args.scheduler if args.scheduler is not None else args.workers
    t0 = time.time()
    try:
        ds = lab_study.run(spec.space, fixed=spec.fixed, metrics=spec.metrics,
                           scheduler=scheduler, store=args.out, progress=not args.json,
                           connect_timeout=args.connect_timeout)
    except (lab_study.SchedulerError, lab_study.PointError) as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"interrupted: the finished points are in {args.out}; run the same command "
              "again to resume", file=sys.stderr)
        return 130
    finished = ds["finished_at"].values
    out = {"store": str(args.out), "description": ds.attrs["description"],
           "points": int(finished.size), "computed": int((finished >= t0).sum()),
           "resumed": int((finished < t0).sum()), "seconds": time.time() - t0,
           "fixed": spec.fixed, "metrics": list(spec.metrics)}
    if args.json:
        print(json.dumps({**out, "rows": _rows(ds, spec.metrics)}, indent=1))
    else:
        _print_text(ds, out)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``study`` to the lab's argparse subparsers."""
    p = subparsers.add_parser(
        "study", help="a design study (many designs, in process or on Dask)",
        description="Evaluate the designs of a YAML study spec (a grid or a Latin hypercube) "
        "and write the results to a Zarr store as they finish; run again to resume.")
    p.add_argument("spec", help="the study spec (YAML), e.g. studies/example.yaml")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786")
    where.add_argument("--workers", type=positive_int, default=None, metavar="N",
                       help="run on a LocalCluster of N worker processes")
    p.add_argument("--out", required=True, metavar="STORE",
                   help="Zarr store (a directory) for the results; resumed if it exists")
    p.add_argument("--connect-timeout", type=positive_seconds, default=10.0, metavar="S",
                   help="seconds to reach the scheduler (default 10)")
    p.add_argument("--json", action="store_true", help="machine-readable output, every point")
    p.set_defaults(func=study)
