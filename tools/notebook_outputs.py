"""Keep committed notebooks small *and* checked.

nbval (``pytest --nbval-lax``) compares the outputs of cells marked ``# NBVAL_CHECK_OUTPUT`` with
the outputs stored in the notebook, so those cells must carry their (small, text-only) outputs,
while every other cell is committed without outputs (plots and widgets weigh megabytes).

    python tools/notebook_outputs.py refresh [NOTEBOOK ...]   # execute, keep checked outputs only
    python tools/notebook_outputs.py strip [NOTEBOOK ...]     # drop all outputs but the checked ones
    python tools/notebook_outputs.py check [NOTEBOOK ...]     # exit 1 if a notebook breaks the rule

``refresh`` executes the notebook from its own folder with the project's kernel (the notebooks
start and stop their own servers); run it after changing a notebook or the numbers it prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARK = "# NBVAL_CHECK_OUTPUT"
KEEP_MIME = ("text/plain",)


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(MARK)


def _text_only(outputs: list) -> list:
    kept = []
    for out in outputs:
        if out.output_type == "stream" and out.name == "stdout":
            kept.append(out)
        elif out.output_type in ("execute_result", "display_data"):
            data = {k: v for k, v in out.data.items() if k in KEEP_MIME}
            if data:
                out.data = data
                out.metadata = {}
                kept.append(out)
    return kept


def strip(nb) -> None:
    """Drop every output except text outputs of checked cells.

    Checked cells keep an execution count: nbval skips the comparison for a cell without one.
    """
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if is_checked(cell):
            count += 1
            cell.outputs = _text_only(cell.outputs)
            cell.execution_count = count
            for out in cell.outputs:
                if out.output_type == "execute_result":
                    out.execution_count = count
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)


def problems(nb, name: str) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if is_checked(cell) and (not cell.outputs or cell.execution_count is None):
            found.append(f"{name} cell {i}: marked {MARK} but has no stored output "
                         "(and execution count) to compare")
        if not is_checked(cell) and cell.outputs:
            found.append(f"{name} cell {i}: unchecked cell with stored outputs (run `strip`)")
    return found


def refresh(path: Path, timeout: int = 900) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    strip(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["refresh", "strip", "check"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
        (ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    bad = []
    for path in paths:
        if args.action == "refresh":
            print(f"executing {path.name} ...", flush=True)
            refresh(path)
        elif args.action == "strip":
            nb = nbformat.read(path, as_version=4)
            strip(nb)
            nbformat.write(nb, path)
        else:
            bad += problems(nbformat.read(path, as_version=4), path.name)
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
