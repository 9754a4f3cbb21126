"""The environment a run happened in: machine, operating system, Python and packages.

Benchmark figures mean nothing without it, so it is recorded in ``results.json`` and
written next to the tables.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES: tuple[str, ...] = (
    "erlen",
    "flask",
    "werkzeug",
    "jinja2",
    "falcon",
    "starlette",
    "quart",
    "bottle",
    "gunicorn",
    "uvicorn",
    "h11",
    "httptools",
    "uvloop",
    "python-multipart",
    "matplotlib",
)
"""Distributions whose versions shape the figures (``None`` in the record: not installed)."""


def _first_value(path: str, key: str) -> str | None:
    """The value of the first ``key: value`` line of a /proc-style file, if any."""
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def _os_name() -> str:
    """The distribution's pretty name from /etc/os-release, else the platform string."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def package_versions() -> dict[str, str | None]:
    """The installed version of each package of :data:`PACKAGES`."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def erlen_c_extension() -> bool:
    """Whether erlen runs with its optional C extension (erlen._speedups) here."""
    from erlen._native import native

    return native("decode_query") is not None


def describe() -> dict[str, Any]:
    """Everything about the machine and software a reader needs to interpret the figures."""
    memory_kib = _first_value("/proc/meminfo", "MemTotal")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _first_value("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_mhz": _first_value("/proc/cpuinfo", "cpu MHz"),
        "nproc": len(os.sched_getaffinity(0)),
        "memory_mib": int(memory_kib.split()[0]) // 1024 if memory_kib else None,
        "os": _os_name(),
        "kernel": platform.release(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "packages": package_versions(),
        "erlen_c_extension": erlen_c_extension(),
    }
