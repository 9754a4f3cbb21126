"""The ``SQLAlchemy`` extension object: configuration, engines, binds, schema, namespace."""

from __future__ import annotations

import os
import warnings

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as sa_orm

from erlen import Erlen
from erlen.db import Query, Session, SQLAlchemy


def make_app(tmp_path, **config):
    app = Erlen("dbapp", instance_path=str(tmp_path / "instance"))
    app.config.update(config)
    return app


def test_init_app_requires_a_database(tmp_path):
    with pytest.raises(RuntimeError, match="SQLALCHEMY_DATABASE_URI.*SQLALCHEMY_BINDS"):
        SQLAlchemy(make_app(tmp_path))


def test_one_extension_per_app(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    SQLAlchemy(app)
    with pytest.raises(RuntimeError, match="already been registered"):
        SQLAlchemy(app)


def test_config_defaults_are_set(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)
    for key, value in {
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SQLALCHEMY_ECHO": False,
        "SQLALCHEMY_BINDS": {},
        "SQLALCHEMY_RECORD_QUERIES": False,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    }.items():
        assert app.config[key] == value
    assert app.extensions["sqlalchemy"] is db


def test_engine_and_repr_need_an_app_context(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)
    assert repr(db) == "<SQLAlchemy>"
    with pytest.raises(RuntimeError, match="application context"):
        db.engine  # noqa: B018
    with app.app_context():
        assert repr(db) == "<SQLAlchemy sqlite://>"
        assert db.engine is db.engines[None]


def test_unregistered_app_is_explained(tmp_path):
    db = SQLAlchemy()
    app = make_app(tmp_path)
    with app.app_context(), pytest.raises(RuntimeError, match="init_app"):
        db.engine  # noqa: B018


def test_sqlite_relative_path_is_in_the_instance_folder(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite:///app.db")
    db = SQLAlchemy(app)
    with app.app_context():
        assert db.engine.url.database == os.path.join(app.instance_path, "app.db")
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    assert os.path.isfile(os.path.join(app.instance_path, "app.db"))


def test_sqlite_uri_form_and_absolute_paths_are_kept(tmp_path):
    absolute = f"sqlite:///{tmp_path / 'abs.db'}"
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=absolute,
        SQLALCHEMY_BINDS={"uri": "sqlite:///file:rel.db?uri=true"},
    )
    db = SQLAlchemy(app)
    with app.app_context():
        assert db.engine.url.database == str(tmp_path / "abs.db")
        expected = "file:" + os.path.join(app.instance_path, "rel.db")
        assert db.engines["uri"].url.database == expected


def test_memory_sqlite_is_one_connection_shared_by_threads(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)
    with app.app_context():
        assert isinstance(db.engine.pool, sa.pool.StaticPool)


def test_engine_options_precedence(tmp_path):
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 7, "pool_pre_ping": True},
        SQLALCHEMY_ECHO=True,
        SQLALCHEMY_BINDS={
            "b": f"sqlite:///{tmp_path / 'b.db'}",
            "c": {"url": f"sqlite:///{tmp_path / 'c.db'}", "pool_size": 3, "echo": False},
        },
    )
    db = SQLAlchemy(app, engine_options={"pool_size": 2, "max_overflow": 4})
    with app.app_context():
        default, b, c = db.engines[None], db.engines["b"], db.engines["c"]
        assert (default.pool.size(), default.pool._max_overflow) == (7, 4)
        assert default.pool._pre_ping is True
        assert default.echo is True
        assert (b.pool.size(), b.echo) == (2, True)
        assert (c.pool.size(), c.echo) == (3, False)
        assert repr(db) == f"<SQLAlchemy sqlite:///{tmp_path / 'a.db'} +2>"


def test_binds_without_a_default_database(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_BINDS={"only": "sqlite://"})
    db = SQLAlchemy(app)
    with app.app_context():
        assert list(db.engines) == ["only"]
        with pytest.raises(KeyError, match="SQLALCHEMY_DATABASE_URI"):
            db.engine  # noqa: B018
        assert repr(db) == "<SQLAlchemy binds=['only']>"


def test_legacy_pool_keys_are_honoured_with_a_warning(tmp_path):
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}",
        SQLALCHEMY_POOL_SIZE=9,
        SQLALCHEMY_POOL_RECYCLE=3600,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_recycle": 60},
    )
    with pytest.warns(DeprecationWarning) as record:
        db = SQLAlchemy(app)
    messages = sorted(str(warning.message) for warning in record)
    assert len(messages) == 2
    assert "'SQLALCHEMY_POOL_RECYCLE'" in messages[0]
    assert "SQLALCHEMY_ENGINE_OPTIONS = {'pool_size': 9}" in messages[1]
    with app.app_context():
        assert db.engine.pool.size() == 9
        assert db.engine.pool._recycle == 60  # the explicit option wins


def test_legacy_pool_size_on_memory_sqlite_is_ignored_not_fatal(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_POOL_SIZE=5)
    with pytest.warns(DeprecationWarning, match="Ignored"):
        db = SQLAlchemy(app)
    with app.app_context():
        assert isinstance(db.engine.pool, sa.pool.StaticPool)


def test_init_app_again_disposes_the_old_engines(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}")
    db = SQLAlchemy(app)
    with app.app_context():
        first = db.engine
    del app.extensions["sqlalchemy"]
    db.init_app(app)
    with app.app_context():
        assert db.engine is not first


