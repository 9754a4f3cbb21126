"""Finding ``url_for`` calls in Python modules, through the ``ast`` module.

The modules scanned are the application's (its module, and the package containing
it) and its blueprints' (their module, or package), plus any paths given.  A call counts as ``url_for``
when it is the name ``url_for`` (or an alias imported from erlen or Flask), or the
``url_for`` attribute of the ``erlen``/``flask`` modules, of ``current_app``, of
``app`` or of a name assigned an ``Erlen(...)``/``Flask(...)`` instance.
"""

from __future__ import annotations

import ast
import os
import sys
import typing as t

from .findings import DYNAMIC, WARNING, Finding, UrlCall

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = ["calls_in_module", "module_files", "owners_of"]

#: Modules whose ``url_for`` (function or attribute) is the one being verified.
_URL_FOR_MODULES = frozenset(("erlen", "flask", "erlen.helpers", "flask.helpers"))
#: Names whose ``.url_for`` is an application's.
_APP_NAMES = frozenset(("app", "application", "current_app"))
#: Classes whose instances are applications.
_APP_CLASSES = frozenset(("Erlen", "Flask"))
#: Folders never scanned when walking a package.
_SKIPPED_FOLDERS = frozenset(
    ("__pycache__", "node_modules", "site-packages", "venv", ".venv", "build", "dist")
)


def _module_file(import_name: str) -> tuple[str | None, bool]:
    """``(path, is_package)`` for an imported module: the package folder or the file."""
    module = sys.modules.get(import_name)
    if module is None:
        return None, False
    filename = getattr(module, "__file__", None)
    if not filename:
        return None, False
    filename = os.path.abspath(filename)
    if getattr(module, "__path__", None) is not None:
        return os.path.dirname(filename), True
    return filename, False


def _python_files(folder: str) -> t.Iterator[str]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(
            name for name in folders if name not in _SKIPPED_FOLDERS and not name.startswith(".")
        )
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(root, name)


def module_files(app: Erlen, extra_paths: t.Iterable[str] = ()) -> list[str]:
    """The Python files of *app*: its module (or package) and the package containing it,
    its blueprints' modules (or packages) and *extra_paths* (files or folders)."""
    roots: list[str] = []
    import_names = [app.import_name]
    package = app.import_name.rpartition(".")[0]
    if package:  # an app module inside a package: the package's other modules too
        import_names.append(package)
    import_names.extend(blueprint.import_name for blueprint in app.iter_blueprints())
    for import_name in import_names:
        path, _ = _module_file(import_name)
        if path is not None:
            roots.append(path)
    roots.extend(os.path.abspath(path) for path in extra_paths)
    files: dict[str, None] = {}
    for root in roots:
        if os.path.isdir(root):
            files.update(dict.fromkeys(_python_files(root)))
        elif root.endswith(".py") and os.path.isfile(root):
            files[root] = None
    return list(files)


def owners_of(app: Erlen) -> list[tuple[str, bool, tuple[str, ...]]]:
    """``(path, is_package, registered names)`` of each blueprint's module.

    A blueprint made in the application's own module (or package) does not own it:
    the views there may belong to the app or to the blueprint.
    """
    owners = []
    app_path, _ = _module_file(app.import_name)
    for blueprint in dict.fromkeys(app.iter_blueprints()):
        path, is_package = _module_file(blueprint.import_name)
        if path is None or path == app_path:
            continue
        names = tuple(name for name, other in app.blueprints.items() if other is blueprint)
        owners.append((path, is_package, names))
    return owners


def _blueprints_owning(
    filename: str, owners: list[tuple[str, bool, tuple[str, ...]]]
) -> tuple[str, ...]:
    """The registered names of the most specific blueprint(s) whose module is
    *filename* or whose package contains it; empty when none does."""
    best: tuple[str, ...] = ()
    best_depth = -1
    for path, is_package, names in owners:
        if is_package:
            inside = filename.startswith(path + os.sep)
        else:
            inside = filename == path
        if not inside:
            continue
        depth = len(path)
        if depth > best_depth:
            best, best_depth = names, depth
        elif depth == best_depth:
            best = best + names
    return best


