"""The unique transfer code (kode unik): a small amount added to a bank-transfer order's
total so that finance can tell which order a transfer pays by its amount alone, when
several buyers owe the same sum (issue 12, item 14).

An order setting (`OrderSettings.unique_transfer_code`), off by default. When it is on, a
bank-transfer order gets its code when it is created (`services.order_create`, through
`_recompute_totals`): 1 to 999 in a currency without minor units (rupiah), 1 to 99 minor
units otherwise. The code is stored on the order (`Order.transfer_code`) and is part of
its total, so the amount the buyer transfers, the outstanding amount finance confirms and
what the order says was paid are one number. An order that stops being a bank transfer
(Ubah Pesanan, before any payment) loses its code; one that becomes a bank transfer later
gets none (its buyer may already have been told the amount).

Picking: a code no other unpaid bank-transfer order with the same amount before its code
uses, at random among the free ones (one query); when every code is taken (hundreds of
open orders of one price) any code will do: finance still has the reference in the note.
"""

from __future__ import annotations

import secrets

from tokodesk.core.money import exponent
from tokodesk.orders.states import PRE_SHIPMENT, PaymentMethod


def code_range(currency: str) -> range:
    """The codes a currency gets: a few hundred rupiah, never more than a coin elsewhere."""
    return range(1, 1000) if exponent(currency) == 0 else range(1, 100)


def base_total(order) -> int:
    return order.subtotal + order.shipping_cost + order.insurance_cost - order.discount


def pick_code(base: int, currency: str) -> int:
    """A code that no unpaid bank-transfer order owing `base` + code uses yet."""
    from tokodesk.orders.models import Order

    codes = code_range(currency)
    taken = set(
        Order.objects.filter(
            payment_method=PaymentMethod.BANK_TRANSFER,
            status__in=PRE_SHIPMENT,
            paid_total=0,
            currency=currency,
            transfer_code__gt=0,
            total__gte=base + codes.start,
            total__lt=base + codes.stop,
        ).values_list("total", "transfer_code")
    )
    used = {code for total, code in taken if total - code == base}
    free = [code for code in codes if code not in used]
    return secrets.choice(free or list(codes))


def codes_enabled() -> bool:
    """The order setting (orders.OrderSettings.unique_transfer_code)."""
    from tokodesk.orders.order_settings import OrderSettings

    return OrderSettings.get().unique_transfer_code


def settle_transfer_code(order) -> None:
    """Give a new bank-transfer order its code (when the shop wants codes), clear the code
    of an order that is no longer a bank transfer; otherwise leave it as it is."""
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        order.transfer_code = 0
        return
    if order.transfer_code or not order._state.adding:
        return
    base = base_total(order)
    if base <= 0 or not codes_enabled():
        return
    order.transfer_code = pick_code(base, order.currency)
