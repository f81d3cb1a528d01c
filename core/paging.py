"""Paging a list kept on a row (an import's errors and the samples of its
preview), so that a page never shows more than PAGE_SIZE items of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 100


def list_page(
    request: HttpRequest, items: Sequence, *, param: str, shown: Callable | None = None, per_page: int = PAGE_SIZE
) -> Page:
    """Page number `request.GET[param]` of `items`, PAGE_SIZE a page
    (Django's Paginator.get_page: a missing or wrong number is page 1, one
    past the end the last page); `shown` turns each item of the page into
    what the template shows. The page carries the query strings of its
    neighbours (`previous_query`, `next_query`), which keep the request's
    other parameters, for templates/imports/_pages.html."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    if shown is not None:
        page.object_list = [shown(item) for item in page.object_list]
    page.previous_query = _query(request, param, page.previous_page_number()) if page.has_previous() else ""
    page.next_query = _query(request, param, page.next_page_number()) if page.has_next() else ""
    return page


def _query(request: HttpRequest, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return query.urlencode()
