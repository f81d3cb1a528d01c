"""The PTA's colour as Designsystemet's accent (tenants/brand.py): every colour
mixed from it keeps its contrast, for any colour the validator lets through
and for one set around it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from core.validators import contrast_ratio
from tenants.brand import accent_palette, brand_stylesheet

# The seeded PTAs, the default, a grey just past 4.5:1, black, saturated red and purple.
COLOURS = ["#00507d", "#2f3d45", "#1f4e79", "#767676", "#000000", "#c00000", "#7a1f5c", "#0062ba"]
TINTS = ["background-default", "background-tinted", "surface-default", "surface-tinted", "surface-hover"]


@pytest.mark.parametrize("colour", COLOURS)
def test_accent_colours_keep_their_contrast(colour):
    p = accent_palette(colour)
    assert p["base-default"] == colour  # the PTA's own colour on primary buttons and the header
    # Text on primary buttons, in every state.
    for state in ("base-default", "base-hover", "base-active"):
        assert contrast_ratio(p["base-contrast-default"], p[state]) >= 4.5, state
    assert contrast_ratio(p["base-contrast-subtle"], p["base-default"]) >= 4.5
    # Links and secondary or tertiary buttons on every tint the accent paints behind them.
    for surface in [*TINTS, "surface-active"]:
        assert contrast_ratio(p["text-subtle"], p[surface]) >= 4.5, surface
        assert contrast_ratio(p["text-default"], p[surface]) >= 7, surface
    # Borders of inputs and checked checkboxes (non-text contrast).
    assert contrast_ratio(p["border-default"], "#ffffff") >= 3
    assert contrast_ratio(p["border-strong"], "#ffffff") >= 3


def test_a_colour_too_light_for_white_text_is_darkened_not_written_as_is():
    # The validator refuses it; one written around it still gets readable buttons.
    p = accent_palette("#ffff66")
    assert contrast_ratio("#ffffff", p["base-default"]) >= 4.5


def test_stylesheet_sets_every_accent_property_the_theme_uses_and_the_focus_ring():
    css = brand_stylesheet("#00507d")
    names = set(re.findall(r"(--ds-color-[a-z-]+):", css))
    for needed in (
        "base-default",
        "base-hover",
        "base-active",
        "base-contrast-default",
        "text-subtle",
        "text-default",
        "surface-tinted",
        "border-default",
    ):
        assert f"--ds-color-accent-{needed}" in names
    assert "--ds-color-focus-outer" in names
    # Exactly the accent properties the installed theme defines, so none keeps the theme's blue.
    theme = (
        Path(settings.BASE_DIR) / "node_modules/@digdir/designsystemet-theme/src/themes/designsystemet.css"
    ).read_text()
    assert {n for n in names if "accent" in n} == set(re.findall(r"(--ds-color-accent-[a-z-]+):", theme))
    assert re.fullmatch(r":root \{\n(  --ds-color-[a-z-]+: #[0-9a-f]{6};\n)+\}\n", css)
