"""``db.Model``: table names, inheritance, bind keys, typed models, ``query``, ``repr``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as sa_orm
from sqlalchemy.orm import DeclarativeBase, DeclarativeBaseNoMeta, Mapped, mapped_column

from erlen import Erlen
from erlen.db import Model, Query, SQLAlchemy
from erlen.db.model import camel_to_snake_case


@pytest.fixture
def app(tmp_path):
    app = Erlen("models", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    return app


# What Flask-SQLAlchemy 3.1 derives for these class names (its regular expression run
# over each name), so tables keep their names when an app is ported.
@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("User", "user"),
        ("OrderItem", "order_item"),
        ("HTTPRequest", "http_request"),
        ("APIKey", "api_key"),
        ("User2Admin", "user2_admin"),
        ("ABC", "abc"),
        ("CamelCASE", "camel_case"),
        ("_Private", "private"),
        ("Order_Item", "order__item"),
        ("getHTTPResponseCode", "get_http_response_code"),
        ("A", "a"),
        ("aB", "a_b"),
        ("Version2", "version2"),
        ("V2Token", "v2_token"),
        ("XMLHttpRequest", "xml_http_request"),
        ("snake_case", "snake_case"),
        ("ÄpfelBaum", "äpfel_baum"),
        ("IOError", "io_error"),
        ("lowerUPPERlower", "lower_uppe_rlower"),
        ("__Dunder", "dunder"),
        ("A_B", "a_b"),
        ("", ""),
    ],
)
def test_camel_to_snake_case(name, table):
    assert camel_to_snake_case(name) == table


def test_camel_to_snake_case_is_linear_on_hostile_names():
    name = "Ab" * 200_000 + "A" * 200_000
    assert camel_to_snake_case(name).startswith("ab_ab_")


def test_automatic_table_names_and_inheritance():
    db = SQLAlchemy()

    class Mixin:
        __tablename__ = "from_mixin"

    class Named(db.Model):
        __tablename__ = "explicit"
        id = db.Column(db.Integer, primary_key=True)

    class BlogPost(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        kind = db.Column(db.String(20))
        __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "post"}

    class Draft(BlogPost):  # no primary key: single-table inheritance
        __mapper_args__ = {"polymorphic_identity": "draft"}

    class Article(BlogPost):  # its own primary key: joined-table inheritance
        id = db.Column(db.ForeignKey(BlogPost.id), primary_key=True)
        __mapper_args__ = {"polymorphic_identity": "article"}

    class FromMixin(Mixin, db.Model):
        id = db.Column(db.Integer, primary_key=True)

    class Base(db.Model):
        __abstract__ = True
        id = db.Column(db.Integer, primary_key=True)

    class Concrete(Base):
        pass

    class Computed(db.Model):
        @sa_orm.declared_attr.directive
        def __tablename__(cls):
            return "computed_" + cls.__name__.lower()

        id = db.Column(db.Integer, primary_key=True)

    assert Named.__table__.name == "explicit"
    assert BlogPost.__table__.name == "blog_post"
    assert Draft.__table__ is BlogPost.__table__
    assert "__tablename__" not in Draft.__dict__
    assert Article.__table__.name == "article"
    assert FromMixin.__table__.name == "from_mixin"
    assert Concrete.__table__.name == "concrete"
    assert Computed.__table__.name == "computed_computed"
    assert set(db.metadata.tables) == {
        "explicit",
        "blog_post",
        "article",
        "from_mixin",
        "concrete",
        "computed_computed",
    }


def test_model_without_primary_key_gets_sqlalchemys_error():
    db = SQLAlchemy()
    with pytest.raises(sa.exc.ArgumentError, match="primary key"):

        class NoKey(db.Model):
            name = db.Column(db.String)


def test_disable_autonaming():
    db = SQLAlchemy(disable_autonaming=True)
    with pytest.raises(sa.exc.InvalidRequestError, match="__tablename__"):

        class Thing(db.Model):
            id = db.Column(db.Integer, primary_key=True)


@pytest.mark.parametrize("base", [DeclarativeBase, DeclarativeBaseNoMeta])
def test_typed_models_with_a_sqlalchemy_2_base(app, base):
    class Base(base):
        pass

    db = SQLAlchemy(app, model_class=Base)

    class Author(db.Model):
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        books: Mapped[list[Book]] = sa_orm.relationship(back_populates="author")

    class Book(db.Model):
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id"))
        author: Mapped[Author] = sa_orm.relationship(back_populates="books")

    class Archived(db.Model):
        __bind_key__ = "archive"
        id: Mapped[int] = mapped_column(primary_key=True)

    assert issubclass(Author, Base) and issubclass(Author, Model)
    assert Author.__tablename__ == "author" and Book.__tablename__ == "book"
    assert db.metadata is Base.metadata
    assert Archived.metadata is db.metadatas["archive"] is not db.metadata
    assert "archived" in db.metadatas["archive"].tables
    with app.app_context():
        db.create_all(bind_key=None)
        db.session.add(Author(name="Ann", books=[Book(), Book()]))
        db.session.commit()
        author = db.session.execute(db.select(Author)).scalar_one()
        assert len(author.books) == 2
        assert Author.query.filter_by(name="Ann").one() is author
        assert repr(author) == "<Author 1>"


def test_two_sqlalchemy_2_bases_are_refused():
    class Mixed(DeclarativeBase, DeclarativeBaseNoMeta):  # pragma: no cover - never built
        pass

    with pytest.raises((ValueError, TypeError)):
        SQLAlchemy(model_class=Mixed)


def test_custom_model_class_and_ready_declarative_class(app):
    class Timestamped(Model):
        def describe(self):
            return f"{type(self).__name__}!"

    db = SQLAlchemy(app, model_class=Timestamped)

    class Widget(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    assert Widget().describe() == "Widget!"

    ready = sa_orm.declarative_base(cls=Model, name="Ready")
    db2 = SQLAlchemy(model_class=ready)
    assert db2.Model is ready and ready.__erlen_db__ is db2


def test_query_property_repr_and_query_class(app):
    class MyQuery(Query):
        def named(self, name):
            return self.filter_by(name=name)

    db = SQLAlchemy(app, query_class=MyQuery)

    class Tag(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(20))
        posts = db.relationship("Post", lazy="dynamic", backref="tag")

    class Post(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        tag_id = db.Column(db.ForeignKey(Tag.id))

    with app.app_context():
        db.create_all()
        tag = Tag(name="a")
        assert repr(tag).startswith("<Tag (transient ")
        db.session.add(tag)
        assert repr(tag).startswith("<Tag (pending ")
        db.session.commit()
        assert repr(tag) == "<Tag 1>"
        assert isinstance(Tag.query, MyQuery)
        assert Tag.query.named("a").one() is tag
        tag.posts.append(Post())
        db.session.commit()
        assert isinstance(tag.posts, MyQuery)  # dynamic relationships use the query class
        assert tag.posts.count() == 1
    with pytest.raises(RuntimeError, match="application context"):
        Tag.query  # noqa: B018


def test_backref_tuple_gets_the_query_class():
    db = SQLAlchemy()
    kwargs = {"backref": ("children", {"lazy": "dynamic"})}
    db._set_rel_query(kwargs)
    assert kwargs["backref"][1]["query_class"] is Query
    kwargs = {"backref": "parent"}
    db._set_rel_query(kwargs)
    assert kwargs["backref"] == ("parent", {"query_class": Query})
    assert db.relation is not None and db.dynamic_loader is not None
