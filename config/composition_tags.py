"""The `composition` template library: the company tab bar and the card
fragments of the cross-app pages, from the lists in config/composition.py.

A card is rendered on the server by calling its app's fragment view with the
page's request, so the page arrives whole in one round trip (and works
without JavaScript); its wrapper reloads the fragment with htmx when the
reader comes back to the browser tab, so a start page left open stays current.
"""

from __future__ import annotations

import logging

from django import template
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import resolve, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from config.composition import CARDS, COMPANY_TABS, Card

register = template.Library()
logger = logging.getLogger(__name__)

# Fired by static/js/app.js when the tab becomes visible again: a trigger
# filter ("visibilitychange[...]") would need eval, which the
# Content-Security-Policy forbids.
REFRESH_TRIGGER = "page-visible from:document"


@register.inclusion_tag("_company_tabs.html", takes_context=True)
def company_tabs(context, company, current: str) -> dict:
    request = context["request"]
    tabs = []
    for tab in COMPANY_TABS:
        if not tab.show(request, company):
            continue
        if tab.pk_in_query:
            url = f"{reverse(tab.url_name)}?company={company.pk}"
        else:
            url = reverse(tab.url_name, args=[company.pk])
        tabs.append({"key": tab.key, "label": tab.label, "url": url, "current": tab.key == current})
    return {"tabs": tabs}


@register.simple_tag(takes_context=True)
def cards(context, page: str, company=None) -> SafeString:
    """Every card of `page` ("company_overview", "minside", "today") that its rule shows."""
    request = context["request"]
    parts = [_card(request, card, company) for card in CARDS[page] if card.show(request, company)]
    return mark_safe("".join(parts))  # noqa: S308 (each part is rendered and escaped by format_html)


def _card(request, card: Card, company) -> str:
    url = reverse(card.url_name, args=[company.pk] if company is not None else None)
    match = resolve(url)
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404):
        # The card's rule showed it but its view refused: show nothing rather than fail the page.
        logger.warning("Card %s refused %s on %s", card.key, request.user, url)
        return ""
    if response.status_code != 200:
        return ""
    # The card saw the page's query (a filter such as "I dag"'s ?mine=1): its reload keeps it.
    query = request.GET.urlencode()
    return format_html(
        '<div class="card-fragment" id="card-{}" hx-get="{}" hx-trigger="{}">{}</div>',
        card.key,
        f"{url}?{query}" if query else url,
        REFRESH_TRIGGER,
        mark_safe(response.content.decode()),  # noqa: S308 (rendered by the fragment's own template)
    )
