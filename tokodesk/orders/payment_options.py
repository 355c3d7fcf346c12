"""The shop's payment method an order is paid with (issue 17), seen from orders: the methods
are payments.PaymentMethod rows (managed in payments.methods), reached through the order's own
foreign key, as the landing page is: orders does not import payments. An order keeps the flow
in `payment_method` (the state machine reads it) and the method in `payment_option`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.labels import localized
from tokodesk.orders.models import Order
from tokodesk.orders.states import PaymentMethod as Flow

# The flows' codes: Flow.values builds its list of choices anew at each call (~18 µs), which
# label_of paid once per row of a list (issue 16).
_FLOWS = frozenset(Flow.values)


def _methods():
    return Order.payment_option.field.related_model.objects


def method_rows(codes=None, flows=None, methods=None) -> list[tuple[str, str, str]]:
    """(code, label in the reader's language, flow) of the active methods, in the shop's
    order; with `codes` (a landing page's list) only those, with `flows` only of those flows.
    A code with no row at all that is one of the four flows stands for itself (a database
    whose starting rows were removed). `methods`: every method row in the shop's order
    (position, id), read just now by the caller (the landing submit's SQL written once)."""
    if methods is None:
        methods = _methods().order_by("position", "id")
    rows = {m.code: m for m in methods}
    wanted = set(rows) if codes is None else set(codes)
    out = [(c, m.display_label, m.flow) for c, m in rows.items() if c in wanted and m.active]
    out += [(c, str(Flow(c).label), c) for c in (Flow.values if codes is None else codes)
            if c not in rows and c in Flow.values]
    return [row for row in out if flows is None or row[2] in flows]


def method_labels() -> dict[str, str]:
    """{code: label in the reader's language} of every method, inactive ones too (what a page
    that lists codes shows), the four flows' labels under their codes when they have no row."""
    labels = {flow: str(label) for flow, label in Flow.choices}
    return labels | {m.code: m.display_label for m in _methods().all()}


def method_choices(codes=None, flows=None, methods=None) -> list[tuple[str, str]]:
    """(code, label) of method_rows(): a form's choices."""
    return [(code, label) for code, label, _flow in method_rows(codes, flows, methods)]


def flow_of(code: str) -> str:
    """The flow of the method `code` ("" for an unknown one; a bare flow is its own)."""
    method = _methods().filter(code=code).only("flow").first()
    if method is not None:
        return method.flow
    return code if code in Flow.values else ""


def order_payment(*, code: str | None, flow: str | None, field: str = "payment_method_code"):
    """(flow, method or None) for an order: the active method `code` and its flow (a `flow`
    given too must be the same), else the bare `flow` and the method of that code when there
    is one; a `flow` that is no flow is read as a code. Refused on `field` (422) for an
    unknown or inactive code or an unknown flow."""
    if not code and flow and flow not in Flow.values:
        code, flow = flow, None  # a method's code where the flow goes (the landing form's choice)
    if code:
        code = code.strip().lower()
        method = _methods().filter(code=code).first()
        if method is None and code in Flow.values and flow in (None, "", code):
            return code, None  # a flow's starting method removed from the database: the flow itself
        if method is None or not method.active:
            raise ValidationFailed("invalid_input", _("Unknown payment method."),
                                   fields={field: _("Not one of the shop's active payment methods.")})
        if flow and flow != method.flow:
            raise ValidationFailed("invalid_input", _("The payment method and its flow differ."),
                                   fields={"payment_method": _("This method's flow is %(flow)s.")
                                           % {"flow": method.flow}})
        return method.flow, method
    if flow not in Flow.values:
        raise ValidationFailed("invalid_input", _("Unknown payment method."),
                               fields={"payment_method": _("Unknown payment method.")})
    return flow, _methods().filter(code=flow, flow=flow).first()


def label_of(flow: str, label: str | None = None, labels: dict | None = None) -> str:
    """A method's label in the reader's language (core.labels) from its columns (a list read as
    values), else its flow's."""
    if label or labels:
        return localized(labels, label or "")
    return str(Flow(flow).label) if flow in _FLOWS else flow


def payment_code(order) -> str:
    """The code of the order's method (its flow's when it has none)."""
    return order.payment_option.code if order.payment_option_id else order.payment_method


def payment_change(order, changes: dict, errors: dict):
    """For order_edit: the method the order will have. Another method's code, or another flow
    (its starting method), sets changes["payment_method"] to its flow; the order's own code
    keeps its method even if inactive now. Refusals go into `errors`."""
    option = order.payment_option
    current = (payment_code(order), order.payment_method)
    wanted = (changes.pop("payment_method_code", None) or None, changes.get("payment_method") or None)
    if wanted != (None, None) and wanted[0] != current[0] and (wanted[0] or wanted[1] != current[1]):
        try:
            changes["payment_method"], option = order_payment(code=wanted[0], flow=wanted[1])
        except ValidationFailed as exc:
            errors.update(exc.fields)
    elif wanted[0] is not None:
        changes.pop("payment_method", None)
    return option


def payment_diff(order, option, diff: dict) -> None:
    """Give the order its new method; the history shows the methods' codes (a starting
    method's is its flow; the flow's own change, if any, is in `diff` already)."""
    old = order.payment_option.code if order.payment_option_id else diff.get("payment_method", [order.payment_method])[0]
    diff["payment_method"] = [old, option.code if option is not None else order.payment_method]
    order.payment_option = option
