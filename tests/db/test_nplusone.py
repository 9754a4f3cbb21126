"""The N+1 query guard: one warning per repeated SELECT per request, or an error."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import joinedload, selectinload

from erlen import Erlen
from erlen.db import NPlusOneError, SQLAlchemy, allow_n_plus_one


def make(tmp_path, **config):
    app = Erlen("shopfront", instance_path=str(tmp_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    app.config.update(config)
    db = SQLAlchemy(app)

    class Customer(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        name = db.Column(db.String(20))
        orders = db.relationship("Purchase", back_populates="customer")

    class Purchase(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        customer_id = db.Column(db.ForeignKey(Customer.id))
        customer = db.relationship(Customer, back_populates="orders")

    with app.app_context():
        db.create_all()
        db.session.add_all(
            Customer(name=f"c{i}", orders=[Purchase(), Purchase()]) for i in range(10)
        )
        db.session.commit()

    @app.route("/orders")
    def list_orders():
        orders = Purchase.query.order_by(Purchase.id).all()
        return ",".join(order.customer.name for order in orders)

    @app.route("/orders-eager")
    def list_orders_eager():
        orders = Purchase.query.options(joinedload(Purchase.customer)).all()
        return ",".join(order.customer.name for order in orders)

    @app.route("/customers")
    def list_customers():
        customers = db.session.scalars(db.select(Customer)).all()
        return str(sum(len(customer.orders) for customer in customers))

    @app.route("/customers-eager")
    def list_customers_eager():
        query = db.select(Customer).options(selectinload(Customer.orders))
        return str(sum(len(c.orders) for c in db.session.scalars(query)))

    @app.route("/lookups")
    def lookups():
        db.session.expire_all()
        names = [db.session.get(Customer, i).name for i in range(1, 11)]
        return ",".join(names)

    @app.route("/allowed")
    def allowed():
        with allow_n_plus_one():
            orders = Purchase.query.all()
            return ",".join(order.customer.name for order in orders)

    return app, db, Customer, Purchase


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if "N+1" in r.getMessage()]


def test_warns_once_with_view_statement_and_fix(tmp_path, caplog):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="warn")
    caplog.set_level(logging.WARNING)
    response = app.test_client().get("/orders")
    assert response.status_code == 200 and response.get_data(as_text=True).count("c") == 20
    [message] = warnings_of(caplog)
    assert "view 'list_orders'" in message
    assert "the same SELECT ran 6 times" in message
    assert "SQLALCHEMY_N_PLUS_ONE_THRESHOLD is 5" in message
    assert "FROM customer" in message and "WHERE customer.id = ?" in message
    assert "selectinload(Purchase.customer)" in message
    # The next request starts counting afresh: one more warning, not a flood.
    app.test_client().get("/orders")
    assert len(warnings_of(caplog)) == 2


def test_collection_lazy_loads_name_the_collection(tmp_path, caplog):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="warn")
    caplog.set_level(logging.WARNING)
    assert app.test_client().get("/customers").get_data(as_text=True) == "20"
    [message] = warnings_of(caplog)
    assert "selectinload(Customer.orders)" in message and "view 'list_customers'" in message


def test_eager_loading_is_quiet(tmp_path, caplog):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise")
    caplog.set_level(logging.WARNING)
    client = app.test_client()
    assert client.get("/orders-eager").status_code == 200
    assert client.get("/customers-eager").get_data(as_text=True) == "20"
    assert warnings_of(caplog) == []


def test_raise_mode_raises_at_the_offending_query(tmp_path):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise", TESTING=True)
    with pytest.raises(NPlusOneError) as info:
        app.test_client().get("/orders")
    error = info.value
    assert error.endpoint == "list_orders"
    assert error.count == 6
    assert error.fix == "selectinload(Purchase.customer)"
    assert "FROM customer" in error.statement


def test_raise_mode_without_testing_is_a_500(tmp_path):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise")
    assert app.test_client().get("/orders").status_code == 500


def test_repeated_lookups_without_a_relationship(tmp_path):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise", TESTING=True)
    with pytest.raises(NPlusOneError) as info:
        app.test_client().get("/lookups")
    assert info.value.fix is None
    assert "IN (...)" in str(info.value)


def test_threshold(tmp_path):
    app, *_ = make(
        tmp_path, SQLALCHEMY_N_PLUS_ONE="raise", SQLALCHEMY_N_PLUS_ONE_THRESHOLD=10, TESTING=True
    )
    assert app.test_client().get("/orders").status_code == 200  # 10 loads: allowed
    strict, *_ = make(
        tmp_path, SQLALCHEMY_N_PLUS_ONE="raise", SQLALCHEMY_N_PLUS_ONE_THRESHOLD=1, TESTING=True
    )
    with pytest.raises(NPlusOneError, match="ran 2 times"):
        strict.test_client().get("/customers")


def test_allow_n_plus_one_block(tmp_path):
    app, *_ = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise", TESTING=True)
    assert app.test_client().get("/allowed").status_code == 200


def test_outside_requests_the_app_context_is_named(tmp_path):
    app, db, Customer, Purchase = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise")
    with app.app_context(), pytest.raises(NPlusOneError, match="no request") as info:
        for purchase in Purchase.query.all():
            purchase.customer  # noqa: B018
    assert info.value.endpoint is None
    with allow_n_plus_one():  # harmless outside an app context
        pass


@pytest.mark.parametrize(
    ("config", "debug", "active"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"SQLALCHEMY_WARN_N_PLUS_ONE": True}, False, True),
        ({"SQLALCHEMY_WARN_N_PLUS_ONE": False}, True, False),
        ({"SQLALCHEMY_N_PLUS_ONE": "off"}, True, False),
        ({"SQLALCHEMY_N_PLUS_ONE": False}, True, False),
        ({"SQLALCHEMY_N_PLUS_ONE": True}, False, True),
        ({"SQLALCHEMY_N_PLUS_ONE": "WARN"}, False, True),
    ],
)
def test_when_the_guard_is_on(tmp_path, caplog, config, debug, active):
    app, *_ = make(tmp_path, DEBUG=debug, **config)
    caplog.set_level(logging.WARNING)
    app.test_client().get("/orders")
    assert bool(warnings_of(caplog)) is active
    assert ("erlen.db.n_plus_one" in app.extensions) is active


def test_invalid_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'warn', 'raise' or 'off'"):
        make(tmp_path, SQLALCHEMY_N_PLUS_ONE="loud")


def test_guard_counts_only_its_own_app(tmp_path, caplog):
    """Two apps on one db: the guard of one does not count the other's queries."""
    app, db, Customer, Purchase = make(tmp_path, SQLALCHEMY_N_PLUS_ONE="raise")
    quiet = Erlen("quiet", instance_path=str(tmp_path))
    quiet.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(quiet)
    with quiet.app_context():
        db.create_all()
        db.session.add_all(Purchase(customer=Customer(name="x")) for _ in range(10))
        db.session.commit()
        db.session.expire_all()
        for purchase in Purchase.query.all():
            purchase.customer  # noqa: B018
