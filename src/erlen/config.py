"""Application configuration: a dict with loaders, as Flask's ``Config``.

Only UPPERCASE keys are taken from objects and files, so helper names and imports in a
settings module never leak into the configuration.
"""

from __future__ import annotations

import errno
import json
import os
import types
import typing as t

__all__ = ["Config", "ConfigAttribute"]

T = t.TypeVar("T")


class ConfigAttribute(t.Generic[T]):
    """An attribute of the app that reads and writes one configuration key."""

    def __init__(self, name: str, get_converter: t.Callable[[t.Any], T] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: None) -> ConfigAttribute[T]: ...

    @t.overload
    def __get__(self, obj: t.Any, owner: t.Any) -> T: ...

    def __get__(self, obj: t.Any, owner: t.Any = None) -> T | ConfigAttribute[T]:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        if self.get_converter is not None:
            value = self.get_converter(value)
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: t.Any, value: t.Any) -> None:
        obj.config[self.__name__] = value


class Config(dict):  # type: ignore[type-arg]
    """Configuration values, loadable from objects, files, mappings and the environment.

    ``root_path`` is where relative file names are looked up (the app's root path).
    """

    def __init__(
        self, root_path: str | os.PathLike[str], defaults: dict[str, t.Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by the environment variable *variable_name*."""
        rv = os.environ.get(variable_name)
        if not rv:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set"
                " and as such configuration could not be loaded. Set"
                " this variable and make it point to a configuration"
                " file"
            )
        return self.from_pyfile(rv, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Load ``{prefix}_*`` environment variables, values parsed as JSON if they can be.

        ``FLASK_SQLALCHEMY__POOL_SIZE=5`` sets ``config["SQLALCHEMY"]["POOL_SIZE"]`` (two
        underscores separate nested keys).  The default prefix stays ``FLASK`` so that
        a ported application's environment keeps working; pass ``prefix="ERLEN"`` to use
        erlen-named variables.
        """
        prefix = f"{prefix}_"
        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue
            value: t.Any = os.environ[key]
            try:
                value = loads(value)
            except Exception:
                pass
            key = key.removeprefix(prefix)
            if "__" not in key:
                self[key] = value
                continue
            current = self
            *parts, tail = key.split("__")
            for part in parts:
                if part not in current:
                    current[part] = {}
                current = current[part]
            current[tail] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file (relative to ``root_path``) and load its UPPERCASE names."""
        filename = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = filename
        try:
            with open(filename, mode="rb") as config_file:
                exec(compile(config_file.read(), filename, "exec"), module.__dict__)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Load the UPPERCASE attributes of an object, class or module (or import path)."""
        if isinstance(obj, str):
            from .utils import import_string

            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with *load* (e.g. ``json.load`` or ``tomllib.load`` with
        ``text=False``) and take its UPPERCASE keys."""
        filename = os.path.join(self.root_path, filename)
        try:
            with open(filename, "r" if text else "rb") as f:
                obj = load(f)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(obj)

    def from_mapping(self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any) -> bool:
        """Take the UPPERCASE keys of *mapping* and of the keyword arguments."""
        mappings: dict[str, t.Any] = {}
        if mapping is not None:
            mappings.update(mapping)
        mappings.update(kwargs)
        for key, value in mappings.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """The keys starting with *namespace* (e.g. ``"IMAGE_STORE_"``) as a dict."""
        rv = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            if trim_namespace:
                key = key[len(namespace) :]
            if lowercase:
                key = key.lower()
            rv[key] = value
        return rv

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
