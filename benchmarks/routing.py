"""Routing: matching and building every route of the GitHub API set with each router.

Each framework's own router answers the question its dispatcher asks:

- erlen and Flask: ``app.url_map.bind("localhost").match(path, method)`` for matching and
  ``url_for(endpoint, **values)`` inside a request context for building (one helper class
  serves both, so the measured code is identical);
- Falcon: ``CompiledRouter.find(path)`` then the method map lookup for the verb
  (Falcon cannot build URLs);
- Starlette: the loop its ``Router`` runs on every request (``Route.matches`` over the
  route list; first full match wins, a partial one is kept for 405s), replayed without
  calling the endpoint since Starlette has no public match function; ``url_path_for``
  for building;
- Bottle: ``Router.match(environ)`` and ``Bottle.get_url(name, **values)``.

Every router first answers all 203 requests and must return the right route and the right
parameters (and build the right path) before it is timed. One iteration is a pass over all
203 routes; times are reported per route.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from itertools import repeat
from typing import Any, Protocol, runtime_checkable

from benchmarks.model import Cell, Unavailable, WorkloadResult, describe_error
from benchmarks.routes import ApiRoute, load_routes, to_template
from benchmarks.settings import Settings
from benchmarks.timing import Log, Runner, Subject, TimingPlan, measure

Match = tuple[str, dict[str, Any]]
"""What a router found: the endpoint name and the parameters."""


class Router(Protocol):
    """What the routing workload needs from a framework's router.

    ``match`` answers one request (used to check correctness, untimed); ``match_runner``
    returns the tight loop that is timed. Routers that can build URLs also offer ``build``
    and ``build_runner`` (see :class:`BuildingRouter`).
    """

    framework: str

    def match(self, route: ApiRoute) -> Match:
        """The endpoint and parameters found for ``route``'s request."""
        ...

    def match_runner(self) -> Runner:
        """A runner matching every route's request once per iteration."""
        ...


@runtime_checkable
class BuildingRouter(Router, Protocol):
    """A router that can also build URLs from endpoint names and parameters."""

    def build(self, route: ApiRoute) -> str:
        """The path built for ``route``'s endpoint and parameter values."""
        ...

    def build_runner(self) -> Runner:
        """A runner building every route's path once per iteration."""
        ...


def _unused_view(**values: Any) -> str:
    """The view every registered route points at; routing never calls it."""
    return ""


class FlaskStyleRouter:
    """A router built the Flask way: an app whose URL map holds the route set.

    Serves both Flask and erlen (same API), so their timed loops are the same code.
    """

    def __init__(self, framework: str, module_name: str, app_class: str, routes: list[ApiRoute]):
        self.framework = framework
        self.module = importlib.import_module(module_name)
        self.app = getattr(self.module, app_class)(__name__)
        for route in routes:
            self.app.add_url_rule(
                route.template("<", ">"),
                endpoint=route.endpoint,
                view_func=_unused_view,
                methods=[route.method],
            )
        self.adapter = self.app.url_map.bind("localhost")
        self.requests = [(route.path, route.method) for route in routes]
        self.builds = [(route.endpoint, route.values) for route in routes]

    def match(self, route: ApiRoute) -> Match:
        endpoint, values = self.adapter.match(route.path, route.method)
        return endpoint, dict(values)

    def match_runner(self) -> Runner:
        match = self.adapter.match
        requests = self.requests

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for path, method in requests:
                    match(path, method)

        return run

    def build(self, route: ApiRoute) -> str:
        with self.app.test_request_context():
            return str(self.module.url_for(route.endpoint, **route.values))

    def build_runner(self) -> Runner:
        url_for = self.module.url_for
        builds = self.builds
        app = self.app

        def run(iterations: int) -> None:
            with app.test_request_context():
                for _ in repeat(None, iterations):
                    for endpoint, values in builds:
                        url_for(endpoint, **values)

        return run


