"""COD pages (owner and finance: orders.manage_payments): the reconciliation (expected vs
received per courier and period, outstanding COD with its age, mismatches, CSV export), a
remittance's lines, and the import: upload → column mapping and preview → post. The
uploaded report waits between the steps under a server-made name (its SHA-256) outside the
served files; the import is `services.remittance_import`, the same call as the API."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tokodesk.core.errors import DomainError
from tokodesk.core.money import format_money
from tokodesk.exports.columns import neutralize
from tokodesk.payments import claim_selectors, selectors, services
from tokodesk.payments.models import FIELDS, REQUIRED_FIELDS, RemittanceLine
from tokodesk.payments.reports import FIELD_LABELS, MAX_BYTES, guess_mapping, read_headers
from tokodesk.shipping.models import Courier

PERMISSION = services.PERMISSION
TOKEN = re.compile(r"^[0-9a-f]{64}$")
PREVIEW_ROWS = 100


def _pending_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports" / "remittances"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep(content: bytes) -> str:
    import hashlib

    token = hashlib.sha256(content).hexdigest()
    (_pending_dir() / f"{token}.csv").write_bytes(content)
    return token


def _kept(token: str) -> bytes | None:
    if not TOKEN.match(token or ""):
        return None
    path = _pending_dir() / f"{token}.csv"
    return path.read_bytes() if path.exists() else None


def _forget(token: str) -> None:
    if TOKEN.match(token or ""):
        (_pending_dir() / f"{token}.csv").unlink(missing_ok=True)


def _csv_response(filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
    return response


@login_required
@permission_required(PERMISSION, raise_exception=True)
def reconciliation_view(request):
    courier = request.GET.get("courier") or None
    export = request.GET.get("export")
    now = timezone.now()
    if export == "outstanding":
        return _csv_response(
            "cod-outstanding.csv",
            [_("Order"), _("Courier"), _("AWB"), _("Amount"), _("Collected on"), _("Age (days)")],
            (
                (
                    p.order.reference,
                    p.order.courier.code if p.order.courier_id else "",
                    p.order.awb,
                    p.amount,
                    p.recorded_at.date().isoformat(),
                    selectors.age_days(p.recorded_at, now),
                )
                for p in selectors.outstanding_list(limit=100_000)
            ),
        )
    if export == "mismatches":
        return _csv_response(
            "cod-mismatches.csv",
            [
                _("Remittance"),
                _("Courier"),
                _("Row"),
                _("AWB"),
                _("Order"),
                _("Flag"),
                _("Expected"),
                _("COD amount"),
                _("Fees"),
                _("Paid date"),
            ],
            (
                (
                    line.remittance.file_name,
                    line.remittance.courier.code,
                    line.row_number,
                    line.awb,
                    line.order.reference if line.order_id else "",
                    line.get_flag_display(),
                    line.expected,
                    line.cod_amount,
                    line.fees,
                    line.paid_date.isoformat() if line.paid_date else "",
                )
                for line in selectors.mismatches(limit=100_000, courier=courier)
            ),
        )
    totals = selectors.outstanding_totals()
    outstanding = [
        {"payment": p, "age": selectors.age_days(p.recorded_at, now)}
        for p in selectors.outstanding_list(limit=selectors.LIMIT)
    ]
    by_courier = selectors.outstanding_by_courier()
    for row in by_courier:
        row["age"] = selectors.age_days(row["oldest"], now)
    periods = _money_in(
        selectors.reconciliation_by_period(courier), claim_selectors.paid_by_period(courier)
    )
    return render(
        request,
        "payments/reconciliation.html",
        {
            "nav": "cod",
            "totals": totals,
            "oldest_age": selectors.age_days(totals["oldest"], now) if totals["oldest"] else None,
            "outstanding": outstanding,
            "by_courier": by_courier,
            "periods": periods,
            "remittances": selectors.remittance_list(courier=courier, limit=20),
            "mismatches": selectors.mismatches(limit=50, courier=courier),
            "rts_rates": selectors.rts_rates(now),
            "rts_days": selectors.RTS_WINDOW_DAYS,
            "couriers": Courier.objects.all(),
            "courier": courier,
            "currency": "IDR",
        },
    )


def _money_in(periods: list[dict], claims: list[dict]) -> list[dict]:
    """The remittances' rows per month and courier, with what paid claims brought in the same
    month from the same courier (a month with claims only gets its own row): money in is the
    COD received less the fees, plus the claims paid."""
    rows = {(row["period"], row["courier_name"]): row for row in periods}
    for claim in claims:
        key = (claim["period"], claim["courier_name"])
        if key not in rows:
            rows[key] = {
                "period": key[0],
                "courier_name": key[1],
                "lines": 0,
                "expected": 0,
                "received": 0,
                "fees": 0,
                "mismatched": 0,
            }
        rows[key]["claims"] = claim["paid"] or 0
    for row in rows.values():
        row.setdefault("claims", 0)
        row["difference"] = (row["received"] or 0) - (row["expected"] or 0)
        row["money_in"] = (row["received"] or 0) - (row["fees"] or 0) + row["claims"]
    undated = dt.date.min
    ordered = sorted(rows.values(), key=lambda r: r["courier_name"] or "")
    return sorted(ordered, key=lambda r: r["period"] or undated, reverse=True)


@login_required
@permission_required(PERMISSION, raise_exception=True)
def remittance_view(request, remittance_id: int):
    remittance = selectors.remittance_get(remittance_id)
    if remittance is None:
        raise Http404
    flag = request.GET.get("flag") or None
    if flag not in (None, "mismatched", *RemittanceLine.Flag.values):
        flag = None
    lines = selectors.remittance_lines(remittance, flag=flag)
    if request.GET.get("export") == "csv":
        return _csv_response(
            f"remittance-{remittance.pk}.csv",
            [
                _("Row"),
                _("AWB"),
                _("Order"),
                _("Flag"),
                _("Expected"),
                _("COD amount"),
                _("Courier fee"),
                _("COD fee"),
                _("RTS fee"),
                _("Paid date"),
            ],
            (
                (
                    line.row_number,
                    line.awb,
                    line.order.reference if line.order_id else "",
                    line.get_flag_display(),
                    line.expected,
                    line.cod_amount,
                    line.courier_fee,
                    line.cod_fee,
                    line.rts_fee,
                    line.paid_date.isoformat() if line.paid_date else "",
                )
                for line in lines.iterator()
            ),
        )
    counts = dict.fromkeys(RemittanceLine.Flag.values, 0)
    for row in remittance.lines.values("flag").order_by().annotate(n=Count("id")):
        counts[row["flag"]] = row["n"]
    return render(
        request,
        "payments/remittance.html",
        {
            "nav": "cod",
            "remittance": remittance,
            "lines": list(lines[:500]),
            "flag": flag,
            "counts": [
                (value, label, counts[value]) for value, label in RemittanceLine.Flag.choices
            ],
            "shown_limit": 500,
        },
    )


def _mapping_from(request, headers: list[str], saved: dict | None) -> dict[str, str]:
    if "map_awb" in request.POST:
        return {
            name: request.POST.get(f"map_{name}", "")
            for name in FIELDS
            if request.POST.get(f"map_{name}")
        }
    return saved if saved is not None else guess_mapping(headers)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_view(request):
    couriers = list(Courier.objects.filter(active=True))
    context = {
        "nav": "cod",
        "couriers": couriers,
        "fields": [(n, FIELD_LABELS[n], n in REQUIRED_FIELDS) for n in FIELDS],
    }
    if request.method == "GET":
        return render(request, "payments/import.html", context)
    courier_code = request.POST.get("courier", "")
    upload = request.FILES.get("file")
    token = request.POST.get("token", "")
    file_name = request.POST.get("file_name", "")
    errors = {}
    if upload is not None:
        if upload.size > MAX_BYTES:
            errors["file"] = _("The file is larger than 20 MB.")
        else:
            content = upload.read()
            token, file_name = _keep(content), (upload.name or "remittance.csv")[:255]
    content = _kept(token) if not errors else None
    if content is None and not errors:
        errors["file"] = _("Choose the courier's report (CSV).")
    courier = next((c for c in couriers if c.code == courier_code), None)
    if courier is None:
        errors["courier"] = _("Choose the courier.")
    context.update(
        courier=courier_code, token=token if content else "", file_name=file_name, errors=errors
    )
    if errors:
        return render(request, "payments/import.html", context, status=422)
    try:
        headers = read_headers(content)
    except DomainError as exc:
        context["errors"] = {"file": exc.message}
        return render(request, "payments/import.html", context, status=422)
    mapping = _mapping_from(request, headers, services.saved_mapping(courier))
    context.update(headers=headers, mapping=mapping)
    duplicate = services.find_duplicate(courier, content)
    try:
        if request.POST.get("step") == "post":
            remittance, created = services.remittance_import(
                courier=courier.code,
                file_name=file_name,
                content=content,
                actor=request.user,
                mapping=mapping,
            )
            _forget(token)
            if created:
                messages.success(
                    request,
                    _(
                        "Remittance imported: %(matched)s matched, %(mismatched)s to check; "
                        "%(received)s received."
                    )
                    % {
                        "matched": remittance.matched_count,
                        "mismatched": remittance.mismatched_count,
                        "received": format_money(remittance.total_received, remittance.currency),
                    },
                )
            else:
                messages.info(request, _("This file was imported before: nothing changed."))
            return redirect("payments:remittance", remittance.pk)
        preview = services.remittance_preview(
            courier=courier.code, content=content, actor=request.user, mapping=mapping
        )
    except DomainError as exc:
        context["errors"] = {
            key.removeprefix("mapping."): value for key, value in exc.fields.items()
        } or {"file": exc.message}
        context["error"] = exc.message
        return render(request, "payments/import.html", context, status=422)
    flags = dict.fromkeys(RemittanceLine.Flag.values, 0)
    for line in preview.lines:
        flags[line.flag] += 1
    ordered = sorted(
        preview.lines, key=lambda line: (line.flag == RemittanceLine.Flag.MATCHED, line.row_number)
    )
    context.update(
        preview=preview,
        duplicate=duplicate,
        preview_lines=ordered[:PREVIEW_ROWS],
        flag_counts=[(value, label, flags[value]) for value, label in RemittanceLine.Flag.choices],
        read_errors=preview.report.errors[:20],
        read_error_count=len(preview.report.errors),
    )
    return render(request, "payments/import.html", context)
