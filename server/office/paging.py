"""Paging, sorting and filtering for the office lists (pupils, placements, providers, the review
queue, the concern queue), done in SQL so a page costs the same at 30 rows or 3,000.

Every query-string value is read forgivingly: these are links people bookmark and edit, so an
unknown sort, a filter value that is not on the list or a page number that is junk falls back to
the default, and a page past the end shows the last page. Nothing here answers 4xx or 5xx.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import request

from server.extensions import db

PAGE_SIZE = 50
# Far beyond any school's list; stops a huge number reaching the database as an OFFSET.
MAX_PAGE = 10_000


@dataclass
class Page:
    rows: list
    number: int
    pages: int
    total: int
    size: int
    # The filters and sort in force, for the pager's links (only values that were accepted).
    args: dict = field(default_factory=dict)

    @property
    def first_row(self):
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_row(self):
        return self.first_row + len(self.rows) - 1 if self.rows else 0

    def numbers(self, around=2):
        """The page numbers the pager links to: the first, the last and a few around this one;
        None marks a gap."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown, previous = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if number > previous + 1:
                shown.append(None)
            shown.append(number)
            previous = number
        return shown


def choice(name, allowed, default=None):
    """The query-string value `name` if it is one of `allowed`, else `default`."""
    value = request.args.get(name)
    return value if value in allowed else default


def page_number(name="page"):
    """?page=N as a number from 1; 0, negatives and junk are page 1."""
    value = (request.args.get(name) or "").strip()
    if not value.isdecimal():  # not isdigit: "²" is a digit that int() refuses
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def sorted_by(sorts, default):
    """The ?sort= key from this list's allow-list `sorts` ({key: (label, [order by...])}), and its
    ORDER BY. Each list's orderings end in a unique column, so pages never overlap."""
    key = choice("sort", sorts, default)
    return key, sorts[key][1]


def paginate(query, order_by, number, args, size=PAGE_SIZE, scalars=True):
    """One page of `query` (a SELECT with its WHERE, without ORDER BY) in `order_by` order: two
    queries, the count and the page, plus whatever eager loads the query carries."""
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar()
    pages = max(1, -(-total // size))
    number = min(number, pages)
    result = db.session.execute(query.order_by(*order_by).limit(size).offset((number - 1) * size))
    rows = result.scalars().all() if scalars else result.all()
    return Page(rows=rows, number=number, pages=pages, total=total, size=size,
                args={name: value for name, value in args.items() if value not in (None, "")})
