"""The national question set's form: its questions as JSON, and what changed.
Parsing only; the rules are tenants.question_sets, applied by the service."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _


def questions_json(questions: list[dict]) -> str:
    """The questions as the textarea shows them: indented, letters as they are."""
    return json.dumps(questions, indent=2, ensure_ascii=False)


class NationalQuestionnaireForm(forms.Form):
    questions = forms.CharField(
        label=_("Questions (JSON)"),
        help_text=_(
            "A list of questions, each with key, kind (single, multiple, number, scale or text), text_nb, "
            "text_en, help_nb, help_en, required, min and max (number and scale), decimals (0 or 1) and "
            "options (a list of code, nb and en, for single and multiple choice)."
        ),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
    )
    notes = forms.CharField(
        label=_("What changed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the version, for the regions."),
    )

    def clean_questions(self) -> list:
        raw = self.cleaned_data["questions"]
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s at line %(line)s, column %(column)s."),
                params={"problem": error.msg, "line": error.lineno, "column": error.colno},
            ) from None
