"""Entry point: ``python -m benchmarks`` runs the suite (see ``--help``)."""

from __future__ import annotations

from benchmarks.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
