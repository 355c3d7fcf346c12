"""Orders in any status, reached only through the transition table (never by assigning
`status`), so each test starts from a state the product can really be in."""

from __future__ import annotations

from tokodesk.orders.models import Order
from tokodesk.orders.services import (
    CustomerInput,
    LineInput,
    OrderInput,
    order_apply_action,
    order_create,
)

# Status → (payment method or None for "any", actions from `new`).
STATUS_PATHS: dict[str, tuple[str | None, list[str]]] = {
    "new": (None, []),
    "confirmed": (None, ["confirm"]),
    "paid": ("bank_transfer", ["confirm", "confirm_payment"]),
    "partially_paid": ("bank_transfer", ["confirm", "confirm_payment:partial"]),
    "ready_to_ship": ("cod", ["confirm", "mark_ready"]),
    "cancellation_requested": (None, ["confirm", "request_cancellation"]),
    "cancelled": (None, ["confirm", "cancel"]),
    "awaiting_pickup": ("cod", ["confirm", "mark_ready", "ship"]),
    "in_transit": ("cod", ["confirm", "mark_ready", "ship", "picked_up"]),
    "delivered": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "delivered"]),
    "delivery_problem": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "report_problem"]),
    "lost_or_damaged": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "mark_lost"]),
    "returning": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "return_to_sender"]),
    "returned": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "return_to_sender", "returned_to_sender"]),
    "awaiting_payment": ("payment_gateway", ["confirm", "request_payment"]),
    "payment_processing": ("payment_gateway", ["confirm", "request_payment", "payment_pending"]),
    "payment_completed": ("payment_gateway", ["confirm", "request_payment", "payment_succeeded"]),
    "invoice_pending": ("invoice", ["confirm", "create_invoice"]),
    "invoice_issued": ("invoice", ["confirm", "create_invoice", "issue_invoice"]),
    "invoice_paid": ("invoice", ["confirm", "create_invoice", "issue_invoice", "record_invoice_payment"]),
    "completed": ("cod", ["confirm", "mark_ready", "ship", "picked_up", "delivered", "complete"]),
}


def valid_inputs(action: str, order: Order) -> dict:
    """Inputs that satisfy the action's schema and checks for this order."""
    if action == "confirm_payment":
        return {"amount": order.total - order.paid_total}
    if action in ("pay_store_credit", "prepay_store_credit"):
        return {"amount": order.total - order.paid_total}
    if action == "confirm_payment:partial":
        return {"amount": order.total // 2}
    if action == "issue_invoice":
        return {"number": f"INV-{order.pk}", "due_date": "2030-01-31"}
    if action == "ship":
        return {"courier": "jne", "awb": f"JNE{order.pk:08d}"}
    if action in ("report_problem", "mark_lost", "cancel", "request_cancellation", "reject_cancellation"):
        return {"reason": "test reason"}
    return {}


def make_order(actor, *, method="bank_transfer", lines=(("MADU-500", 2),), warehouse="jkt", courier="jne",
               shipping_cost=18000, agent=None) -> Order:
    return order_create(
        data=OrderInput(
            customer=CustomerInput(name="Siti Rahayu", phone="081234567890", address="Jl. Melati 5, Bandung"),
            lines=[LineInput(sku=sku, qty=qty) for sku, qty in lines],
            payment_method=method, warehouse=warehouse, courier=courier, shipping_cost=shipping_cost,
            agent=agent,
        ),
        actor=actor,
    )


def run(order: Order, action: str, actor, **extra) -> Order:
    name = action.split(":")[0]
    inputs = {**valid_inputs(action, order), **extra}
    return order_apply_action(reference=order.reference, action=name, actor=actor, inputs=inputs)


def order_in(status: str, actor, *, method: str | None = None, **kwargs) -> Order:
    path_method, path = STATUS_PATHS[status]
    order = make_order(actor, method=path_method or method or "bank_transfer", **kwargs)
    for action in path:
        order = run(order, action, actor)
    assert order.status == status, (status, order.status)
    return order