def calls_in_module(
    filename: str, owners: list[tuple[str, bool, tuple[str, ...]]]
) -> tuple[list[UrlCall], list[Finding]]:
    """The ``url_for`` calls of one Python file (or a finding when it does not parse)."""
    try:
        with open(filename, "rb") as file:
            source_bytes = file.read()
        tree = ast.parse(source_bytes, filename)
    except (OSError, SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        return [], [
            Finding(
                "module-unparsable",
                WARNING,
                filename,
                line,
                "",
                f"module could not be parsed, so its url_for calls were not checked: {error}",
                "fix the syntax error (importing the module would fail too)",
            )
        ]
    source = source_bytes.decode("utf-8", "replace")
    finder = _CallFinder()
    finder.visit(tree)
    blueprints = _blueprints_owning(filename, owners)
    calls = [_url_call(node, source, filename, blueprints) for node in finder.calls]
    return calls, []


class _CallFinder(ast.NodeVisitor):
    """Collects the ``url_for`` call nodes of a module, following import aliases."""

    def __init__(self) -> None:
        self.functions = {"url_for"}
        self.modules: set[str] = set()
        self.apps = set(_APP_NAMES)
        self.calls: list[ast.Call] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name in _URL_FOR_MODULES:
                self.modules.add(alias.asname or alias.name.partition(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module in _URL_FOR_MODULES:
            for alias in node.names:
                if alias.name == "url_for":
                    self.functions.add(alias.asname or alias.name)
                elif alias.name == "current_app" and alias.asname:
                    self.apps.add(alias.asname)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if isinstance(value, ast.Call) and _callee_name(value.func) in _APP_CLASSES:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.apps.add(target.id)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if self._is_url_for(node.func):
            self.calls.append(node)
        self.generic_visit(node)

    def _is_url_for(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.functions
        if not isinstance(func, ast.Attribute) or func.attr != "url_for":
            return False
        owner = func.value
        if isinstance(owner, ast.Name):
            return owner.id in self.modules or owner.id in self.apps
        # erlen.current_app.url_for, flask.current_app.url_for
        return (
            isinstance(owner, ast.Attribute)
            and owner.attr == "current_app"
            and isinstance(owner.value, ast.Name)
            and owner.value.id in self.modules
        )


def _callee_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _url_call(node: ast.Call, source: str, filename: str, blueprints: tuple[str, ...]) -> UrlCall:
    endpoint_node: ast.expr | None = node.args[0] if node.args else None
    values: dict[str, t.Any] = {}
    open_values = any(isinstance(argument, ast.Starred) for argument in node.args)
    for keyword in node.keywords:
        if keyword.arg is None:
            open_values = True
        elif keyword.arg == "endpoint" and endpoint_node is None:
            endpoint_node = keyword.value
        else:
            values[keyword.arg] = _literal(keyword.value)
    endpoint = None
    if isinstance(endpoint_node, ast.Constant) and isinstance(endpoint_node.value, str):
        endpoint = endpoint_node.value
    text = ast.get_source_segment(source, node)
    if text is None or "\n" in text:
        text = ast.unparse(node)  # one line, without the comments a segment could hold
    endpoint_text = ""
    if endpoint_node is not None:
        endpoint_text = ast.get_source_segment(source, endpoint_node) or "..."
    return UrlCall(
        file=filename,
        line=node.lineno,
        text=text,
        endpoint=endpoint,
        endpoint_text=endpoint_text,
        values=values,
        open_values=open_values,
        blueprints=blueprints,
        source="python",
    )


def _literal(node: ast.expr) -> t.Any:
    """The value of a literal expression, else :data:`DYNAMIC`."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return DYNAMIC
