"""The shop's payment methods over HTTP (issue 17), mounted at /payments/methods: anyone who
reads orders lists them (the codes an order is created with); owner and admin add and change
them, never delete. POST takes an Idempotency-Key (api/idempotency.py), PATCH an If-Match
(the method's ETag) or `version`. Parse → payments.methods → serialize."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as HttpStatus
from pydantic import Field

from tokodesk.core.api.common import ERRORS, expected_version
from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound
from tokodesk.core.inputs import StrictInput
from tokodesk.orders.states import PaymentMethod as Flow
from tokodesk.payments import methods
from tokodesk.payments.models import PaymentMethod

router = Router(tags=["payment methods"])

FlowLit = Literal[tuple(Flow.values)]  # type: ignore[valid-type]
FLOW_HELP = ("The order flow: cod, bank_transfer, payment_gateway (card, PayPal …: a payment link, then the "
             "gateway's callbacks) or invoice.")


class MethodOut(Schema):
    code: str
    label: str = Field(description="In the caller's language (Accept-Language), else the shop's.")
    labels: dict[str, str]
    flow: str
    instructions: dict[str, str]
    active: bool
    position: int
    version: int


class MethodIn(StrictInput):
    code: str = Field(..., min_length=1, max_length=30)
    labels: dict[str, str] = Field(..., description='A label per shop language: {"fr": "Carte bancaire"}.')
    flow: FlowLit = Field(..., description=FLOW_HELP)
    instructions: dict[str, str] = Field(default_factory=dict, description="Shown to the customer after ordering.")


class MethodPatchIn(StrictInput):
    labels: dict[str, str] | None = None
    flow: FlowLit | None = Field(None, description=FLOW_HELP + " Fixed once orders use the method.")
    instructions: dict[str, str] | None = None
    active: bool | None = Field(None, description="false deactivates: its orders keep it, new ones cannot pick it.")
    position: int | None = Field(None, ge=0, le=10_000)
    version: int | None = Field(None, description="The version you read; or send If-Match.")


def _dict(method: PaymentMethod) -> dict:
    return {
        "code": method.code, "label": method.display_label, "labels": method.labels, "flow": method.flow,
        "instructions": method.instructions, "active": method.active, "position": method.position,
        "version": method.version,
    }


def _out(request, method: PaymentMethod, status: int = 200):
    request.tokodesk_etag = f'"{method.version}"'
    return HttpStatus(status, _dict(method))


@router.get("/methods", response={200: list[MethodOut], **ERRORS}, summary="The shop's payment methods")
def list_methods(request, include_inactive: bool = False):
    require(request.auth, "orders.view_order")
    return [_dict(m) for m in methods.payment_methods(include_inactive=include_inactive)]


@router.get("/methods/{code}", response={200: MethodOut, **ERRORS}, summary="One payment method")
def get_method(request, code: str):
    require(request.auth, "orders.view_order")
    method = methods.payment_methods(include_inactive=True).filter(code=code).first()
    if method is None:
        raise NotFound("not_found", _("Not found."))
    return _out(request, method)


@router.post("/methods", response={201: MethodOut, **ERRORS}, summary="Add a payment method (owner, admin)")
def add_method(request, payload: MethodIn):
    return _out(request, methods.payment_method_save(actor=request.auth, create=True, **payload.model_dump()), 201)


@router.patch("/methods/{code}", response={200: MethodOut, **ERRORS},
              summary="Change, move or deactivate a payment method (owner, admin)")
def patch_method(request, code: str, payload: MethodPatchIn):
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    return _out(request, methods.payment_method_save(
        actor=request.auth, code=code, expected_version=expected_version(request, payload.version), **changes))
