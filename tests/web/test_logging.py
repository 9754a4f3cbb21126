"""Logging against Flask: ``app.logger``'s name and level, the default handler (added
only when no handler would show the app's records), the message logged for unhandled
errors, and the stream it writes to (the request's ``wsgi.errors``, else stderr).

Each framework's app gets its own logger name: the logger is looked up by the app's
name, and two apps of the same name share one.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import sys
import uuid

import pytest

from .apps.common import APPS_DIR
from .apps.common import same as _same


@contextlib.contextmanager
def _bare_root():
    """pytest attaches capturing handlers to the root logger during a test; without
    them the app's logger sees what it sees in a plain process."""
    root = logging.getLogger()
    saved = root.handlers[:]
    for handler in saved:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in saved:
            root.addHandler(handler)


def same(fn):
    with _bare_root():
        return _same(fn)


def _fresh_name(fw):
    return f"logtest_{fw.name}_{uuid.uuid4().hex[:8]}"


def _app(fw, name=None, **config):
    app = fw.App(name or _fresh_name(fw), root_path=str(APPS_DIR))
    app.config.update(config)

    @app.route("/")
    def index():
        fw.current_app.logger.warning("warning from a view")
        return "ok"

    @app.route("/boom", methods=["GET", "POST"])
    def boom():
        raise ValueError("boom in view")

    @app.route("/debug-log")
    def debug_log():
        fw.current_app.logger.debug("debug message")
        fw.current_app.logger.info("info message")
        return "logged"

    return app


def _handlers(fw, logger):
    module = importlib.import_module(f"{fw.name}.logging")
    return [
        "default_handler" if handler is module.default_handler else type(handler).__name__
        for handler in logger.handlers
    ]


def _cleanup(logger):
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


@pytest.mark.parametrize("debug", [False, True])
def test_logger_name_level_and_handler(debug):
    def run(fw):
        name = _fresh_name(fw)
        app = _app(fw, name, DEBUG=debug)
        logger = app.logger
        try:
            return (
                logger.name == name,
                logger is logging.getLogger(name),
                logger.level,
                logger.getEffectiveLevel() if debug else "n/a",
                _handlers(fw, logger),
                logger.propagate,
                app.logger is logger,
            )
        finally:
            _cleanup(logger)

    result = same(run)
    assert result[2] == (logging.DEBUG if debug else logging.NOTSET)


def test_main_module_app_is_named_after_the_script():
    def run(fw):
        main = sys.modules["__main__"]
        return fw.App("__main__").name == (
            getattr(main, "__file__", "__main__").rsplit("/", 1)[-1].removesuffix(".py")
        )

    assert same(run) is True


def test_level_already_set_is_kept_in_debug():
    def run(fw):
        name = _fresh_name(fw)
        logging.getLogger(name).setLevel(logging.ERROR)
        app = _app(fw, name, DEBUG=True)
        try:
            return app.logger.level
        finally:
            _cleanup(app.logger)

    assert same(run) == logging.ERROR


@pytest.mark.parametrize(
    "existing",
    ["none", "own-handler", "parent-handler", "handler-too-strict", "no-propagate", "root-handler"],
)
def test_default_handler_added_only_when_needed(existing):
    def run(fw):
        name = _fresh_name(fw)
        parent = logging.getLogger(name)
        child_name = f"{name}.app"
        child = logging.getLogger(child_name)
        root = logging.getLogger()
        extra = logging.NullHandler()
        target = {
            "own-handler": child,
            "parent-handler": parent,
            "handler-too-strict": parent,
            "no-propagate": parent,
            "root-handler": root,
        }.get(existing)
        if existing == "handler-too-strict":
            extra.setLevel(logging.CRITICAL)
        if existing == "no-propagate":
            child.propagate = False
        saved_root_level = root.level
        if existing == "root-handler":
            root.setLevel(logging.WARNING)
        if target is not None:
            target.addHandler(extra)
        try:
            app = _app(fw, child_name)
            return _handlers(fw, app.logger)
        finally:
            if target is not None:
                target.removeHandler(extra)
            root.setLevel(saved_root_level)
            child.propagate = True
            _cleanup(child)
            _cleanup(parent)

    same(run)


