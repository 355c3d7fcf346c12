"""Claims over HTTP (issue 15), mounted at /claims: create (JSON), evidence (multipart),
list, one claim, and one endpoint per action of the claim table (approve, reject, pay)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile
from pydantic import Field

from tokodesk.core.api.actions import add_action_routes
from tokodesk.core.api.common import ERRORS
from tokodesk.core.documents import require
from tokodesk.core.errors import NotFound, ValidationFailed
from tokodesk.payments import claim_selectors, claims
from tokodesk.payments.claim_states import CLAIM_TABLE, READ_PERMISSION
from tokodesk.payments.claims import ClaimIn
from tokodesk.payments.models import Claim

router = Router(tags=["Claims"])


class EvidenceOut(Schema):
    id: int
    name: str
    uploaded_at: dt.datetime


class ClaimEventOut(Schema):
    kind: str
    action: str
    from_status: str
    to_status: str
    actor: str | None
    data: dict
    created_at: dt.datetime


class ClaimOut(Schema):
    reference: str
    order: str
    courier: str | None
    reason: str = Field(description="lost or damaged.")
    status: str = Field(description="submitted, approved, rejected or paid.")
    version: int
    currency: str
    amount: int = Field(description="The amount claimed, in minor units.")
    approved_amount: int | None
    paid_amount: int | None
    paid_on: dt.date | None
    payment_reference: str
    note: str
    decision_note: str
    created_at: dt.datetime
    actions: list[str] = Field(description="The actions you may run now.")


class ClaimDetailOut(ClaimOut):
    evidence: list[EvidenceOut]
    events: list[ClaimEventOut]


def claim_out(c: Claim, user) -> dict:
    return {
        "reference": c.reference,
        "order": c.order.reference,
        "courier": c.courier.code if c.courier_id else None,
        "reason": c.reason,
        "status": c.status,
        "version": c.version,
        "currency": c.currency,
        "amount": c.amount,
        "approved_amount": c.approved_amount,
        "paid_amount": c.paid_amount,
        "paid_on": c.paid_on,
        "payment_reference": c.payment_reference,
        "note": c.note,
        "decision_note": c.decision_note,
        "created_at": c.created_at,
        "actions": [t.action for t in CLAIM_TABLE.available(c, user)],
    }


def _detail(request, reference: str) -> dict:
    require(request.auth, READ_PERMISSION)
    claim = claim_selectors.claim_get(reference, user=request.auth)
    if claim is None:
        raise NotFound("not_found", _("Claim not found."))
    return {
        **claim_out(claim, request.auth),
        "evidence": [
            {"id": e.pk, "name": e.original_name or e.file.name, "uploaded_at": e.uploaded_at}
            for e in claim.evidence.all()
        ],
        "events": [
            {
                "kind": e.kind,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor.username if e.actor_id else None,
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in claim_selectors.claim_events(claim)
        ],
    }


@router.post(
    "",
    response={201: ClaimDetailOut, **ERRORS},
    summary="Claim a lost or damaged parcel",
    description="JSON: the order's reference, `reason` (lost: the order must be marked lost or "
    "damaged; damaged: also delivered or returned orders), `amount`, `note`. One claim in "
    "progress per order (409 `claim_exists`). Evidence files: POST /claims/{reference}/evidence.",
)
def create_claim(request, payload: ClaimIn):
    claim = claims.claim_create(
        data=payload.model_dump(mode="json"), actor=request.auth, source="api"
    )
    return HttpStatus(201, _detail(request, claim.reference))


@router.get("", response={200: list[ClaimOut], **ERRORS}, summary="List claims, newest first")
def list_claims(
    request, status: str | None = None, courier: str | None = None, limit: int = 50, offset: int = 0
):
    require(request.auth, READ_PERMISSION)
    limit, offset = min(max(limit, 1), 200), min(max(offset, 0), 10**9)
    if status is not None and status not in Claim.Status.values:
        raise ValidationFailed(
            "invalid_input", _("Unknown status."), fields={"status": _("Unknown status.")}
        )
    rows = claim_selectors.claim_list(
        user=request.auth, status=status, courier=courier, limit=limit, offset=offset
    )
    return [claim_out(c, request.auth) for c in rows]


@router.get(
    "/{reference}",
    response={200: ClaimDetailOut, **ERRORS},
    summary="One claim, its evidence and timeline",
)
def get_claim(request, reference: str):
    return _detail(request, reference)


@router.post(
    "/{reference}/evidence",
    response={201: ClaimDetailOut, **ERRORS},
    summary="Add an evidence file (multipart `file`: a photo or a PDF)",
)
def add_evidence(request, reference: str, file: File[UploadedFile]):
    claims.claim_add_evidence(reference=reference, files=[file], actor=request.auth, source="api")
    return HttpStatus(201, _detail(request, reference))


add_action_routes(
    router, CLAIM_TABLE, service=claims.claim_apply_action, response=ClaimDetailOut, lookup=_detail
)
