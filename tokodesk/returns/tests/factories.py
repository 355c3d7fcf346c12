"""Returns in any status, reached only through the services and the transition table
(never by assigning `status`), on orders that really were delivered."""

from __future__ import annotations

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in, run
from tokodesk.returns.models import Return
from tokodesk.returns.services import (
    ReturnInput,
    ReturnLineInput,
    return_apply_action,
    return_create,
    return_request,
)

BANK = {"bank_name": "BCA", "account_number": "1234567890", "account_holder": "Siti Rahayu"}

# Status → (entry action, actions after it).
RETURN_PATHS: dict[str, tuple[str, list[str]]] = {
    "requested": ("request", []),
    "draft": ("create", []),
    "awaiting_item": ("create", ["approve"]),
    "on_hold": ("create", ["approve", "hold"]),
    "item_received": ("create", ["approve", "receive"]),
    "completed": ("create", ["approve", "receive", "complete"]),
    "rejected": ("create", ["reject"]),
    "cancelled": ("create", ["cancel"]),
}

DEFAULT_LINES = (("KAOS-M", 2), ("MADU-500", 1))


def paid_order(actor, *, status: str = "completed", lines=DEFAULT_LINES, method: str = "bank_transfer",
               **kwargs) -> Order:
    """A delivered or completed order that was paid in full (bank transfer), or a COD
    order (paid at delivery: the courier collected the cash)."""
    if method == "cod":
        return order_in(status, actor, lines=lines, **kwargs)
    order = make_order(actor, method=method, lines=lines, **kwargs)
    for action in ["confirm", "confirm_payment", "mark_ready", "ship", "picked_up", "delivered"]:
        order = run(order, action, actor)
    if status == "completed":
        order = run(order, "complete", actor)
    assert order.status == status, order.status
    return order


def return_data(order: Order, *, resolution: str = "refund", lines=None, reason: str = "Ukuran kekecilan",
                **extra) -> ReturnInput:
    if lines is None:
        lines = [ReturnLineInput(sku=line.sku, qty=line.qty) for line in order.lines.order_by("id")]
    else:
        lines = [ReturnLineInput(sku=sku, qty=qty) for sku, qty in lines]
    return ReturnInput(order=order.reference, reason=reason, resolution=resolution, lines=lines, **extra)


def valid_inputs(action: str, ret: Return) -> dict:
    """Inputs that satisfy the action's schema and checks for this return."""
    lines = list(ret.lines.order_by("id"))
    if action == "receive":
        return {"warehouse": "jkt", "lines": [{"line": li.pk, "qty": li.qty, "condition": "resellable"}
                                              for li in lines]}
    if action == "complete":
        inputs = {"lines": [{"line": li.pk, "decision": "accept"} for li in lines]}
        if ret.resolution == "refund":
            inputs.update(BANK)
        if ret.resolution == "exchange_other":
            inputs["exchange_lines"] = [{"sku": "KAOS-L", "qty": 1}]
        return inputs
    if action == "reject":
        return {"message": "Barang sudah dipakai."}
    return {}


def act(ret: Return, action: str, actor, **extra) -> Return:
    inputs = {**valid_inputs(action, ret), **extra}
    return return_apply_action(reference=ret.reference, action=action, actor=actor, inputs=inputs)


def return_in(status: str, actor, *, order: Order | None = None, resolution: str = "refund", lines=None) -> Return:
    entry, path = RETURN_PATHS[status]
    order = order or paid_order(actor)
    data = return_data(order, resolution=resolution, lines=lines)
    ret = return_request(order_id=order.pk, data=data) if entry == "request" else return_create(data=data, actor=actor)
    for action in path:
        ret = act(ret, action, actor)
    assert ret.status == status, (status, ret.status)
    return ret
