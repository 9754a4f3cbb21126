"""erlen's benchmark suite: erlen side by side with Flask, Falcon, Bottle, Starlette and Quart.

Run it with ``python -m benchmarks`` (``make bench``); ``python -m benchmarks --help`` lists
the options. Every workload checks that each framework answers correctly before it is
timed, and a framework that cannot run a case (it fails to import, or answers wrongly) is
reported as unavailable for that case instead of stopping the run. See ``docs/benchmarks.md``
for the method and the latest figures.

Workloads, one module each:

- :mod:`benchmarks.routing` -- URL matching and URL building over the GitHub API route set;
- :mod:`benchmarks.templates` -- a page of 50 ``url_for`` links rendered from a template;
- :mod:`benchmarks.wsgi` -- WSGI callables driven in-process;
- :mod:`benchmarks.asgi` -- ASGI callables driven in-process on one event loop;
- :mod:`benchmarks.e2e` -- real servers over loopback, loaded by wrk (or a Python client);
- :mod:`benchmarks.memory` -- resident memory of one worker, after start-up and under load.
"""

from __future__ import annotations

WORKLOADS: tuple[str, ...] = ("routing", "templates", "wsgi", "asgi", "e2e", "memory")
"""Workload names accepted by ``--only``, in the order they run."""
