"""The returns list read as values (issue 16): the page's returns in one query with the
columns of their order, customer, reason, custom state, responsible and replacement order,
their lines in one more; no model instance. The API's items and the web page's rows are
built from these rows, the same as return_out / the row template gave over Return objects
(test_list_values compares the bytes for every status)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed
from tokodesk.core.labels import default_language_read_once, localized
from tokodesk.core.value_rows import ValueRow
from tokodesk.returns import selectors
from tokodesk.returns.models import Return, ReturnLine
from tokodesk.returns.states import RETURN_TRANSITIONS, Resolution, Status

# Columns of the related rows the list shows, read with the return.
RELATED = {
    "_order_reference": F("order__reference"),
    "_order_status": F("order__status"),
    "_order_invoice_number": F("order__invoice_number"),
    "_customer_name": F("customer__name"),
    "_customer_phone": F("customer__phone"),
    "_reason_code": F("reason__code"),
    "_reason_label": F("reason__label"),
    "_reason_labels": F("reason__labels"),
    "_reason_needs_text": F("reason__needs_text"),
    "_reason_active": F("reason__active"),
    "_reason_position": F("reason__position"),
    "_cs_label": F("custom_state__label"),
    "_cs_labels": F("custom_state__labels"),
    "_cs_color": F("custom_state__color"),
    "_user_username": F("responsible_user__username"),
    "_user_first_name": F("responsible_user__first_name"),
    "_user_last_name": F("responsible_user__last_name"),
    "_group_name": F("responsible_group__name"),
    "_replacement_reference": F("replacement_order__reference"),
}
LINE_COLUMNS = (
    "id",
    "order_line_id",
    "sku",
    "name",
    "qty",
    "unit_price",
    "serial_numbers",
    "qty_received",
    "condition",
    "qty_restocked",
    "decision",
    "qty_accepted",
)
_RESOLUTIONS = dict(Resolution.choices)
_full_name = get_user_model().get_full_name


class Ref:
    """A related row as the templates read it (order, customer, custom state, user, group)."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def get_full_name(self):
        return _full_name(self)


class ReturnRow(ValueRow):
    """A return read as values: a dict whose keys also read as attributes, with the related
    rows the row template and the transition guards read, and `lines` (tuples of
    LINE_COLUMNS). Return's own properties it needs are computed here."""

    __slots__ = ()

    items_count = property(lambda self: sum(line[4] for line in self["lines"]))

    def get_resolution_display(self):
        return force_str(
            _RESOLUTIONS.get(self["resolution"], self["resolution"]), strings_only=True
        )


def _columns() -> tuple[str, ...]:
    return tuple(f.attname for f in Return._meta.concrete_fields)


def return_rows(
    *,
    user,
    filters: selectors.ReturnFilters,
    sort: str = "-created_at",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ReturnRow], str | None]:
    """One page of returns as rows (and the cursor of the next page), as selectors.
    return_list gives it with Return objects: the same filters, order and cursor."""
    if sort not in selectors.SORTS:
        raise ValidationFailed(
            "invalid_input", _("Unknown sort."), fields={"sort": ", ".join(selectors.SORTS)}
        )
    qs = selectors.filter_returns(selectors.return_queryset_for(user), filters)
    if cursor:
        value, pk = selectors._decode_cursor(cursor)
        if sort.startswith("-"):
            qs = qs.filter(Q(created_at__lt=value) | Q(created_at=value, id__lt=pk))
        else:
            qs = qs.filter(Q(created_at__gt=value) | Q(created_at=value, id__gt=pk))
    page = list(qs.order_by(*selectors.SORTS[sort]).values(*_columns(), **RELATED)[: limit + 1])
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = selectors._encode_cursor([page[-1]["created_at"].isoformat(), page[-1]["id"]])
    lines: dict[int, list[tuple]] = {r["id"]: [] for r in page}
    if page:
        for return_id, *line in (
            ReturnLine.objects.filter(return_order_id__in=list(lines))
            .order_by("id")
            .values_list("return_order_id", *LINE_COLUMNS)
        ):
            lines[return_id].append(tuple(line))
    return [_row(r, lines[r["id"]]) for r in page], next_cursor


def _row(r: dict, lines: list[tuple]) -> ReturnRow:
    row = ReturnRow(r)
    row["lines"] = lines
    row["order"] = Ref(
        reference=r["_order_reference"],
        status=r["_order_status"],
        invoice_number=r["_order_invoice_number"],
    )
    row["customer"] = Ref(id=r["customer_id"], name=r["_customer_name"], phone=r["_customer_phone"])
    row["custom_state"] = (
        Ref(
            pk=r["custom_state_id"],
            id=r["custom_state_id"],
            label=r["_cs_label"],
            labels=r["_cs_labels"],
            color=r["_cs_color"],
        )
        if r["custom_state_id"] is not None
        else None
    )
    row["responsible_user"] = (
        Ref(
            username=r["_user_username"],
            first_name=r["_user_first_name"],
            last_name=r["_user_last_name"],
        )
        if r["responsible_user_id"] is not None
        else None
    )
    row["responsible_group"] = (
        Ref(name=r["_group_name"]) if r["responsible_group_id"] is not None else None
    )
    return row


