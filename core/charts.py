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


@dataclass(frozen=True)
class HorizontalBar:
    label: str
    value: float | None  # None: no figure for it (no bar drawn)
    y: float  # top of the bar
    width: float
    height: float
    value_x: float  # where the value's text starts, right of the bar

    @property
    def text_y(self) -> float:
        """The baseline of the label and the value, in the middle of the bar."""
        return round(self.y + self.height / 2 + 3.5, 1)


@dataclass(frozen=True)
class HorizontalBarChart:
    width: int
    height: int
    plot_x: int  # where the bars start, right of the labels
    scale_max: float
    bars: list[HorizontalBar]

    @property
    def label_x(self) -> int:
        """The right edge of the labels (text-anchor end)."""
        return self.plot_x - 6


def horizontal_bar_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 360,
    label_width: int = 130,
    value_width: int = 44,
    row: int = 22,
    gap: float = 6,
    scale_max: float | None = None,
) -> HorizontalBarChart:
    """Bars across, one row per (label, value) point, top to bottom, the label left of the bar
    and the value right of it (room for shares with long labels, such as modes of travel).
    Scaled to `scale_max` (e.g. 100 for percentages) or the values' rounded maximum."""
    values = [float(value) for _label, value in points if value is not None]
    top = float(scale_max) if scale_max else float(nice_ceiling(int(max(values, default=0)) + 1))
    plot_width = width - label_width - value_width
    bars = []
    for index, (label, value) in enumerate(points):
        bar_width = round(plot_width * max(float(value or 0), 0) / top, 1)
        bars.append(
            HorizontalBar(
                label=label,
                value=None if value is None else float(value),
                y=round(index * row + gap / 2, 1),
                width=bar_width,
                height=row - gap,
                value_x=round(label_width + bar_width + 4, 1),
            )
        )
    return HorizontalBarChart(
        width=width, height=max(len(points), 1) * row, plot_x=label_width, scale_max=top, bars=bars
    )
