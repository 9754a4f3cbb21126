"""The extension objects, kept apart from the app so models and views can import them
without importing the factory (the circular-import trap the seed warns about)."""

from __future__ import annotations

import sqlalchemy as sa

from erlen.db import Migrate, SQLAlchemy
from erlen.forms import CSRFProtect

#: Predictable constraint names: SQLite's batch migrations need them to alter a table,
#: and they read well in error messages and in `erlen db migrate` output.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
csrf = CSRFProtect()
