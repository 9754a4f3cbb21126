"""Pagination: ``db.paginate(select)`` and ``Model.query.paginate()``, in and out of
requests, in templates, and against hostile ``?page=``/``?per_page=`` values."""

from __future__ import annotations

import pytest

from erlen import Erlen, render_template_string
from erlen.db import Pagination, QueryPagination, SelectPagination, SQLAlchemy
from erlen.exceptions import NotFound


@pytest.fixture
def app(tmp_path):
    app = Erlen("pages", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db = SQLAlchemy(app)

    class Item(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    with app.app_context():
        db.create_all()
        db.session.add_all(Item() for _ in range(45))
        db.session.commit()
    app.db, app.Item = db, Item  # type: ignore[attr-defined]

    @app.route("/items")
    def items():
        page = db.paginate(db.select(Item).order_by(Item.id))
        return {"ids": [item.id for item in page], "page": page.page, "per_page": page.per_page}

    @app.route("/lenient")
    def lenient():
        page = Item.query.order_by(Item.id).paginate(error_out=False)
        return {"ids": [item.id for item in page], "page": page.page, "per_page": page.per_page}

    @app.route("/capped")
    def capped():
        page = db.paginate(db.select(Item), max_per_page=5)
        return {"count": len(page.items), "per_page": page.per_page}

    template = (
        "{% for item in pagination %}{{ item.id }} {% endfor %}|"
        "{% if pagination.has_prev %}<a href=\"{{ url_for('listing', page=pagination.prev_num) }}\">prev</a>{% endif %}"
        "{% for p in pagination.iter_pages() %}"
        "{% if p %}{% if p == pagination.page %}[{{ p }}]{% else %}"
        "<a href=\"{{ url_for('listing', page=p) }}\">{{ p }}</a>{% endif %}{% else %}…{% endif %}"
        "{% endfor %}"
        "{% if pagination.has_next %}<a href=\"{{ url_for('listing', page=pagination.next_num) }}\">next</a>{% endif %}"
    )

    @app.route("/listing")
    def listing():
        pagination = db.paginate(db.select(Item).order_by(Item.id), per_page=4)
        return render_template_string(template, pagination=pagination)

    return app


@pytest.fixture
def ctx(app):
    with app.app_context() as ctx:
        yield ctx


def test_select_pagination_attributes(app, ctx):
    db, Item = app.db, app.Item
    page = db.paginate(db.select(Item).order_by(Item.id), page=2, per_page=10)
    assert isinstance(page, SelectPagination) and isinstance(page, Pagination)
    assert [item.id for item in page.items] == list(range(11, 21))
    assert [item.id for item in page] == list(range(11, 21))
    assert (page.total, page.pages, page.page, page.per_page) == (45, 5, 2, 10)
    assert (page.has_prev, page.prev_num, page.has_next, page.next_num) == (True, 1, True, 3)
    assert (page.first, page.last) == (11, 20)
    following = page.next()
    assert [item.id for item in following.items] == list(range(21, 31))
    assert following.total == 45  # reused, not recounted
    assert [item.id for item in page.prev().items] == list(range(1, 11))
    last = db.paginate(db.select(Item).order_by(Item.id), page=5, per_page=10)
    assert (len(last.items), last.has_next, last.next_num, last.first, last.last) == (
        5,
        False,
        None,
        41,
        45,
    )
    first = db.paginate(db.select(Item), page=1, per_page=10)
    assert (first.has_prev, first.prev_num) == (False, None)
    assert repr(first) == "<SelectPagination page=1 per_page=10 total=45>"


def test_query_pagination_and_count_off(app, ctx):
    Item = app.Item
    page = Item.query.order_by(Item.id.desc()).paginate(page=3, per_page=20, count=False)
    assert isinstance(page, QueryPagination)
    assert [item.id for item in page.items] == [5, 4, 3, 2, 1]
    assert page.total is None and page.pages == 0 and page.has_next is False
    assert Item.query.paginate(page=1, per_page=100).total == 45


def test_empty_results(app, ctx):
    db, Item = app.db, app.Item
    page = db.paginate(db.select(Item).where(Item.id < 0))
    assert (page.items, page.total, page.pages, page.first, page.last) == ([], 0, 0, 0, 0)
    assert list(page.iter_pages()) == []


def test_out_of_range_pages(app, ctx):
    db, Item = app.db, app.Item
    with pytest.raises(NotFound):
        db.paginate(db.select(Item), page=10, per_page=10)
    assert db.paginate(db.select(Item), page=10, per_page=10, error_out=False).items == []
    for bad in ({"page": 0}, {"page": -3}, {"per_page": 0}, {"per_page": -1}):
        with pytest.raises(NotFound):
            db.paginate(db.select(Item), **bad)
    lenient = db.paginate(db.select(Item), page=-3, per_page=-1, error_out=False)
    assert (lenient.page, lenient.per_page) == (1, 20)


def test_explicit_per_page_is_not_capped_but_max_per_page_caps(app, ctx):
    db, Item = app.db, app.Item
    assert db.paginate(db.select(Item), per_page=200).per_page == 200
    capped = db.paginate(db.select(Item), per_page=200, max_per_page=30)
    assert (capped.per_page, len(capped.items), capped.max_per_page) == (30, 30, 30)
    assert capped.next().per_page == 30


def test_page_and_per_page_from_the_request(app):
    client = app.test_client()
    body = client.get("/items?page=2&per_page=5").get_json()
    assert body == {"ids": [6, 7, 8, 9, 10], "page": 2, "per_page": 5}
    assert client.get("/items").get_json()["per_page"] == 20
    assert client.get("/items?per_page=1000").get_json()["per_page"] == 100  # user input capped
    assert client.get("/capped?per_page=50").get_json() == {"count": 5, "per_page": 5}


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "per_page=x",
        "page=0",
        "page=-1",
        "per_page=0",
        "page=99",
        "page=1.5",
        "page=" + "9" * 5000,  # more digits than int() accepts
        "page=" + "9" * 30,  # a valid int far past any SQL OFFSET
        "page=2&per_page=" + "9" * 25,
    ],
)
def test_hostile_arguments_are_404_not_500(app, query):
    assert app.test_client().get(f"/items?{query}").status_code == 404


