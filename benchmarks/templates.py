"""Templates: a page of 50 links, each built with ``url_for`` inside the template.

The page (``benchmarks/apps/templates/links.html``) loops over 50 item ids and calls
``url_for('item', item_id=...)`` for each, so it measures the template engine's glue and
URL building as a real page uses them. Two cases per framework:

- ``render_template``: the template is loaded from the app's template folder; after the
  first call it comes from the Jinja cache, as in production;
- ``render_template_string``: the same source passed as a string, which Flask (and its
  API) compiles on every call.

Rendering runs inside one ``test_request_context`` per sample (Quart: its async
equivalent on one event loop), as it would inside a view. Flask, erlen and Quart only:
the others have no ``url_for``-aware template integration.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from itertools import repeat
from pathlib import Path
from typing import Any

from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.settings import Settings
from benchmarks.timing import Log, Runner, Subject, TimingPlan, measure

TEMPLATE_FOLDER = Path(__file__).resolve().parent / "apps" / "templates"
TEMPLATE_NAME = "links.html"
TEMPLATE_SOURCE = (TEMPLATE_FOLDER / TEMPLATE_NAME).read_text(encoding="utf-8")
ITEM_IDS = tuple(range(50))
EXPECTED_PAGE = (
    "<!doctype html><title>Items</title><ul>"
    + "".join(f'<li><a href="/items/{item}">Item {item}</a></li>' for item in ITEM_IDS)
    + "</ul>"
)
CASES = ("render_template", "render_template_string")


def _item(item_id: int) -> str:
    """The view behind the ``item`` endpoint the links point at; never called here."""
    return str(item_id)


async def _async_item(item_id: int) -> str:
    """Quart's version of :func:`_item`."""
    return str(item_id)


class FlaskStyleTemplates:
    """Rendering through a Flask-API app (Flask or erlen): identical code for both."""

    def __init__(self, module_name: str, app_class: str) -> None:
        self.module = importlib.import_module(module_name)
        self.app = getattr(self.module, app_class)(__name__, template_folder=str(TEMPLATE_FOLDER))
        self.app.add_url_rule("/items/<int:item_id>", endpoint="item", view_func=_item)

    def render(self, case: str) -> str:
        with self.app.test_request_context("/"):
            return str(self._renderer(case)())

    def _renderer(self, case: str) -> Callable[[], Any]:
        if case == "render_template":
            render_template = self.module.render_template
            return lambda: render_template(TEMPLATE_NAME, item_ids=ITEM_IDS)
        render_template_string = self.module.render_template_string
        return lambda: render_template_string(TEMPLATE_SOURCE, item_ids=ITEM_IDS)

    def runner(self, case: str) -> Runner:
        app = self.app
        render = self._renderer(case)

        def run(iterations: int) -> None:
            with app.test_request_context("/"):
                for _ in repeat(None, iterations):
                    render()

        return run


class QuartTemplates:
    """Rendering through Quart's async ``render_template`` on one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import quart

        self.loop = loop
        self.quart = quart
        self.app = quart.Quart(__name__, template_folder=str(TEMPLATE_FOLDER))
        self.app.add_url_rule("/items/<int:item_id>", endpoint="item", view_func=_async_item)

    def _renderer(self, case: str) -> Callable[[], Any]:
        if case == "render_template":
            render_template = self.quart.render_template
            return lambda: render_template(TEMPLATE_NAME, item_ids=ITEM_IDS)
        render_template_string = self.quart.render_template_string
        return lambda: render_template_string(TEMPLATE_SOURCE, item_ids=ITEM_IDS)

    def render(self, case: str) -> str:
        render = self._renderer(case)

        async def once() -> str:
            async with self.app.test_request_context("/"):
                return str(await render())

        return self.loop.run_until_complete(once())

    def runner(self, case: str) -> Runner:
        app = self.app
        render = self._renderer(case)

        async def many(iterations: int) -> None:
            async with app.test_request_context("/"):
                for _ in repeat(None, iterations):
                    await render()

        def run(iterations: int) -> None:
            self.loop.run_until_complete(many(iterations))

        return run


def make_renderers(loop: asyncio.AbstractEventLoop) -> dict[str, Callable[[], Any]]:
    """How to build each framework's renderer, erlen first."""
    return {
        "erlen": lambda: FlaskStyleTemplates("erlen", "Erlen"),
        "flask": lambda: FlaskStyleTemplates("flask", "Flask"),
        "quart": lambda: QuartTemplates(loop),
    }


def verified_runner(renderer: Any, case: str) -> Runner:
    """Check ``renderer`` produces the expected page for ``case``, then return its runner."""
    try:
        page = renderer.render(case)
    except Exception as error:
        raise Unavailable(f"{case}: raised {describe_error(error)}") from error
    if page.rstrip("\n") != EXPECTED_PAGE:
        raise Unavailable(f"{case}: page differs from the expected one: {page[:120]!r}…")
    return renderer.runner(case)


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Time both rendering cases on every selected framework, interleaved."""
    cells: dict[str, dict[str, Cell]] = {case: {} for case in CASES}
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        factories = {
            key: factory
            for key, factory in make_renderers(loop).items()
            if key in settings.frameworks
        }
        subjects: list[Subject] = []
        for framework, factory in factories.items():
            try:
                renderer = factory()
            except Exception as error:
                for case in CASES:
                    cells[case][framework] = Cell.unavailable(
                        f"app failed to build: {describe_error(error)}"
                    )
                continue
            for case in CASES:
                try:
                    subjects.append(Subject(case, framework, verified_runner(renderer, case)))
                except Unavailable as error:
                    cells[case][framework] = Cell.unavailable(str(error))
        log(f"templates: {len(subjects)} case/framework pairs verified; timing")
        measure(subjects, TimingPlan(settings.samples, settings.target_seconds), log)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    for subject in subjects:
        cells[subject.case][subject.framework] = subject.cell()
    return WorkloadResult(
        name="templates",
        title="url_for inside templates (a page of 50 links)",
        description=(
            "A Jinja page whose loop calls url_for('item', item_id=i) 50 times, rendered "
            "inside a request context. Time per rendered page."
        ),
        unit="s",
        primary="time",
        lower_is_better=True,
        paired=True,
        frameworks=list(factories),
        cases=cells,
        case_descriptions={
            "render_template": "render_template('links.html'): the compiled template is cached",
            "render_template_string": "render_template_string(source): compiled on every call",
        },
        notes=[
            "Rendering runs inside one test_request_context('/') per sample (Quart: its async "
            "test_request_context on one event loop); Bottle, Falcon and Starlette have no "
            "url_for-aware template integration and are not in this table.",
        ],
    )
