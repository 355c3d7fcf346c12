"""The arithmetic of a rate row: weight rounding boundaries, minimums, COD fee, insurance."""

import pytest

from tokodesk.shipping import rates


@pytest.mark.parametrize(
    ("grams", "tolerance", "min_kg", "kg"),
    [
        (0, 300, 1, 1),  # nothing weighs less than the minimum
        (1, 300, 1, 1),
        (1000, 300, 1, 1),
        (1300, 300, 1, 1),  # 0.3 kg over is forgiven …
        (1301, 300, 1, 2),  # … one gram more is not
        (2000, 300, 1, 2),
        (2301, 300, 1, 3),
        (1001, 0, 1, 2),  # no tolerance: every gram over rounds up
        (1000, 0, 1, 1),
        (1200, 300, 3, 3),  # the row's minimum weight
        (3500, 300, 3, 4),
        (999, 999, 1, 1),
    ],
)
def test_billable_kg_boundaries(grams, tolerance, min_kg, kg):
    assert rates.billable_kg(grams, min_kg=min_kg, tolerance_grams=tolerance) == kg


def test_shipping_price_is_per_billable_kg():
    assert rates.shipping_price(10000, 1300) == 10000
    assert rates.shipping_price(10000, 1301) == 20000
    assert rates.shipping_price(10000, 500, min_kg=2) == 20000


def test_cod_fee_percent_flat_and_minimum():
    assert rates.cod_fee(100000) == 0  # courier without COD fee
    assert rates.cod_fee(100000, bp=300) == 3000  # 3 %
    assert rates.cod_fee(100000, bp=300, flat=1000) == 4000
    assert rates.cod_fee(10000, bp=300, minimum=2500) == 2500  # 300 < minimum
    assert rates.cod_fee(0, flat=2000) == 2000
    assert rates.cod_fee(1, bp=5000) == 1  # half a rupiah rounds up


def test_insurance_on_goods_value():
    assert rates.insurance(1_000_000, bp=20, minimum=5000) == 5000
    assert rates.insurance(5_000_000, bp=20, minimum=5000) == 10000
    assert rates.insurance(5_000_000) == 0
    assert rates.insurance(0, bp=20, minimum=5000) == 0


def test_volumetric_weight():
    # 30 × 20 × 10 cm / 6000 = 1 kg
    assert rates.volumetric_grams(30, 20, 10, 6000) == 1000
    assert rates.volumetric_grams(31, 20, 10, 6000) == 1034  # rounded up to the gram
    assert rates.volumetric_grams(30, 20, 10, 0) == 0
