"""Store credit paying an order ("Saldo Toko", issue 12 item 3).

A customer's store credit (credited by returns and goodwill refunds) pays part or all of an
order: in the manual order (`order_create` with `store_credit`), at confirmation (the
confirm action's optional `store_credit`) or later (`pay_store_credit`;
`prepay_store_credit` on a new order). Each spend writes, in one transaction, a Payment of kind `store_credit` on the order and a debit
on the customer's ledger, with the customer's row locked so that the balance never goes
below zero (two agents spending the same credit at once: the second waits, then is refused
if too little is left).

The ledger lives in returns, which is built on orders: orders declares here what it needs
(`Ledger`) and returns provides it in its AppConfig.ready() (returns/store_credit.py).
Without a provider there is no store credit: balances are 0 and spending is refused.

When the order is undone the credit comes back (a ledger credit of kind `given_back`, the
store-credit payments voided, the amount on the transition's timeline row):
cancel, approve_cancellation, returned_to_sender (a refused COD parcel), unconfirm (a COD
order) and unconfirm_payment. Reopening a cancelled order spends the same credit again.

Refunds of an order paid partly with store credit: the order's paid_total counts the
credit, so returns may refund up to the whole paid amount by the method finance picks; the
order page shows how much of the order was paid with store credit so that finance gives
that part back as store credit (decision documented in returns/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.money import format_money


@dataclass(frozen=True)
class Ledger:
    # balances(customer_ids) -> {customer_id: balance}, in minor units (absent ids: 0)
    balances: Callable[[Iterable[int]], dict[int, int]]
    # debit(customer_id=, amount=, order=, actor=, field=) -> entry id. Locks the customer's
    # ledger for the transaction and refuses (ValidationFailed on `field`) below zero.
    debit: Callable[..., int]
    # give_back(customer_id=, amount=, order=, actor=) -> entry id
    give_back: Callable[..., int]


_PROVIDED: dict[str, Ledger] = {}


def provide_ledger(ledger: Ledger) -> None:
    _PROVIDED["ledger"] = ledger


def ledger() -> Ledger | None:
    return _PROVIDED.get("ledger")


def balance(customer_id: int | None) -> int:
    """The customer's store-credit balance (minor units); 0 without a customer or a ledger."""
    if not customer_id or ledger() is None:
        return 0
    return ledger().balances([customer_id]).get(customer_id, 0)


def balances(customer_ids: Iterable[int]) -> dict[int, int]:
    ids = [pk for pk in set(customer_ids) if pk]
    if not ids or ledger() is None:
        return {}
    return ledger().balances(ids)


def too_much(amount: int, available: int, currency: str):
    """The refusal of a spend above the balance, in the shop's money format."""
    return _("The customer's store credit is %(balance)s: use at most that.") % {
        "balance": format_money(available, currency),
        "amount": format_money(amount, currency),
    }


def spend(ctx, amount: int, *, field: str = "store_credit") -> None:
    """Pay `amount` of the order (ctx.obj, locked by the machine) with store credit: the
    debit on the ledger and the Payment, the order's paid_total, the timeline's data."""
    from tokodesk.orders import outbox as order_outbox
    from tokodesk.orders.models import Payment

    order = ctx.obj
    if amount > order.outstanding:
        raise ValidationFailed(
            "invalid_input",
            _("Store credit can pay at most the %(due)s still due.")
            % {"due": format_money(order.outstanding, order.currency)},
            fields={field: _("More than is due.")},
        )
    provider = ledger()
    if provider is None or not order.customer_id:
        raise ValidationFailed(
            "invalid_input",
            too_much(amount, 0, order.currency),
            fields={field: too_much(amount, 0, order.currency)},
        )
    provider.debit(
        customer_id=order.customer_id, amount=amount, order=order, actor=ctx.actor, field=field
    )
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    payment = Payment.objects.create(
        order=order,
        kind=Payment.Kind.STORE_CREDIT,
        amount=amount,
        paid_on=timezone.localdate(),
        recorded_by=actor,
    )
    order.paid_total += amount
    ctx.event_data.update(store_credit=amount, payment_id=payment.pk)
    order_outbox.payment_recorded(order, payment)


def give_back(ctx, *, at=None) -> int:
    """The order is undone: its store-credit payments are voided (at `at`, now by default:
    a cancellation passes its cancelled_at, which reopen looks for) and their sum goes back
    on the customer's ledger. Returns the amount given back (0 when none)."""
    from tokodesk.orders import outbox as order_outbox
    from tokodesk.orders.models import Payment

    order = ctx.obj
    if not order.paid_total:
        return 0
    rows = list(
        order.payments.filter(kind=Payment.Kind.STORE_CREDIT, voided_at__isnull=True).values_list(
            "pk", "amount"
        )
    )
    amount = sum(a for _pk, a in rows)
    if not amount:
        return 0
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    ids = [pk for pk, _a in rows]
    order.payments.filter(pk__in=ids).update(voided_at=at or timezone.now(), voided_by=actor)
    provider = ledger()
    if provider is not None and order.customer_id:
        provider.give_back(
            customer_id=order.customer_id, amount=amount, order=order, actor=ctx.actor
        )
    order.paid_total -= amount
    ctx.event_data["store_credit_given_back"] = amount
    order_outbox.payments_voided(order, ids, amount)
    return amount