def test_unhandled_exception_is_logged_to_wsgi_errors():
    def run(fw):
        app = _app(fw)
        stream = io.StringIO()
        response = app.test_client().get("/boom", errors_stream=stream)
        text = stream.getvalue()
        first_line = text.splitlines()[0]
        _cleanup(app.logger)
        return (
            response.status_code,
            # "[<time>] ERROR in <module>: Exception on /boom [GET]"
            first_line.split("] ", 1)[1].split(" in ", 1)[0],
            first_line.endswith(": Exception on /boom [GET]"),
            "Traceback (most recent call last)" in text,
            text.rstrip().endswith("ValueError: boom in view"),
        )

    assert same(run) == (500, "ERROR", True, True, True)


def test_unhandled_exception_log_line_names_the_same_module():
    def run(fw):
        app = _app(fw)
        stream = io.StringIO()
        app.test_client().get("/boom", errors_stream=stream)
        _cleanup(app.logger)
        return stream.getvalue().splitlines()[0].split("] ", 1)[1]

    assert same(run) == "ERROR in app: Exception on /boom [GET]"


def test_log_exception_record():
    def run(fw):
        app = _app(fw)
        records = []

        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record)

        app.logger.addHandler(Keep())
        app.test_client().post("/boom?x=1")
        app.test_client().get("/boom", base_url="http://localhost/mount/")
        _cleanup(app.logger)
        return [
            (
                record.levelname,
                record.getMessage(),
                record.exc_info[0].__name__ if record.exc_info else None,
                record.name == app.name,
            )
            for record in records
        ]

    assert same(run) == [
        ("ERROR", "Exception on /boom [POST]", "ValueError", True),
        ("ERROR", "Exception on /boom [GET]", "ValueError", True),
    ]


@pytest.mark.parametrize(
    "config", [{"TESTING": True}, {"DEBUG": True}, {"PROPAGATE_EXCEPTIONS": True}]
)
def test_nothing_logged_when_exceptions_propagate(config):
    def run(fw):
        app = _app(fw, **config)
        stream = io.StringIO()
        try:
            app.test_client().get("/boom", errors_stream=stream)
            raised = None
        except ValueError as exc:
            raised = str(exc)
        _cleanup(app.logger)
        return raised, stream.getvalue()

    assert same(run) == ("boom in view", "")


def test_view_logging_goes_to_wsgi_errors_and_debug_level():
    def run(fw):
        out = []
        for debug in (False, True):
            app = _app(fw, DEBUG=debug)
            stream = io.StringIO()
            client = app.test_client()
            client.get("/", errors_stream=stream)
            client.get("/debug-log", errors_stream=stream)
            out.append([line.split("] ", 1)[1] for line in stream.getvalue().splitlines()])
            _cleanup(app.logger)
        return out

    result = same(run)
    assert result[0] == ["WARNING in test_logging: warning from a view"]
    assert result[1][-1] == "INFO in test_logging: info message"


def test_outside_a_request_the_default_handler_writes_to_stderr(capsys):
    def run(fw):
        app = _app(fw)
        with app.app_context():
            app.logger.error("outside a request")
        _cleanup(app.logger)
        err = capsys.readouterr().err
        return [line.split("] ", 1)[1] for line in err.splitlines() if "] " in line]

    assert same(run) == ["ERROR in test_logging: outside a request"]


def test_default_handler_format():
    def run(fw):
        module = importlib.import_module(f"{fw.name}.logging")
        handler = module.default_handler
        return (
            handler.formatter._fmt,
            type(handler).__name__,
            handler.level,
            module.has_level_handler(logging.getLogger("nobody_configures_this_logger")),
        )

    same(run)
