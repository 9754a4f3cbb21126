"""``SQLAlchemy``: the database extension object, ``db``.

One ``db = SQLAlchemy()`` per project holds what every app shares (the model base
``db.Model``, the metadata, the scoped ``db.session``); ``db.init_app(app)`` creates
the engines of one app from its config.  ``db`` also re-exports the ``sqlalchemy``
and ``sqlalchemy.orm`` namespaces (``db.Column``, ``db.relationship``, ``db.select``,
``db.func``...), so model modules need only ``from .extensions import db``.

This is the API of Flask-SQLAlchemy 3.1; a Flask-SQLAlchemy app ports by changing
``from flask_sqlalchemy import SQLAlchemy`` to ``from erlen.db import SQLAlchemy``.
"""

from __future__ import annotations

import types
import typing as t
import warnings
from weakref import WeakKeyDictionary

import sqlalchemy as sa
import sqlalchemy.event as sa_event
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as sa_orm

from ..globals import _get_app_ctx, _no_app_msg
from ..helpers import abort
from . import record_queries, track_modifications
from .engines import collect_engine_options
from .model import (
    BindMixin,
    DefaultMeta,
    DefaultMetaNoName,
    Model,
    NameMixin,
    _QueryProperty,
)
from .nplusone import NPlusOneGuard
from .pagination import Pagination, SelectPagination
from .query import Query
from .session import Session, app_context_scope

if t.TYPE_CHECKING:
    from ..app import Erlen

__all__ = ["SQLAlchemy"]

_O = t.TypeVar("_O")
_DECLARATIVE_BASES = (sa_orm.DeclarativeBase, sa_orm.DeclarativeBaseNoMeta)
_ALL_BINDS = "__all__"


def _declarative_bases_of(model_class: t.Any) -> list[type]:
    """The SQLAlchemy 2 declarative bases *model_class* directly derives from."""
    bases = getattr(model_class, "__bases__", ())
    return [base for base in bases if issubclass(base, _DECLARATIVE_BASES)]