def test_binds_route_models_and_tables(tmp_path):
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'main.db'}",
        SQLALCHEMY_BINDS={"stats": f"sqlite:///{tmp_path / 'stats.db'}"},
    )
    db = SQLAlchemy(app, metadata=sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s"}))

    class Account(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    class Hit(db.Model):
        __bind_key__ = "stats"
        id = db.Column(db.Integer, primary_key=True)

    class DailyHit(Hit):  # joined inheritance keeps the parent's bind
        id = db.Column(db.ForeignKey(Hit.id), primary_key=True)

    counters = db.Table("counters", db.Column("n", db.Integer), bind_key="stats")
    plain = db.Table("plain", db.metadata, db.Column("n", db.Integer))

    assert Hit.metadata is db.metadatas["stats"] is DailyHit.metadata
    assert counters.metadata is db.metadatas["stats"]
    assert plain.metadata is db.metadata is Account.metadata
    assert db.metadatas["stats"].naming_convention == db.metadata.naming_convention
    assert db.metadatas["stats"].info["bind_key"] == "stats"

    with app.app_context():
        db.create_all()
        stats_tables = set(sa.inspect(db.engines["stats"]).get_table_names())
        main_tables = set(sa.inspect(db.engine).get_table_names())
        assert stats_tables == {"hit", "daily_hit", "counters"}
        assert main_tables == {"account", "plain"}
        db.session.add_all([Account(), DailyHit()])
        db.session.execute(counters.insert().values(n=3))
        db.session.commit()
        assert db.session.get(DailyHit, 1) is not None
        assert db.session.execute(sa.select(counters.c.n)).scalar() == 3
        assert db.session.get_bind(mapper=Hit) is db.engines["stats"]
        assert db.session.get_bind(clause=counters.insert()) is db.engines["stats"]
        assert db.session.get_bind() is db.engine

        db.drop_all(bind_key="stats")
        assert sa.inspect(db.engines["stats"]).get_table_names() == []
        assert set(sa.inspect(db.engine).get_table_names()) == main_tables
        db.create_all(bind_key=["stats"])
        db.drop_all(bind_key=None)
        assert sa.inspect(db.engine).get_table_names() == []
        with pytest.raises(sa_exc.UnboundExecutionError, match="'nope' is not in"):
            db.create_all(bind_key="nope")


def test_model_with_an_unconfigured_bind_key_names_the_fix(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)

    class Orphan(db.Model):
        __bind_key__ = "missing"
        id = db.Column(db.Integer, primary_key=True)

    with app.app_context(), pytest.raises(sa_exc.UnboundExecutionError, match="SQLALCHEMY_BINDS"):
        db.session.get(Orphan, 1)


def test_reflect_loads_existing_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE legacy (id INTEGER PRIMARY KEY, name TEXT)")
    engine.dispose()
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    db = SQLAlchemy(app)
    with app.app_context():
        db.reflect()
        assert set(db.metadata.tables["legacy"].c.keys()) == {"id", "name"}

        class Legacy(db.Model):  # a model on a reflected table, named by its class
            pass

        assert Legacy.__table__ is db.metadata.tables["legacy"]


def test_sqlalchemy_names_are_available_on_db():
    db = SQLAlchemy()
    for name in ["Column", "Integer", "String", "ForeignKey", "Index", "UniqueConstraint"]:
        assert getattr(db, name) is getattr(sa, name)
    for name in ["select", "func", "text", "and_", "or_", "CheckConstraint", "JSON", "Enum"]:
        assert getattr(db, name) is getattr(sa, name)
    assert db.backref is sa_orm.backref and db.joinedload is sa_orm.joinedload
    assert db.selectinload is sa_orm.selectinload and db.Mapped is sa_orm.Mapped
    assert db.event is sa.event
    assert db.Query is Query
    with pytest.raises(AttributeError, match="neither 'sqlalchemy' nor 'sqlalchemy.orm'"):
        db.no_such_name  # noqa: B018
    with pytest.raises(AttributeError):
        db._private  # noqa: B018


def test_get_engine_is_deprecated(tmp_path):
    app = make_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SQLALCHEMY_BINDS={"x": "sqlite://"},
    )
    db = SQLAlchemy(app)
    with app.app_context():
        with pytest.warns(DeprecationWarning):
            assert db.get_engine() is db.engine
        with pytest.warns(DeprecationWarning):
            assert db.get_engine(bind="x") is db.engines["x"]


def test_session_options_and_custom_session_class(tmp_path):
    class MySession(Session):
        pass

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app, session_options={"class_": MySession, "expire_on_commit": False})
    with app.app_context():
        session = db.session()
        assert isinstance(session, MySession)
        assert session.expire_on_commit is False


def test_shell_context_has_db_and_models(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    db = SQLAlchemy(app)

    class Gadget(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    with app.app_context():
        namespace = app.make_shell_context()
    assert namespace["db"] is db and namespace["Gadget"] is Gadget
    quiet_app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    SQLAlchemy(quiet_app, add_models_to_shell=False)
    with quiet_app.app_context():
        assert "db" not in quiet_app.make_shell_context()


def test_metadata_argument_with_a_typed_base_warns():
    class Base(sa_orm.DeclarativeBase):
        pass

    with pytest.warns(DeprecationWarning, match="metadata"):
        db = SQLAlchemy(metadata=sa.MetaData(), model_class=Base)
    assert db.metadata is Base.metadata


def test_echo_logs_statements(tmp_path, caplog):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_ECHO=True)
    db = SQLAlchemy(app)
    with app.app_context(), warnings.catch_warnings():
        caplog.set_level("INFO", logger="sqlalchemy.engine")
        db.session.execute(db.text("SELECT 42"))
    assert any("SELECT 42" in record.getMessage() for record in caplog.records)