def spend_again(ctx, since) -> None:
    """Reopening a cancelled order: the credit given back at its cancellation (store-credit
    payments voided at `since`, its cancelled_at) is spent again, or the reopening is refused."""
    from tokodesk.orders.models import Payment

    if since is None:
        return
    amount = sum(
        ctx.obj.payments.filter(kind=Payment.Kind.STORE_CREDIT, voided_at=since).values_list(
            "amount", flat=True
        )
    )
    if amount:
        spend(ctx, min(amount, ctx.obj.outstanding), field="store_credit")


# --- the order table's parts (orders.states reads these) --------------------------------


def paid_target(order):
    """Where a payment with store credit leaves the order: a new order stays new (it is
    confirmed later); a COD order stays confirmed (the rest is cash on delivery); any other
    confirmed order is paid, or partially paid, like a confirmed bank transfer."""
    from tokodesk.orders.states import PaymentMethod, Status

    if order.status == Status.NEW:
        return Status.NEW
    if order.payment_method == PaymentMethod.COD:
        return order.status
    return Status.PAID if order.paid_total >= order.total else Status.PARTIALLY_PAID


def can_pay(order, _inputs):
    """something is due, or a confirmed order's store credit covers it"""
    from tokodesk.orders.states import PaymentMethod, Status

    if getattr(order, "outstanding", 1) > 0:  # (a table test's stand-in has no amounts)
        return None
    if (
        order.status == Status.CONFIRMED
        and order.payment_method != PaymentMethod.COD
        and order.paid_total > 0
    ):
        return None  # settles: the credit recorded before confirmation makes it paid
    return "overpayment", _("Nothing is due on this order.")


def on_pay_store_credit(ctx):
    """Pay with store credit: spend the amount (0: only settle a confirmed order the
    credit already covers), then the status the payment leads to."""
    from tokodesk.orders.states import PaymentMethod, Status, _start_shipping_clock

    order = ctx.obj
    if ctx.inputs.amount:
        spend(ctx, ctx.inputs.amount, field="amount")
    elif not (
        order.status == Status.CONFIRMED
        and order.paid_total > 0
        and order.payment_method != PaymentMethod.COD
    ):
        raise ValidationFailed(
            "invalid_input",
            _("Enter the amount of store credit to use."),
            fields={"amount": _("Required.")},
        )
    target = paid_target(order)
    if target == Status.PAID:
        _start_shipping_clock(order)
    return target


def needs_settling(order) -> bool:
    """A confirmed non-COD order with store credit recorded before confirmation: it moves on
    to paid or partially paid right after the confirmation (orders.services)."""
    from tokodesk.orders.states import PaymentMethod, Status

    return (
        order.status == Status.CONFIRMED
        and order.payment_method != PaymentMethod.COD
        and order.paid_total > 0
    )


# --- the pages ---------------------------------------------------------------------------


def adapt_action_form(transition, order, fields: dict) -> None:
    """The confirm and pay-with-store-credit forms: the field says the customer's balance
    and offers at most what can be used; confirm drops it when there is no credit."""
    from django import forms as dj_forms

    name = {
        "confirm": "store_credit",
        "pay_store_credit": "amount",
        "prepay_store_credit": "amount",
    }.get(transition.action)
    if name is None or name not in fields:
        return
    available = balance(order.customer_id)
    usable = min(available, order.outstanding)
    if transition.action == "confirm" and usable <= 0:
        del fields[name]
        return
    field = fields[name]
    field.label = _("Use store credit (balance %(balance)s)") % {
        "balance": format_money(available, order.currency)
    }
    field.help_text = _("At most %(usable)s can be used on this order.") % {
        "usable": format_money(usable, order.currency)
    }
    if isinstance(field, dj_forms.DecimalField):
        from decimal import Decimal

        from tokodesk.core.money import exponent

        field.initial = (
            Decimal(usable).scaleb(-exponent(order.currency)) if name == "amount" else None
        )
        field.widget.attrs.update(
            {
                "max": str(Decimal(usable).scaleb(-exponent(order.currency))),
                "data-store-credit-usable": str(usable),
            }
        )


# --- the services' parts (orders.services calls these) -----------------------------------


def pay_new_order(order, amount: int, *, actor, source: str) -> None:
    """The manual order's (or the API's) store credit, paid right after the order is written,
    in the same transaction: a refusal (too much, not enough credit) undoes the order too."""
    from tokodesk.core.errors import DomainError
    from tokodesk.core.transitions import apply_transition
    from tokodesk.orders.models import Order
    from tokodesk.orders.states import ORDER_TRANSITIONS

    try:
        paid = apply_transition(
            ORDER_TRANSITIONS,
            queryset=Order.objects.all(),
            pk=order.pk,
            action="prepay_store_credit",
            actor=actor,
            inputs={"amount": amount},
            source=source,
        )
    except DomainError as exc:
        if exc.fields and "amount" in exc.fields:  # the order's field is store_credit
            exc.fields = {"store_credit": exc.fields["amount"]}
        raise
    order.paid_total, order.version = paid.paid_total, paid.version
    order.written_payments = list(paid.payments.all())  # for the API's answer


def settle_confirmed(order, *, actor, source: str):
    """Right after a confirmation: a non-COD order with store credit recorded moves on to paid
    or partially paid (the transition pay_store_credit with amount 0)."""
    if not needs_settling(order):
        return order
    from tokodesk.core.transitions import apply_transition
    from tokodesk.orders.models import Order
    from tokodesk.orders.states import ORDER_TRANSITIONS

    return apply_transition(
        ORDER_TRANSITIONS,
        queryset=Order.objects.all(),
        pk=order.pk,
        action="pay_store_credit",
        actor=actor,
        inputs={"amount": 0},
        source=source,
    )
