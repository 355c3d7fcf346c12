"""Orders over HTTP: parse → service/selector → serialize. No business rules here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from tokodesk.core.api import write_block
from tokodesk.core.api.actions import add_action_routes
from tokodesk.core.api.common import ERRORS, expected_version
from tokodesk.core.api.write_block import rendered, write_once
from tokodesk.core.errors import NotFound
from tokodesk.core.inputs import StrictInput
from tokodesk.core.models import settings_read_once
from tokodesk.orders import selectors, services
from tokodesk.orders.languages import order_set_language
from tokodesk.orders.payment_options import label_of
from tokodesk.orders.schemas import (
    AssignIn,
    EventOut,
    NoteIn,
    NoteOut,
    OrderCreateIn,
    OrderDetailOut,
    OrderPageOut,
    OrderPatchIn,
    TabCountsOut,
    TagsIn,
)
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.orders.tabs import TABS

router = Router(tags=["orders"])


def _related(order, annotated: str, relation: str, field: str):
    if hasattr(order, annotated):
        return getattr(order, annotated)
    if getattr(order, f"{relation}_id") is None:
        return None
    return getattr(getattr(order, relation), field)


def order_out(order, user, lines=None, tags=None) -> dict:
    """The order as the API shows it; `lines` and `tags` when the caller has them already
    (otherwise read through order.lines / order.tags, prefetched by the list)."""
    lines = order.lines.all() if lines is None else sorted(lines, key=lambda li: li.pk)
    tags = order.tags.all() if tags is None else sorted(tags, key=lambda t: t.name)
    return {
        "reference": order.reference,
        "status": order.status,
        "status_label": str(Status(order.status).label),
        "version": order.version,
        "channel": order.channel,
        # api_*: the codes with_api_relations read with the list (no related objects).
        "landing_page": _related(order, "api_landing_page", "landing_page", "slug"),
        "customer": order.customer_id,
        "customer_id": order.customer_id,
        "recipient": {"name": order.recipient_name, "phone": order.recipient_phone,
                      "email": order.recipient_email, "address": order.destination_address,
                      "city": order.destination_city, "postcode": order.destination_postcode},
        "warehouse": _related(order, "api_warehouse", "warehouse", "code"),
        "courier": _related(order, "api_courier", "courier", "code"),
        "courier_service": order.courier_service,
        "destination": order.destination_district_id,
        "awb": order.awb,
        "payment_method": order.payment_method,
        "payment_method_code": order.payment_option.code if order.payment_option_id else None,
        "payment_method_label": order.payment_method_label,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_cost": order.shipping_cost,
        "insurance_cost": order.insurance_cost,
        "discount": order.discount,
        "transfer_code": order.transfer_code,
        "total": order.total,
        "paid_total": order.paid_total,
        "outstanding": order.outstanding,
        "assigned_agent": _related(order, "api_agent", "assigned_agent", "username"),
        "tags": [t.name for t in tags],
        "lines": [{"sku": li.sku, "name": li.name, "qty": li.qty, "unit_price": li.unit_price,
                   "line_total": li.line_total, "serial_numbers": li.serial_numbers} for li in lines],
        "customer_note": order.customer_note,
        "language": order.language or None,
        "cancellation_reason": order.cancellation_reason,
        "cancellation_deadline": order.cancellation_deadline,
        "ship_by": order.ship_by,
        "deadline": order.deadline,
        "invoice_number": order.invoice_number,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "actions": [t.action for t in ORDER_TRANSITIONS.available(order, user)],
    }


def order_detail_out(order, user, *, just_created: bool = False) -> dict:
    """One order with its payments and notes. `just_created`: the order as order_create
    returned it (its written lines and tags, no payment nor note yet), nothing read back."""
    if just_created:
        data = order_out(order, user, lines=order.written_lines, tags=order.written_tags)
        payments, notes = getattr(order, "written_payments", []), []  # store credit paid at creation
    else:
        data = order_out(order, user)
        payments, notes = order.payments.all(), order.notes.all()
    data["payments"] = [
        {"id": p.id, "kind": p.kind, "amount": p.amount, "paid_on": p.paid_on, "account": p.account,
         "reference": p.reference, "recorded_at": p.recorded_at, "voided_at": p.voided_at,
         "remitted_at": p.remitted_at}
        for p in payments
    ]
    data["notes"] = [
        {"id": n.id, "body": n.body, "author": n.author.username if n.author else None, "created_at": n.created_at}
        for n in notes
    ]
    return data


class ListQuery(Schema):
    tab: str | None = Field(None, description=" | ".join(TABS))
    status: list[str] | None = None
    # One day inside Python's date range: the filter moves to day boundaries in UTC.
    date_from: dt.date | None = Field(None, ge=dt.date(1, 1, 2), le=dt.date(9999, 12, 30))
    date_to: dt.date | None = Field(None, ge=dt.date(1, 1, 2), le=dt.date(9999, 12, 30))
    agent: str | None = Field(None, max_length=150)
    landing_page: str | None = Field(None, max_length=100)
    warehouse: str | None = Field(None, max_length=30)
    courier: str | None = Field(None, max_length=30)
    payment_method: str | None = Field(None, max_length=30)
    tag: str | None = Field(None, max_length=50)
    channel: str | None = Field(None, max_length=30)
    min_total: int | None = Field(None, ge=0)
    max_total: int | None = Field(None, ge=0)
    q: str | None = Field(None, max_length=100)
    sort: str | None = Field(
        None,
        description="-created_at | created_at | -total | total | deadline (the next deadline "
        "soonest first, then the orders without one, newest first). Default: the tab's, "
        + ", ".join(f"{t.default_sort} for {t.key}" for t in TABS.values()),
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)

    def filters(self) -> selectors.OrderFilters:
        data = self.model_dump(exclude={"sort", "cursor", "limit"})
        return selectors.OrderFilters(**data)


@router.get("", response={200: OrderPageOut, **ERRORS}, summary="List orders (filters of the orders page)")
def list_orders(request, query: Query[ListQuery]):
    # order_page builds plain data in OrderPageOut's shape (test_list_unvalidated: the same
    # bytes as ninja's validated answer, every tab): rendered as is, without validating a
    # page of 50 orders again (~1 ms of CPU per request, issue 16).
    api = write_block.serving_api(request)  # the API serving this request (its renderer)
    return api.create_response(request, order_page(request.auth, query), status=200)


# What the list reads of an order: its columns (the transition guards may read any) and
# the codes of its related rows.
_LIST_RELATED = {
    "api_warehouse": F("warehouse__code"),
    "api_courier": F("courier__code"),
    "api_landing_page": F("landing_page__slug"),
    "api_agent": F("assigned_agent__username"),
    "api_payment_code": F("payment_option__code"),
    "api_payment_label": F("payment_option__label"),
    "api_payment_labels": F("payment_option__labels"),
}


def order_page(user, query: ListQuery) -> dict:
    """The list as order_out would give it for each order, built from values: the orders
    in one query (with the codes of their warehouse, courier, landing page and agent), the
    lines and the tags of the page in one query each; no model instance."""
    rows, next_cursor = selectors.order_list(
        user=user, filters=query.filters(), sort=query.sort, cursor=query.cursor, limit=query.limit,
        values=selectors.order_columns(), values_expressions=_LIST_RELATED)
    lines, tags = selectors.lines_and_tags([r["id"] for r in rows])
    actions = ORDER_TRANSITIONS.available_for(user)
    labels = {}

    def label_for(status):
        label = labels.get(status)
        if label is None:
            label = labels[status] = str(Status(status).label)
        return label

    items = [
        row_out(r, label_for(r["status"]), tags[r["id"]],
                [{"sku": sku, "name": name, "qty": qty, "unit_price": price, "line_total": qty * price,
                  "serial_numbers": serials}
                 for sku, name, qty, price, serials in lines[r["id"]]],
                actions(r))
        for r in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


def row_out(r, status_label: str, tags: list[str], lines: list[dict], actions: list[str]) -> dict:
    """An order read as values (selectors.OrderRow with _LIST_RELATED's columns) as the API
    shows it: the same as order_out gives for the Order."""
    return {
        "reference": r["reference"],
        "status": r["status"],
        "status_label": status_label,
        "version": r["version"],
        "channel": r["channel"],
        "landing_page": r["api_landing_page"],
        "customer": r["customer_id"],
        "customer_id": r["customer_id"],
        "recipient": {"name": r["recipient_name"], "phone": r["recipient_phone"],
                      "email": r["recipient_email"], "address": r["destination_address"],
                      "city": r["destination_city"], "postcode": r["destination_postcode"]},
        "warehouse": r["api_warehouse"],
        "courier": r["api_courier"],
        "courier_service": r["courier_service"],
        "destination": r["destination_district_id"],
        "awb": r["awb"],
        "payment_method": r["payment_method"],
        "payment_method_code": r["api_payment_code"],
        "payment_method_label": label_of(r["payment_method"], r["api_payment_label"], r["api_payment_labels"]),
        "currency": r["currency"],
        "subtotal": r["subtotal"],
        "shipping_cost": r["shipping_cost"],
        "insurance_cost": r["insurance_cost"],
        "discount": r["discount"],
        "transfer_code": r["transfer_code"],
        "total": r["total"],
        "paid_total": r["paid_total"],
        "outstanding": r.outstanding,
        "assigned_agent": r["api_agent"],
        "tags": tags,
        "lines": lines,
        "customer_note": r["customer_note"],
        "language": r["language"] or None,
        "cancellation_reason": r["cancellation_reason"],
        "cancellation_deadline": r["cancellation_deadline"],
        "ship_by": r["ship_by"],
        "deadline": r.deadline,
        "invoice_number": r["invoice_number"],
        "created_at": r["created_at"],
        "updated_at": r["updated_at"],
        "actions": actions,
    }


@router.get("/tab-counts", response={200: TabCountsOut, **ERRORS}, summary="Count of every tab")
def tab_counts(request, query: Query[ListQuery]):
    filters = query.filters()
    return selectors.tab_counts(user=request.auth, filters=filters)


@router.post("", response={201: OrderDetailOut, **ERRORS}, summary="Create an order")
def create_order(request, payload: OrderCreateIn):
    data = services.OrderInput(
        customer=services.CustomerInput(**payload.customer.model_dump()),
        lines=[services.LineInput(**line.model_dump()) for line in payload.lines],
        **payload.model_dump(exclude={"customer", "lines"}),
    )
    with settings_read_once():  # the prepare's settings rows serve the writes too
        # Every read and check before the write block (on SQLite the one writer), which
        # claims the Idempotency-Key, writes and stores the answer (core.api.write_block).
        prepared = services.order_prepare(data=data, actor=request.auth)

        def write():
            order = services.order_create(data=data, actor=request.auth, source="api",
                                          prepared=prepared, savepoint=False)
            # The order comes back with its lines and tags as written: the answer is the
            # same as GET /orders/{reference} without reading the order back.
            request.tokodesk_etag = order.etag
            return rendered(request, 201, order_detail_out(order, request.auth, just_created=True), OrderDetailOut)

        return write_once(request, write)


def order_detail(user, reference: str) -> tuple[dict, str] | None:
    """GET /orders/{reference}'s answer and ETag, built from values (selectors.
    order_detail_values: five queries, no model instance); the same as order_detail_out
    gives for order_get's Order."""
    found = selectors.order_detail_values(user=user, reference=reference, related=_LIST_RELATED)
    if found is None:
        return None
    r = found.row
    lines = [{"sku": li["sku"], "name": li["name"], "qty": li["qty"], "unit_price": li["unit_price"],
              "line_total": li["qty"] * li["unit_price"], "serial_numbers": li["serial_numbers"]}
             for li in found.lines]
    data = row_out(r, str(Status(r["status"]).label), found.tags, lines,
                   ORDER_TRANSITIONS.available_for(user)(r))
    data["payments"] = found.payments
    data["notes"] = [{"id": n["id"], "body": n["body"], "author": n["author_name"], "created_at": n["created_at"]}
                     for n in found.notes]
    return data, r.etag


