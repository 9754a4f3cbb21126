"""The seed's e-commerce data layer (003, "complete e-commerce data layer"), ported.

The models, CRUD functions, reporting queries, transactional order placement, raw SQL
and error handling are the tutorial's code with only the imports changed from
``flask``/``flask_sqlalchemy`` to ``erlen``/``erlen.db``.  ``create_app`` wires them
into an app with the tutorial's ``/api/orders`` view and a few more.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

import click
from sqlalchemy import desc, func, text
from sqlalchemy.exc import IntegrityError, OperationalError

from erlen import Erlen, jsonify, request
from erlen.cli import with_appcontext
from erlen.db import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True, nullable=False, index=True)
    email = db.Column(db.String(120), unique=True, nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    is_active = db.Column(db.Boolean, default=True, nullable=False)
    created_at = db.Column(db.DateTime, default=lambda: datetime.now(timezone.utc))

    # Relationships
    orders = db.relationship("Order", back_populates="user", lazy="selectin")

    def __repr__(self):
        return f"<User {self.username}>"

    def to_dict(self):
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "is_active": self.is_active,
            "created_at": self.created_at.isoformat(),
            "order_count": len(self.orders),
        }


class Product(db.Model):
    __tablename__ = "products"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(200), nullable=False, index=True)
    description = db.Column(db.Text)
    price = db.Column(db.Numeric(10, 2), nullable=False)
    stock = db.Column(db.Integer, default=0, nullable=False)
    category = db.Column(db.String(50), nullable=False, index=True)
    is_available = db.Column(db.Boolean, default=True, nullable=False)
    created_at = db.Column(db.DateTime, default=lambda: datetime.now(timezone.utc))

    # Relationships
    order_items = db.relationship("OrderItem", back_populates="product", lazy="select")

    __table_args__ = (
        db.Index("idx_product_category_price", "category", "price"),
        db.CheckConstraint("price > 0", name="ck_positive_price"),
        db.CheckConstraint("stock >= 0", name="ck_non_negative_stock"),
    )

    def __repr__(self):
        return f"<Product {self.name} ${self.price}>"

    def to_dict(self):
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "price": float(self.price),
            "stock": self.stock,
            "category": self.category,
            "is_available": self.is_available,
        }


class Order(db.Model):
    __tablename__ = "orders"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    status = db.Column(db.String(20), default="pending", nullable=False)
    total_amount = db.Column(db.Numeric(12, 2), default=0)
    shipping_address = db.Column(db.Text)
    created_at = db.Column(db.DateTime, default=lambda: datetime.now(timezone.utc))
    updated_at = db.Column(
        db.DateTime,
        default=lambda: datetime.now(timezone.utc),
        onupdate=lambda: datetime.now(timezone.utc),
    )

    # Relationships
    user = db.relationship("User", back_populates="orders")
    items = db.relationship(
        "OrderItem", back_populates="order", lazy="selectin", cascade="all, delete-orphan"
    )

    __table_args__ = (db.Index("idx_order_user_status", "user_id", "status"),)

    def __repr__(self):
        return f"<Order #{self.id} - {self.status}>"

    def to_dict(self):
        return {
            "id": self.id,
            "user_id": self.user_id,
            "status": self.status,
            "total_amount": float(self.total_amount),
            "items": [item.to_dict() for item in self.items],
            "created_at": self.created_at.isoformat(),
        }


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    quantity = db.Column(db.Integer, nullable=False)
    unit_price = db.Column(db.Numeric(10, 2), nullable=False)

    # Relationships
    order = db.relationship("Order", back_populates="items")
    product = db.relationship("Product", back_populates="order_items")

    __table_args__ = (db.CheckConstraint("quantity > 0", name="ck_positive_quantity"),)

    @property
    def subtotal(self):
        return float(self.quantity * self.unit_price)

    def __repr__(self):
        return f"<OrderItem {self.product.name} x{self.quantity}>"

    def to_dict(self):
        return {
            "id": self.id,
            "product_id": self.product_id,
            "product_name": self.product.name,
            "quantity": self.quantity,
            "unit_price": float(self.unit_price),
            "subtotal": self.subtotal,
        }


# ---- USER CRUD ----
def create_user(username, email, password_hash):
    """Create a new user."""
    user = User(username=username, email=email, password_hash=password_hash)
    db.session.add(user)
    db.session.commit()
    return user


def get_user(user_id):
    """Get a user by ID."""
    return db.session.get(User, user_id)


def update_user(user_id, **kwargs):
    """Update user fields."""
    user = db.session.get(User, user_id)
    if not user:
        return None
    for key, value in kwargs.items():
        if hasattr(user, key):
            setattr(user, key, value)
    db.session.commit()
    return user


def delete_user(user_id):
    """Soft-delete a user by deactivating."""
    user = db.session.get(User, user_id)
    if user:
        user.is_active = False
        db.session.commit()
    return user


# ---- PRODUCT CRUD ----
def create_product(name, price, category, stock=0, description=None):
    """Create a new product."""
    product = Product(
        name=name, price=price, category=category, stock=stock, description=description
    )
    db.session.add(product)
    db.session.commit()
    return product


def get_products_by_category(category, min_price=None, max_price=None):
    """Get products filtered by category and optional price range."""
    query = Product.query.filter_by(category=category, is_available=True)
    if min_price is not None:
        query = query.filter(Product.price >= min_price)
    if max_price is not None:
        query = query.filter(Product.price <= max_price)
    return query.order_by(Product.price.asc()).all()


def update_stock(product_id, quantity_change):
    """Adjust product stock. Use negative values for decrements."""
    product = db.session.get(Product, product_id)
    if product:
        product.stock += quantity_change
        if product.stock <= 0:
            product.is_available = False
        db.session.commit()
    return product


# ---- REPORTING ----
def get_top_customers(limit=10):
    """Get customers with the highest total spend."""
    results = (
        db.session.query(
            User.username,
            User.email,
            func.count(Order.id).label("order_count"),
            func.sum(Order.total_amount).label("total_spent"),
        )
        .join(Order, User.id == Order.user_id)
        .filter(Order.status == "completed")
        .group_by(User.id)
        .order_by(desc("total_spent"))
        .limit(limit)
        .all()
    )
    return [
        {
            "username": r.username,
            "email": r.email,
            "order_count": r.order_count,
            "total_spent": float(r.total_spent),
        }
        for r in results
    ]


def get_revenue_by_category():
    """Get total revenue grouped by product category."""
    results = (
        db.session.query(
            Product.category,
            func.sum(OrderItem.quantity * OrderItem.unit_price).label("revenue"),
            func.sum(OrderItem.quantity).label("units_sold"),
        )
        .join(OrderItem, Product.id == OrderItem.product_id)
        .join(Order, OrderItem.order_id == Order.id)
        .filter(Order.status == "completed")
        .group_by(Product.category)
        .order_by(desc("revenue"))
        .all()
    )
    return [
        {"category": r.category, "revenue": float(r.revenue), "units_sold": r.units_sold}
        for r in results
    ]


def get_user_order_history(user_id, page=1, per_page=10):
    """Get paginated order history for a user with item details."""
    return (
        Order.query.filter_by(user_id=user_id)
        .order_by(Order.created_at.desc())
        .paginate(page=page, per_page=per_page, error_out=False)
    )


def search_products(query_text, category=None, in_stock_only=True):
    """Full-text product search with filters."""
    q = Product.query.filter(Product.name.ilike(f"%{query_text}%"))
    if category:
        q = q.filter_by(category=category)
    if in_stock_only:
        q = q.filter(Product.stock > 0, Product.is_available == True)  # noqa: E712
    return q.order_by(Product.name).all()


# ---- ORDERS ----
def place_order(user_id, cart_items, shipping_address):
    """Place an order atomically: (Order, None) on success, (None, error) on failure."""
    try:
        # Verify user exists and is active
        user = db.session.get(User, user_id)
        if not user or not user.is_active:
            return None, "Invalid or inactive user"

        # Create the order
        order = Order(user_id=user_id, status="pending", shipping_address=shipping_address)
        db.session.add(order)
        db.session.flush()  # Get order.id without committing

        total = Decimal("0.00")
        for item in cart_items:
            # Lock the product row to prevent race conditions
            product = (
                db.session.query(Product).filter_by(id=item["product_id"]).with_for_update().first()
            )
            if not product:
                db.session.rollback()
                return None, f"Product {item['product_id']} not found"
            if not product.is_available:
                db.session.rollback()
                return None, f"{product.name} is no longer available"
            if product.stock < item["quantity"]:
                db.session.rollback()
                return None, (f"Insufficient stock for {product.name} (available: {product.stock})")

            # Deduct stock
            product.stock -= item["quantity"]
            if product.stock == 0:
                product.is_available = False

            # Create order item
            order_item = OrderItem(
                order_id=order.id,
                product_id=product.id,
                quantity=item["quantity"],
                unit_price=product.price,
            )
            db.session.add(order_item)
            total += product.price * item["quantity"]

        order.total_amount = total
        db.session.commit()
        return order, None
    except IntegrityError as e:
        db.session.rollback()
        return None, f"Data integrity error: {str(e.orig)}"
    except Exception as e:
        db.session.rollback()
        return None, f"Order failed: {str(e)}"


def place_order_with_savepoints(user_id, items):
    """Place an order with savepoints for partial rollback (the tutorial's first
    ``place_order``): items that fail are skipped, the rest are kept."""
    skipped = []
    try:
        order = Order(user_id=user_id, status="pending")
        db.session.add(order)
        db.session.flush()  # Get the order ID

        for item in items:
            # Savepoint for each item — if one fails, we can skip it
            savepoint = db.session.begin_nested()
            try:
                product = db.session.get(Product, item["product_id"])
                if product.stock < item["quantity"]:
                    raise ValueError(f"Insufficient stock for {product.name}")
                product.stock -= item["quantity"]
                order_item = OrderItem(
                    order_id=order.id,
                    product_id=product.id,
                    quantity=item["quantity"],
                    unit_price=product.price,
                )
                db.session.add(order_item)
                savepoint.commit()
            except Exception as e:
                savepoint.rollback()
                skipped.append(f"Skipping item: {e}")

        order.total_amount = sum(oi.quantity * oi.unit_price for oi in order.items)
        db.session.commit()
        return order, skipped
    except Exception:
        db.session.rollback()
        raise


def create_user_checked(username, email, password_hash):
    """Create a user with proper error handling (the tutorial's error-handling version)."""
    try:
        user = User(username=username, email=email, password_hash=password_hash)
        db.session.add(user)
        db.session.commit()
        return user, None
    except IntegrityError as e:
        db.session.rollback()
        if "username" in str(e.orig):
            return None, "Username already exists"
        if "email" in str(e.orig):
            return None, "Email already exists"
        return None, "Duplicate entry"
    except OperationalError:
        db.session.rollback()
        return None, "Database connection error"
    except Exception as e:
        db.session.rollback()
        return None, f"Unexpected error: {str(e)}"


@contextmanager
def transaction():
    """Context manager for database transactions."""
    try:
        yield db.session
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# ---- RAW SQL ----
def bulk_import_products(products_data):
    """Import thousands of products efficiently."""
    sql = text("""
        INSERT INTO products (name, price, category, stock, is_available)
        VALUES (:name, :price, :category, :stock, :is_available)
    """)
    # Execute with a list of parameter dicts
    db.session.execute(sql, products_data)
    db.session.commit()


def get_monthly_revenue_report(year):
    """Get monthly revenue breakdown with running totals (PostgreSQL: EXTRACT, windows)."""
    sql = text("""
        SELECT
            EXTRACT(MONTH FROM o.created_at) AS month,
            COUNT(DISTINCT o.id) AS order_count,
            COUNT(DISTINCT o.user_id) AS unique_customers,
            SUM(o.total_amount) AS monthly_revenue,
            SUM(SUM(o.total_amount)) OVER (ORDER BY EXTRACT(MONTH FROM o.created_at)) AS running_total
        FROM orders o
        WHERE EXTRACT(YEAR FROM o.created_at) = :year
          AND o.status = 'completed'
        GROUP BY EXTRACT(MONTH FROM o.created_at)
        ORDER BY month
    """)
    result = db.session.execute(sql, {"year": year})
    return [
        {
            "month": int(row.month),
            "order_count": row.order_count,
            "unique_customers": row.unique_customers,
            "revenue": float(row.monthly_revenue),
            "running_total": float(row.running_total),
        }
        for row in result
    ]


# ---- SEEDING (the tutorial's seed-db command, on this data layer's models) ----
@click.command("seed-db")
@with_appcontext
def seed_db_command():
    """Seed the database with sample data."""
    # Clear existing data
    db.session.execute(db.text("DELETE FROM users"))
    db.session.execute(db.text("DELETE FROM products"))

    # Seed users
    users = [
        User(username="admin", email="admin@example.com", password_hash="hashed_admin"),
        User(username="alice", email="alice@example.com", password_hash="hashed_alice"),
        User(username="bob", email="bob@example.com", password_hash="hashed_bob"),
    ]
    db.session.add_all(users)
    db.session.flush()  # Flush to get IDs without committing

    # Seed products
    products = [
        Product(name="Laptop", price=999.99, category="Electronics", stock=50),
        Product(name="T-Shirt", price=19.99, category="Clothing", stock=200),
        Product(name="Python Cookbook", price=39.99, category="Books", stock=100),
    ]
    db.session.add_all(products)
    db.session.commit()
    click.echo(f"Database seeded successfully (first user id {users[0].id}).")


def create_app(database_url, **config):
    """The shop app on *database_url* with the tutorial's order view and helpers."""
    app = Erlen(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    app.config.update(config)
    db.init_app(app)
    app.cli.add_command(seed_db_command)

    @app.route("/api/orders", methods=["POST"])
    def create_order():
        data = request.get_json()
        order, error = place_order(
            user_id=data["user_id"],
            cart_items=data["items"],  # [{'product_id': 1, 'quantity': 2}, ...]
            shipping_address=data["shipping_address"],
        )
        if error:
            return jsonify({"error": error}), 400
        return jsonify(order.to_dict()), 201

    @app.route("/api/users", methods=["POST"])
    def create_user_view():
        data = request.get_json()
        try:
            user = create_user(data["username"], data["email"], data["password"])
            return jsonify(user.to_dict()), 201
        except IntegrityError:
            db.session.rollback()
            return jsonify({"error": "Username or email already exists"}), 409

    @app.route("/users/<int:id>")
    def get_user_view(id):
        user = User.query.get_or_404(id)
        return jsonify(user.to_dict())  # Serialized within request context

    @app.route("/products/<int:product_id>")
    def get_product_view(product_id):
        return jsonify(db.get_or_404(Product, product_id, description="No such product").to_dict())

    @app.route("/users/<int:user_id>/orders")
    def order_history(user_id):
        pagination = get_user_order_history(user_id, per_page=2)
        return jsonify(
            {
                "items": [order.id for order in pagination.items],
                "total": pagination.total,
                "pages": pagination.pages,
                "has_next": pagination.has_next,
            }
        )

    return app
