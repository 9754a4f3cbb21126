"""What signed URLs and static-file hashes cost ``url_for`` (erlen only).

Run it on its own: ``python -m benchmarks.url_signing [--quick]``. It times, inside a
request context as views and templates call it:

- ``url_for`` of every route of the GitHub API set (203 routes), plain, with
  ``_sign=True`` and with ``_sign=True, _expires=3600``;
- one typical e-mail link (``/unsubscribe/<int:user_id>``) the same three ways;
- ``url_for("static", filename=...)`` with ``STATIC_URL_HASH`` off and on (after the
  first call the hash is a dictionary lookup: no file system access per call).

Every URL is checked before timing (the signed ones are verified by the application),
and samples are interleaved as in the other workloads (a case's variants back to back in
each round). The ratio column is the median over rounds of each sample over its plain
counterpart's sample of the same round, as the main benchmark's ratios are. Nothing here
asserts a time: the numbers are for reading (and for docs/signed-urls.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from itertools import repeat
from pathlib import Path
from typing import Any

from benchmarks.routes import ApiRoute, load_routes
from benchmarks.settings import routes_file
from benchmarks.timing import Runner, Subject, TimingPlan, measure


def _view(**values: Any) -> str:
    return ""


def build_app(routes: list[ApiRoute], static_root: Path) -> Any:
    """An erlen app with the route set, an unsubscribe route and a static file."""
    from erlen import Erlen

    (static_root / "static" / "css").mkdir(parents=True, exist_ok=True)
    (static_root / "static" / "css" / "site.css").write_text("body { margin: 0 }\n")
    app = Erlen("url_signing_bench", root_path=str(static_root))
    app.config["SECRET_KEY"] = "benchmark secret key, long and random enough"
    for route in routes:
        app.add_url_rule(route.template("<", ">"), route.endpoint, _view, methods=[route.method])
    app.add_url_rule("/unsubscribe/<int:user_id>", "unsubscribe", _view)
    return app


def check(app: Any, routes: list[ApiRoute]) -> None:
    """Raise unless plain URLs are the route paths and signed ones verify."""
    from erlen import url_for

    with app.test_request_context():
        for route in routes:
            plain = url_for(route.endpoint, **route.values)
            if plain != route.path:
                raise AssertionError(f"{route.endpoint}: {plain!r} != {route.path!r}")
            for options in ({"_sign": True}, {"_sign": True, "_expires": 3600}):
                url = url_for(route.endpoint, **route.values, **options)
                if not url.startswith(f"{route.path}?"):
                    raise AssertionError(f"{route.endpoint}: {url!r}")
                with app.test_request_context(url):
                    from erlen import request

                    if not request.has_valid_signature():
                        raise AssertionError(f"{url!r} does not verify")


def route_set_runner(app: Any, routes: list[ApiRoute], options: dict[str, Any]) -> Runner:
    from erlen import url_for

    builds = [(route.endpoint, {**route.values, **options}) for route in routes]

    def run(iterations: int) -> None:
        with app.test_request_context():
            for _ in repeat(None, iterations):
                for endpoint, values in builds:
                    url_for(endpoint, **values)

    return run


def single_runner(app: Any, endpoint: str, values: dict[str, Any]) -> Runner:
    from erlen import url_for

    def run(iterations: int) -> None:
        with app.test_request_context():
            for _ in repeat(None, iterations):
                url_for(endpoint, **values)

    return run


def static_runner(app: Any, hashed: bool) -> Runner:
    from erlen import url_for

    def run(iterations: int) -> None:
        app.config["STATIC_URL_HASH"] = hashed
        with app.test_request_context():
            for _ in repeat(None, iterations):
                url_for("static", filename="css/site.css")
        app.config["STATIC_URL_HASH"] = False

    return run


CASES: list[tuple[str, str]] = [
    ("route set", "plain"),
    ("route set", "signed"),
    ("route set", "signed, expires"),
    ("unsubscribe link", "plain"),
    ("unsubscribe link", "signed"),
    ("unsubscribe link", "signed, expires"),
    ("static file", "plain"),
    ("static file", "hashed"),
]


def subjects(app: Any, routes: list[ApiRoute]) -> list[Subject]:
    options = {
        "plain": {},
        "signed": {"_sign": True},
        "signed, expires": {"_sign": True, "_expires": 3600},
    }
    made = []
    for group, variant in CASES:
        if group == "route set":
            run = route_set_runner(app, routes, options[variant])
            made.append(Subject(group, variant, run, len(routes)))
        elif group == "unsubscribe link":
            run = single_runner(app, "unsubscribe", {"user_id": 42, **options[variant]})
            made.append(Subject(group, variant, run))
        else:
            made.append(Subject(group, variant, static_runner(app, variant == "hashed")))
    return made


def paired_ratio(samples: list[float], plain: list[float]) -> float:
    """The median over rounds of ``samples[i] / plain[i]``."""
    return statistics.median(ours / theirs for ours, theirs in zip(samples, plain, strict=True))


def report(measured: list[Subject]) -> str:
    timed = {
        (subject.case, subject.framework): subject.per_op_seconds
        for subject in measured
        if subject.per_op_seconds and subject.failure is None
    }
    lines = [
        f"{'case':18} {'variant':16} {'median':>10} {'vs plain':>9}",
        "-" * 56,
    ]
    for group, variant in CASES:
        samples = timed.get((group, variant))
        if samples is None:
            lines.append(f"{group:18} {variant:16} {'failed':>10}")
            continue
        median = statistics.median(samples)
        plain = timed.get((group, "plain"))
        ratio = f"{paired_ratio(samples, plain):8.2f}x" if plain else ""
        lines.append(f"{group:18} {variant:16} {median * 1e9:8.0f}ns {ratio:>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few short samples")
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--target-ms", type=float, default=None)
    arguments = parser.parse_args(argv)
    samples = arguments.samples or (3 if arguments.quick else 25)
    target = (arguments.target_ms or (5 if arguments.quick else 100)) / 1000
    routes = load_routes(routes_file())
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(routes, Path(folder))
        check(app, routes)
        measured = subjects(app, routes)
        measure(measured, TimingPlan(samples, target))
        failures = [f"{s.case}/{s.framework}: {s.failure}" for s in measured if s.failure]
        print(report(measured))
        for failure in failures:
            print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
