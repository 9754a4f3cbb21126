"""The declarative model base behind ``db.Model``.

Two things happen to every model class on top of plain SQLAlchemy declarative mapping:

* **Table names**: a model that does not name its table gets one from its class name,
  ``OrderItem`` -> ``order_item``.  A subclass of a mapped model without a primary key
  of its own is single-table inheritance, so it gets no table (and no name).
* **Bind keys**: ``__bind_key__ = "analytics"`` puts the model's table in the metadata
  of that bind, so ``db.session`` sends its queries to that engine.

Both are provided twice, because SQLAlchemy has two ways to build a declarative base:
as metaclass mixins for the classic ``declarative_base()`` (the default ``db.Model``)
and as ``__init_subclass__`` mixins for SQLAlchemy 2 ``DeclarativeBase`` subclasses
passed as ``model_class``.  The decisions are the same functions in both cases.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm

from .query import Query

if t.TYPE_CHECKING:
    from .extension import SQLAlchemy

__all__ = [
    "BindMetaMixin",
    "BindMixin",
    "DefaultMeta",
    "DefaultMetaNoName",
    "Model",
    "NameMetaMixin",
    "NameMixin",
    "camel_to_snake_case",
    "should_set_tablename",
]

_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_LOWER_OR_DIGIT = _LOWER | frozenset("0123456789")
_DECLARATIVE_BASES = (sa_orm.DeclarativeBase, sa_orm.DeclarativeBaseNoMeta)


def camel_to_snake_case(name: str) -> str:
    """``CamelCase`` to ``snake_case`` the way table names are derived from classes.

    An underscore goes before an ASCII capital that follows a lowercase letter or a
    digit, or that starts a capitalised word after other capitals (``HTTPRequest`` ->
    ``http_request``).  Leading underscores are dropped.  Linear in the name's length.
    """
    last = len(name) - 1
    out: list[str] = []
    for index, char in enumerate(name):
        if (
            index
            and char in _UPPER
            and (name[index - 1] in _LOWER_OR_DIGIT or (index < last and name[index + 1] in _LOWER))
        ):
            out.append("_")
        out.append(char)
    return "".join(out).lower().lstrip("_")


class _QueryProperty:
    """``Model.query``: a new legacy :class:`~erlen.db.Query` on the current session."""

    def __get__(self, obj: object | None, cls: type[Model]) -> Query:
        return cls.query_class(cls, session=cls.__erlen_db__.session())


class Model:
    """Behaviour every ``db.Model`` subclass gets: ``query`` and a readable ``repr``.

    Subclass this (not ``db.Model``) and pass it as ``model_class`` to customise the
    base of all models of one :class:`~erlen.db.SQLAlchemy` instance.
    """

    #: The extension that made the base class (set on ``db.Model``).
    __erlen_db__: t.ClassVar[SQLAlchemy]

    #: The class ``Model.query`` returns; defaults to the extension's ``Query``.
    query_class: t.ClassVar[type[Query]] = Query

    #: ``Model.query`` is ``db.session.query(Model)`` (the legacy query interface;
    #: ``db.session.execute(db.select(Model))`` is the SQLAlchemy 2 way).
    query: t.ClassVar[Query] = _QueryProperty()  # type: ignore[assignment]

    def __repr__(self) -> str:
        state = sa.inspect(self)
        if state.transient:
            key = f"(transient {id(self)})"
        elif state.pending:
            key = f"(pending {id(self)})"
        else:
            key = ", ".join(map(str, state.identity))
        return f"<{type(self).__name__} {key}>"


# -- the decisions ---------------------------------------------------------------------


def _is_declarative_class(cls: type) -> bool:
    """Whether *cls* is a model (or base) class of either declarative flavour."""
    return isinstance(
        cls, (sa_orm.DeclarativeMeta, sa_orm.decl_api.DeclarativeAttributeIntercept)
    ) or issubclass(cls, sa_orm.DeclarativeBaseNoMeta)


def should_set_tablename(cls: type) -> bool:
    """Whether *cls* should be given a ``__tablename__`` derived from its class name.

    Not for abstract classes or declarative bases.  Otherwise the nearest class in the
    MRO that sets ``__tablename__`` decides: a ``declared_attr`` computes it; the class
    itself, an abstract class or a plain mixin provides it; a mapped parent does not
    (its subclass needs a name of its own, which is dropped again for single-table
    inheritance once the columns are known).
    """
    if cls.__dict__.get("__abstract__", False):
        return False
    if issubclass(cls, _DECLARATIVE_BASES):
        if any(base in _DECLARATIVE_BASES for base in cls.__bases__):
            return False
    elif not any(isinstance(base, sa_orm.DeclarativeMeta) for base in cls.__mro__[1:]):
        return False
    for base in cls.__mro__:
        if "__tablename__" not in base.__dict__:
            continue
        if isinstance(base.__dict__["__tablename__"], sa_orm.declared_attr):
            return False
        provided_here = (
            base is cls
            or base.__dict__.get("__abstract__", False)
            or not _is_declarative_class(base)
        )
        return not provided_here
    return True


def _make_table(cls: t.Any, *args: t.Any, **kwargs: t.Any) -> sa.Table | None:
    """Build the model's table, or return ``None`` for single-table inheritance.

    A table is made when the name already exists in the metadata (a reflected table),
    when the columns include a primary key (joined-table inheritance or a plain model),
    or when no ancestor has a table (so SQLAlchemy reports the missing primary key).
    Otherwise the model shares its parent's table and the derived name is removed.
    """
    schema = kwargs.get("schema")
    key = args[0] if schema is None else f"{schema}.{args[0]}"
    if key in cls.metadata.tables:
        return sa.Table(*args, **kwargs)
    for arg in args:
        if (isinstance(arg, sa.Column) and arg.primary_key) or isinstance(
            arg, sa.PrimaryKeyConstraint
        ):
            return sa.Table(*args, **kwargs)
    if not any("__table__" in base.__dict__ for base in cls.__mro__[1:-1]):
        return sa.Table(*args, **kwargs)
    if "__tablename__" in cls.__dict__:
        del cls.__tablename__
    return None


def _forget_missing_table(cls: t.Any) -> None:
    """After mapping: a model that got no table of its own uses its parent's."""
    if (
        "__tablename__" not in cls.__dict__
        and "__table__" in cls.__dict__
        and cls.__dict__["__table__"] is None
    ):
        del cls.__table__


