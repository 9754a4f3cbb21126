"""The ``erlen`` command: find the application, then run a built-in, plugin or app command.

``erlen --app hello:app routes``. The app is named with ``--app`` (or ``ERLEN_APP``,
or Flask's ``FLASK_APP``) as ``module``, ``module:name``, ``module:factory(args)`` or a
file path, or found as ``wsgi.py``/``app.py`` in the current directory; within a
module, discovery follows Flask's rules (``app``, ``application``, the single
:class:`~erlen.Erlen` instance, then a ``create_app``/``make_app`` factory).
Commands come from erlen (``run``, ``shell``, ``routes``, ``check``, ``url``), from
installed packages (the ``erlen.commands`` entry-point group) and from the app
(``app.cli``, including blueprint commands). Errors say what to change (:class:`NoAppException`).

Discovery itself (:func:`load_app`, :func:`locate_app`...) lives in :mod:`erlen.cli`
next to :class:`~erlen.cli.ScriptInfo`, which uses it; it is re-exported here.
"""

from __future__ import annotations

import os
import platform
import ssl
import sys
import traceback
import typing as t
from importlib import metadata
from operator import itemgetter

import click

from .cli import (
    AppGroup,
    NoAppException,
    ScriptInfo,
    debug_option,
    find_app_by_string,
    find_best_app,
    load_app,
    load_dotenv,
    locate_app,
    pass_script_info,
    prepare_import,
    with_appcontext,
)
from .globals import _get_app_ctx, current_app
from .helpers import get_debug_flag
from .serving import (
    RunPlan,
    reference_from_script_info,
    remember_ssl_context_import,
    serve_app,
    show_server_banner,
)

if t.TYPE_CHECKING:
    from .app import Erlen

__all__ = [
    "CertParamType",
    "ErlenGroup",
    "FlaskGroup",
    "NoAppException",
    "SeparatedPathType",
    "check_command",
    "cli",
    "find_app_by_string",
    "find_best_app",
    "load_app",
    "locate_app",
    "main",
    "prepare_import",
    "routes_command",
    "run_command",
    "shell_command",
    "url_command",
]

#: The entry-point group installed packages register commands under.
PLUGIN_GROUP = "erlen.commands"


# -- the erlen group -------------------------------------------------------------------------


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__

    try:
        uvicorn_version = metadata.version("uvicorn")
    except metadata.PackageNotFoundError:
        uvicorn_version = "not installed"
    click.echo(
        f"Python {platform.python_version()}\nErlen {__version__}\nUvicorn {uvicorn_version}",
        color=ctx.color,
    )
    ctx.exit()


_version_option = click.Option(
    ["--version"],
    help="Show the Erlen version.",
    expose_value=False,
    callback=_show_version,
    is_flag=True,
    is_eager=True,
)


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


# Eager, so the app is known when --help lists its commands (--help is eager too and
# comes after it in the parameter list).
_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    envvar=["ERLEN_APP", "FLASK_APP"],
    help=(
        "The Erlen application or factory function to load, in the form 'module:name'."
        " Module can be a dotted import or file path. Name is not required if it is"
        " 'app', 'application', 'create_app', or 'make_app', and can be 'name(args)' to"
        " pass arguments."
    ),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
)


def _load_env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    info = ctx.ensure_object(ScriptInfo)
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


# Eager and first, so the files are read before --app and --debug look at the environment.
_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    envvar=["ERLEN_ENV_FILE", "FLASK_ENV_FILE"],
    help=(
        "Load environment variables from this file, taking precedence over those set"
        " by '.env', '.erlenenv' and '.flaskenv'. Variables set directly in the"
        " environment take highest precedence."
    ),
    is_eager=True,
    expose_value=False,
    callback=_load_env_file,
)