class SQLAlchemy:
    """SQLAlchemy for erlen apps: engines per app, a session per app context, models.

    :param app: Call :meth:`init_app` with it now.
    :param metadata: The default ``MetaData`` (to set a naming convention, say).
        Ignored, with a warning, when ``model_class`` is a SQLAlchemy 2 declarative
        base: give the base a ``metadata`` attribute instead.
    :param session_options: Arguments for the ``sessionmaker`` behind
        :attr:`session`; ``scopefunc`` replaces the app-context scope and ``class_``
        the :class:`~erlen.db.Session` class.
    :param query_class: The class of ``Model.query`` and of ``lazy="dynamic"``
        relationships (the legacy query API).
    :param model_class: The base of :attr:`Model`: a class to mix in (default
        :class:`~erlen.db.Model`), a ``DeclarativeBase``/``DeclarativeBaseNoMeta``
        subclass for SQLAlchemy 2 typed models, or a ready declarative class.
    :param engine_options: Defaults for every engine's ``create_engine`` arguments;
        ``SQLALCHEMY_ENGINE_OPTIONS`` and ``SQLALCHEMY_BINDS`` override them.
    :param add_models_to_shell: Put ``db`` and every model in ``erlen shell``.
    :param disable_autonaming: Do not derive ``__tablename__`` from class names.
    """

    def __init__(
        self,
        app: Erlen | None = None,
        *,
        metadata: sa.MetaData | None = None,
        session_options: dict[str, t.Any] | None = None,
        query_class: type[Query] = Query,
        model_class: t.Any = Model,
        engine_options: dict[str, t.Any] | None = None,
        add_models_to_shell: bool = True,
        disable_autonaming: bool = False,
    ) -> None:
        #: The legacy query class used by ``Model.query`` and dynamic relationships.
        self.Query = query_class
        #: ``MetaData`` per bind key; ``None`` is the default bind's (:attr:`metadata`).
        self.metadatas: dict[str | None, sa.MetaData] = {}
        if metadata is not None:
            if _declarative_bases_of(model_class):
                warnings.warn(
                    "With a SQLAlchemy 2 declarative base as model_class, set the"
                    " metadata as an attribute of that base; the metadata passed to"
                    " SQLAlchemy() is ignored.",
                    DeprecationWarning,
                    stacklevel=2,
                )
            else:
                metadata.info["bind_key"] = None
                self.metadatas[None] = metadata
        #: The scoped session: one session per app context, removed at its teardown.
        self.session = self._make_scoped_session(dict(session_options or {}))
        #: ``Table`` that takes ``bind_key=`` instead of a metadata argument.
        self.Table = self._make_table_class()
        #: The declarative base of this extension's models.
        self.Model = self._make_declarative_base(model_class, disable_autonaming)
        self._engine_options = dict(engine_options or {})
        self._app_engines: WeakKeyDictionary[Erlen, dict[str | None, sa.engine.Engine]] = (
            WeakKeyDictionary()
        )
        self._add_models_to_shell = add_models_to_shell
        self._tracking_modifications = False
        if app is not None:
            self.init_app(app)

    def __repr__(self) -> str:
        if _get_app_ctx(None) is None:
            return f"<{type(self).__name__}>"
        engines = self.engines
        if None not in engines:
            return f"<{type(self).__name__} binds={sorted(map(str, engines))}>"
        more = f" +{len(engines) - 1}" if len(engines) > 1 else ""
        return f"<{type(self).__name__} {self.engine.url}{more}>"

    # -- setup ---------------------------------------------------------------------

    def init_app(self, app: Erlen) -> None:
        """Configure *app*: read its ``SQLALCHEMY_*`` config and create its engines.

        Call it after the app is configured: later config changes are not seen.
        """
        if "sqlalchemy" in app.extensions:
            raise RuntimeError(
                "A 'SQLAlchemy' instance has already been registered on this app."
                " Import and use that instance instead of creating another one."
            )
        app.extensions["sqlalchemy"] = self
        app.teardown_appcontext(self._teardown_session)
        if self._add_models_to_shell:
            app.shell_context_processor(self._shell_context)

        options_per_bind = collect_engine_options(app, self._engine_options)
        engines = self._app_engines.setdefault(app, {})
        for engine in engines.values():
            engine.dispose()
        engines.clear()
        for key, options in options_per_bind.items():
            self._make_metadata(key)
            engines[key] = self._make_engine(key, options, app)

        if app.config.setdefault("SQLALCHEMY_RECORD_QUERIES", False):
            for engine in engines.values():
                record_queries.listen(engine)
        tracking = app.config.setdefault("SQLALCHEMY_TRACK_MODIFICATIONS", False)
        if tracking and not self._tracking_modifications:
            track_modifications.listen(self.session)
            self._tracking_modifications = True
        NPlusOneGuard.install(app, engines.values(), self.session)

    def _make_scoped_session(self, options: dict[str, t.Any]) -> sa_orm.scoped_session[Session]:
        scope = options.pop("scopefunc", app_context_scope)
        options.setdefault("class_", Session)
        options.setdefault("query_cls", self.Query)
        factory = sa_orm.sessionmaker(db=self, **options)
        return sa_orm.scoped_session(factory, scope)

    def _teardown_session(self, exc: BaseException | None) -> None:
        """Close the context's session (rolling back what was not committed)."""
        self.session.remove()

    def _shell_context(self) -> dict[str, t.Any]:
        namespace: dict[str, t.Any] = {
            mapper.class_.__name__: mapper.class_ for mapper in self.Model.registry.mappers
        }
        namespace["db"] = self
        return namespace

    def _make_metadata(self, bind_key: str | None) -> sa.MetaData:
        """The metadata of *bind_key*, created on first use.

        A bind's metadata copies the default metadata's naming convention.
        """
        metadata = self.metadatas.get(bind_key)
        if metadata is not None:
            return metadata
        convention = None if bind_key is None else self._make_metadata(None).naming_convention
        metadata = sa.MetaData(naming_convention=convention, info={"bind_key": bind_key})
        self.metadatas[bind_key] = metadata
        return metadata

    def _make_table_class(self) -> type[sa.Table]:
        db = self

        class Table(sa.Table):
            """A ``Table`` whose metadata is chosen by ``bind_key=`` (default bind if
            omitted); passing a ``MetaData`` as second argument still works."""

            def __new__(cls, *args: t.Any, bind_key: str | None = None, **kwargs: t.Any) -> t.Any:
                if not args or (len(args) >= 2 and isinstance(args[1], sa.MetaData)):
                    return super().__new__(cls, *args, **kwargs)
                metadata = db._make_metadata(bind_key)
                return super().__new__(cls, args[0], metadata, *args[1:], **kwargs)

        return Table

    def _make_declarative_base(self, model_class: t.Any, disable_autonaming: bool) -> t.Any:
        """Build :attr:`Model` from *model_class* (see the class docstring)."""
        bases = _declarative_bases_of(model_class)
        if len(bases) > 1:
            raise ValueError(
                "model_class may derive from only one of DeclarativeBase and"
                f" DeclarativeBaseNoMeta; got {model_class.__bases__}."
            )
        if bases:
            # A SQLAlchemy 2 base: the models' base is an abstract subclass of it with
            # the bind-key and table-name mixins in front.
            mixins: tuple[type, ...] = (
                (BindMixin,) if disable_autonaming else (BindMixin, NameMixin)
            )
            body = {"__abstract__": True, "__erlen_db__": self, "__module__": __name__}
            model = types.new_class(
                "Model",
                (*mixins, Model, model_class),
                {},
                lambda namespace: namespace.update(body),
            )
        elif not isinstance(model_class, sa_orm.DeclarativeMeta):
            model = sa_orm.declarative_base(
                metadata=self._make_metadata(None),
                cls=model_class,
                name="Model",
                metaclass=DefaultMetaNoName if disable_autonaming else DefaultMeta,
            )
        else:
            model = model_class
        if None not in self.metadatas:
            model.metadata.info["bind_key"] = None
            self.metadatas[None] = model.metadata
        else:
            model.metadata = self.metadatas[None]
        model.query_class = self.Query
        model.query = _QueryProperty()
        model.__erlen_db__ = self
        return model

    def _make_engine(
        self, bind_key: str | None, options: dict[str, t.Any], app: Erlen
    ) -> sa.engine.Engine:
        """Create one engine (a hook for subclasses that need to wrap engines)."""
        return sa.engine_from_config(options, prefix="")

    # -- engines and metadata ------------------------------------------------------

    @property
    def metadata(self) -> sa.MetaData:
        """The default bind's metadata (that of :attr:`Model` and :attr:`Table`)."""
        return self.metadatas[None]

    @property
    def engines(self) -> t.Mapping[str | None, sa.engine.Engine]:
        """The current app's engines by bind key (``None``: the default bind)."""
        ctx = _get_app_ctx(None)
        if ctx is None:
            raise RuntimeError(_no_app_msg)
        engines = self._app_engines.get(ctx.app)
        if engines is None:
            raise RuntimeError(
                "The current app is not registered with this 'SQLAlchemy' instance."
                " Did you forget to call 'db.init_app(app)', or did you create"
                " more than one 'SQLAlchemy' instance?"
            )
        return engines

    @property
    def engine(self) -> sa.engine.Engine:
        """The current app's default engine."""
        try:
            return self.engines[None]
        except KeyError:
            raise KeyError(
                "No default engine: 'SQLALCHEMY_DATABASE_URI' is not set (only"
                " 'SQLALCHEMY_BINDS'). Use db.engines[bind_key]."
            ) from None

    def get_engine(self, bind_key: str | None = None, **kwargs: t.Any) -> sa.engine.Engine:
        """Deprecated: use :attr:`engine` or ``engines[bind_key]``."""
        warnings.warn(
            "'get_engine' is deprecated; use 'db.engine' or 'db.engines[key]'. With"
            " migrations, update env.py the same way.",
            DeprecationWarning,
            stacklevel=2,
        )
        if "bind" in kwargs:
            bind_key = kwargs.pop("bind")
        return self.engines[bind_key]

    # -- web helpers for SQLAlchemy 2 statements -------------------------------------

    def get_or_404(
        self, entity: type[_O], ident: t.Any, *, description: str | None = None, **kwargs: t.Any
    ) -> _O:
        """``db.session.get(entity, ident, **kwargs)``, or abort with ``404 Not Found``."""
        value = self.session.get(entity, ident, **kwargs)
        if value is None:
            abort(404, description=description)
        return value

    def first_or_404(
        self, statement: sa.sql.Select[t.Any], *, description: str | None = None
    ) -> t.Any:
        """The first row's first column (``scalar()``), or abort with ``404 Not Found``."""
        value = self.session.execute(statement).scalar()
        if value is None:
            abort(404, description=description)
        return value

    def one_or_404(
        self, statement: sa.sql.Select[t.Any], *, description: str | None = None
    ) -> t.Any:
        """Exactly one row's first column (``scalar_one()``), else ``404 Not Found``."""
        try:
            return self.session.execute(statement).scalar_one()
        except (sa_exc.NoResultFound, sa_exc.MultipleResultsFound):
            abort(404, description=description)

    def paginate(
        self,
        select: sa.sql.Select[t.Any],
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
    ) -> Pagination:
        """One page of *select*'s results (a statement selecting one model).

        ``page`` and ``per_page`` default to the request's ``?page=`` and
        ``?per_page=`` (1 and 20 outside a request); see :class:`~erlen.db.Pagination`.
        """
        return SelectPagination(
            select=select,
            session=self.session(),
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )

    # -- schema --------------------------------------------------------------------

    def _call_for_binds(self, bind_key: str | None | list[str | None], operation: str) -> None:
        if bind_key == _ALL_BINDS:
            keys: list[str | None] = list(self.metadatas)
        elif bind_key is None or isinstance(bind_key, str):
            keys = [bind_key]
        else:
            keys = list(bind_key)
        engines = self.engines
        for key in keys:
            try:
                engine = engines[key]
            except KeyError:
                message = f"Bind key {key!r} is not in 'SQLALCHEMY_BINDS' config."
                if key is None:
                    message = f"'SQLALCHEMY_DATABASE_URI' config is not set. {message}"
                raise sa_exc.UnboundExecutionError(message) from None
            getattr(self.metadatas[key], operation)(bind=engine)

    def create_all(self, bind_key: str | None | list[str | None] = _ALL_BINDS) -> None:
        """Create the tables that do not exist yet (all binds, or the given ones).

        Existing tables are not altered: schema changes need migrations.
        """
        self._call_for_binds(bind_key, "create_all")

    def drop_all(self, bind_key: str | None | list[str | None] = _ALL_BINDS) -> None:
        """Drop the tables of all binds, or of the given ones."""
        self._call_for_binds(bind_key, "drop_all")

    def reflect(self, bind_key: str | None | list[str | None] = _ALL_BINDS) -> None:
        """Load the databases' table definitions into the metadata (all binds or some)."""
        self._call_for_binds(bind_key, "reflect")

    # -- relationships and the sqlalchemy namespace ------------------------------------

    def _set_rel_query(self, kwargs: dict[str, t.Any]) -> None:
        """Make dynamic relationships and their backrefs use :attr:`Query`."""
        kwargs.setdefault("query_class", self.Query)
        if "backref" in kwargs:
            backref = kwargs["backref"]
            if isinstance(backref, str):
                backref = kwargs["backref"] = (backref, {})
            backref[1].setdefault("query_class", self.Query)

    def relationship(self, *args: t.Any, **kwargs: t.Any) -> sa_orm.RelationshipProperty[t.Any]:
        """``sqlalchemy.orm.relationship`` with this extension's query class for
        ``lazy="dynamic"`` and backrefs."""
        self._set_rel_query(kwargs)
        return sa_orm.relationship(*args, **kwargs)

    def dynamic_loader(
        self, argument: t.Any, **kwargs: t.Any
    ) -> sa_orm.RelationshipProperty[t.Any]:
        """``sqlalchemy.orm.dynamic_loader`` with this extension's query class."""
        self._set_rel_query(kwargs)
        return sa_orm.dynamic_loader(argument, **kwargs)

    def _relation(self, *args: t.Any, **kwargs: t.Any) -> sa_orm.RelationshipProperty[t.Any]:
        self._set_rel_query(kwargs)
        return sa_orm.relationship(*args, **kwargs)

    def __getattr__(self, name: str) -> t.Any:
        if name == "relation":
            return self._relation
        if name == "event":
            return sa_event
        if name.startswith("_"):
            raise AttributeError(name)
        for module in (sa, sa_orm):
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}, and neither"
            " 'sqlalchemy' nor 'sqlalchemy.orm' has that name."
        )
