"""What every import (companies, employees, and the payment and survey
imports to come) reports: errors by row and field, and a summary of counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Characters of a value from a file that are kept on an import row or shown
# (a cell may hold 10,000; core.tabular.MAX_CELL_LENGTH).
SHOWN_LENGTH = 200


def shortened(text: str, limit: int = SHOWN_LENGTH) -> str:
    """`text` cut to at most `limit` characters, ending in "…" if it was cut:
    the rule for every value of a file that is stored or shown."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file. Row 1 is the header row; row 0 is
    the file itself (it could not be read)."""

    row: int
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        if self.row == 0 or self.field == "file":
            return self.message  # the file itself: no row or column to name
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }

    def as_line(self) -> str:
        """The line the management commands print (not translated)."""
        return f"row {self.row}, {self.field}: {self.message}"

    def as_dict(self) -> dict:
        """The error as kept on an import row: its value and message shortened."""
        return {
            "row": self.row,
            "field": self.field,
            "value": shortened(str(self.value)),
            "message": shortened(self.message),
        }

    @classmethod
    def from_dict(cls, data: dict) -> RowError:
        return cls(row=data["row"], field=data["field"], value=data.get("value", ""), message=data["message"])


@dataclass
class ImportSummary:
    """What an import did (or would do): counts by kind in the order they are
    printed (ending with errors), the errors, and notes for the user such as
    columns that were left out."""

    counts: dict[str, int]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        """`added=N updated=N ... errors=N`, the first line every import command prints."""
        return " ".join(f"{key}={value}" for key, value in self.counts.items())
