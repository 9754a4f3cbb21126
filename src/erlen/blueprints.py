"""Blueprints: groups of routes, hooks and resources registered on an app later.

A :class:`Blueprint` records what is done to it and replays it when registered, under
its name (endpoints become ``"name.endpoint"``), ``url_prefix`` and ``subdomain``.  A
blueprint can be registered several times under different names, and can contain
other blueprints.
"""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict

from .scaffold import Scaffold, _endpoint_from_view_func, _registering, setupmethod

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = ["Blueprint", "BlueprintSetupState"]

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]
T = t.TypeVar("T", bound=t.Callable[..., t.Any])
_sentinel = object()


class BlueprintSetupState:
    """One registration of a blueprint on an app: the options that apply to it."""

    def __init__(
        self, blueprint: Blueprint, app: Erlen, options: t.Any, first_registration: bool
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = self.options.get("subdomain")
        if subdomain is None:
            subdomain = self.blueprint.subdomain
        self.subdomain = subdomain
        url_prefix = self.options.get("url_prefix")
        if url_prefix is None:
            url_prefix = self.blueprint.url_prefix
        self.url_prefix = url_prefix
        self.name = self.options.get("name", blueprint.name)
        self.name_prefix = self.options.get("name_prefix", "")
        self.url_defaults = dict(self.blueprint.url_values_defaults)
        self.url_defaults.update(self.options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Add a blueprint rule to the app: prefixed, on the subdomain, namespaced."""
        if self.url_prefix is not None:
            if rule:
                rule = "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
            else:
                rule = self.url_prefix
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


class Blueprint(Scaffold):
    """A reusable part of an application.

    ``name`` prefixes its endpoints; ``import_name`` locates its ``static_folder`` and
    ``template_folder``; ``url_prefix``, ``subdomain`` and ``url_defaults`` apply to its
    routes; ``cli_group`` names its commands' group (``None`` merges them into the
    app's).
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []
        if url_defaults is None:
            url_defaults = {}
        self.url_values_defaults = url_defaults
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}'. It has already been registered at least once, any"
                " changes will not be applied consistently.\n"
                "Make sure all imports, decorators, functions, etc. needed to set up"
                " the blueprint are done before registering it."
            )

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Run *func(state)* at each registration."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Run *func(state)* at the first registration only."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(wrapper)

    def make_setup_state(
        self, app: Erlen, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest *blueprint* in this one (its endpoints become ``"self.child.name"``)."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._blueprints.append((blueprint, options))

    def register(self, app: Erlen, options: dict[str, t.Any]) -> None:
        """Apply this blueprint to *app* (called by ``app.register_blueprint``)."""
        name_prefix = options.get("name_prefix", "")
        self_name = options.get("name", self.name)
        name = f"{name_prefix}.{self_name}".lstrip(".")
        if name in app.blueprints:
            described = "this" if app.blueprints[name] is self else "a different"
            existing_at = f" '{name}'" if self_name != name else ""
            raise ValueError(
                f"The name '{self_name}' is already registered for"
                f" {described} blueprint{existing_at}. Use 'name=' to"
                " provide a unique name."
            )
        first_bp_registration = not any(bp is self for bp in app.blueprints.values())
        first_name_registration = name not in app.blueprints
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_bp_registration)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        if first_bp_registration or first_name_registration:
            self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli(app, options)
        for blueprint, bp_options in self._blueprints:
            self._register_child(app, state, name, blueprint, bp_options)

    def _register_cli(self, app: Erlen, options: dict[str, t.Any]) -> None:
        group = options.get("cli_group", self.cli_group)
        if not self.cli.commands:
            return
        if group is None:
            app.cli.commands.update(self.cli.commands)
        elif group is _sentinel:
            self.cli.name = options.get("name", self.name)
            app.cli.add_command(self.cli)
        else:
            self.cli.name = group
            app.cli.add_command(self.cli)

    @staticmethod
    def _register_child(
        app: Erlen,
        state: BlueprintSetupState,
        name: str,
        blueprint: Blueprint,
        bp_options: dict[str, t.Any],
    ) -> None:
        bp_options = bp_options.copy()
        url_prefix = bp_options.get("url_prefix")
        subdomain = bp_options.get("subdomain")
        if subdomain is None:
            subdomain = blueprint.subdomain
        if state.subdomain is not None and subdomain is not None:
            bp_options["subdomain"] = subdomain + "." + state.subdomain
        elif subdomain is not None:
            bp_options["subdomain"] = subdomain
        elif state.subdomain is not None:
            bp_options["subdomain"] = state.subdomain
        if url_prefix is None:
            url_prefix = blueprint.url_prefix
        if state.url_prefix is not None and url_prefix is not None:
            bp_options["url_prefix"] = state.url_prefix.rstrip("/") + "/" + url_prefix.lstrip("/")
        elif url_prefix is not None:
            bp_options["url_prefix"] = url_prefix
        elif state.url_prefix is not None:
            bp_options["url_prefix"] = state.url_prefix
        bp_options["name_prefix"] = name
        blueprint.register(app, bp_options)

    def _merge_blueprint_funcs(self, app: Erlen, name: str) -> None:
        def extend(
            bp_dict: dict[t.Any, list[t.Any]], parent_dict: dict[t.Any, list[t.Any]]
        ) -> None:
            for key, values in bp_dict.items():
                key = name if key is None else f"{name}.{key}"
                parent_dict[key].extend(values)

        for key, value in self.error_handler_spec.items():
            key = name if key is None else f"{name}.{key}"
            app.error_handler_spec[key] = defaultdict(
                dict,
                {code: dict(handlers) for code, handlers in value.items()},
            )
        for endpoint, func in self.view_functions.items():
            app.view_functions[endpoint] = func
        extend(self.before_request_funcs, app.before_request_funcs)
        extend(self.after_request_funcs, app.after_request_funcs)
        extend(self.teardown_request_funcs, app.teardown_request_funcs)
        extend(self.url_default_functions, app.url_default_functions)
        extend(self.url_value_preprocessors, app.url_value_preprocessors)
        extend(self.template_context_processors, app.template_context_processors)

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule; it is added (prefixed, namespaced) at registration."""
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func and hasattr(view_func, "__name__") and "." in view_func.__name__:
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        self.record(
            lambda s: s.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    # -- app-wide registrations made from a blueprint -------------------------------------

    @setupmethod
    def app_template_filter(self, name: str | None = None) -> t.Callable[[T], T]:
        """A Jinja filter for the whole app."""
        return _registering(self.add_app_template_filter, name)

    @setupmethod
    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.record_once(lambda s: s.app.jinja_env.filters.__setitem__(name or f.__name__, f))

    @setupmethod
    def app_template_test(self, name: str | None = None) -> t.Callable[[T], T]:
        """A Jinja test for the whole app."""
        return _registering(self.add_app_template_test, name)

    @setupmethod
    def add_app_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        self.record_once(lambda s: s.app.jinja_env.tests.__setitem__(name or f.__name__, f))

    @setupmethod
    def app_template_global(self, name: str | None = None) -> t.Callable[[T], T]:
        """A Jinja global for the whole app."""
        return _registering(self.add_app_template_global, name)

    @setupmethod
    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.record_once(lambda s: s.app.jinja_env.globals.__setitem__(name or f.__name__, f))

    @setupmethod
    def before_app_request(self, f: T) -> T:
        """A ``before_request`` hook for every request of the app."""
        self.record_once(lambda s: s.app.before_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def after_app_request(self, f: T) -> T:
        """An ``after_request`` hook for every request of the app."""
        self.record_once(lambda s: s.app.after_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def teardown_app_request(self, f: T) -> T:
        """A ``teardown_request`` function for every request of the app."""
        self.record_once(lambda s: s.app.teardown_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_context_processor(self, f: T) -> T:
        """A template context processor for every template of the app."""
        self.record_once(lambda s: s.app.template_context_processors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_errorhandler(self, code: type[Exception] | int) -> t.Callable[[T], T]:
        """An error handler for the whole app."""

        def decorator(f: T) -> T:
            def from_blueprint(state: BlueprintSetupState) -> None:
                state.app.errorhandler(code)(f)

            self.record_once(from_blueprint)
            return f

        return decorator

    @setupmethod
    def app_url_value_preprocessor(self, f: T) -> T:
        """A URL value preprocessor for every request of the app."""
        self.record_once(lambda s: s.app.url_value_preprocessors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_url_defaults(self, f: T) -> T:
        """A ``url_defaults`` function for every ``url_for`` of the app."""
        self.record_once(lambda s: s.app.url_default_functions.setdefault(None, []).append(f))
        return f
