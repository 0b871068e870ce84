"""``python -m lab``: the Orbital Compute Lab command line (see :mod:`lab.cli`)."""

from __future__ import annotations

import sys

from lab.cli import main

if __name__ == "__main__":
    sys.exit(main())
