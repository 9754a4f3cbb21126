"""``Model.query``'s class: SQLAlchemy's legacy ``Query`` with web helpers.

The helpers turn "nothing found" into a 404 response, which is what a view wants:
``User.query.get_or_404(user_id)``, ``...first_or_404()``, ``...one_or_404()`` and
``...paginate()``.  New code can use the same helpers on the extension with
SQLAlchemy 2 ``select()`` statements (``db.get_or_404``, ``db.paginate``...).
"""

from __future__ import annotations

import typing as t

import sqlalchemy.exc as sa_exc
import sqlalchemy.orm as sa_orm

from ..helpers import abort
from .pagination import Pagination, QueryPagination

__all__ = ["Query"]


class Query(sa_orm.Query):  # type: ignore[type-arg]
    """The default ``query_class``: ``sqlalchemy.orm.Query`` plus 404 helpers."""

    def get_or_404(self, ident: t.Any, description: str | None = None) -> t.Any:
        """The row with primary key *ident*, or abort with ``404 Not Found``.

        Looks the row up with ``Session.get`` (``Query.get`` is legacy in SQLAlchemy 2
        and warns on every call).
        """
        rv = self.session.get(self.column_descriptions[0]["entity"], ident)
        if rv is None:
            abort(404, description=description)
        return rv

    def first_or_404(self, description: str | None = None) -> t.Any:
        """The first result, or abort with ``404 Not Found`` when there is none."""
        rv = self.first()
        if rv is None:
            abort(404, description=description)
        return rv

    def one_or_404(self, description: str | None = None) -> t.Any:
        """Exactly one result, or abort with ``404 Not Found`` for none or several."""
        try:
            return self.one()
        except (sa_exc.NoResultFound, sa_exc.MultipleResultsFound):
            abort(404, description=description)

    def paginate(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
    ) -> Pagination:
        """One page of this query's results as a :class:`~erlen.db.Pagination`.

        ``page`` and ``per_page`` default to the request's ``?page=`` and
        ``?per_page=`` arguments (1 and 20 outside a request); see
        :class:`~erlen.db.Pagination` for the other arguments.
        """
        return QueryPagination(
            query=self,
            page=page,
            per_page=per_page,
            max_per_page=max_per_page,
            error_out=error_out,
            count=count,
        )