def _detail_data(request, reference) -> dict:
    """The order's detail (its ETag on the request for the ETag middleware); 404 if not seen."""
    found = order_detail(request.auth, reference)
    if found is None:
        raise NotFound("not_found", _("Order %(reference)s not found.") % {"reference": reference[:60]})
    data, request.tokodesk_etag = found
    return data


def _detail_response(request, reference, status=200):
    return HttpStatus(status, _detail_data(request, reference))


@router.get("/{reference}", response={200: OrderDetailOut, **ERRORS}, summary="One order")
def get_order(request, reference: str):
    # order_detail builds plain data in OrderDetailOut's shape (test_api_detail_compiled: the
    # same bytes as ninja's validated answer): rendered as is, as the list is (issue 16).
    data = _detail_data(request, reference)
    return write_block.serving_api(request).create_response(request, data, status=200)


@router.patch("/{reference}", response={200: OrderDetailOut, **ERRORS}, summary="Edit an order (before shipment)")
def patch_order(request, reference: str, payload: OrderPatchIn):
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    language = changes.pop("language", None)
    reason = changes.pop("shipping_cost_reason", None) or ""
    if "lines" in changes:
        changes["lines"] = [dict(line) for line in changes["lines"]]
    version = expected_version(request, payload.version)
    with transaction.atomic():
        if changes or not language:
            services.order_edit(reference=reference, actor=request.auth, changes=changes, expected_version=version,
                                reason=reason)
            version = None  # checked once: the edit may have moved it on
        if language:
            # The buyer's language changes in any status (orders.languages), not only before shipment.
            order_set_language(reference=reference, actor=request.auth, language=language,
                               expected_version=version, source="api")
    return _detail_response(request, reference)