class FalconRouter:
    """Falcon's ``CompiledRouter`` with one resource per path, a responder per method."""

    framework = "falcon"

    def __init__(self, routes: list[ApiRoute]):
        from falcon.routing import CompiledRouter

        self.router = CompiledRouter()
        resources: dict[str, Any] = {}
        for route in routes:
            resource = resources.setdefault(route.pattern, type("Resource", (), {})())
            setattr(resource, f"on_{route.method.lower()}", _falcon_responder(route.endpoint))
        for pattern, resource in resources.items():
            self.router.add_route(to_template(pattern, "{", "}"), resource)
        self.requests = [(route.path, route.method) for route in routes]

    def match(self, route: ApiRoute) -> Match:
        found = self.router.find(route.path)
        if found is None:
            raise LookupError(f"no route for {route.path}")
        resource, method_map, params, _template = found
        return method_map[route.method].endpoint, dict(params)

    def match_runner(self) -> Runner:
        find = self.router.find
        requests = self.requests

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for path, method in requests:
                    find(path)[1][method]

        return run


def _falcon_responder(endpoint: str) -> Callable[..., None]:
    """A responder tagged with the endpoint it stands for, so a match can be checked."""

    def responder(req: Any, resp: Any, **params: Any) -> None:
        return None

    responder.endpoint = endpoint  # type: ignore[attr-defined]
    return responder


