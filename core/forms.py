"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

#: The field templates/_confirm.html posts: a destructive view acts only when it is there.
CONFIRM_FIELD = "confirm"


def confirmed(request) -> bool:
    """A destructive action's POST from its confirmation page (templates/_confirm.html).

    The view shows that page for a GET, and for a POST without the field (an old
    button that posted straight away), so nothing is removed unasked and no
    JavaScript is needed."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def add_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: errors for a field the
    form has go to that field, the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
