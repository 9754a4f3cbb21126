"""Acceptance: the seed's e-commerce data layer on SQLite and on PostgreSQL.

The code under test is the tutorial's own (tests/db/shop.py, imports changed to
erlen); these tests drive it the way the tutorial describes and check the database.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from . import shop
from .helpers import invoke
from .shop import Order, OrderItem, Product, User, db


@pytest.fixture
def app(database_url):
    app = shop.create_app(database_url, TESTING=True)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    with app.app_context() as ctx:
        yield ctx


@pytest.fixture
def catalog(ctx):
    """Two users and four products in three categories."""
    alice = shop.create_user("alice", "alice@example.com", "hash1")
    bob = shop.create_user("bob", "bob@example.com", "hash2")
    laptop = shop.create_product("Laptop", Decimal("999.99"), "Electronics", stock=5)
    phone = shop.create_product("Phone", Decimal("499.00"), "Electronics", stock=10)
    shirt = shop.create_product("T-Shirt", Decimal("19.99"), "Clothing", stock=200)
    book = shop.create_product("Python Cookbook", Decimal("39.99"), "Books", stock=1)
    return {
        "alice": alice,
        "bob": bob,
        "laptop": laptop,
        "phone": phone,
        "shirt": shirt,
        "book": book,
    }


def backend(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


# -- CRUD ------------------------------------------------------------------------------


def test_user_crud(ctx):
    user = shop.create_user("john_doe", "john@example.com", "hashed_pw")
    assert user.id is not None
    assert shop.get_user(user.id) is user
    assert shop.get_user(10_000) is None
    updated = shop.update_user(user.id, email="new@example.com", not_a_column="ignored")
    assert updated.email == "new@example.com"
    assert shop.update_user(10_000, email="x") is None
    shop.delete_user(user.id)
    db.session.expire_all()
    stored = db.session.execute(text("SELECT is_active, email FROM users")).one()
    assert not stored.is_active and stored.email == "new@example.com"
    assert user.to_dict()["order_count"] == 0


def test_product_crud_and_category_filters(catalog):
    electronics = shop.get_products_by_category("Electronics")
    assert [p.name for p in electronics] == ["Phone", "Laptop"]  # ordered by price
    assert [p.name for p in shop.get_products_by_category("Electronics", max_price=500)] == [
        "Phone"
    ]
    assert [p.name for p in shop.get_products_by_category("Electronics", min_price=500)] == [
        "Laptop"
    ]
    assert shop.get_products_by_category("Garden") == []

    book = shop.update_stock(catalog["book"].id, -1)
    assert book.stock == 0 and book.is_available is False
    assert shop.get_products_by_category("Books") == []
    assert shop.update_stock(10_000, 1) is None
    assert catalog["laptop"].to_dict()["price"] == 999.99


def test_bulk_update_and_delete_through_model_query(catalog):
    count = User.query.filter(User.username == "bob").update({"is_active": False})
    db.session.commit()
    assert count == 1
    assert User.query.filter_by(is_active=True).count() == 1
    deleted = User.query.filter(User.is_active == False).delete()  # noqa: E712
    db.session.commit()
    assert deleted == 1
    assert [u.username for u in User.query.all()] == ["alice"]


# -- constraints -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("alice", "other@example.com", "Username already exists"),
        ("other", "alice@example.com", "Email already exists"),
    ],
)
def test_unique_violations_are_reported_and_rolled_back(catalog, username, email, message):
    user, error = shop.create_user_checked(username, email, "hash")
    assert user is None and error == message
    # The session was rolled back and works again.
    user, error = shop.create_user_checked("carol", "carol@example.com", "hash")
    assert error is None and user.id is not None
    assert User.query.count() == 3


@pytest.mark.parametrize(
    "make",
    [
        lambda: Product(name="Free", price=Decimal("0"), category="X", stock=1),
        lambda: Product(name="Negative", price=Decimal("1"), category="X", stock=-1),
        lambda: User(username="nobody", email=None, password_hash="x"),
    ],
    ids=["ck_positive_price", "ck_non_negative_stock", "email_not_null"],
)
def test_check_and_not_null_constraints(ctx, make):
    db.session.add(make())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert Product.query.count() == 0


def test_order_item_quantity_must_be_positive(catalog):
    order = Order(user_id=catalog["alice"].id)
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderItem(order_id=order.id, product_id=catalog["shirt"].id, quantity=0, unit_price=1)
    )
    with pytest.raises(IntegrityError) as info:
        db.session.commit()
    assert "ck_positive_quantity" in str(info.value.orig) or "CHECK" in str(info.value.orig)
    db.session.rollback()
    assert Order.query.count() == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_foreign_key_is_enforced_on_postgresql(app, catalog):
    # (SQLite enforces foreign keys only with PRAGMA foreign_keys=ON.)
    assert backend(app) == "postgresql"
    db.session.add(Order(user_id=10_000))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# -- transactions ------------------------------------------------------------------------


def test_place_order_commits_everything(catalog):
    order, error = shop.place_order(
        catalog["alice"].id,
        [
            {"product_id": catalog["laptop"].id, "quantity": 2},
            {"product_id": catalog["book"].id, "quantity": 1},
        ],
        "1 Main St",
    )
    assert error is None
    assert order.total_amount == Decimal("2039.97")
    db.session.expire_all()
    assert db.session.get(Product, catalog["laptop"].id).stock == 3
    book = db.session.get(Product, catalog["book"].id)
    assert book.stock == 0 and book.is_available is False
    data = order.to_dict()
    assert data["total_amount"] == 2039.97
    assert sorted(item["product_name"] for item in data["items"]) == ["Laptop", "Python Cookbook"]
    assert catalog["alice"].to_dict()["order_count"] == 1


@pytest.mark.parametrize(
    ("cart", "expected"),
    [
        ([("laptop", 2), ("book", 5)], "Insufficient stock for Python Cookbook (available: 1)"),
        ([("laptop", 1), (None, 1)], "Product 10000 not found"),
    ],
)
def test_failed_order_rolls_back_every_change(catalog, cart, expected):
    items = [
        {"product_id": catalog[name].id if name else 10_000, "quantity": quantity}
        for name, quantity in cart
    ]
    order, error = shop.place_order(catalog["alice"].id, items, "1 Main St")
    assert order is None and error == expected
    db.session.expire_all()
    assert Order.query.count() == 0
    assert OrderItem.query.count() == 0
    assert db.session.get(Product, catalog["laptop"].id).stock == 5


def test_order_refused_for_unavailable_product_and_inactive_user(catalog):
    shop.update_stock(catalog["book"].id, -1)
    order, error = shop.place_order(
        catalog["alice"].id, [{"product_id": catalog["book"].id, "quantity": 1}], "x"
    )
    assert error == "Python Cookbook is no longer available"
    shop.delete_user(catalog["bob"].id)
    order, error = shop.place_order(catalog["bob"].id, [], "x")
    assert (order, error) == (None, "Invalid or inactive user")
    assert shop.place_order(10_000, [], "x") == (None, "Invalid or inactive user")


def test_savepoints_skip_failing_items_and_keep_the_rest(catalog):
    order, skipped = shop.place_order_with_savepoints(
        catalog["alice"].id,
        [
            {"product_id": catalog["laptop"].id, "quantity": 1},
            {"product_id": catalog["book"].id, "quantity": 3},  # only 1 in stock
            {"product_id": catalog["shirt"].id, "quantity": 2},
        ],
    )
    assert skipped == ["Skipping item: Insufficient stock for Python Cookbook"]
    db.session.expire_all()
    stored = db.session.get(Order, order.id)
    assert sorted(item.product.name for item in stored.items) == ["Laptop", "T-Shirt"]
    assert stored.total_amount == Decimal("999.99") + 2 * Decimal("19.99")
    assert db.session.get(Product, catalog["laptop"].id).stock == 4
    assert db.session.get(Product, catalog["book"].id).stock == 1
    assert db.session.get(Product, catalog["shirt"].id).stock == 198


def test_savepoint_rollback_undoes_only_its_own_writes(catalog):
    shop.update_user(catalog["alice"].id, email="kept@example.com")
    outer = db.session.get(User, catalog["bob"].id)
    outer.email = "outer@example.com"
    nested = db.session.begin_nested()
    db.session.add(User(username="temp", email="temp@example.com", password_hash="x"))
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert sorted(u.username for u in User.query.all()) == ["alice", "bob"]
    assert db.session.get(User, catalog["bob"].id).email == "outer@example.com"


def test_transaction_context_manager(catalog):
    with shop.transaction() as session:
        session.add(User(username="dave", email="dave@example.com", password_hash="x"))
    assert User.query.filter_by(username="dave").count() == 1
    with pytest.raises(IntegrityError), shop.transaction() as session:
        session.add(User(username="dave", email="other@example.com", password_hash="x"))
    assert User.query.count() == 3


# -- reporting ---------------------------------------------------------------------------


def _complete_orders(catalog):
    for user, cart in [
        ("alice", [("laptop", 1), ("shirt", 2)]),
        ("alice", [("phone", 1)]),
        ("bob", [("shirt", 3)]),
    ]:
        items = [{"product_id": catalog[name].id, "quantity": q} for name, q in cart]
        order, error = shop.place_order(catalog[user].id, items, "addr")
        assert error is None
        order.status = "completed"
    pending, _ = shop.place_order(
        catalog["bob"].id, [{"product_id": catalog["laptop"].id, "quantity": 1}], "addr"
    )
    db.session.commit()


def test_reporting_queries(catalog):
    _complete_orders(catalog)
    top = shop.get_top_customers()
    assert [(c["username"], c["order_count"], c["total_spent"]) for c in top] == [
        ("alice", 2, pytest.approx(999.99 + 2 * 19.99 + 499.00)),
        ("bob", 1, pytest.approx(3 * 19.99)),
    ]
    assert shop.get_top_customers(limit=1)[0]["username"] == "alice"
    revenue = shop.get_revenue_by_category()
    assert [(r["category"], r["units_sold"]) for r in revenue] == [
        ("Electronics", 2),
        ("Clothing", 5),
    ]
    assert revenue[0]["revenue"] == pytest.approx(1498.99)


def test_search_and_order_history_pagination(catalog):
    _complete_orders(catalog)
    assert [p.name for p in shop.search_products("o")] == ["Laptop", "Phone", "Python Cookbook"]
    assert [p.name for p in shop.search_products("O", category="Books")] == ["Python Cookbook"]
    shop.update_stock(catalog["book"].id, -1)
    assert [p.name for p in shop.search_products("cookbook")] == []
    assert [p.name for p in shop.search_products("cookbook", in_stock_only=False)] == [
        "Python Cookbook"
    ]
    history = shop.get_user_order_history(catalog["alice"].id, per_page=1)
    assert (history.total, history.pages, history.has_next, len(history.items)) == (2, 2, True, 1)
    assert shop.get_user_order_history(catalog["alice"].id, page=9).items == []


def test_aggregates_from_the_tutorial(catalog):
    _complete_orders(catalog)
    func = db.func
    assert db.session.query(func.count(User.id)).scalar() == 2
    assert float(db.session.query(func.sum(Order.total_amount)).scalar()) == pytest.approx(
        999.99 + 2 * 19.99 + 499.00 + 3 * 19.99 + 999.99
    )
    counts = dict(
        db.session.query(Order.status, func.count(Order.id).label("count"))
        .group_by(Order.status)
        .all()
    )
    assert counts == {"completed": 3, "pending": 1}
    popular = (
        db.session.query(Order.status, func.count(Order.id))
        .group_by(Order.status)
        .having(func.count(Order.id) > 1)
        .all()
    )
    assert [row[0] for row in popular] == ["completed"]


# -- raw SQL -------------------------------------------------------------------------------


def test_raw_sql_with_bound_parameters(catalog):
    rows = db.session.execute(
        text("SELECT * FROM users WHERE is_active = :active ORDER BY id"), {"active": True}
    ).fetchall()
    assert [row.username for row in rows] == ["alice", "bob"]
    db.session.execute(
        text(
            "INSERT INTO users (username, email, password_hash, is_active)"
            " VALUES (:username, :email, :password, :active)"
        ),
        {"username": "dave", "email": "dave@example.com", "password": "h", "active": True},
    )
    db.session.execute(
        text("UPDATE products SET price = price * :multiplier WHERE category = :category"),
        {"multiplier": 1.10, "category": "Electronics"},
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Product, catalog["phone"].id).price == Decimal("548.90")
    # Hostile input stays data: bound parameters are never spliced into the SQL.
    hostile = "x'; DROP TABLE users; --"
    found = db.session.execute(
        text("SELECT count(*) FROM users WHERE username = :name"), {"name": hostile}
    ).scalar()
    assert found == 0
    assert User.query.count() == 3


def test_bulk_import_of_ten_thousand_products(ctx):
    products = [
        {
            "name": f"Product {i}",
            "price": 9.99,
            "category": "Bulk",
            "stock": 100,
            "is_available": True,
        }
        for i in range(10000)
    ]
    shop.bulk_import_products(products)
    assert Product.query.filter_by(category="Bulk").count() == 10000


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_monthly_revenue_report_on_postgresql(app, catalog):
    # EXTRACT(... FROM ...) and the window over an aggregate are PostgreSQL SQL.
    assert backend(app) == "postgresql"
    _complete_orders(catalog)
    for order in Order.query.all():
        order.created_at = datetime(2026, 3 if order.user_id == catalog["bob"].id else 2, 1)
    db.session.commit()
    report = shop.get_monthly_revenue_report(2026)
    assert [(r["month"], r["order_count"], r["unique_customers"]) for r in report] == [
        (2, 2, 1),
        (3, 1, 1),
    ]
    assert report[-1]["running_total"] == pytest.approx(999.99 + 2 * 19.99 + 499.00 + 3 * 19.99)


# -- through HTTP --------------------------------------------------------------------------


def test_order_api_end_to_end(app, catalog):
    alice, laptop, shirt = catalog["alice"].id, catalog["laptop"].id, catalog["shirt"].id
    client = app.test_client()
    response = client.post(
        "/api/orders",
        json={
            "user_id": alice,
            "items": [{"product_id": laptop, "quantity": 1}, {"product_id": shirt, "quantity": 3}],
            "shipping_address": "1 Main St",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["total_amount"] == pytest.approx(999.99 + 3 * 19.99)
    assert {item["product_name"] for item in body["items"]} == {"Laptop", "T-Shirt"}

    response = client.post(
        "/api/orders",
        json={
            "user_id": alice,
            "items": [{"product_id": laptop, "quantity": 50}],
            "shipping_address": "x",
        },
    )
    assert response.status_code == 400
    assert response.get_json() == {"error": "Insufficient stock for Laptop (available: 4)"}

    assert client.get(f"/users/{alice}").get_json()["order_count"] == 1
    assert client.get("/users/10000").status_code == 404
    missing = client.get("/products/10000")
    assert missing.status_code == 404 and b"No such product" in missing.data
    history = client.get(f"/users/{alice}/orders").get_json()
    assert history == {"items": [1], "total": 1, "pages": 1, "has_next": False}


def test_duplicate_user_via_api_is_a_409_and_the_next_request_is_clean(app, catalog):
    client = app.test_client()
    duplicate = {"username": "alice", "email": "a2@example.com", "password": "x"}
    assert client.post("/api/users", json=duplicate).status_code == 409
    fresh = {"username": "zoe", "email": "zoe@example.com", "password": "x"}
    response = client.post("/api/users", json=fresh)
    assert response.status_code == 201
    assert response.get_json()["username"] == "zoe"


# -- seeding ---------------------------------------------------------------------------------


def test_seed_command_can_run_repeatedly(app):
    for _ in range(2):
        result = invoke(app, "seed-db")
        assert result.exit_code == 0, result.output
        assert "Database seeded successfully" in result.output
    with app.app_context():
        assert sorted(u.username for u in User.query.all()) == ["admin", "alice", "bob"]
        assert Product.query.count() == 3
