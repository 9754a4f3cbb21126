"""Run settings: the full preset (``make bench``), the quick preset (smoke tests), overrides.

The full preset is sized so the whole suite finishes well under 15 minutes on 2 cores; the
quick preset checks every framework's correctness and takes a handful of seconds per
workload, its timings are not meant to be read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the directory holding ``pyproject.toml``)."""

ROUTES_ENV_VAR = "ERLEN_BENCH_ROUTES"
"""Environment variable overriding the path of the GitHub API route set."""

DEFAULT_ROUTES_FILE = Path("..") / "shared" / "data" / "github_api_routes.tsv"
"""The route set's path, relative to the repository root (the project's shared data)."""

BUNDLED_ROUTES_FILE = Path("benchmarks") / "data" / "github_api_routes.tsv"
"""A copy of the route set kept in the repository, used where the shared one is absent
(a clone outside the project's workspace); a test keeps the two identical."""


def routes_file() -> Path:
    """Return the route set's path: ``$ERLEN_BENCH_ROUTES`` if set, else the shared
    file, else the copy bundled in the repository."""
    override = os.environ.get(ROUTES_ENV_VAR)
    if override:
        return Path(override).expanduser().resolve()
    shared = (REPO_ROOT / DEFAULT_ROUTES_FILE).resolve()
    return shared if shared.exists() else REPO_ROOT / BUNDLED_ROUTES_FILE


def default_workers() -> int:
    """Server workers for the end-to-end runs: all cores but one, which the load client uses."""
    return max(1, len(os.sched_getaffinity(0)) - 1)


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; built by the command line from a preset."""

    quick: bool
    samples: int
    target_seconds: float
    frameworks: tuple[str, ...]
    routes_file: Path
    e2e_cases: tuple[str, ...]
    e2e_duration: int
    e2e_warmup: int
    e2e_repeats: int
    e2e_connections: int
    workers: int
    load_client: str
    memory_requests: int
    server_start_timeout: float = 30.0

    @property
    def mode(self) -> str:
        """``"quick"`` or ``"full"``."""
        return "quick" if self.quick else "full"


def preset(quick: bool, frameworks: tuple[str, ...]) -> Settings:
    """Return the quick or the full preset for the given framework selection."""
    if quick:
        return Settings(
            quick=True,
            samples=3,
            target_seconds=0.002,
            frameworks=frameworks,
            routes_file=routes_file(),
            e2e_cases=("hello",),
            e2e_duration=1,
            e2e_warmup=0,
            e2e_repeats=1,
            e2e_connections=8,
            workers=1,
            load_client="auto",
            memory_requests=300,
        )
    return Settings(
        quick=False,
        samples=40,
        target_seconds=0.03,
        frameworks=frameworks,
        routes_file=routes_file(),
        e2e_cases=("hello", "params", "json"),
        e2e_duration=4,
        e2e_warmup=1,
        e2e_repeats=3,
        e2e_connections=8 * default_workers(),
        workers=default_workers(),
        load_client="auto",
        memory_requests=10_000,
    )