# One endpoint per action of the table (POST /{reference}/actions/ship …), typed by its
# input model; confirm_payment also takes the proof of transfer as multipart.
add_action_routes(router, ORDER_TRANSITIONS, service=services.order_apply_action, response=OrderDetailOut,
                  lookup=_detail_response, uploads={"confirm_payment": ("proof",)})


@router.get("/{reference}/timeline", response={200: list[EventOut], **ERRORS}, summary="The order's timeline")
def timeline(request, reference: str):
    order = selectors.order_queryset_for(request.auth).filter(reference=reference).first()
    if order is None:
        raise NotFound("not_found", _("Order %(reference)s not found.") % {"reference": reference[:60]})
    return [
        {"id": e.id, "kind": e.kind, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
         "actor": e.actor.username if e.actor else None, "source": e.source, "data": e.data,
         "created_at": e.created_at}
        for e in selectors.order_timeline(order=order)
    ]


@router.post("/{reference}/assign", response={200: OrderDetailOut, **ERRORS}, summary="Change the agent")
def assign(request, reference: str, payload: AssignIn):
    services.order_assign_agent(reference=reference, actor=request.auth, agent=payload.agent,
                                expected_version=expected_version(request, payload.version))
    return _detail_response(request, reference)


class SerialLineIn(StrictInput):
    line: int | None = Field(None, ge=1, description="The order line id (or its sku).")
    sku: str | None = Field(None, min_length=1, max_length=64)
    serial_numbers: list[str] = Field(..., max_length=1000, description="One per unit shipped.")