class StarletteRouter:
    """Starlette's ``Router`` holding one ``Route`` per (path, method), named by endpoint."""

    framework = "starlette"

    def __init__(self, routes: list[ApiRoute]):
        from starlette.routing import Match as StarletteMatch
        from starlette.routing import Route, Router

        async def endpoint(request: Any) -> None:
            return None

        self.full = StarletteMatch.FULL
        self.partial = StarletteMatch.PARTIAL
        self.router = Router(
            routes=[
                Route(
                    route.template("{", "}"), endpoint, methods=[route.method], name=route.endpoint
                )
                for route in routes
            ]
        )
        self.scopes = [
            {"type": "http", "path": route.path, "method": route.method, "root_path": ""}
            for route in routes
        ]
        self.builds = [(route.endpoint, route.values) for route in routes]

    def find(self, scope: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
        """The route ``Router`` would hand ``scope`` to, with the child scope it would merge."""
        full, partial_kind = self.full, self.partial
        partial = None
        for route in self.router.routes:
            kind, child_scope = route.matches(scope)
            if kind is full:
                return route, child_scope
            if kind is partial_kind and partial is None:
                partial = (route, child_scope)
        return partial

    def match(self, route: ApiRoute) -> Match:
        found = self.find(dict(self.scopes[route.index]))
        if found is None:
            raise LookupError(f"no route for {route.path}")
        matched, child_scope = found
        return matched.name, dict(child_scope["path_params"])

    def match_runner(self) -> Runner:
        find = self.find
        scopes = self.scopes

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for scope in scopes:
                    find(scope)

        return run

    def build(self, route: ApiRoute) -> str:
        return str(self.router.url_path_for(route.endpoint, **route.values))

    def build_runner(self) -> Runner:
        url_path_for = self.router.url_path_for
        builds = self.builds

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for endpoint, values in builds:
                    url_path_for(endpoint, **values)

        return run


class BottleRouter:
    """Bottle's ``Router`` (through a ``Bottle`` app), one named route per (path, method)."""

    framework = "bottle"

    def __init__(self, routes: list[ApiRoute]):
        import bottle

        self.app = bottle.Bottle()
        for route in routes:
            self.app.route(
                route.template("<", ">"), route.method, _unused_view, name=route.endpoint
            )
        # get_url reads SCRIPT_NAME from the current request, as inside a view.
        bottle.request.bind({"SCRIPT_NAME": "", "PATH_INFO": "/", "REQUEST_METHOD": "GET"})
        self.environs = [
            {"PATH_INFO": route.path, "REQUEST_METHOD": route.method} for route in routes
        ]
        self.builds = [(route.endpoint, route.values) for route in routes]

    def match(self, route: ApiRoute) -> Match:
        matched, values = self.app.router.match(dict(self.environs[route.index]))
        return matched.name, dict(values)

    def match_runner(self) -> Runner:
        match = self.app.router.match
        environs = self.environs

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for environ in environs:
                    match(environ)

        return run

    def build(self, route: ApiRoute) -> str:
        return str(self.app.get_url(route.endpoint, **route.values))

    def build_runner(self) -> Runner:
        get_url = self.app.get_url
        builds = self.builds

        def run(iterations: int) -> None:
            for _ in repeat(None, iterations):
                for endpoint, values in builds:
                    get_url(endpoint, **values)

        return run


ROUTERS: dict[str, Callable[[list[ApiRoute]], Router]] = {
    "erlen": lambda routes: FlaskStyleRouter("erlen", "erlen", "Erlen", routes),
    "flask": lambda routes: FlaskStyleRouter("flask", "flask", "Flask", routes),
    "falcon": FalconRouter,
    "starlette": StarletteRouter,
    "bottle": BottleRouter,
}
"""How to build each framework's router over the route set, erlen first."""


def check_matches(router: Router, routes: list[ApiRoute]) -> None:
    """Raise :class:`Unavailable` unless ``router`` matches every route correctly."""
    for route in routes:
        expected = (route.endpoint, route.values)
        try:
            found = router.match(route)
        except Exception as error:
            raise Unavailable(
                f"match {route.method} {route.path}: raised {describe_error(error)}"
            ) from error
        if found != expected:
            raise Unavailable(
                f"match {route.method} {route.path}: got {found!r}, expected {expected!r}"
            )


def check_builds(router: BuildingRouter, routes: list[ApiRoute]) -> None:
    """Raise :class:`Unavailable` unless ``router`` builds every route's path correctly."""
    for route in routes:
        try:
            built = router.build(route)
        except Exception as error:
            raise Unavailable(
                f"build {route.endpoint} {route.values}: raised {describe_error(error)}"
            ) from error
        if built != route.path:
            raise Unavailable(f"build {route.endpoint}: got {built!r}, expected {route.path!r}")


def collect_subjects(
    routes: list[ApiRoute], selection: tuple[str, ...], cells: dict[str, dict[str, Cell]]
) -> list[Subject]:
    """Return a subject per correct (operation, framework); record the others in ``cells``."""
    subjects: list[Subject] = []
    for framework, make_router in ROUTERS.items():
        if framework not in selection:
            continue
        try:
            router = make_router(routes)
        except Exception as error:
            reason = f"router failed to build: {describe_error(error)}"
            cells["match"][framework] = Cell.unavailable(reason)
            cells["build"][framework] = Cell.unavailable(reason)
            continue
        try:
            check_matches(router, routes)
            subjects.append(Subject("match", framework, router.match_runner(), len(routes)))
        except Unavailable as error:
            cells["match"][framework] = Cell.unavailable(str(error))
        if not isinstance(router, BuildingRouter):
            continue
        try:
            check_builds(router, routes)
            subjects.append(Subject("build", framework, router.build_runner(), len(routes)))
        except Unavailable as error:
            cells["build"][framework] = Cell.unavailable(str(error))
    return subjects


def run(settings: Settings, log: Log) -> WorkloadResult:
    """Time matching and building of the whole route set on every selected router."""
    routes = load_routes(settings.routes_file)
    cells: dict[str, dict[str, Cell]] = {"match": {}, "build": {}}
    subjects = collect_subjects(routes, settings.frameworks, cells)
    log(f"routing: {len(routes)} routes, {len(subjects)} router/operation pairs verified; timing")
    measure(subjects, TimingPlan(settings.samples, settings.target_seconds), log)
    for subject in subjects:
        cells[subject.case][subject.framework] = subject.cell()
    return WorkloadResult(
        name="routing",
        title=f"Routing over the GitHub API route set ({len(routes)} routes)",
        description=(
            "Each framework's own router matches the concrete path and method of every route "
            "(and, where the framework can, builds every route's URL from its endpoint name "
            "and parameters). Average time per route."
        ),
        unit="s",
        primary="time",
        lower_is_better=True,
        paired=True,
        frameworks=[key for key in ROUTERS if key in settings.frameworks],
        cases=cells,
        case_descriptions={
            "match": "path + method -> endpoint + parameters, every route once per pass",
            "build": "endpoint + parameters -> path, every route once per pass",
        },
        notes=[
            f"Route set: {settings.routes_file.name}, {len(routes)} routes; parameters are "
            "filled with values such as 'owner-1'.",
            "Calls: erlen and Flask app.url_map.bind('localhost').match(path, method) and "
            "url_for(endpoint, **values) in a test_request_context(); Falcon "
            "CompiledRouter.find(path) plus the method-map lookup (it cannot build URLs); "
            "Starlette the Route.matches() loop its Router runs per request, and "
            "Router.url_path_for(); Bottle Router.match(environ) and Bottle.get_url().",
        ],
    )
