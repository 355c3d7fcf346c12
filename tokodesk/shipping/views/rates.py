"""The rates page (/shipping/rates/, issue 14): the rate tables per courier service, the COD
fee and insurance per courier, add / edit / delete a row, import and export by CSV.

Everyone on the team with the catalogue's read permission sees the tables (agents quote
them to buyers); owner and admin change them (shipping.change_shippingrate). Writes go
through shipping/rates_admin.py and shipping/rates_csv.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tokodesk.core.errors import DomainError
from tokodesk.core.models import ShopSettings
from tokodesk.shipping import rates_admin, rates_csv
from tokodesk.shipping.models import Courier, ShippingRate
from tokodesk.shipping.regions import search_districts

PER_PAGE = 100
RATE_FIELDS = ("courier", "service", "origin", "destination", "price_per_kg", "min_weight_kg",
               "rounding_tolerance_grams", "eta_days_min", "eta_days_max")  # fmt: skip
PRICING_FIELDS = ("cod_fee_percent", "cod_fee_flat", "cod_fee_min", "insurance_percent",
                  "insurance_min", "volumetric_divisor")  # fmt: skip

PRICING_LABELS = {
    "cod_fee_percent": gettext_lazy("COD fee %"), "cod_fee_flat": gettext_lazy("COD fee flat"),
    "cod_fee_min": gettext_lazy("COD fee minimum"), "insurance_percent": gettext_lazy("Insurance %"),
    "insurance_min": gettext_lazy("Insurance minimum"),
    "volumetric_divisor": gettext_lazy("Volumetric divisor"),
}  # fmt: skip


def _filters(request) -> dict:
    return {
        "courier": request.GET.get("courier", "")[:30],
        "service": request.GET.get("service", "")[:30],
        "destination": request.GET.get("destination", "")[:100],
    }


def _pricing_rows(couriers, posted=None, errors=None):
    pricing = rates_admin.pricing_of(couriers)
    rows = []
    for courier in couriers:
        p = pricing[courier.pk]
        values = {
            "cod_fee_percent": _percent(p.cod_fee_bp),
            "cod_fee_flat": p.cod_fee_flat,
            "cod_fee_min": p.cod_fee_min,
            "insurance_percent": _percent(p.insurance_bp),
            "insurance_min": p.insurance_min,
            "volumetric_divisor": p.volumetric_divisor,
        }
        mine = posted is not None and posted.get("courier") == courier.code
        if mine:
            values = {k: posted.get(k, "") for k in PRICING_FIELDS}
        errs = (errors or {}) if mine else {}
        rows.append({
            "courier": courier, "pricing": p, "values": values, "errors": errs,
            "cells": [{"name": k, "value": values[k], "error": errs.get(k, ""), "label": PRICING_LABELS[k]}
                      for k in PRICING_FIELDS],
        })  # fmt: skip
    return rows


def _percent(bp: int) -> str:
    whole, part = divmod(bp or 0, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}".rstrip("0")


def _rates_page(request, *, pricing_posted=None, pricing_errors=None, status=200):
    filters = _filters(request)
    couriers = list(Courier.objects.order_by("name"))
    page = Paginator(rates_admin.rates_filtered(**filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {"rate": r, "destination": rates_admin.destination_label(r),
         "code": rates_admin.destination_code(r), "origin": rates_admin.origin_label(r)}
        for r in page.object_list
    ]  # fmt: skip
    services = sorted({str(s) for c in couriers for s in (c.services or [])})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "shipping/rates.html",
        {
            "nav": "settings",
            "filters": filters,
            "couriers": couriers,
            "services": services,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "pricing": _pricing_rows(couriers, pricing_posted, pricing_errors),
            "can_manage": request.user.has_perm(rates_admin.MANAGE),
            "currency": ShopSettings.get().currency,
        },
        status=status,
    )


@login_required
@permission_required(rates_admin.READ, raise_exception=True)
@require_GET
def rates_view(request):
    return _rates_page(request)


@login_required
@permission_required(rates_admin.MANAGE, raise_exception=True)
@require_POST
def pricing_view(request, code):
    data = rates_admin.PricingInput(**{k: request.POST.get(k, "")[:30] for k in PRICING_FIELDS})
    try:
        rates_admin.pricing_save(courier_code=code, data=data, actor=request.user)
    except DomainError as exc:
        return _rates_page(
            request,
            pricing_posted={"courier": code, **request.POST.dict()},
            pricing_errors={k: str(v) for k, v in exc.fields.items()} or {"": str(exc.message)},
            status=422 if exc.status == 422 else exc.status,
        )
    messages.success(request, _("Prices of %(courier)s saved.") % {"courier": code})
    return redirect("shipping:rates")


def _rate_values(rate: ShippingRate | None) -> dict:
    if rate is None:
        return {"origin": "", "min_weight_kg": 1, "rounding_tolerance_grams": 300,
                "eta_days_min": 1, "eta_days_max": 3}  # fmt: skip
    return {
        "courier": rate.courier.code, "service": rate.service,
        "origin": rates_admin.origin_code(rate), "destination": rates_admin.destination_code(rate),
        "destination_label": rates_admin.destination_label(rate),
        "price_per_kg": rate.price_per_kg, "min_weight_kg": rate.min_weight_kg,
        "rounding_tolerance_grams": rate.rounding_tolerance_grams,
        "eta_days_min": rate.eta_days_min, "eta_days_max": rate.eta_days_max,
    }  # fmt: skip


@login_required
@permission_required(rates_admin.MANAGE, raise_exception=True)
def rate_edit_view(request, rate_id=None):
    rate = None
    if rate_id is not None:
        rate = rates_admin.rates_queryset().filter(pk=rate_id).first()
        if rate is None:
            messages.error(request, _("This rate no longer exists."))
            return redirect("shipping:rates")
    values, errors, status = _rate_values(rate), {}, 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[:100] for k in RATE_FIELDS}
        values["destination_label"] = request.POST.get("destination_label", "")[:200]
        data = rates_admin.RateInput(**{k: values[k] for k in RATE_FIELDS},
                                     active=request.POST.get("active", "on") == "on")  # fmt: skip
        try:
            rates_admin.rate_save(data=data, actor=request.user, rate_id=rate_id)
        except DomainError as exc:
            errors = {k: str(v) for k, v in exc.fields.items()} or {"": str(exc.message)}
            status = 422 if exc.status == 422 else exc.status
        else:
            messages.success(request, _("Rate saved."))
            return redirect("shipping:rates")
    return render(
        request,
        "shipping/rate_form.html",
        {
            "nav": "settings",
            "rate": rate,
            "values": values,
            "errors": errors,
            "couriers": list(Courier.objects.filter(active=True).order_by("name")),
            "currency": ShopSettings.get().currency,
        },
        status=status,
    )


@login_required
@permission_required(rates_admin.MANAGE, raise_exception=True)
@require_POST
def rate_delete_view(request, rate_id):
    try:
        rates_admin.rate_delete(rate_id=rate_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Rate deleted."))
    return redirect("shipping:rates")


@login_required
@permission_required(rates_admin.MANAGE, raise_exception=True)
def rates_import_view(request):
    """Step 1 (`file`): the preview, nothing written. Step 2 (`text` carried from the
    preview, `step=apply`): every row written, or none when one is refused."""
    context = {"nav": "settings", "preview": None, "columns": rates_csv.COLUMNS}
    if request.method != "POST":
        return render(request, "shipping/rates_import.html", context)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            text = rates_csv.decode(upload.read(rates_csv.MAX_BYTES + 1))
        else:
            text = request.POST.get("text", "")
        apply = upload is None and request.POST.get("step") == "apply"
        result = (rates_csv.apply if apply else rates_csv.preview)(text=text, actor=request.user)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "shipping/rates_import.html", context, status=422)
    if apply and not result.refused:
        messages.success(
            request,
            _("Rates imported: %(added)s added, %(updated)s updated.")
            % {"added": result.added, "updated": result.updated},
        )
        return redirect("shipping:rates")
    refused = result.refused
    context.update(
        preview=result,
        refused=refused[:500],
        shown=[r for r in result.rows if not r.errors][:50],
        text=text,
        currency=ShopSettings.get().currency,
    )
    return render(request, "shipping/rates_import.html", context, status=422 if refused else 200)


@login_required
@permission_required(rates_admin.READ, raise_exception=True)
@require_GET
def rates_export_view(request):
    qs = rates_admin.rates_filtered(**_filters(request))
    response = StreamingHttpResponse(
        rates_csv.export_stream(qs, ShopSettings.get().currency),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="rates-{stamp}.csv"'
    return response


@login_required
@require_GET
def districts_view(request):
    """The desk's district search (manual order, order edit, rate form): [{id, code, label}]."""
    q = request.GET.get("q", "")[:100]
    if len(q.strip()) < 2:
        return JsonResponse({"results": []})
    found = search_districts(q, limit=12)
    return JsonResponse(
        {"results": [{"id": d.pk, "code": d.code, "label": d.label} for d in found]}
    )
