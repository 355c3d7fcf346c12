"""Returns, refunds and store credit over HTTP: parse → service/selector → serialize. No
business rules here. Three routers, mounted at /returns, /refunds and /store-credit."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile
from pydantic import Field

from tokodesk.core.api.actions import add_action_routes
from tokodesk.core.api.common import ERRORS, expected_version
from tokodesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from tokodesk.core.uploads import serve_upload
from tokodesk.customers.models import Customer
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.returns import list_values, refunds, selectors, services
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.schemas import (
    CustomStateIn,
    CustomStateOut,
    EventOut,
    GoodwillIn,
    ReasonIn,
    ReasonOut,
    ReasonPatchIn,
    RefundOut,
    ReturnableOut,
    ReturnCreateIn,
    ReturnDetailOut,
    ReturnPageOut,
    ReturnPatchIn,
    StatusOut,
    StoreCreditOut,
)
from tokodesk.returns.states import RETURN_TRANSITIONS, Resolution, Status
from tokodesk.returns.totals import return_totals

router = Router(tags=["returns"])
refunds_router = Router(tags=["refunds"])
store_credit_router = Router(tags=["store credit"])


# --- serializers -----------------------------------------------------------------------------


def _responsible(ret):
    if ret.responsible_user_id:
        return {"type": "user", "name": ret.responsible_user.username}
    if ret.responsible_group_id:
        return {"type": "group", "name": ret.responsible_group.name}
    return None


def _exchange(ret):
    if ret.resolution not in (Resolution.EXCHANGE_SAME, Resolution.EXCHANGE_OTHER):
        return None
    diff = ret.exchange_difference
    credit = max(ret.accepted_total - ret.fees_total, 0)
    return {
        "items": ret.exchange_items,
        "replacement_order": ret.replacement_order.reference if ret.replacement_order_id else None,
        "value": diff + credit if diff is not None else None,
        "difference": diff,
        "due": max(diff, 0) if diff is not None else None,
        "to_refund": max(-diff, 0) if diff is not None else None,
    }


def return_out(ret, user) -> dict:
    return {
        "reference": ret.reference,
        "status": ret.status,
        "status_label": str(Status(ret.status).label),
        "inventree_status": selectors.inventree(ret.status),
        "custom_state": ({"id": ret.custom_state.id, "label": ret.custom_state.display_label, "color": ret.custom_state.color}
                         if ret.custom_state_id else None),
        "version": ret.version,
        "order": ret.order.reference,
        "order_status": ret.order.status,
        "customer": {"id": ret.customer.id, "name": ret.customer.name, "phone": ret.customer.phone},
        "reason": ret.reason,
        "reason_text": ret.reason_text,
        "reason_display": ret.reason_display,
        "resolution": ret.resolution,
        "origin": ret.origin,
        "responsible": _responsible(ret),
        "target_date": ret.target_date,
        "currency": ret.currency,
        "items_count": ret.items_count,
        "lines": [
            {"id": li.id, "order_line": li.order_line_id, "sku": li.sku, "name": li.name, "qty": li.qty,
             "unit_price": li.unit_price, "serial_numbers": li.serial_numbers, "qty_received": li.qty_received,
             "condition": li.condition, "qty_restocked": li.qty_restocked, "decision": li.decision,
             "qty_accepted": li.qty_accepted}
            for li in ret.lines.all()
        ],
        "accepted_total": ret.accepted_total,
        "fees_total": ret.fees_total,
        "resolution_amount": ret.resolution_amount,
        "replacement_order": ret.replacement_order.reference if ret.replacement_order_id else None,
        "exchange": _exchange(ret),
        "label": ret.label.name or None,
        "created_at": ret.created_at,
        "updated_at": ret.updated_at,
        "approved_at": ret.approved_at,
        "received_at": ret.received_at,
        "completed_at": ret.completed_at,
        "actions": [t.action for t in RETURN_TRANSITIONS.available(ret, user)],
    }


def refund_out(r, ret=None) -> dict:
    ret = ret or r.return_order
    return {
        "id": r.id, "order": r.order.reference, "return_reference": ret.reference if ret else None,
        "goodwill": r.return_order_id is None, "amount": r.amount, "method": r.method, "status": r.status,
        "bank_name": r.bank_name, "account_number": r.account_number, "account_holder": r.account_holder,
        "reference": r.reference, "note": r.note, "proof": r.proof.name or None, "paid_on": r.paid_on,
        "created_at": r.created_at,
    }


def return_detail_out(ret, user) -> dict:
    data = return_out(ret, user)
    totals = return_totals(ret)
    # The order is already loaded: do not fetch it again for each refund.
    rows = list(ret.refunds.all())
    for r in rows:
        r.order = ret.order
    data.update(
        extra_lines=[{"id": e.id, "kind": e.kind, "kind_label": e.kind_label, "description": e.description,
                      "label": e.label, "direction": e.direction, "amount": e.amount, "tax_note": e.tax_note}
                     for e in totals.extras],
        totals={"items_value": totals.items_value, "charged": totals.charged, "credited": totals.credited,
                "credit": totals.credit, "final": totals.final},
        refunds=[refund_out(r, ret) for r in rows],
        refunded_total=sum(r.amount for r in rows),
        photos=[{"id": p.id, "line": p.line_id, "sku": next((li.sku for li in ret.lines.all() if li.id == p.line_id),
                                                            None),
                 "uploaded_by": p.uploaded_by, "file": p.file.name, "created_at": p.created_at}
                for p in ret.photos.all()],
        messages=[{"id": m.id, "action": m.action, "body": m.body, "author": m.author.username if m.author else None,
                   "channel": m.channel, "sent_at": m.sent_at, "created_at": m.created_at}
                  for m in ret.messages.all()],
        restock_warehouse=ret.restock_warehouse.code if ret.restock_warehouse_id else None,
        recreated_from=ret.recreated_from.reference if ret.recreated_from_id else None,
    )
    return data


def _detail_response(request, reference, status=200):
    ret = selectors.return_get(user=request.auth, reference=reference)
    if ret is None:
        raise NotFound("not_found", _("Return %(reference)s not found.") % {"reference": reference[:60]})
    request.tokodesk_etag = ret.etag
    return HttpStatus(status, return_detail_out(ret, request.auth))


# --- returns: lists and reference data (before /{reference}) ----------------------------------


class ListQuery(Schema):
    status: list[str] | None = None
    custom_state: str | None = Field(None, max_length=100, description="Custom state id or label.")
    resolution: str | None = Field(None, max_length=30)
    responsible: str | None = Field(None, max_length=160,
                                    description="user:NAME, group:NAME, a user or group name, or none.")
    date_from: dt.date | None = Field(None, ge=dt.date(1, 1, 2), le=dt.date(9999, 12, 30),
                                      description="Request date from (inclusive).")
    date_to: dt.date | None = Field(None, ge=dt.date(1, 1, 2), le=dt.date(9999, 12, 30))
    target_from: dt.date | None = None
    target_to: dt.date | None = None
    order: str | None = Field(None, max_length=100)
    q: str | None = Field(None, max_length=100, description="Reference, order reference, invoice, phone or name.")
    sort: str = Field("-created_at", description="-created_at | created_at")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)

    def filters(self) -> selectors.ReturnFilters:
        return selectors.ReturnFilters(**self.model_dump(exclude={"sort", "cursor", "limit"}))


@router.get("", response={200: ReturnPageOut, **ERRORS}, summary="List returns")
def list_returns(request, query: Query[ListQuery]):
    # From values, no Return instance (issue 16): the same items as return_out gives.
    rows, next_cursor = list_values.return_rows(user=request.auth, filters=query.filters(), sort=query.sort,
                                                cursor=query.cursor, limit=query.limit)
    return {"items": list_values.return_items(rows, request.auth), "next_cursor": next_cursor}


@router.get("/status-counts", response={200: dict[str, int], **ERRORS}, summary="Returns per status (tabs)")
def status_counts(request, query: Query[ListQuery]):
    return selectors.status_counts(user=request.auth, filters=query.filters())


@router.post("", response={201: ReturnDetailOut, **ERRORS}, summary="Create a return (draft)")
def create_return(request, payload: ReturnCreateIn):
    data = services.ReturnInput(
        lines=[services.ReturnLineInput(**line.model_dump()) for line in payload.lines],
        extra_lines=[services.ExtraLineInput(**e.model_dump()) for e in payload.extra_lines],
        exchange_items=[services.ExchangeItemInput(**e.model_dump()) for e in payload.exchange_items],
        **payload.model_dump(exclude={"lines", "extra_lines", "exchange_items"}),
    )
    ret = services.return_create(data=data, actor=request.auth, source="api")
    return _detail_response(request, ret.reference, 201)


@router.get("/reasons", response={200: list[ReasonOut], **ERRORS}, summary="Return reasons the shop offers")
def list_reasons(request, include_inactive: bool = False):
    return list(selectors.return_reasons(include_inactive=include_inactive))


@router.post("/reasons", response={201: ReasonOut, **ERRORS}, summary="Add a return reason (owner)")
def add_reason(request, payload: ReasonIn):
    if selectors.return_reasons(include_inactive=True).filter(code=payload.code.strip().lower()).exists():
        raise ValidationFailed("invalid_input", _("A reason has this code already."), fields={"code": _("Already used.")})
    return HttpStatus(201, services.return_reason_save(actor=request.auth, **payload.model_dump()))


@router.patch("/reasons/{code}", response={200: ReasonOut, **ERRORS}, summary="Change a return reason (owner)")
def patch_reason(request, code: str, payload: ReasonPatchIn):
    if not selectors.return_reasons(include_inactive=True).filter(code=code).exists():
        raise NotFound("not_found", _("Not found."))
    return services.return_reason_save(actor=request.auth, code=code, **payload.model_dump(exclude_unset=True))


@router.get("/statuses", response={200: list[StatusOut], **ERRORS},
            summary="Statuses with InvenTree codes and custom states")
def list_statuses(request):
    return selectors.statuses()


@router.get("/custom-states", response={200: list[CustomStateOut], **ERRORS}, summary="Custom states")
def list_custom_states(request):
    return list(selectors.custom_states())


@router.post("/custom-states", response={201: CustomStateOut, **ERRORS}, summary="Add a custom state (owner)")
def add_custom_state(request, payload: CustomStateIn):
    return HttpStatus(201, services.custom_state_save(actor=request.auth, **payload.model_dump()))


@router.patch("/custom-states/{state_id}", response={200: CustomStateOut, **ERRORS},
              summary="Change a custom state (owner)")
def patch_custom_state(request, state_id: int, payload: CustomStateIn):
    return services.custom_state_save(actor=request.auth, state_id=state_id, **payload.model_dump())


@router.delete("/custom-states/{state_id}", response={200: CustomStateOut, 204: None, **ERRORS},
               summary="Remove a custom state (owner); one in use is deactivated (200 with the state)")
def delete_custom_state(request, state_id: int):
    kept = services.custom_state_delete(actor=request.auth, state_id=state_id)
    return kept if kept is not None else HttpStatus(204, None)


@router.get("/returnable", response={200: ReturnableOut, **ERRORS},
            summary="What an order can still return (the create form offers only this)")
def returnable(request, order: str = Query(..., max_length=100)):
    found = selectors.return_orders_for(request.auth).filter(reference=order.strip().upper()).first()
    if found is None:
        raise NotFound("not_found", _("Order %(reference)s not found.") % {"reference": order[:60]})
    return {
        "order": found.reference, "order_status": found.status,
        "window_ends": services.window_end(found, ReturnSettings.get()),
        "lines": [{"line": ol.id, "sku": ol.sku, "name": ol.name, "qty": ol.qty, "unit_price": ol.unit_price,
                   "returnable": left} for ol, left in selectors.returnable_lines(found)],
    }


# --- one return ------------------------------------------------------------------------------


@router.get("/{reference}", response={200: ReturnDetailOut, **ERRORS}, summary="One return")
def get_return(request, reference: str):
    return _detail_response(request, reference)


@router.patch("/{reference}", response={200: ReturnDetailOut, **ERRORS}, summary="Edit a return")
def patch_return(request, reference: str, payload: ReturnPatchIn):
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.return_edit(reference=reference, actor=request.auth, changes=changes,
                         expected_version=expected_version(request, payload.version))
    return _detail_response(request, reference)


# One endpoint per action of the table (POST /{reference}/actions/approve …), typed by its
# input model; approve also takes the return label as multipart.
add_action_routes(router, RETURN_TRANSITIONS, service=services.return_apply_action, response=ReturnDetailOut,
                  lookup=_detail_response, uploads={"approve": ("label",)})


@router.post("/{reference}/recreate", response={201: ReturnDetailOut, **ERRORS},
             summary="Recreate a rejected or cancelled return as a new draft")
def recreate(request, reference: str):
    new = services.return_recreate(reference=reference, actor=request.auth, source="api")
    return _detail_response(request, new.reference, 201)


@router.get("/{reference}/timeline", response={200: list[EventOut], **ERRORS}, summary="The return's timeline")
def timeline(request, reference: str):
    ret = selectors.return_queryset_for(request.auth).filter(reference=reference).first()
    if ret is None:
        raise NotFound("not_found", _("Return %(reference)s not found.") % {"reference": reference[:60]})
    return [
        {"id": e.id, "kind": e.kind, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
         "actor": e.actor.username if e.actor else None, "source": e.source, "data": e.data,
         "created_at": e.created_at}
        for e in selectors.return_timeline(ret=ret)
    ]


@router.post("/{reference}/label", response={200: ReturnDetailOut, **ERRORS},
             summary="Upload the return label (multipart: file)")
def upload_label(request, reference: str, file: File[UploadedFile], version: Form[int | None] = None):
    services.return_attach_label(reference=reference, actor=request.auth, file=file,
                                 expected_version=expected_version(request, version))
    return _detail_response(request, reference)


@router.get("/{reference}/label", response={200: None, **ERRORS}, summary="Download the return label")
def download_label(request, reference: str):
    ret = selectors.return_queryset_for(request.auth).filter(reference=reference).first()
    if ret is None or not ret.label:
        raise NotFound("not_found", _("Not found."))
    return serve_upload(ret.label, attachment=True)


@router.post("/{reference}/photos", response={201: ReturnDetailOut, **ERRORS},
             summary="Add a photo as evidence (multipart: file, sku or line)")
def add_photo(request, reference: str, file: File[UploadedFile], sku: Form[str | None] = None,
              line: Form[int | None] = None):
    services.return_add_photo(reference=reference, actor=request.auth, file=file, sku=sku, line=line)
    return _detail_response(request, reference, 201)


# --- refunds ---------------------------------------------------------------------------------


class RefundQuery(Schema):
    status: str | None = Field(None, max_length=10)
    method: str | None = Field(None, max_length=20)
    order: str | None = Field(None, max_length=100)
    goodwill: bool | None = None
    limit: int = Field(100, ge=1, le=500)


def _refund_or_404(request, refund_id: int):
    r = refunds.refund_queryset_for(request.auth).select_related("order", "return_order").filter(pk=refund_id).first()
    if r is None:
        raise NotFound("not_found", _("Refund not found."))
    return r


@refunds_router.get("", response={200: list[RefundOut], **ERRORS}, summary="Refunds (pending first)")
def list_refunds(request, query: Query[RefundQuery]):
    qs = refunds.refund_queryset_for(request.auth).select_related("order", "return_order")
    if query.status:
        qs = qs.filter(status=query.status)
    if query.method:
        qs = qs.filter(method=query.method)
    if query.order:
        qs = qs.filter(order__reference=query.order.strip().upper())
    if query.goodwill is not None:
        qs = qs.filter(return_order__isnull=query.goodwill)
    return [refund_out(r) for r in qs.order_by("-status", "-created_at", "-id")[: query.limit]]


@refunds_router.post("", response={201: RefundOut, **ERRORS},
                     summary="Goodwill refund or store credit without a return (finance)")
def goodwill(request, payload: GoodwillIn):
    r = refunds.goodwill_refund(order_reference=payload.order.strip().upper(), actor=request.auth,
                                **payload.model_dump(exclude={"order"}))
    return HttpStatus(201, refund_out(_refund_or_404(request, r.pk)))


@refunds_router.get("/{refund_id}", response={200: RefundOut, **ERRORS}, summary="One refund")
def get_refund(request, refund_id: int):
    return refund_out(_refund_or_404(request, refund_id))


@refunds_router.post("/{refund_id}/mark-paid", response={200: RefundOut, **ERRORS},
                     summary="Record that a refund was paid (multipart: paid_on, proof, reference, note)")
def mark_paid(request, refund_id: int, paid_on: Form[dt.date | None] = None, reference: Form[str] = "",
              note: Form[str] = "", proof: File[UploadedFile] = None):
    if len(reference) > 200 or len(note) > 2000:
        raise ValidationFailed("invalid_input", _("Too long."),
                               fields={"reference" if len(reference) > 200 else "note": _("Too long.")})
    refunds.refund_mark_paid(refund_id=refund_id, actor=request.auth, paid_on=paid_on, proof=proof,
                             reference=reference, note=note)
    return refund_out(_refund_or_404(request, refund_id))


# --- store credit ----------------------------------------------------------------------------


@store_credit_router.get("/{customer_id}", response={200: StoreCreditOut, **ERRORS},
                         summary="A customer's store-credit balance and ledger")
def store_credit(request, customer_id: int):
    user = request.auth
    if not (user.has_perm("customers.view_customer") or user.has_perm("returns.view_all_returns")):
        raise PermissionDenied("permission_denied", _("You are not allowed to see this."))
    qs = Customer.objects.all()
    if not (user.has_perm("orders.view_all_orders") or user.has_perm("returns.view_all_returns")):
        qs = qs.filter(pk__in=order_queryset_for(user).values("customer_id"))
    if not qs.filter(pk=customer_id).exists():
        raise NotFound("not_found", _("Not found."))
    entries = selectors.store_credit_ledger(customer_id)
    return {
        "customer": customer_id,
        "balance": entries[-1].running_balance if entries else 0,
        "entries": [{"id": e.id, "amount": e.amount, "kind": e.kind, "note": e.note,
                     "order": e.order.reference if e.order_id else None,
                     "return_reference": e.return_order.reference if e.return_order_id else None,
                     "running_balance": e.running_balance, "created_at": e.created_at} for e in entries],
    }
