"""The data: users, their tasks, and blog posts."""

from __future__ import annotations

import secrets
import typing as t
from datetime import datetime, timezone

from erlen import current_app
from erlen.security import check_password_hash, generate_password_hash

from .extensions import db

#: Task priorities, most urgent first (the order of the "Priority" sort).
PRIORITIES = ("high", "medium", "low")

# Hashes of a random password per hash method, checked when a username does not
# exist so that a failed login takes as long for an unknown user as for a wrong
# password (the timing would otherwise tell which usernames exist).
_decoy_hashes: dict[str, str] = {}


def utcnow() -> datetime:
    """The current time in UTC, naive (stored alike on SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class User(db.Model):
    """An account; tasks belong to exactly one user."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(32), unique=True, nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    tasks = db.relationship(
        "Task", back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )
    posts = db.relationship("Post", back_populates="author")

    def set_password(self, password: str) -> None:
        """Store a salted hash of *password* (Werkzeug's format, so Flask tables port)."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def spend_hash_time(password: str) -> None:
        """Do the work of a password check for a login whose user does not exist."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        decoy = _decoy_hashes.get(method)
        if decoy is None:
            decoy = _decoy_hashes[method] = generate_password_hash(secrets.token_hex(), method)
        check_password_hash(decoy, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Task(db.Model):
    """A to-do item of one user."""

    __tablename__ = "tasks"
    __table_args__ = (
        db.CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority"),
        db.Index("ix_tasks_user_id_created_at", "user_id", "created_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title = db.Column(db.String(200), nullable=False)
    description = db.Column(db.Text, nullable=False, default="")
    priority = db.Column(db.String(10), nullable=False, default="medium")
    done = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    owner = db.relationship("User", back_populates="tasks")

    def to_dict(self) -> dict[str, t.Any]:
        """The task as the JSON API shows it."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "priority": self.priority,
            "done": self.done,
            "created_at": self.created_at.isoformat() + "Z",
            "updated_at": self.updated_at.isoformat() + "Z",
        }

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r}>"


class Post(db.Model):
    """A blog article."""

    __tablename__ = "posts"

    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    summary = db.Column(db.String(300), nullable=False, default="")
    content = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    # Every page that shows a post shows its author: load both in one query.
    author = db.relationship("User", back_populates="posts", lazy="joined")

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.title!r}>"
