"""The secrets of e-mailed links never reach the log: Django's request logger writes the path of
a 404 or 410, and the console handler masks the token in it."""

from __future__ import annotations

import logging

from config.logging import SecretPathFilter, mask


def test_the_token_of_a_survey_link_an_application_link_and_an_invitation_is_masked():
    assert mask("Gone: /undersokelse/2fc06a8269bec22a3f74/") == "Gone: /undersokelse/…/"
    assert mask("Not Found: /soknad/abc/skjema/s3cr3t/") == "Not Found: /soknad/abc/skjema/…/"
    assert mask("Not Found: /invitasjon/tok3n/") == "Not Found: /invitasjon/…/"
    assert mask("Not Found: /bedrifter/12/") == "Not Found: /bedrifter/12/"


def test_the_filter_masks_a_request_log_records_arguments():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Gone: %s", ("/undersokelse/abc123/",), None
    )
    assert SecretPathFilter().filter(record)
    assert record.getMessage() == "Gone: /undersokelse/…/"


def test_the_console_handler_carries_the_filter():
    handlers = logging.getLogger().handlers
    assert any(any(isinstance(f, SecretPathFilter) for f in handler.filters) for handler in handlers)


def test_a_hand_over_link_and_a_calendar_feed_are_masked_too():
    assert mask("Forbidden: /overgang/eyJrIjoi.abc:1x/") == "Forbidden: /overgang/…/"
    assert mask("Not Found: /aktiviteter/ical/3f9a2b.ics") == "Not Found: /aktiviteter/ical/…"