class SerialsIn(StrictInput):
    version: int | None = Field(None, ge=1)
    lines: list[SerialLineIn] = Field(..., min_length=1, max_length=200)


@router.post("/{reference}/serials", response={200: OrderDetailOut, **ERRORS},
             summary="Record the serial numbers shipped (serial-tracked variants)")
def record_serials(request, reference: str, payload: SerialsIn):
    from tokodesk.orders.serials import order_record_serials

    order_record_serials(reference=reference, actor=request.auth,
                         lines=[line.model_dump() for line in payload.lines],
                         expected_version=expected_version(request, payload.version))
    return _detail_response(request, reference)


@router.post("/{reference}/tags", response={200: OrderDetailOut, **ERRORS}, summary="Add or remove tags")
def tags(request, reference: str, payload: TagsIn):
    services.order_tag(reference=reference, actor=request.auth, add=payload.add, remove=payload.remove)
    return _detail_response(request, reference)


@router.post("/{reference}/notes", response={201: NoteOut, **ERRORS}, summary="Add an internal note")
def add_note(request, reference: str, payload: NoteIn):
    note = services.order_add_note(reference=reference, actor=request.auth, body=payload.body)
    return HttpStatus(201, {"id": note.id, "body": note.body, "author": note.author.username if note.author else None,
                 "created_at": note.created_at})
