"""The car-share target against a company's own baseline: 10 % less relative, or 5 points less."""

from decimal import Decimal

import pytest

from surveys.rules import car_share_target_met


@pytest.mark.parametrize(
    ("before", "after", "met"),
    [
        ("40", "36", True),  # 10 % relative, 4 points
        ("20", "15", True),  # 5 points (25 % relative)
        ("60", "55.1", False),  # 4.9 points, 8.2 % relative
        ("40", "38", False),
        ("30", "35", False),  # up
        (None, "20", False),  # no baseline
        ("0", "0", False),
    ],
)
def test_a_company_meets_the_target_by_either_measure(before, after, met):
    value = lambda v: None if v is None else Decimal(v)  # noqa: E731
    assert car_share_target_met(value(before), value(after)) is met
