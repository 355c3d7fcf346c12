"""Pricing arithmetic of a rate row: billable weight, shipping price, COD fee, insurance.

Pure functions on integers (money in minor units, weights in grams) so the boundaries are
easy to test; shipping/quote.py finds the rows and calls these."""

from __future__ import annotations


def volumetric_grams(length_cm: int, width_cm: int, height_cm: int, divisor: int) -> int:
    """L × W × H / divisor kg, in grams (0 when the courier does not use it)."""
    if not divisor or not (length_cm and width_cm and height_cm):
        return 0
    return -(-length_cm * width_cm * height_cm * 1000 // divisor)


def billable_kg(weight_grams: int, *, min_kg: int = 1, tolerance_grams: int = 300) -> int:
    """Whole kilograms charged: round up per kg, except that up to `tolerance_grams` over a
    whole kg is not charged (tolerance 300: 1,300 g → 1 kg, 1,301 g → 2 kg); never below
    `min_kg` nor below 1 kg."""
    kg, over = divmod(max(weight_grams, 0), 1000)
    if over > tolerance_grams or kg == 0:
        kg += 1
    return max(kg, min_kg, 1)


def shipping_price(
    price_per_kg: int, weight_grams: int, *, min_kg: int = 1, tolerance_grams: int = 300
) -> int:
    return price_per_kg * billable_kg(weight_grams, min_kg=min_kg, tolerance_grams=tolerance_grams)


def _bp(amount: int, bp: int) -> int:
    """`bp` basis points of `amount`, rounded half up."""
    return (amount * bp + 5000) // 10000


def cod_fee(collected: int, *, bp: int = 0, flat: int = 0, minimum: int = 0) -> int:
    """The courier's COD fee on the amount it collects (goods + shipping): flat + percent,
    at least the minimum; 0 when the courier charges none."""
    if not (bp or flat):
        return 0
    return max(flat + _bp(collected, bp), minimum)


def insurance(value: int, *, bp: int = 0, minimum: int = 0) -> int:
    """Insurance on the goods value (offered when the courier has a rate for it)."""
    if not bp or value <= 0:
        return 0
    return max(_bp(value, bp), minimum)