class ErlenGroup(AppGroup):
    """The ``erlen`` command (Flask's ``FlaskGroup``): an :class:`~erlen.cli.AppGroup`
    that loads the application and offers its commands next to its own.

    ``add_default_commands`` adds ``run``, ``shell``, ``routes``, ``check`` and ``url``;
    ``add_version_option`` adds ``--version``; ``create_app`` is called (without
    arguments) to build the app instead of looking for one; ``load_dotenv`` reads the
    default dotenv files; ``set_debug_flag`` applies ``ERLEN_DEBUG`` to the app. Use it
    to build a project's own management script around an app factory.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Erlen] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params: list[click.Parameter] = list(extra.pop("params", None) or ())
        # Options work through callbacks so that a custom group callback keeps them.
        params.extend((_env_file_option, _app_option, debug_option))
        if add_version_option:
            params.append(_version_option)
        extra.setdefault("context_settings", {})
        extra["context_settings"].setdefault("auto_envvar_prefix", "ERLEN")
        super().__init__(params=params, **extra)

        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)
            self.add_command(check_command)
            self.add_command(url_command)
        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return
        for entry_point in metadata.entry_points(group=PLUGIN_GROUP):
            self.add_command(entry_point.load(), entry_point.name)
        self._loaded_plugin_commands = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A built-in or plugin command (available even when the app fails to load),
        else the app's command, with the app context pushed for it."""
        self._load_plugin_commands()
        command = super().get_command(ctx, name)
        if command is not None:
            return command

        info = ctx.ensure_object(ScriptInfo)
        try:
            app = info.load_app()
        except NoAppException as error:
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
            return None

        active = _get_app_ctx(None)
        if active is None or active.app is not app:
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in, plugin and app command names; an app that fails to load is
        reported on stderr and the other commands are still listed."""
        self._load_plugin_commands()
        names = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)
        try:
            names.update(info.load_app().cli.list_commands(ctx))
        except NoAppException as error:
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        # Tells app.run() not to start a server: a module calling it at import time
        # would otherwise block whatever command is being run.
        os.environ["ERLEN_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (not args and self.no_args_is_help) or (
            len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        ):
            # Help is printed before options are processed; read the env file and
            # ERLEN_APP now so that the help lists the app's commands.
            _env_file_option.handle_parse_result(ctx, {}, [])
            _app_option.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


#: Flask's name for :class:`ErlenGroup`.
FlaskGroup = ErlenGroup


# -- erlen run ---------------------------------------------------------------------------


class CertParamType(click.ParamType):
    """``--cert``: an existing certificate file, ``adhoc``, or the import name of an
    :class:`ssl.SSLContext` (``module:context``)."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        if isinstance(value, ssl.SSLContext):
            return value
        try:
            return self.path_type(value, param, ctx)
        except click.BadParameter:
            text = click.STRING(value, param, ctx)
        if text.lower() == "adhoc":
            try:
                import cryptography  # noqa: F401
            except ImportError:
                raise click.BadParameter(
                    "Using ad-hoc certificates requires the cryptography library.", ctx, param
                ) from None
            return "adhoc"
        from .utils import import_string

        found = import_string(text, silent=True)
        if isinstance(found, ssl.SSLContext):
            remember_ssl_context_import(found, text)
            return found
        self.fail(
            f"{text!r} is neither an existing certificate file, 'adhoc', nor the import"
            " name of an ssl.SSLContext.",
            param,
            ctx,
        )


def _validate_key(ctx: click.Context, param: click.Parameter, value: t.Any) -> t.Any:
    """``--key`` goes with a certificate file (and only then); the pair replaces
    ``cert`` in the command's parameters."""
    cert = ctx.params.get("cert")
    is_adhoc = cert == "adhoc"
    is_context = isinstance(cert, ssl.SSLContext)
    if value is not None:
        if is_adhoc:
            raise click.BadParameter('When "--cert" is "adhoc", "--key" is not used.', ctx, param)
        if is_context:
            raise click.BadParameter(
                'When "--cert" is an SSLContext object, "--key" is not used.', ctx, param
            )
        if not cert:
            raise click.BadParameter('"--cert" must also be specified.', ctx, param)
        ctx.params["cert"] = cert, value
    elif cert and not (is_adhoc or is_context):
        raise click.BadParameter('Required when using "--cert".', ctx, param)
    return value


class SeparatedPathType(click.Path):
    """Several paths in one value, separated by :data:`os.pathsep` (``:``; ``;`` on
    Windows), each checked as a :class:`click.Path`."""

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        convert_one = super().convert
        return [convert_one(item, param, ctx) for item in self.split_envvar_value(value)]


def _envvars(name: str) -> list[str]:
    return [f"ERLEN_RUN_{name}", f"FLASK_RUN_{name}"]


