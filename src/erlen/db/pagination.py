"""Pages of query results for list views: ``Pagination``.

A pagination object runs two queries when it is made: the items of the requested page
(``LIMIT``/``OFFSET``) and, unless ``count=False``, the total number of rows.
Everything else (``pages``, ``has_next``, ``iter_pages()``...) is arithmetic on those.
Made by ``db.paginate(select)`` and ``Model.query....paginate()``, never directly.
"""

from __future__ import annotations

import typing as t

import sqlalchemy as sa
import sqlalchemy.orm as sa_orm

from ..globals import _get_request_ctx
from ..helpers import abort

__all__ = ["Pagination", "QueryPagination", "SelectPagination"]

#: ``per_page`` read from the request is capped at this unless ``max_per_page`` is given.
DEFAULT_MAX_PER_PAGE = 100
_DEFAULT_PER_PAGE = 20
#: The largest LIMIT/OFFSET a database accepts (a signed 64-bit integer).
_MAX_SQL_INTEGER = 2**63 - 1


def _request_int(name: str, default: int, error_out: bool) -> int | None:
    """The integer request argument *name*, *default* if absent, ``None`` if invalid."""
    value = _get_request_ctx().request.args.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        if error_out:
            abort(404)
        return None


class Pagination:
    """One page of results, with what a page navigation widget needs.

    :param page: The page number, from 1.  Defaults to the ``page`` request argument
        in a request, else 1.
    :param per_page: The most items on one page.  Defaults to the ``per_page`` request
        argument in a request, else 20.
    :param max_per_page: Cap ``per_page`` at this.  When not given, a ``per_page``
        taken from the request is capped at 100 and an explicit one is not capped.
    :param error_out: Abort with ``404 Not Found`` for a page past the end (other
        than page 1), a page or ``per_page`` below 1, or a non-integer argument.
        Otherwise such values fall back to page 1 / 20 per page / an empty page.
    :param count: Run the count query for :attr:`total`.  Turn it off for queries
        where counting is too slow and set ``total`` yourself if you know it.

    Iterating over a pagination object iterates over its :attr:`items`.
    """

    __slots__ = ("_query_args", "items", "max_per_page", "page", "per_page", "total")

    def __init__(
        self,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
        count: bool = True,
        **kwargs: t.Any,
    ) -> None:
        self._query_args = kwargs
        self.page, self.per_page = self._prepare_page_args(
            page=page, per_page=per_page, max_per_page=max_per_page, error_out=error_out
        )
        #: The cap applied to ``per_page`` (``None``: no cap).
        self.max_per_page = max_per_page
        items = self._query_items() if self._query_offset <= _MAX_SQL_INTEGER else []
        if not items and self.page != 1 and error_out:
            abort(404)
        #: The items on this page.
        self.items: list[t.Any] = items
        #: The number of items on all pages (``None`` if not counted).
        self.total: int | None = self._query_count() if count else None

    @staticmethod
    def _prepare_page_args(
        *,
        page: int | None = None,
        per_page: int | None = None,
        max_per_page: int | None = None,
        error_out: bool = True,
    ) -> tuple[int, int]:
        """Resolve page and per_page from the arguments and the request."""
        from_request = False
        if _get_request_ctx(None) is not None:
            if page is None:
                page = _request_int("page", 1, error_out)
                page = 1 if page is None else page
            if per_page is None:
                per_page = _request_int("per_page", _DEFAULT_PER_PAGE, error_out)
                per_page = _DEFAULT_PER_PAGE if per_page is None else per_page
                from_request = True
        if page is None:
            page = 1
        if per_page is None:
            per_page = _DEFAULT_PER_PAGE
        if max_per_page is not None:
            per_page = min(per_page, max_per_page)
        elif from_request:
            per_page = min(per_page, DEFAULT_MAX_PER_PAGE)
        if page < 1:
            if error_out:
                abort(404)
            page = 1
        if per_page < 1:
            if error_out:
                abort(404)
            per_page = _DEFAULT_PER_PAGE
        return page, per_page

    @property
    def _query_offset(self) -> int:
        """The index of the first item of this page (the query's OFFSET)."""
        return (self.page - 1) * self.per_page

    @property
    def _query_limit(self) -> int:
        """The query's LIMIT (``per_page``, bounded by what SQL integers can hold)."""
        return min(self.per_page, _MAX_SQL_INTEGER)

    def _query_items(self) -> list[t.Any]:
        """Run the query for this page's items (subclasses know the query)."""
        raise NotImplementedError

    def _query_count(self) -> int:
        """Run the query for the total number of items (subclasses know the query)."""
        raise NotImplementedError

    @property
    def first(self) -> int:
        """The 1-based number of this page's first item, or 0 for an empty page."""
        if not self.items:
            return 0
        return self._query_offset + 1

    @property
    def last(self) -> int:
        """The 1-based number of this page's last item, or 0 for an empty page."""
        first = self.first
        return max(first, first + len(self.items) - 1)

    @property
    def pages(self) -> int:
        """The number of pages (0 when there are no items or they were not counted)."""
        total = self.total
        if not total:
            return 0
        return -(-total // self.per_page)

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        """The previous page's number, ``None`` on the first page."""
        return self.page - 1 if self.page > 1 else None

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        """The next page's number, ``None`` on the last page."""
        return self.page + 1 if self.has_next else None

    def _sibling(self, page: int, error_out: bool) -> Pagination:
        other = type(self)(
            page=page,
            per_page=self.per_page,
            max_per_page=self.max_per_page,
            error_out=error_out,
            count=False,
            **self._query_args,
        )
        other.total = self.total
        return other

    def prev(self, *, error_out: bool = False) -> Pagination:
        """The previous page (same query and ``per_page``; the total is reused)."""
        return self._sibling(self.page - 1, error_out)

    def next(self, *, error_out: bool = False) -> Pagination:
        """The next page (same query and ``per_page``; the total is reused)."""
        return self._sibling(self.page + 1, error_out)

    def iter_pages(
        self,
        *,
        left_edge: int = 2,
        left_current: int = 2,
        right_current: int = 4,
        right_edge: int = 2,
    ) -> t.Iterator[int | None]:
        """The page numbers a navigation widget shows, ``None`` where pages are skipped.

        The first *left_edge* pages, the pages from *left_current* before the current
        one to *right_current* after it, and the last *right_edge* pages.  With 20 pages
        on page 7: ``1, 2, None, 5, 6, 7, 8, 9, 10, 11, None, 19, 20``.
        """
        last = self.pages
        if last == 0:
            return
        left_stop = min(left_edge, last)
        yield from range(1, left_stop + 1)
        if left_stop == last:
            return
        middle_start = max(left_stop + 1, self.page - left_current)
        middle_stop = min(self.page + right_current, last)
        if middle_start > left_stop + 1:
            yield None
        yield from range(middle_start, middle_stop + 1)
        if middle_stop >= last:
            return
        right_start = max(middle_stop + 1, last - right_edge + 1)
        if right_start > middle_stop + 1:
            yield None
        yield from range(right_start, last + 1)

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(self.items)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} page={self.page} per_page={self.per_page} total={self.total}>"
        )


class SelectPagination(Pagination):
    """A page of a SQLAlchemy 2 ``select()`` (from ``db.paginate``).

    The statement should select one model; results are ``unique().scalars()``.
    """

    __slots__ = ()

    def _query_items(self) -> list[t.Any]:
        statement = self._query_args["select"]
        statement = statement.limit(self._query_limit).offset(self._query_offset)
        return list(self._query_args["session"].execute(statement).unique().scalars())

    def _query_count(self) -> int:
        statement = self._query_args["select"]
        # Counting needs no eager loads and no ordering.
        inner = statement.options(sa_orm.lazyload("*")).order_by(None).subquery()
        counter = sa.select(sa.func.count()).select_from(inner)
        return self._query_args["session"].execute(counter).scalar()  # type: ignore[no-any-return]


class QueryPagination(Pagination):
    """A page of a legacy ``Query`` (from ``Model.query....paginate()``)."""

    __slots__ = ()

    def _query_items(self) -> list[t.Any]:
        query = self._query_args["query"]
        return query.limit(self._query_limit).offset(self._query_offset).all()  # type: ignore[no-any-return]

    def _query_count(self) -> int:
        return self._query_args["query"].order_by(None).count()  # type: ignore[no-any-return]
