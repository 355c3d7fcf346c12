"""Claim pages (issue 15): the list (filters by status and courier), a new claim on an
order (with its evidence), one claim (evidence, timeline, the claim table's actions) and
the RTS report. Finance, owner and admin act (orders.manage_payments); agents read the
claims of the orders they see. Every write is a call to payments.claims."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tokodesk.core.errors import DomainError
from tokodesk.core.uploads import serve_upload
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.payments import claim_selectors, claims, rts
from tokodesk.payments.claim_states import CLAIM_TABLE, PERMISSION, READ_PERMISSION
from tokodesk.payments.models import Claim
from tokodesk.shipping.models import Courier

ACTION_FIELDS = {
    "approve": ("amount", "note"),
    "reject": ("reason",),
    "pay": ("amount", "paid_on", "reference"),
}


@login_required
@permission_required(READ_PERMISSION, raise_exception=True)
def claim_list_view(request):
    status = request.GET.get("status") or None
    if status not in (None, *Claim.Status.values):
        status = None
    couriers = list(Courier.objects.all())
    courier = request.GET.get("courier") or None
    if courier not in {c.code for c in couriers}:
        courier = None
    counts = claim_selectors.claim_counts(user=request.user, courier=courier)
    return render(
        request,
        "payments/claims.html",
        {
            "nav": "cod",
            "claims": claim_selectors.claim_list(user=request.user, status=status, courier=courier),
            "statuses": [(value, label, counts[value]) for value, label in Claim.Status.choices],
            "status": status,
            "couriers": couriers,
            "courier": courier,
            "can_act": request.user.has_perm(PERMISSION),
        },
    )


def _create_context(request, order_ref: str, **extra) -> dict:
    order = (
        order_queryset_for(request.user)
        .filter(reference=order_ref)
        .select_related("courier")
        .first()
    )
    return {
        "nav": "cod",
        "order": order,
        "order_ref": order_ref,
        "reasons": Claim.Reason.choices,
        "values": {
            "reason": "lost" if order and order.status == "lost_or_damaged" else "damaged",
            "amount": order.subtotal if order else "",
        },
        **extra,
    }


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def claim_create_view(request):
    if request.method == "GET":
        return render(
            request,
            "payments/claim_new.html",
            _create_context(request, request.GET.get("order", "")),
        )
    data = {k: request.POST.get(k, "") for k in ("order", "reason", "amount", "note")}
    try:
        claim = claims.claim_create(
            data=data, files=request.FILES.getlist("evidence"), actor=request.user, source="web"
        )
    except DomainError as exc:
        context = _create_context(request, data["order"], error=exc.message, errors=exc.fields)
        context["values"] = data
        return render(request, "payments/claim_new.html", context, status=exc.status)
    messages.success(request, _("Claim %(ref)s submitted.") % {"ref": claim.reference})
    return redirect("payments:claim", claim.reference)


def _claim_or_404(request, reference):
    claim = claim_selectors.claim_get(reference, user=request.user)
    if claim is None:
        raise Http404
    return claim


def _detail(request, claim, *, status=200, error=None, errors=None, action=None):
    actions = CLAIM_TABLE.available(claim, request.user)
    return render(
        request,
        "payments/claim.html",
        {
            "nav": "cod",
            "claim": claim,
            "events": claim_selectors.claim_events(claim),
            "status_labels": dict(Claim.Status.choices),
            "actions": [t.action for t in actions],
            "can_act": request.user.has_perm(PERMISSION),
            "can_add_evidence": request.user.has_perm(PERMISSION)
            and claim.status == Claim.Status.SUBMITTED,
            "error": error,
            "errors": errors or {},
            "failed_action": action,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@permission_required(READ_PERMISSION, raise_exception=True)
def claim_view(request, reference: str):
    return _detail(request, _claim_or_404(request, reference))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def claim_action_view(request, reference: str, action: str):
    claim = _claim_or_404(request, reference)
    inputs = {
        name: request.POST[name].strip()
        for name in ACTION_FIELDS.get(action, ())
        if request.POST.get(name, "").strip()
    }
    version = request.POST.get("version", "")
    try:
        claims.claim_apply_action(
            reference=claim.reference,
            action=action,
            actor=request.user,
            inputs=inputs,
            expected_version=int(version) if version.isdigit() else None,
            source="web",
        )
    except DomainError as exc:
        return _detail(
            request, claim, status=exc.status, error=exc.message, errors=exc.fields, action=action
        )
    messages.success(
        request,
        _("Claim %(ref)s: %(status)s.")
        % {"ref": claim.reference, "status": CLAIM_TABLE.statuses[CLAIM_TABLE.get(action).target]},
    )
    return redirect("payments:claim", claim.reference)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def claim_evidence_view(request, reference: str):
    claim = _claim_or_404(request, reference)
    try:
        claims.claim_add_evidence(
            reference=claim.reference,
            files=request.FILES.getlist("evidence"),
            actor=request.user,
            source="web",
        )
    except DomainError as exc:
        return _detail(
            request,
            claim,
            status=exc.status,
            error=exc.message,
            errors=exc.fields,
            action="evidence",
        )
    messages.success(request, _("Evidence added."))
    return redirect("payments:claim", claim.reference)


@login_required
@permission_required(READ_PERMISSION, raise_exception=True)
def claim_file_view(request, reference: str, evidence_id: int):
    claim = _claim_or_404(request, reference)
    row = next((e for e in claim.evidence.all() if e.pk == evidence_id), None)
    if row is None:
        raise Http404
    return serve_upload(row.file, filename=row.original_name or None)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def rts_report_view(request):
    couriers = list(Courier.objects.all())
    courier = request.GET.get("courier") or None
    if courier not in {c.code for c in couriers}:
        courier = None
    return render(
        request,
        "payments/rts.html",
        {
            "nav": "cod",
            "report": rts.rts_report(courier=courier),
            "couriers": couriers,
            "courier": courier,
            "currency": "IDR",
        },
    )