# --- the API's items -------------------------------------------------------------------------


def _reason_display(r: ReturnRow, label: str) -> str:
    """Return.reason_display over a row."""
    from django.utils.translation import gettext

    if r["_reason_needs_text"]:
        return r["reason_text"] or label
    if not r["reason_text"]:
        return label
    return gettext("%(reason)s: %(details)s") % {"reason": label, "details": r["reason_text"]}


def _exchange(r: ReturnRow):
    if r["resolution"] not in (Resolution.EXCHANGE_SAME, Resolution.EXCHANGE_OTHER):
        return None
    diff = r["exchange_difference"]
    credit = max(r["accepted_total"] - r["fees_total"], 0)
    return {
        "items": r["exchange_items"],
        "replacement_order": r["_replacement_reference"],
        "value": diff + credit if diff is not None else None,
        "difference": diff,
        "due": max(diff, 0) if diff is not None else None,
        "to_refund": max(-diff, 0) if diff is not None else None,
    }


def _responsible(r: ReturnRow):
    if r["responsible_user_id"]:
        return {"type": "user", "name": r["_user_username"]}
    if r["responsible_group_id"]:
        return {"type": "group", "name": r["_group_name"]}
    return None


def return_items(rows: list[ReturnRow], user) -> list[dict]:
    """api.return_out for each row (the same keys and values), without a model instance."""
    # A label without the reader's language falls back on the customers' language: one
    # settings read for the page (return_out read it for each row).
    with default_language_read_once():
        return _items(rows, user)


def _items(rows: list[ReturnRow], user) -> list[dict]:
    actions = RETURN_TRANSITIONS.available_for(user)
    labels: dict[str, str] = {}
    reasons: dict[int, str] = {}
    states: dict[int, str] = {}
    items = []
    for r in rows:
        status = r["status"]
        status_label = labels.get(status)
        if status_label is None:
            status_label = labels[status] = str(Status(status).label)
        reason_label = reasons.get(r["reason_id"])
        if reason_label is None:
            reason_label = reasons[r["reason_id"]] = localized(
                r["_reason_labels"], r["_reason_label"]
            )
        state = r["custom_state_id"]
        if state and state not in states:
            states[state] = localized(r["_cs_labels"], r["_cs_label"])
        items.append(
            {
                "reference": r["reference"],
                "status": status,
                "status_label": status_label,
                "inventree_status": selectors.inventree(status),
                "custom_state": (
                    {"id": state, "label": states[state], "color": r["_cs_color"]}
                    if state
                    else None
                ),
                "version": r["version"],
                "order": r["_order_reference"],
                "order_status": r["_order_status"],
                "customer": {
                    "id": r["customer_id"],
                    "name": r["_customer_name"],
                    "phone": r["_customer_phone"],
                },
                "reason": {
                    "code": r["_reason_code"],
                    "label": r["_reason_label"],
                    "labels": r["_reason_labels"],
                    "display_label": reason_label,
                    "needs_text": r["_reason_needs_text"],
                    "active": r["_reason_active"],
                    "position": r["_reason_position"],
                },
                "reason_text": r["reason_text"],
                "reason_display": _reason_display(r, reason_label),
                "resolution": r["resolution"],
                "origin": r["origin"],
                "responsible": _responsible(r),
                "target_date": r["target_date"],
                "currency": r["currency"],
                "items_count": sum(li[4] for li in r["lines"]),
                "lines": [
                    {
                        "id": li[0],
                        "order_line": li[1],
                        "sku": li[2],
                        "name": li[3],
                        "qty": li[4],
                        "unit_price": li[5],
                        "serial_numbers": li[6],
                        "qty_received": li[7],
                        "condition": li[8],
                        "qty_restocked": li[9],
                        "decision": li[10],
                        "qty_accepted": li[11],
                    }
                    for li in r["lines"]
                ],
                "accepted_total": r["accepted_total"],
                "fees_total": r["fees_total"],
                "resolution_amount": r["resolution_amount"],
                "replacement_order": r["_replacement_reference"],
                "exchange": _exchange(r),
                "label": r["label"] or None,
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
                "approved_at": r["approved_at"],
                "received_at": r["received_at"],
                "completed_at": r["completed_at"],
                "actions": actions(r),
            }
        )
    return items
