"""Order statuses and THE order transition table (SPEC 2.1 and 2.2).

Every status change of an order goes through one of these transitions, applied by
`tokodesk.core.transitions.apply_transition`. The menus of the pages, the API's action
endpoints, the docs' diagram and the tests all read this table.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import Field, field_validator

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.inputs import StrictInput
from tokodesk.core.timeline import Timeline
from tokodesk.core.transitions import Context, Transition, TransitionTable
from tokodesk.core.validators import pydantic_http_url
from tokodesk.orders import outbox as order_outbox
from tokodesk.orders import store_credit, transition_hooks
from tokodesk.orders.cod import cash_within_due, record_cod_at_delivery, settle_cod_at_completion
from tokodesk.orders.outbox import order_payload
from tokodesk.orders.ship_serials import ShipSerialsIn, record_shipped_serials, serials_complete
from tokodesk.shipping.quote_confirm import apply_shipping_option, has_shipping


class Status(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    PAID = "paid", _("Paid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    READY_TO_SHIP = "ready_to_ship", _("Ready to ship")
    CANCELLATION_REQUESTED = "cancellation_requested", _("Cancellation requested")
    CANCELLED = "cancelled", _("Cancelled")
    AWAITING_PICKUP = "awaiting_pickup", _("Awaiting pickup")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    DELIVERY_PROBLEM = "delivery_problem", _("Delivery problem")
    LOST_OR_DAMAGED = "lost_or_damaged", _("Lost or damaged")
    RETURNING = "returning", _("Returning to seller")
    RETURNED = "returned", _("Returned to seller")
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAYMENT_PROCESSING = "payment_processing", _("Payment processing")
    PAYMENT_COMPLETED = "payment_completed", _("Payment completed")
    INVOICE_PENDING = "invoice_pending", _("Invoice pending")
    INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
    INVOICE_PAID = "invoice_paid", _("Invoice paid")
    COMPLETED = "completed", _("Completed")


class PaymentMethod(models.TextChoices):
    COD = "cod", _("COD")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    PAYMENT_GATEWAY = "payment_gateway", _("Payment gateway")
    INVOICE = "invoice", _("Invoice")


class Channel(models.TextChoices):
    LANDING_PAGE = "landing_page", _("Landing page")
    MANUAL = "manual", _("Manual")
    MARKETPLACE = "marketplace", _("Marketplace")
    API = "api", _("API")


class StockState(models.TextChoices):
    NONE = "none", _("Not reserved")
    RESERVED = "reserved", _("Reserved")
    DEDUCTED = "deducted", _("Deducted")
    RESTOCKED = "restocked", _("Restocked")


S = Status
PRE_SHIPMENT = (
    S.NEW, S.CONFIRMED, S.AWAITING_PAYMENT, S.PAYMENT_PROCESSING, S.PAYMENT_COMPLETED, S.PAID,
    S.PARTIALLY_PAID, S.INVOICE_PENDING, S.INVOICE_ISSUED, S.INVOICE_PAID, S.READY_TO_SHIP,
)
FINAL = (S.COMPLETED, S.CANCELLED, S.RETURNED, S.LOST_OR_DAMAGED)

# The tabs of the orders page (SPEC 2.3) are declared in orders/tabs.py.
# Statuses in which the seller owes a shipment, so the shipping deadline (ship_by) runs.
# The clock starts when the order may ship: at confirmation for COD, at full payment
# otherwise (an unpaid order or an issued invoice is not late to ship).
AWAITING_SHIPMENT = (S.CONFIRMED, S.PAID, S.PAYMENT_COMPLETED, S.INVOICE_PAID, S.READY_TO_SHIP)

# --- inputs -------------------------------------------------------------------------


class ActionInput(StrictInput):
    """Unknown fields refused, strings stripped, no bool for a number, sane dates."""

    version: int | None = Field(None, ge=1, description="The version you saw; a stale one is refused.")


class NoInput(ActionInput):
    pass


class ReasonIn(ActionInput):
    reason: str = Field(..., min_length=1, max_length=1000)


class OptionalReasonIn(ActionInput):
    reason: str = Field("", max_length=1000)


class ConfirmIn(ActionInput):
    store_credit: int = Field(0, ge=0, le=10**13, description="Pay this much of the order with the "
                              "customer's store credit (minor units; at most the balance and what is due).")
    shipping_option: str = Field("", max_length=90, description="`courier:SERVICE` (e.g. `jne:REG`) from "
                                 "POST /shipping/quote for the order's destination: sets the courier, the "
                                 "service and the shipping cost. Needed when an order with a destination "
                                 "district has no courier or no shipping cost yet.")


class StoreCreditIn(ActionInput):
    amount: int = Field(..., ge=0, le=10**13, description="Store credit to use, in minor units; "
                        "0 marks a confirmed order the credit recorded earlier covers paid.")


class ConfirmPaymentIn(ActionInput):
    amount: int = Field(..., gt=0, le=10**13, description="Amount received, in minor units.")
    paid_on: dt.date | None = None
    account: str = Field("", max_length=200, description="The account the money arrived on.")
    reference: str = Field("", max_length=200)


class RequestPaymentIn(ActionInput):
    payment_link: str = Field("", max_length=300, description="An https:// or http:// address.")

    _check_link = field_validator("payment_link")(pydantic_http_url)


class GatewayPaymentIn(ActionInput):
    amount: int | None = Field(None, gt=0, le=10**13)
    reference: str = Field("", max_length=200)


class IssueInvoiceIn(ActionInput):
    number: str = Field(..., min_length=1, max_length=64)
    due_date: dt.date


class InvoicePaymentIn(ActionInput):
    amount: int | None = Field(None, gt=0, le=10**13)
    paid_on: dt.date | None = None
    reference: str = Field("", max_length=200)


class ShipIn(ActionInput):
    courier: str | None = Field(None, max_length=30, description="Courier code; the order's when omitted.")
    service: str = Field("", max_length=50)
    awb: str = Field(..., min_length=1, max_length=64)
    serials: list[ShipSerialsIn] = Field(default_factory=list, max_length=200, description="The serials sent, "
                                         "one per unit, of serial-tracked lines not recorded yet (POST /orders/"
                                         "{ref}/serials): without them, 422 on `serials…`.")


class CompleteIn(ActionInput):
    cash_collected: int | None = Field(None, ge=0, le=10**13, description="COD: cash the courier collected, "
                                       "when it differs from what was recorded at delivery.")


# --- guards: return None to allow, or (code, message) to refuse -------------------------


def method_is(method):
    def guard(order, _inputs):
        if order.payment_method != method:
            return "wrong_payment_method", _("Only for orders paid by %(method)s.") % {
                "method": PaymentMethod(method).label}
    guard.__doc__, guard.refuses = f"payment method is {method}", lambda order: order.payment_method != method
    return guard


def not_cod(order, _inputs):
    """payment method is not COD"""
    if order.payment_method == PaymentMethod.COD:
        return "wrong_payment_method", _("COD orders are paid on delivery.")


def no_payment_recorded(order, _inputs):
    """no payment recorded"""
    # A COD order is paid before delivery only with store credit, which unconfirm gives back.
    if order.paid_total > 0 and order.payment_method != PaymentMethod.COD:
        return "payment_recorded", _("A payment is recorded: cancel the payment confirmation first.")


def has_warehouse(order, _inputs):
    """an origin warehouse is set"""
    if order.warehouse_id is None:
        return "warehouse_required", _("Choose the warehouse the order ships from first.")


def amount_within_outstanding(order, inputs):
    """amount does not exceed what is still due"""
    amount = getattr(inputs, "amount", None)
    if amount is None:
        amount = getattr(inputs, "cash_collected", None)
    if amount is not None and amount > order.outstanding:
        return "overpayment", _("The amount is more than the %(due)s still due.") % {"due": order.outstanding}


def amount_settles_invoice(order, inputs):
    """amount, when given, is exactly what the invoice still asks"""
    if inputs.amount is not None and inputs.amount != order.outstanding:
        return "amount_mismatch", _("The invoice asks %(due)s: record the full amount.") % {"due": order.outstanding}


def cod_or_paid_to_ship(order, _inputs):
    """from confirmed only for COD"""
    if order.status == S.CONFIRMED and order.payment_method != PaymentMethod.COD:
        return "payment_required", _("This order must be paid before it is prepared.")


def stock_on_hand(order, _inputs):
    """stock available in the warehouse"""
    from tokodesk.catalog.services.stock import shortages

    if order.warehouse_id is None:
        return "warehouse_required", _("Choose the warehouse the order ships from first.")
    short = shortages(order.warehouse_id, _lines(order), reserved_by_self=order.stock_state == StockState.RESERVED)
    if short:
        return "insufficient_stock", _("Not enough stock in the warehouse for: %(skus)s.") % {"skus": ", ".join(short)}


def courier_known(order, inputs):
    """a courier (given or already on the order) and an AWB"""
    from tokodesk.shipping.models import Courier

    if inputs.courier:
        if not Courier.objects.filter(code=inputs.courier, active=True).exists():
            # Bad input, not a state problem: 422 naming the field.
            raise ValidationFailed("invalid_input", _("Unknown courier “%(code)s”.") % {"code": inputs.courier},
                                   fields={"courier": _("Unknown courier.")})
    elif order.courier_id is None:
        return "courier_required", _("Choose a courier.")


def has_status_to_return_to(order, _inputs):
    """a status to go back to was stored"""
    if order.status_before_cancellation not in PRE_SHIPMENT:
        return "no_previous_status", _("There is no status to go back to.")


# --- effects ----------------------------------------------------------------------------


def _lines(order):
    return list(order.lines.values_list("variant_id", "qty"))


def _reserve(order, actor=None):
    from tokodesk.catalog.services.stock import stock_reserve

    stock_reserve(warehouse_id=order.warehouse_id, lines=_lines(order), doc=order, actor=actor)
    order.stock_state = StockState.RESERVED


def _release(order, actor=None, reason=""):
    from tokodesk.catalog.services.stock import stock_release

    if order.stock_state == StockState.RESERVED:
        stock_release(warehouse_id=order.warehouse_id, lines=_lines(order), doc=order, actor=actor, reason=reason)
        order.stock_state = StockState.NONE


def _record_payment(ctx: Context, kind, amount, **fields):
    from tokodesk.orders.models import Payment

    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    payment = Payment.objects.create(order=ctx.obj, kind=kind, amount=amount, recorded_by=actor, **fields)
    ctx.obj.paid_total += amount
    ctx.event_data.update(payment_id=payment.pk, amount=amount)
    order_outbox.payment_recorded(ctx.obj, payment)
    return payment


def _start_shipping_clock(order):
    from tokodesk.orders.order_settings import OrderSettings

    order.ship_by = timezone.now() + dt.timedelta(hours=OrderSettings.get().shipping_deadline_hours)


def on_confirm(ctx):
    order = ctx.obj
    apply_shipping_option(order, ctx.inputs)
    _reserve(order, ctx.actor)
    order.confirmed_at = timezone.now()
    if order.payment_method == PaymentMethod.COD:
        _start_shipping_clock(order)
    if ctx.inputs is not None and ctx.inputs.store_credit:
        store_credit.spend(ctx, ctx.inputs.store_credit)  # paid or partly paid: orders.services settles


def on_confirm_many(contexts):
    """on_confirm for many orders (the bulk form): their lines in one query, the stock of
    all of them reserved together, the settings read once."""
    for ctx in contexts:
        apply_shipping_option(ctx.obj, ctx.inputs)  # only when chosen: a query per order then
    from collections import defaultdict

    from tokodesk.catalog.services.stock import stock_reserve_many
    from tokodesk.orders.models import OrderLine
    from tokodesk.orders.order_settings import OrderSettings

    lines = defaultdict(list)
    for order_id, variant_id, qty in (
        OrderLine.objects.filter(order_id__in=[c.obj.pk for c in contexts])
        .order_by("id").values_list("order_id", "variant_id", "qty")
    ):
        lines[order_id].append((variant_id, qty))
    if contexts and contexts[0].inputs is not None and contexts[0].inputs.store_credit:
        # Store credit is the customer's: one order at a time, never one amount for many.
        return {c.obj.pk: ("invalid_input", _("Use store credit on one order at a time.")) for c in contexts}
    refused = stock_reserve_many([(c.obj.pk, c.obj.warehouse_id, lines[c.obj.pk]) for c in contexts],
                                 docs={c.obj.pk: c.obj for c in contexts},
                                 actor=contexts[0].actor if contexts else None)
    now = timezone.now()
    hours = None
    for ctx in contexts:
        order = ctx.obj
        if order.pk in refused:
            continue
        order.stock_state = StockState.RESERVED
        order.confirmed_at = now
        if order.payment_method == PaymentMethod.COD:
            if hours is None:
                hours = OrderSettings.get().shipping_deadline_hours
            order.ship_by = now + dt.timedelta(hours=hours)
    return {pk: (exc.code, exc.message) for pk, exc in refused.items()}


def on_unconfirm(ctx):
    store_credit.give_back(ctx)
    _release(ctx.obj, ctx.actor)
    ctx.obj.confirmed_at = None
    ctx.obj.ship_by = None


def on_request_payment(ctx):
    ctx.obj.payment_link = ctx.inputs.payment_link
    ctx.event_data["payment_link"] = ctx.inputs.payment_link


def on_payment_succeeded(ctx):
    amount = ctx.inputs.amount or ctx.obj.outstanding
    if amount:
        _record_payment(ctx, "gateway", amount, reference=ctx.inputs.reference)
    _start_shipping_clock(ctx.obj)


def on_confirm_payment(ctx):
    i = ctx.inputs
    payment = _record_payment(ctx, "transfer", i.amount, paid_on=i.paid_on or timezone.localdate(),
                              account=i.account, reference=i.reference)
    proof = ctx.files.get("proof")
    if proof:
        from tokodesk.core.uploads import clean_upload

        proof = clean_upload(proof, field="proof")
        payment.proof.save(proof.name, proof, save=True)
        ctx.event_data["proof"] = payment.proof.name
    if ctx.obj.paid_total >= ctx.obj.total:
        _start_shipping_clock(ctx.obj)
        return S.PAID
    return S.PARTIALLY_PAID


def on_unconfirm_payment(ctx):
    order = ctx.obj
    store_credit.give_back(ctx)  # the store-credit part goes back on the ledger
    voided = list(order.payments.filter(voided_at__isnull=True).values_list("pk", flat=True))
    actor = ctx.actor if getattr(ctx.actor, "pk", None) else None
    order.payments.filter(pk__in=voided).update(voided_at=timezone.now(), voided_by=actor)
    ctx.event_data.update(voided_payments=voided, amount=order.paid_total)
    order_outbox.payments_voided(order, voided, order.paid_total)
    order.paid_total = 0
    order.ship_by = None


def on_issue_invoice(ctx):
    ctx.obj.invoice_number = ctx.inputs.number
    ctx.obj.invoice_due_date = ctx.inputs.due_date
    ctx.event_data.update(number=ctx.inputs.number, due_date=ctx.inputs.due_date.isoformat())


def on_record_invoice_payment(ctx):
    amount = ctx.inputs.amount or ctx.obj.outstanding
    if amount:
        _record_payment(ctx, "invoice", amount, paid_on=ctx.inputs.paid_on or timezone.localdate(),
                        reference=ctx.inputs.reference)
    _start_shipping_clock(ctx.obj)


def on_ship(ctx):
    from tokodesk.catalog.services.stock import stock_deduct
    from tokodesk.shipping.models import Courier

    order, i = ctx.obj, ctx.inputs
    if i.courier:
        order.courier = Courier.objects.get(code=i.courier)
    if i.service:
        order.courier_service = i.service
    order.awb = i.awb.strip()
    order.shipped_at = timezone.now()
    record_shipped_serials(ctx)
    stock_deduct(warehouse_id=order.warehouse_id, lines=_lines(order),
                 reserved=order.stock_state == StockState.RESERVED, doc=order, actor=ctx.actor)
    order.stock_state = StockState.DEDUCTED
    ctx.event_data.update(courier=order.courier.code, awb=order.awb)


def on_cancel_shipment(ctx):
    from tokodesk.catalog.services.stock import stock_undeduct

    order = ctx.obj
    ctx.event_data.update(awb=order.awb, courier=order.courier.code if order.courier_id else "")
    order.awb = ""
    order.shipped_at = None
    if order.stock_state == StockState.DEDUCTED:
        stock_undeduct(warehouse_id=order.warehouse_id, lines=_lines(order), doc=order, actor=ctx.actor)
        order.stock_state = StockState.RESERVED


def on_delivered(ctx):
    ctx.obj.delivered_at = timezone.now()
    record_cod_at_delivery(ctx)  # the courier collected the cash: a COD order is paid (orders.cod)


def on_problem(ctx):
    ctx.obj.problem_reason = ctx.inputs.reason
    ctx.event_data["reason"] = ctx.inputs.reason


def on_returned_to_sender(ctx):
    from tokodesk.catalog.services.stock import stock_restock

    order = ctx.obj
    store_credit.give_back(ctx)  # a refused parcel: the buyer's store credit comes back
    if order.stock_state == StockState.DEDUCTED:
        stock_restock(warehouse_id=order.warehouse_id, lines=_lines(order), doc=order, actor=ctx.actor)
        order.stock_state = StockState.RESTOCKED
    transition_hooks.run(ctx)  # payments records the RTS fee (payments/rts.py)


def on_complete(ctx):
    order = ctx.obj
    if order.payment_method == PaymentMethod.COD:
        settle_cod_at_completion(ctx)
    order.completed_at = timezone.now()


def on_request_cancellation(ctx):
    from tokodesk.orders.order_settings import OrderSettings

    order = ctx.obj
    order.status_before_cancellation = ctx.from_status
    order.cancellation_reason = ctx.inputs.reason
    order.cancellation_deadline = timezone.now() + dt.timedelta(
        hours=OrderSettings.get().cancellation_window_hours)
    ctx.event_data.update(reason=ctx.inputs.reason, deadline=order.cancellation_deadline.isoformat())


def on_approve_cancellation(ctx):
    _release(ctx.obj, ctx.actor, reason=getattr(ctx.obj, "cancellation_reason", ""))
    ctx.obj.cancelled_at = timezone.now()
    store_credit.give_back(ctx, at=ctx.obj.cancelled_at)  # reopen spends it again
    ctx.obj.cancellation_deadline = None
    ctx.event_data["automatic"] = ctx.actor is None


def on_reject_cancellation(ctx):
    order = ctx.obj
    order.cancellation_deadline = None
    ctx.event_data["reason"] = ctx.inputs.reason
    return order.status_before_cancellation


def on_cancel(ctx):
    order = ctx.obj
    _release(order, ctx.actor, reason=ctx.inputs.reason)
    order.status_before_cancellation = ctx.from_status
    order.cancellation_reason = ctx.inputs.reason
    order.cancelled_at = timezone.now()
    store_credit.give_back(ctx, at=order.cancelled_at)  # reopen spends it again
    ctx.event_data["reason"] = ctx.inputs.reason


def on_reopen(ctx):
    order = ctx.obj
    target = order.status_before_cancellation
    if ctx.from_status == S.CANCELLED and target != S.NEW and order.stock_state == StockState.NONE:
        _reserve(order, ctx.actor)  # refused with insufficient_stock if the goods were sold meanwhile
    if ctx.from_status == S.CANCELLED:
        store_credit.spend_again(ctx, order.cancelled_at)  # the credit given back at cancellation
    order.cancellation_deadline = None
    order.cancelled_at = None
    return target


# --- the table --------------------------------------------------------------------------

PROCESS = "orders.process_order"
PAYMENTS = "orders.manage_payments"
SHIPPING = "orders.ship_order"
SHIPPED = (S.IN_TRANSIT, S.DELIVERY_PROBLEM)

# The order's timeline (orders.OrderEvent): the machine writes each transition's row there,
# the services their other rows (created, edited, tag added …).
ORDER_TIMELINE = Timeline("orders.OrderEvent", "order")

ORDER_TRANSITIONS = TransitionTable(
    "order",
    Status.choices,
    [
        Transition("confirm", _("Confirm order"), (S.NEW,), S.CONFIRMED, PROCESS, ConfirmIn,
                   (has_warehouse,), on_confirm,
                   # has_shipping is a check, not a guard: it is met by an input (the form asks
                   # for the courier), so Confirm stays offered on an order that has none.
                   checks=(has_shipping,),
                   description="reserves stock; optional store credit; courier and shipping cost when missing",
                   batch_effect=on_confirm_many),
        Transition("unconfirm", _("Cancel order confirmation"), (S.CONFIRMED,), S.NEW, PROCESS, NoInput,
                   (no_payment_recorded,), on_unconfirm, description="releases stock"),
        Transition("request_payment", _("Request payment"), (S.CONFIRMED,), S.AWAITING_PAYMENT, PROCESS,
                   RequestPaymentIn, (method_is(PaymentMethod.PAYMENT_GATEWAY),), on_request_payment,
                   description="creates a payment link"),
        Transition("payment_pending", _("Payment pending"), (S.AWAITING_PAYMENT,), S.PAYMENT_PROCESSING,
                   PAYMENTS, GatewayPaymentIn, description="gateway callback"),
        Transition("payment_succeeded", _("Payment succeeded"), (S.AWAITING_PAYMENT, S.PAYMENT_PROCESSING),
                   S.PAYMENT_COMPLETED, PAYMENTS, GatewayPaymentIn, (), on_payment_succeeded,
                   checks=(amount_within_outstanding,), description="gateway callback; records the payment"),
        Transition("payment_failed", _("Payment failed"), (S.PAYMENT_PROCESSING,), S.AWAITING_PAYMENT,
                   PAYMENTS, OptionalReasonIn, description="gateway callback"),
        Transition("confirm_payment", _("Confirm payment"), (S.CONFIRMED, S.PARTIALLY_PAID), None, PAYMENTS,
                   ConfirmPaymentIn, (not_cod,), on_confirm_payment,
                   possible_targets=(S.PAID, S.PARTIALLY_PAID), checks=(amount_within_outstanding,),
                   description="records a payment; paid once the sum covers the total"),
        Transition("prepay_store_credit", _("Pay with store credit"), (S.NEW,), S.NEW, PROCESS, StoreCreditIn,
                   (store_credit.can_pay,), store_credit.on_pay_store_credit,
                   description="before confirmation (the manual order): debits the customer's store credit"),
        Transition("pay_store_credit", _("Pay with store credit"), (S.CONFIRMED, S.PARTIALLY_PAID), None,
                   PROCESS, StoreCreditIn, (store_credit.can_pay,), store_credit.on_pay_store_credit,
                   possible_targets=(S.CONFIRMED, S.PAID, S.PARTIALLY_PAID),
                   description="debits the customer's store credit; paid once the sum covers the total "
                               "(COD: stays confirmed, the rest is cash)"),
        Transition("unconfirm_payment", _("Cancel payment confirmation"), (S.PAID, S.PARTIALLY_PAID),
                   S.CONFIRMED, PAYMENTS, NoInput, (), on_unconfirm_payment,
                   description="voids the payments (kept in history)"),
        Transition("create_invoice", _("Create invoice"), (S.CONFIRMED,), S.INVOICE_PENDING, PAYMENTS,
                   NoInput, (method_is(PaymentMethod.INVOICE),)),
        Transition("issue_invoice", _("Issue invoice"), (S.INVOICE_PENDING,), S.INVOICE_ISSUED, PAYMENTS,
                   IssueInvoiceIn, (), on_issue_invoice, description="number, due date"),
        Transition("record_invoice_payment", _("Record invoice payment"), (S.INVOICE_ISSUED,),
                   S.INVOICE_PAID, PAYMENTS, InvoicePaymentIn, (), on_record_invoice_payment,
                   checks=(amount_settles_invoice,)),
        Transition("mark_ready", _("Mark ready to ship"),
                   (S.PAID, S.PAYMENT_COMPLETED, S.INVOICE_PAID, S.CONFIRMED), S.READY_TO_SHIP, SHIPPING,
                   NoInput, (cod_or_paid_to_ship,), checks=(stock_on_hand,)),
        Transition("ship", _("Ship order"), (S.READY_TO_SHIP,), S.AWAITING_PICKUP, SHIPPING, ShipIn,
                   (), on_ship, checks=(courier_known, serials_complete), description="courier + AWB; deducts stock"),
        Transition("cancel_shipment", _("Cancel shipment"), (S.AWAITING_PICKUP,), S.READY_TO_SHIP, SHIPPING,
                   NoInput, (), on_cancel_shipment, description="AWB cleared (kept in history)"),
        Transition("picked_up", _("Picked up by courier"), (S.AWAITING_PICKUP,), S.IN_TRANSIT, SHIPPING,
                   NoInput, description="courier event"),
        Transition("delivered", _("Mark delivered"), SHIPPED, S.DELIVERED, SHIPPING, NoInput, (),
                   on_delivered, description="courier event; COD: records the cash the courier collected"),
        Transition("report_problem", _("Report delivery problem"), (S.IN_TRANSIT,), S.DELIVERY_PROBLEM,
                   SHIPPING, ReasonIn, (), on_problem),
        Transition("resume_delivery", _("Resume delivery"), (S.DELIVERY_PROBLEM,), S.IN_TRANSIT, SHIPPING,
                   NoInput),
        Transition("mark_lost", _("Mark lost or damaged"), SHIPPED, S.LOST_OR_DAMAGED, SHIPPING, ReasonIn,
                   (), on_problem),
        Transition("return_to_sender", _("Return to sender"), SHIPPED, S.RETURNING, SHIPPING, NoInput),
        Transition("returned_to_sender", _("Received back from courier"), (S.RETURNING,), S.RETURNED,
                   SHIPPING, NoInput, (), on_returned_to_sender, description="restocks"),
        Transition("complete", _("Complete order"), (S.DELIVERED,), S.COMPLETED, PAYMENTS, CompleteIn, (),
                   on_complete, checks=(cash_within_due,),
                   description="COD: cash_collected corrects the cash recorded at delivery"),
        Transition("request_cancellation", _("Request cancellation"), PRE_SHIPMENT,
                   S.CANCELLATION_REQUESTED, PROCESS, ReasonIn, (), on_request_cancellation,
                   description="by the customer; stores the status to return to and a deadline"),
        Transition("approve_cancellation", _("Approve cancellation"), (S.CANCELLATION_REQUESTED,),
                   S.CANCELLED, PROCESS, NoInput, (), on_approve_cancellation,
                   description="by a user, or automatically when the deadline passes; releases stock"),
        Transition("reject_cancellation", _("Reject cancellation"), (S.CANCELLATION_REQUESTED,), None,
                   PROCESS, ReasonIn, (has_status_to_return_to,), on_reject_cancellation,
                   possible_targets=PRE_SHIPMENT, description="back to the stored status"),
        Transition("cancel", _("Cancel order"), PRE_SHIPMENT, S.CANCELLED, PROCESS, ReasonIn, (),
                   on_cancel, description="releases stock"),
        Transition("reopen", _("Reopen order"), (S.CANCELLED, S.CANCELLATION_REQUESTED), None, PROCESS,
                   NoInput, (has_status_to_return_to,), on_reopen, possible_targets=PRE_SHIPMENT,
                   description="back to the status before cancellation"),
    ],
    timeline=ORDER_TIMELINE,
    outbox_payload=order_payload,
)
