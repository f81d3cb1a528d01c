"""Every form renders Designsystemet markup (FORM_RENDERER in settings).

The renderer finds the project's templates first, so templates/django/forms/
replaces Django's own form, field, error-list and choice templates with
Designsystemet's (`ds-field`, `ds-label`, `ds-validation-message`, `ds-alert`
for errors that belong to no field); the bound field below gives each widget
the `ds-input` class. Pages then render a form with `{{ form }}` (or one
field with `{{ form.field.as_field_group }}`) and never style a field by hand.
"""

from __future__ import annotations

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class DesignsystemetBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if not widget.is_hidden:
            classes = f"{widget.attrs.get('class', '')} {attrs.get('class', '')}".split()
            if "ds-input" not in classes:
                classes.append("ds-input")
            attrs["class"] = " ".join(classes)
        return attrs


class DesignsystemetRenderer(TemplatesSetting):
    bound_field_class = DesignsystemetBoundField
