"""``python -m erlen``: the ``erlen`` command, for environments without the script."""

from __future__ import annotations

from .commands import main

if __name__ == "__main__":
    main()