@click.command("run", short_help="Run a development server.")
@click.option(
    "--host", "-h", default="127.0.0.1", envvar=_envvars("HOST"), help="The interface to bind to."
)
@click.option("--port", "-p", default=5000, envvar=_envvars("PORT"), help="The port to bind to.")
@click.option(
    "--cert",
    type=CertParamType(),
    envvar=_envvars("CERT"),
    is_eager=True,
    help="Specify a certificate file to use HTTPS.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    envvar=_envvars("KEY"),
    callback=_validate_key,
    expose_value=False,
    help="The key file to use when specifying a certificate.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    envvar=_envvars("RELOAD"),
    help="Enable or disable the reloader. By default the reloader is active if debug is enabled.",
)
@click.option(
    "--extra-files",
    default=None,
    type=SeparatedPathType(),
    envvar=_envvars("EXTRA_FILES"),
    help=(
        "Extra files that trigger a reload on change. Multiple paths are separated by"
        f" {os.path.pathsep!r}."
    ),
)
@click.option(
    "--exclude-patterns",
    default=None,
    type=SeparatedPathType(),
    envvar=_envvars("EXCLUDE_PATTERNS"),
    help=(
        "Files matching these fnmatch patterns will not trigger a reload on change."
        f" Multiple patterns are separated by {os.path.pathsep!r}."
    ),
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    reload: bool | None,
    cert: t.Any,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Run a local development server (uvicorn).

    This setup is for development only: one process, a reloader and debug mode. For
    production, see the deployment documentation.

    The reloader is enabled by default with the '--debug' option.
    """
    app = info.load_app()
    debug = get_debug_flag()
    if reload is None:
        reload = debug
    reference = reference_from_script_info(info) if reload else {}
    show_server_banner(debug, info.app_import_path or app.name)
    plan = RunPlan(
        use_reloader=reload,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )
    serve_app(app, host, port, plan, reference)


run_command.params.insert(0, debug_option)


# -- erlen shell -------------------------------------------------------------------------


@click.command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the context of the application.

    The namespace holds 'app', 'g' and whatever the app's shell context processors
    add; a PYTHONSTARTUP file runs first, as in the plain interpreter.
    """
    import code

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup) as file:
            exec(compile(file.read(), startup, "exec"), namespace)
    namespace.update(app.make_shell_context())

    # The interpreter's own hook (set by site) turns on readline history and tab
    # completion; completion must look at the shell's namespace, not erlen's __main__.
    interactive_hook = getattr(sys, "__interactivehook__", None)
    if interactive_hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(namespace).complete)
        interactive_hook()

    code.interact(banner=banner, local=namespace)


# -- erlen routes ------------------------------------------------------------------------


@click.command("routes", short_help="Show the routes for the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    envvar=["ERLEN_ROUTES_SORT", "FLASK_ROUTES_SORT"],
    help=("Method to sort routes by. 'match' is the order in which the URL map lists the rules."),
)
@click.option(
    "--all-methods",
    is_flag=True,
    envvar=["ERLEN_ROUTES_ALL_METHODS", "FLASK_ROUTES_ALL_METHODS"],
    help="Show HEAD and OPTIONS methods.",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the routes as a JSON list, for scripts."
)
@with_appcontext
def routes_command(sort: str, all_methods: bool, as_json: bool = False) -> None:
    """Show all registered routes with endpoints and methods."""
    url_map = current_app.url_map
    rules = list(url_map.iter_rules())
    if as_json:
        click.echo(_routes_json(rules, sort, all_methods, url_map.host_matching))
        return
    if not rules:
        click.echo("No routes were registered.")
        return

    hidden_methods = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = url_map.host_matching
    has_domain = any(rule.host if host_matching else rule.subdomain for rule in rules)

    headers = ["Endpoint", "Methods"]
    columns = ["endpoint", "methods"]
    if has_domain:
        headers.append("Host" if host_matching else "Subdomain")
        columns.append("domain")
    headers.append("Rule")
    columns.append("rule")

    rows = []
    for rule in rules:
        row = [str(rule.endpoint), ", ".join(sorted((rule.methods or set()) - hidden_methods))]
        if has_domain:
            row.append((rule.host if host_matching else rule.subdomain) or "")
        row.append(rule.rule)
        rows.append(row)
    if sort in columns:  # "match" (and "domain" without a domain column) keep map order
        rows.sort(key=itemgetter(columns.index(sort)))

    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    template = "  ".join(f"{{{i}:<{width}}}" for i, width in enumerate(widths))
    click.echo(template.format(*headers))
    click.echo(template.format(*("-" * width for width in widths)))
    for row in rows:
        click.echo(template.format(*row))