def _choose_metadata(cls: t.Any) -> None:
    """Point a model with ``__bind_key__`` at that bind's metadata.

    A model that sets ``metadata`` or ``__table__`` itself keeps them; a subclass whose
    parent already uses the right metadata inherits it rather than setting it again.
    """
    if "metadata" in cls.__dict__ or "__table__" in cls.__dict__:
        return
    metadata = cls.__erlen_db__._make_metadata(getattr(cls, "__bind_key__", None))
    if metadata is not getattr(cls, "metadata", None):
        cls.metadata = metadata


# -- classic declarative_base(): metaclass mixins ------------------------------------------


class BindMetaMixin(type):
    """Metaclass mixin giving classic declarative models ``__bind_key__`` support."""

    def __init__(cls, name: str, bases: tuple[type, ...], d: dict[str, t.Any], **kw: t.Any):
        _choose_metadata(cls)
        super().__init__(name, bases, d, **kw)


class NameMetaMixin(type):
    """Metaclass mixin giving classic declarative models automatic table names."""

    def __init__(cls, name: str, bases: tuple[type, ...], d: dict[str, t.Any], **kw: t.Any):
        if should_set_tablename(cls):
            cls.__tablename__ = camel_to_snake_case(cls.__name__)
        super().__init__(name, bases, d, **kw)
        _forget_missing_table(cls)

    def __table_cls__(cls, *args: t.Any, **kwargs: t.Any) -> sa.Table | None:
        """Called by declarative to create the table (see :func:`_make_table`)."""
        return _make_table(cls, *args, **kwargs)


class DefaultMeta(BindMetaMixin, NameMetaMixin, sa_orm.DeclarativeMeta):
    """The metaclass of the default ``db.Model``: bind keys and table names."""


class DefaultMetaNoName(BindMetaMixin, sa_orm.DeclarativeMeta):
    """The metaclass of ``db.Model`` with ``disable_autonaming=True``: bind keys only."""


# -- SQLAlchemy 2 DeclarativeBase: __init_subclass__ mixins ---------------------------------


class BindMixin:
    """``DeclarativeBase`` mixin giving models ``__bind_key__`` support."""

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        if hasattr(cls, "__bind_key__"):
            _choose_metadata(cls)
        super().__init_subclass__(**kwargs)


class NameMixin:
    """``DeclarativeBase`` mixin giving models automatic table names."""

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        if should_set_tablename(cls):
            cls.__tablename__ = camel_to_snake_case(cls.__name__)  # type: ignore[attr-defined]
        super().__init_subclass__(**kwargs)
        _forget_missing_table(cls)

    @classmethod
    def __table_cls__(cls, *args: t.Any, **kwargs: t.Any) -> sa.Table | None:
        """Called by declarative to create the table (see :func:`_make_table`)."""
        return _make_table(cls, *args, **kwargs)