@pytest.mark.parametrize(
    ("query", "page", "per_page", "ids"),
    [
        ("page=abc", 1, 20, list(range(1, 21))),
        ("per_page=x", 1, 20, list(range(1, 21))),
        ("page=-5&per_page=-5", 1, 20, list(range(1, 21))),
        ("page=" + "9" * 30, 10**30 - 1, 20, []),
        ("page=3&per_page=" + "9" * 25, 3, 100, []),
    ],
)
def test_hostile_arguments_fall_back_without_error_out(app, query, page, per_page, ids):
    body = app.test_client().get(f"/lenient?{query}").get_json()
    assert body == {
        "ids": ids,
        "page": int("9" * 30) if page == 10**30 - 1 else page,
        "per_page": per_page,
    }


def test_pagination_in_a_template_with_url_for(app):
    html = app.test_client().get("/listing?page=5").get_data(as_text=True)
    items, nav = html.split("|")
    assert items.split() == ["17", "18", "19", "20"]
    assert nav == (
        '<a href="/listing?page=4">prev</a>'
        '<a href="/listing?page=1">1</a><a href="/listing?page=2">2</a>'
        '<a href="/listing?page=3">3</a><a href="/listing?page=4">4</a>[5]'
        '<a href="/listing?page=6">6</a><a href="/listing?page=7">7</a>'
        '<a href="/listing?page=8">8</a><a href="/listing?page=9">9</a>'
        '…<a href="/listing?page=11">11</a>'
        '<a href="/listing?page=12">12</a>'
        '<a href="/listing?page=6">next</a>'
    )


class _Pages(Pagination):
    """A pagination over nothing, to check the page arithmetic alone."""

    def _query_items(self):
        return []

    def _query_count(self):
        return self._query_args["total"]


# Expected values: what Flask-SQLAlchemy 3.1's iter_pages() yields for the same input.
@pytest.mark.parametrize(
    ("pages", "page", "options", "expected"),
    [
        (20, 7, {}, [1, 2, None, 5, 6, 7, 8, 9, 10, 11, None, 19, 20]),
        (20, 1, {}, [1, 2, 3, 4, 5, None, 19, 20]),
        (20, 20, {}, [1, 2, None, 18, 19, 20]),
        (5, 3, {}, [1, 2, 3, 4, 5]),
        (0, 1, {}, []),
        (1, 1, {}, [1]),
        (3, 3, {}, [1, 2, 3]),
        (
            10,
            5,
            {"left_edge": 1, "left_current": 1, "right_current": 1, "right_edge": 1},
            [1, None, 4, 5, 6, None, 10],
        ),
        (100, 50, {}, [1, 2, None, 48, 49, 50, 51, 52, 53, 54, None, 99, 100]),
        (8, 30, {}, [1, 2, None]),
        (12, 6, {"left_edge": 0, "right_edge": 0}, [None, 4, 5, 6, 7, 8, 9, 10, None]),
        (12, 6, {"left_current": 0, "right_current": 0}, [1, 2, None, 6, None, 11, 12]),
        (7, 4, {"left_edge": 3, "right_edge": 3}, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_iter_pages(pages, page, options, expected):
    pagination = _Pages(page=page, per_page=10, error_out=False, total=pages * 10)
    assert pagination.pages == pages
    assert list(pagination.iter_pages(**options)) == expected


def test_iter_pages_is_linear_for_huge_page_counts():
    pagination = _Pages(page=10**12, per_page=1, error_out=False, total=10**15)
    assert list(pagination.iter_pages()) == [
        1,
        2,
        None,
        *range(10**12 - 2, 10**12 + 5),
        None,
        10**15 - 1,
        10**15,
    ]
