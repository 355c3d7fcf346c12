"""`complete`: a decision per line (accept, refuse, partial acceptance) and the return's
resolution applied to what was accepted (SPEC 3.2).

- The accepted value is Σ accepted qty × the price paid per unit; the return's extra
  lines (fees) are deducted from it (never below 0): that is the credit.
- `refund`: a refund record of the credit (or `refund_amount`), pending until paid.
- `store_credit`: the same as a store-credit refund, paid at once onto the customer's
  ledger, or left pending for a manual `refund_mark_paid` when the shop says so.
- `exchange_same`: a replacement order (channel manual, same customer and recipient) with
  the accepted items at price 0 and no shipping cost.
- `exchange_other`: an order with the items picked, at their prices, discounted by the
  credit; its total is what the customer still owes, and a credit above the new items'
  value is shown as to refund.
Refused units that were restocked on receipt leave the shelf again (they go back to the
customer). Nothing of the original order is changed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Stock, Variant
from tokodesk.core.errors import Conflict, ValidationFailed
from tokodesk.returns.receiving import match_lines
from tokodesk.returns.states import Decision, RefundMethod, Resolution


@dataclass
class Completion:
    decisions: dict  # line pk -> (decision, qty accepted)
    lines: list
    accepted_total: int
    fees_total: int
    credit: int
    refund_method: str | None = None
    refund_amount: int = 0
    exchange_items: list = field(default_factory=list)  # [(Variant, qty)]


def default_refund_method(order) -> str:
    """COD and transfer sellers pay back by bank transfer; a gateway refunds the card."""
    return RefundMethod.ORIGINAL if order.payment_method == "payment_gateway" else RefundMethod.BANK_TRANSFER


def plan_completion(ret, inputs) -> Completion:
    from tokodesk.returns.refunds import bank_details_errors

    pairs = match_lines(ret, inputs.lines)
    given = {line.pk: (item, i) for line, item, i in pairs}
    lines = list(ret.lines.all())
    errors, decisions = {}, {}
    for line in lines:
        received = line.qty_received or 0
        if line.pk not in given:
            if received:
                errors["lines"] = _("Decide on every line received (missing: %(sku)s).") % {"sku": line.sku}
            decisions[line.pk] = (Decision.REFUSE, 0)
            continue
        item, i = given[line.pk]
        if item.decision == Decision.REFUSE:
            if item.qty:
                errors[f"lines.{i}.qty"] = _("A refused line accepts nothing.")
            decisions[line.pk] = (Decision.REFUSE, 0)
            continue
        qty = received if item.qty is None else item.qty
        if qty < 1 or qty > received:
            errors[f"lines.{i}.qty"] = _("Accept between 1 and the %(qty)s received, or refuse the line.") % {
                "qty": received}
        decisions[line.pk] = (Decision.ACCEPT, qty)
    if errors:
        raise ValidationFailed("invalid_input", _("Some decisions are not valid."), fields=errors)

    accepted = sum(decisions[line.pk][1] * line.unit_price for line in lines)
    fees = sum(extra.amount for extra in ret.extra_lines.all())
    plan = Completion(decisions=decisions, lines=lines, accepted_total=accepted, fees_total=fees,
                      credit=max(accepted - fees, 0))
    if ret.resolution in (Resolution.REFUND, Resolution.STORE_CREDIT):
        plan.refund_amount = inputs.refund_amount or plan.credit
        if ret.resolution == Resolution.STORE_CREDIT:
            plan.refund_method = RefundMethod.STORE_CREDIT
        else:
            plan.refund_method = inputs.refund_method or default_refund_method(ret.order)
            if plan.refund_method == RefundMethod.STORE_CREDIT:
                errors["refund_method"] = _("Use the store_credit resolution for store credit.")
            if plan.refund_amount:
                errors.update(bank_details_errors(plan.refund_method, inputs.bank_name, inputs.account_number,
                                                  inputs.account_holder))
    elif ret.resolution == Resolution.EXCHANGE_OTHER and accepted:
        plan.exchange_items = _exchange_items(ret, inputs, errors)
    if errors:
        raise ValidationFailed("invalid_input", _("Some inputs of the completion are missing or not valid."),
                               fields=errors)
    return plan


def _exchange_items(ret, inputs, errors) -> list:
    if inputs.exchange_lines is not None:
        raw = [(item.sku, item.qty) for item in inputs.exchange_lines]
    else:
        raw = [(item["sku"], item["qty"]) for item in ret.exchange_items]
    if not raw:
        errors["exchange_lines"] = _("Pick the items the customer gets instead.")
        return []
    variants = {v.sku: v for v in Variant.objects.select_related("product").filter(sku__in=[s for s, _q in raw])}
    items = []
    for i, (sku, qty) in enumerate(raw):
        variant = variants.get(sku)
        if variant is None or not variant.active or not variant.product.active:
            errors[f"exchange_lines.{i}.sku"] = _("Unknown product “%(sku)s”.") % {"sku": sku[:64]}
        else:
            items.append((variant, qty))
    return items


def _unrestock_refused(ret, plan: Completion, event_data: dict) -> None:
    """Refused units that were put back on the shelf at receipt go back to the customer."""
    from tokodesk.catalog.services.stock import stock_deduct

    out = []
    for line in plan.lines:
        refused = (line.qty_received or 0) - plan.decisions[line.pk][1]
        qty = min(line.qty_restocked, refused)
        if qty > 0:
            out.append((line, qty))
    if not out:
        return
    warehouse_id = ret.restock_warehouse_id
    stock = {s.variant_id: s for s in Stock.objects.select_for_update().filter(
        warehouse_id=warehouse_id, variant_id__in=[line.variant_id for line, _q in out]).order_by("variant_id")}
    need: dict[int, int] = {}
    for line, qty in out:
        need[line.variant_id] = need.get(line.variant_id, 0) + qty
    short = [line.sku for line, _q in out if line.variant_id not in stock
             or stock[line.variant_id].available < need[line.variant_id]]
    if short:
        raise Conflict("insufficient_stock", _("The refused goods are no longer on the shelf: %(skus)s.") % {
            "skus": ", ".join(sorted(set(short)))})
    stock_deduct(warehouse_id=warehouse_id, lines=[(line.variant_id, qty) for line, qty in out], reserved=False,
                 doc=ret, kind="return_restock", reason="refused_returned")
    for line, qty in out:
        line.qty_restocked -= qty
    event_data["unrestocked"] = [{"sku": line.sku, "qty": qty} for line, qty in out]


def _replacement_order(ret, actor, lines, *, payment_method: str, discount: int = 0):
    """A new order for the same customer and recipient, made by the order service."""
    from tokodesk.orders.services import CustomerInput, LineInput, OrderInput, order_create

    order = ret.order
    skus = [sku for sku, _q, _p in lines]
    warehouse = None
    if order.warehouse_id:
        stocked = set(Stock.objects.filter(warehouse_id=order.warehouse_id, variant__sku__in=skus)
                      .values_list("variant__sku", flat=True))
        if stocked >= set(skus):
            warehouse = order.warehouse.code
    courier = order.courier.code if order.courier_id and order.courier.active else None
    data = OrderInput(
        customer=CustomerInput(name=order.recipient_name, phone=order.recipient_phone,
                               address=order.destination_address, email=order.recipient_email,
                               city=order.destination_city),
        lines=[LineInput(sku=sku, qty=qty, unit_price=price) for sku, qty, price in lines],
        payment_method=payment_method, warehouse=warehouse, courier=courier,
        courier_service=order.courier_service if courier else "", shipping_cost=0, discount=discount,
        channel="manual", agent=order.assigned_agent.username if order.assigned_agent_id else None,
        external_reference=ret.reference,
    )
    # The permission to complete the return is what allows this order: it is made by
    # the system on the user's behalf (the return's timeline names the user).
    return order_create(data=data, actor=None, source="return")


def apply_completion(ctx) -> None:
    from tokodesk.returns.refunds import refund_create, store_credit_pay
    from tokodesk.returns.return_settings import ReturnSettings

    ret, inputs, data = ctx.obj, ctx.inputs, ctx.event_data
    plan = plan_completion(ret, inputs)
    for line in plan.lines:
        line.decision, line.qty_accepted = plan.decisions[line.pk]
    _unrestock_refused(ret, plan, data)
    for line in plan.lines:
        line.save(update_fields=["decision", "qty_accepted", "qty_restocked"])
    ret.accepted_total, ret.fees_total = plan.accepted_total, plan.fees_total
    ret.completed_at = timezone.now()
    data.update(lines=[{"sku": line.sku, "decision": line.decision, "qty_accepted": line.qty_accepted,
                        "qty_received": line.qty_received}
                       for line in plan.lines],
                accepted_total=plan.accepted_total, fees_total=plan.fees_total)

    if ret.resolution in (Resolution.REFUND, Resolution.STORE_CREDIT):
        if plan.refund_amount:
            refund = refund_create(
                order_id=ret.order_id, amount=plan.refund_amount, method=plan.refund_method, actor=ctx.actor,
                return_order=ret, bank_name=inputs.bank_name, account_number=inputs.account_number,
                account_holder=inputs.account_holder)
            ret.resolution_amount = refund.amount
            data.update(refund_id=refund.pk, refund_amount=refund.amount, refund_method=refund.method)
            if refund.method == RefundMethod.STORE_CREDIT and ReturnSettings.get().store_credit_automatic:
                entry = store_credit_pay(refund, ctx.actor, note=ret.reference)
                data["store_credit_entry_id"] = entry.pk
    elif ret.resolution == Resolution.EXCHANGE_SAME and any(qty for _d, qty in plan.decisions.values()):
        lines = [(line.sku, plan.decisions[line.pk][1], 0) for line in plan.lines if plan.decisions[line.pk][1]]
        # Nothing to collect: COD is the one payment method that ships without a payment.
        ret.replacement_order = _replacement_order(ret, ctx.actor, lines, payment_method="cod")
        data["replacement_order"] = ret.replacement_order.reference
    elif ret.resolution == Resolution.EXCHANGE_OTHER and plan.exchange_items:
        value = sum(variant.price * qty for variant, qty in plan.exchange_items)
        discount = min(plan.credit, value)
        due = value - discount
        method = (inputs.payment_method or ret.order.payment_method) if due else "cod"
        lines = [(variant.sku, qty, None) for variant, qty in plan.exchange_items]
        ret.replacement_order = _replacement_order(ret, ctx.actor, lines, payment_method=method, discount=discount)
        ret.exchange_difference = value - plan.credit
        ret.resolution_amount = discount
        ret.exchange_items = [{"sku": variant.sku, "qty": qty} for variant, qty in plan.exchange_items]
        data.update(replacement_order=ret.replacement_order.reference, exchange_value=value,
                    exchange_difference=ret.exchange_difference)
