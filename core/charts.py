"""The geometry of a small bar chart, drawn by a template as inline SVG.

The Content-Security-Policy allows no inline style or script, so a chart is
SVG elements with coordinates as attributes and colours from CSS classes
(templates/cards/_bar_chart.html); this module only does the arithmetic.
Pure functions, no ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: no figure for it (no bar drawn)
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float  # y of the zero line
    top: float  # y of the scale's maximum
    scale_max: int
    bars: list[Bar]

    @property
    def label_y(self) -> float:
        """The baseline of the labels under the bars."""
        return self.height - 6

    @property
    def scale_y(self) -> float:
        """The baseline of the scale's maximum, over its line."""
        return self.top - 3


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value`, so the top line reads well."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return 10 * magnitude  # pragma: no cover - the loop always returns


def bar_chart(
    points: Sequence[tuple[str, int | None]],
    *,
    width: int = 360,
    height: int = 150,
    margin_top: int = 14,
    margin_bottom: int = 20,
    gap: float = 4,
) -> BarChart:
    """Bars for (label, value) points, left to right, scaled to a rounded
    maximum; a point without a value (None) keeps its place, with no bar."""
    scale_max = nice_ceiling(max((value for _label, value in points if value is not None), default=0))
    baseline = height - margin_bottom
    plot_height = baseline - margin_top
    slot = width / len(points) if points else width
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = round(plot_height * max(value or 0, 0) / scale_max, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(index * slot + gap / 2, 1),
                y=round(baseline - bar_height, 1),
                width=round(max(slot - gap, 1), 1),
                height=bar_height,
            )
        )
    return BarChart(width=width, height=height, baseline=baseline, top=margin_top, scale_max=scale_max, bars=bars)