def _routes_json(rules: list[t.Any], sort: str, all_methods: bool, host_matching: bool) -> str:
    """The routes as JSON: one object per rule, in the order ``--sort`` asks for."""
    import json

    hidden_methods = set() if all_methods else {"HEAD", "OPTIONS"}
    routes = [
        {
            "endpoint": str(rule.endpoint),
            "methods": sorted((rule.methods or set()) - hidden_methods),
            "rule": rule.rule,
            "host" if host_matching else "subdomain": (
                rule.host if host_matching else rule.subdomain
            )
            or None,
            "arguments": sorted(rule.arguments),
            "defaults": rule.defaults or None,
            "websocket": bool(rule.websocket),
        }
        for rule in rules
    ]
    domain_key = "host" if host_matching else "subdomain"
    keys = {
        "endpoint": lambda route: route["endpoint"],
        "methods": lambda route: ", ".join(route["methods"]),
        "rule": lambda route: route["rule"],
        "domain": lambda route: route[domain_key] or "",
    }
    if sort in keys:
        routes.sort(key=keys[sort])
    return json.dumps(routes, indent=2, default=str)


# -- erlen check, erlen url ----------------------------------------------------------------


@click.command("check", short_help="Verify every url_for call against the routes.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option(
    "--no-unverifiable",
    is_flag=True,
    help="Do not list calls whose endpoint is computed at run time.",
)
@click.option("--no-templates", is_flag=True, help="Skip the Jinja templates.")
@click.option("--no-python", is_flag=True, help="Skip the Python modules.")
@with_appcontext
def check_command(
    paths: tuple[str, ...],
    as_json: bool,
    strict: bool,
    no_unverifiable: bool,
    no_templates: bool,
    no_python: bool,
) -> None:
    """Check every url_for call in the app's templates and Python modules (and in
    PATHS, extra files or folders) against the URL map.

    Reports unknown endpoints (with the closest names), missing values, unknown
    '.name' endpoints for the owning blueprint, literal values a converter refuses
    and '_scheme' without '_external', each with file, line and fix. Exits with
    status 1 when there is an error (or, with --strict, a warning): run it in CI.
    """
    from .verify import check_app

    findings = check_app(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        paths=paths,
        templates=not no_templates,
        python=not no_python,
    )
    if as_json:
        click.echo(findings.to_json())
    else:
        click.echo(findings.format(show_unverifiable=not no_unverifiable))
    if findings.errors or (strict and findings.warnings):
        sys.exit(1)


@click.command("url", short_help="Print the URL url_for would build.")
@click.argument("endpoint")
@click.argument("values", nargs=-1)
@click.option("--external", is_flag=True, help="An absolute URL (scheme and host).")
@click.option("--sign", is_flag=True, help="Sign the URL (see docs/signed-urls.md).")
@click.option("--expires", type=int, help="Seconds until a signed URL expires (implies --sign).")
@click.option("--anchor", help="A fragment to add (#...).")
@click.option("--method", help="Build the rule for this method.")
@click.option("--scheme", help="The scheme of an absolute URL (implies --external).")
@with_appcontext
def url_command(
    endpoint: str,
    values: tuple[str, ...],
    external: bool,
    sign: bool,
    expires: int | None,
    anchor: str | None,
    method: str | None,
    scheme: str | None,
) -> None:
    """Print the URL of ENDPOINT built from VALUES (key=value; a repeated key becomes a
    list), as url_for would: for scripts, emails and checking a route by hand.

    SERVER_NAME, APPLICATION_ROOT and PREFERRED_URL_SCHEME give the host, mount point
    and scheme of --external URLs (localhost and http otherwise).
    """
    from .routing.exceptions import BuildError

    options: dict[str, t.Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not key=value", param_hint="VALUES")
        if key in options:
            previous = options[key]
            options[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            options[key] = value
    if scheme:
        options["_scheme"] = scheme
        external = True
    options["_external"] = external
    if expires is not None:
        options["_expires"] = expires
        sign = True
    if sign:
        options["_sign"] = True
    if anchor:
        options["_anchor"] = anchor
    if method:
        options["_method"] = method
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with app.test_request_context():
            url = app.url_for(endpoint, **options)
    except (BuildError, ValueError, RuntimeError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(url)


#: The ``erlen`` command.
cli = ErlenGroup(
    name="erlen",
    help="""\
A general utility script for Erlen applications.

An application to load must be given with the '--app' option,
'ERLEN_APP' environment variable, or with a 'wsgi.py' or 'app.py' file
in the current directory.
""",
)


def main() -> None:
    """Run the ``erlen`` command (the console script and ``python -m erlen``)."""
    cli.main()
