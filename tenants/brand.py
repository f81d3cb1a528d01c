"""The PTA's brand colour as Designsystemet's accent colour (served by views.brand_css).

Designsystemet's theme (static/ds-theme/designsystemet.css) names sixteen
accent colours; buttons, links, checkboxes, tabs and focus rings use them. A
PTA has one colour (validated to 4.5:1 against white), so the rest are mixed
from it: darker for hover and pressed, lighter tints for surfaces, each
darkened or lightened further until its text contrast holds (WCAG 2.1 AA:
4.5:1 for text, 3:1 for borders; the strongest text 7:1).
"""

from __future__ import annotations

from core.validators import contrast_ratio

WHITE = "#ffffff"
BLACK = "#000000"


def _mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0–1) of `other` mixed in, channel by channel."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _towards(colour: str, target: str, against: str, ratio: float) -> str:
    """`colour` moved towards `target` in small steps until it reaches `ratio` against `against`."""
    share = 0.0
    candidate = colour
    while contrast_ratio(candidate, against) < ratio and share < 1:
        share = min(1.0, share + 0.02)
        candidate = _mix(colour, target, share)
    return candidate


def accent_palette(colour: str) -> dict[str, str]:
    """Designsystemet's accent colours (light colour scheme) from one #rrggbb colour."""
    colour = colour.lower()
    base = _towards(colour, BLACK, WHITE, 4.5)  # white button text on it (the validator's rule, kept here too)
    surface_active = _mix(base, WHITE, 0.74)
    text_subtle = _towards(base, BLACK, surface_active, 4.5)  # links, secondary buttons, on every tint
    return {
        "background-default": WHITE,
        "background-tinted": _mix(base, WHITE, 0.95),
        "surface-default": WHITE,
        "surface-tinted": _mix(base, WHITE, 0.9),
        "surface-hover": _mix(base, WHITE, 0.82),
        "surface-active": surface_active,
        "border-subtle": _mix(base, WHITE, 0.6),
        "border-default": _towards(base, BLACK, WHITE, 3),
        "border-strong": _mix(base, BLACK, 0.15),
        "text-subtle": text_subtle,
        "text-default": _towards(_mix(base, BLACK, 0.5), BLACK, surface_active, 7),
        "base-default": base,
        "base-hover": _mix(base, BLACK, 0.15),
        "base-active": _mix(base, BLACK, 0.3),
        "base-contrast-subtle": _towards(_mix(base, WHITE, 0.85), WHITE, base, 4.5),
        "base-contrast-default": WHITE,
    }


def brand_stylesheet(colour: str) -> str:
    """The stylesheet that makes `colour` the accent: every accent custom property, and the focus ring."""
    palette = accent_palette(colour)
    lines = [f"  --ds-color-accent-{name}: {value};" for name, value in palette.items()]
    lines.append(f"  --ds-color-focus-outer: {palette['text-subtle']};")
    return ":root {\n" + "\n".join(lines) + "\n}\n"
