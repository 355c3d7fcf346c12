"""Stock pages under /stock/: the ledger (filters, keyset pages, CSV for a date range),
receiving, adjusting, transferring and stocktakes. Everyone who may see stock reads;
writing needs the warehouse role or above. The views call the same services as the API
(catalog/services/stock_ops.py) and show their field errors next to the fields."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tokodesk.catalog import xlsx
from tokodesk.catalog.models import AdjustmentReason, StockMovement, Stocktake, Warehouse
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.importing import safe_text
from tokodesk.catalog.services.ledger import MovementFilters, movement_page, movement_queryset
from tokodesk.core.errors import DomainError, ValidationFailed

view_stock = permission_required("catalog.view_stock", raise_exception=True)
MAX_ROWS = 50
CSV_MAX_DAYS = 366


def _require_work(request):
    if not stock_ops.can_work_stock(request.user):
        raise DjangoPermissionDenied


def _warehouses():
    return list(Warehouse.objects.filter(active=True).order_by("name"))


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _context(request, **extra):
    return {"nav": "stock", "can_work": stock_ops.can_work_stock(request.user), **extra}


def _rows(request, default=5) -> int:
    try:
        return max(
            1, min(MAX_ROWS, int(request.GET.get("rows") or request.POST.get("rows") or default))
        )
    except ValueError:
        return default


def _line_errors(exc: DomainError, n: int) -> tuple[list[dict], dict]:
    """Split a service's field errors into per-row errors (lines.2.sku → row 2, sku)
    and the form's other fields."""
    rows: list[dict] = [{} for _i in range(n)]
    other = {}
    for key, message in exc.fields.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < n:
            rows[int(parts[1])][parts[2] if len(parts) > 2 else "sku"] = message
        else:
            other[key] = message
    return rows, other


def _posted_lines(request, fields: tuple[str, ...]) -> list[dict]:
    """The form's rows as the service reads them (blank rows skipped, indexes kept
    aligned with what the page shows)."""
    lines = []
    for i in range(_rows(request)):
        row = {f: request.POST.get(f"{f}-{i}", "").strip() for f in fields}
        if any(row.values()):
            lines.append(row)
    return lines


# --- the ledger ---------------------------------------------------------------------------


def _filters(request) -> MovementFilters:
    kind = request.GET.get("kind", "")
    return MovementFilters(
        sku=request.GET.get("sku", "").strip()[:64],
        warehouse=request.GET.get("warehouse", "").strip()[:30],
        kind=kind if kind in StockMovement.Kind.values else "",
        since=_date(request.GET.get("since")),
        until=_date(request.GET.get("until")),
    )


@login_required
@view_stock
def ledger_view(request):
    f = _filters(request)
    try:
        page, next_cursor = movement_page(f, cursor=request.GET.get("cursor") or None, limit=50)
    except ValidationFailed:  # a crafted cursor: the first page
        page, next_cursor = movement_page(f, limit=50)
    query = request.GET.copy()
    query.pop("cursor", None)
    today = timezone.localdate()
    return render(
        request,
        "catalog/stock/ledger.html",
        _context(
            request,
            movements=page,
            next_cursor=next_cursor,
            f=f,
            query=query.urlencode(),
            kinds=StockMovement.Kind.choices,
            warehouses=Warehouse.objects.order_by("name"),
            csv_since=(f.since or today - dt.timedelta(days=30)).isoformat(),
            csv_until=(f.until or today).isoformat(),
        ),
    )


class _Echo:
    def write(self, value):
        return value


LEDGER_HEADER = [
    "created_at",
    "warehouse",
    "sku",
    "product",
    "kind",
    "on_hand_change",
    "reserved_change",
    "on_hand_after",
    "reserved_after",
    "actor",
    "reason",
    "document",
]


def _ledger_export_filters(request):
    """The export's filters, its range defaulted (the last 30 days) and checked (at most a
    year); None when the range is refused (the message is set)."""
    f = _filters(request)
    today = timezone.localdate()
    f.until = f.until or today
    f.since = f.since or f.until - dt.timedelta(days=30)
    if f.since > f.until or (f.until - f.since).days > CSV_MAX_DAYS:
        messages.error(request, _("Choose a date range of at most a year."))
        return None
    return f


def ledger_values(f: MovementFilters):
    """The ledger export's rows as values (header first): the CSV and the workbook write
    the same ones."""
    yield LEDGER_HEADER
    for m in movement_queryset(f).iterator(chunk_size=2000):
        yield [
            timezone.localtime(m.created_at).isoformat(timespec="seconds"),
            m.warehouse.code,
            m.variant.sku,
            m.variant.display_name,
            m.kind,
            m.on_hand_change,
            m.reserved_change,
            m.on_hand_after,
            m.reserved_after,
            m.actor.username if m.actor_id else "",
            m.reason,
            m.doc_ref,
        ]


@login_required
@view_stock
def ledger_csv_view(request):
    """The ledger for a date range (at most a year) as CSV, streamed. Text that a
    spreadsheet would read as a formula is prefixed with "'" (as the catalog export)."""
    f = _ledger_export_filters(request)
    if f is None:
        return redirect(reverse("stock:ledger"))
    writer = csv.writer(_Echo())

    def rows():
        for row in ledger_values(f):
            yield writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"stock-ledger-{f.since.isoformat()}-{f.until.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@view_stock
def ledger_xlsx_view(request):
    """The same rows as the CSV, as an Excel workbook: written row by row to a temporary
    file by openpyxl's write-only mode (bounded memory), then streamed."""
    f = _ledger_export_filters(request)
    if f is None:
        return redirect(reverse("stock:ledger"))
    name = f"stock-ledger-{f.since.isoformat()}-{f.until.isoformat()}.xlsx"
    return xlsx.response(ledger_values(f), title="ledger", filename=name)


# --- receive, adjust, transfer --------------------------------------------------------------


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def receive_view(request):
    _require_work(request)
    n = _rows(request)
    values = {"warehouse": "", "supplier": "", "note": ""}
    rows = [{} for _i in range(n)]
    row_errors, errors = [{} for _i in range(n)], {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        rows = [
            {f: request.POST.get(f"{f}-{i}", "").strip() for f in ("sku", "qty", "unit_cost")}
            for i in range(n)
        ]
        lines = [r for r in rows if any(r.values())]
        shown = [i for i, r in enumerate(rows) if any(r.values())]
        try:
            receipt = stock_ops.receive_stock(
                actor=request.user,
                warehouse=values["warehouse"],
                supplier=values["supplier"],
                note=values["note"],
                lines=[{**r, "unit_cost": r["unit_cost"] or None} for r in lines],
            )
        except DomainError as exc:
            by_line, errors = _line_errors(exc, len(lines))
            for k, i in enumerate(shown):
                row_errors[i] = by_line[k]
            errors.setdefault("general", exc.message)
        else:
            messages.success(request, _("Stock received: %(ref)s.") % {"ref": receipt})
            return redirect(reverse("stock:ledger") + f"?warehouse={receipt.warehouse.code}")
    return render(
        request,
        "catalog/stock/receive.html",
        _context(
            request,
            values=values,
            rows=list(zip(rows, row_errors, strict=True)),
            errors=errors,
            warehouses=_warehouses(),
            n=n,
            more=min(MAX_ROWS, n + 5),
        ),
    )


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def adjust_view(request):
    _require_work(request)
    values = {
        "warehouse": request.GET.get("warehouse", ""),
        "sku": request.GET.get("sku", ""),
        "qty_change": "",
        "reason": "",
        "note": "",
    }
    errors = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            adj = stock_ops.adjust_stock(actor=request.user, **values)
        except DomainError as exc:
            errors = {**exc.fields, "general": exc.message}
        else:
            messages.success(request, _("Stock adjusted: %(ref)s.") % {"ref": adj})
            return redirect(reverse("stock:ledger") + f"?sku={adj.variant.sku}")
    return render(
        request,
        "catalog/stock/adjust.html",
        _context(
            request,
            values=values,
            errors=errors,
            warehouses=_warehouses(),
            reasons=stock_ops.active_reasons(),
        ),
    )


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def transfer_view(request):
    _require_work(request)
    n = _rows(request)
    values = {"from": "", "to": "", "note": ""}
    rows = [{} for _i in range(n)]
    row_errors, errors = [{} for _i in range(n)], {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        rows = [
            {f: request.POST.get(f"{f}-{i}", "").strip() for f in ("sku", "qty")} for i in range(n)
        ]
        lines = [r for r in rows if any(r.values())]
        shown = [i for i, r in enumerate(rows) if any(r.values())]
        try:
            transfer = stock_ops.transfer_stock(
                actor=request.user,
                from_warehouse=values["from"],
                to_warehouse=values["to"],
                lines=lines,
                note=values["note"],
            )
        except DomainError as exc:
            by_line, errors = _line_errors(exc, len(lines))
            for k, i in enumerate(shown):
                row_errors[i] = by_line[k]
            errors.setdefault("general", exc.message)
        else:
            messages.success(request, _("Stock transferred: %(ref)s.") % {"ref": transfer})
            return redirect(
                reverse("stock:ledger")
                + f"?kind=transfer_in&warehouse={transfer.to_warehouse.code}"
            )
    return render(
        request,
        "catalog/stock/transfer.html",
        _context(
            request,
            values=values,
            rows=list(zip(rows, row_errors, strict=True)),
            errors=errors,
            warehouses=_warehouses(),
            n=n,
            more=min(MAX_ROWS, n + 5),
        ),
    )


# --- stocktakes ---------------------------------------------------------------------------


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def stocktakes_view(request):
    errors = {}
    if request.method == "POST":
        _require_work(request)
        try:
            take = stock_ops.stocktake_start(
                actor=request.user,
                warehouse=request.POST.get("warehouse", ""),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            errors = {**exc.fields, "general": exc.message}
        else:
            return redirect("stock:stocktake", pk=take.pk)
    takes = Stocktake.objects.select_related("warehouse", "created_by").order_by(
        "-created_at", "-id"
    )[:50]
    return render(
        request,
        "catalog/stock/stocktakes.html",
        _context(request, takes=takes, errors=errors, warehouses=_warehouses()),
    )


def _sheet(take):
    return list(
        take.lines.select_related("variant__product", "counted_by").order_by("variant__sku")
    )


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def stocktake_view(request, pk):
    take = get_object_or_404(
        Stocktake.objects.select_related("warehouse", "created_by", "posted_by"), pk=pk
    )
    errors = {}
    if request.method == "POST":
        _require_work(request)
        action = request.POST.get("action", "count")
        try:
            if action == "count":
                counts = []
                for line in _sheet(take):
                    value = request.POST.get(f"counted-{line.pk}", "").strip()
                    if value != "" and value != (
                        str(line.counted) if line.counted is not None else ""
                    ):
                        counts.append({"sku": line.variant.sku, "counted": value})
                extra_sku = request.POST.get("extra_sku", "").strip()
                if extra_sku:
                    counts.append(
                        {"sku": extra_sku, "counted": request.POST.get("extra_counted", "").strip()}
                    )
                if counts:
                    stock_ops.stocktake_count(
                        actor=request.user, stocktake_id=take.pk, lines=counts
                    )
                messages.success(request, _("Counts saved."))
            elif action == "post":
                stock_ops.stocktake_post(actor=request.user, stocktake_id=take.pk)
                messages.success(request, _("Stocktake posted: the differences are in the ledger."))
            elif action == "cancel":
                stock_ops.stocktake_cancel(actor=request.user, stocktake_id=take.pk)
                messages.success(request, _("Stocktake cancelled."))
        except DomainError as exc:
            errors = {"general": exc.message, **exc.fields}
        else:
            return redirect("stock:stocktake", pk=take.pk)
    lines = _sheet(take)
    return render(
        request,
        "catalog/stock/stocktake.html",
        _context(
            request,
            take=take,
            lines=lines,
            errors=errors,
            counted=sum(1 for line in lines if line.counted is not None),
            differences=sum(1 for line in lines if line.difference),
        ),
    )


@login_required
@view_stock
def stocktake_print_view(request, pk):
    """The count sheet to print: SKUs and empty boxes (a blind count: no expected figure)."""
    take = get_object_or_404(Stocktake.objects.select_related("warehouse"), pk=pk)
    return render(
        request, "catalog/stock/stocktake_print.html", {"take": take, "lines": _sheet(take)}
    )


@login_required
@view_stock
@require_http_methods(["GET", "POST"])
def reasons_view(request):
    """The owner's list of adjustment reasons: add, rename, (de)activate."""
    if not stock_ops.can_manage_reasons(request.user):
        raise DjangoPermissionDenied
    errors = {}
    if request.method == "POST":
        try:
            stock_ops.reason_save(
                actor=request.user,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                active=request.POST.get("active") == "on",
            )
        except DomainError as exc:
            errors = {**exc.fields, "general": exc.message}
        else:
            messages.success(request, _("Reason saved."))
            return redirect("stock:reasons")
    reasons = AdjustmentReason.objects.order_by("position", "name")
    return render(
        request, "catalog/stock/reasons.html", _context(request, reasons=reasons, errors=errors)
    )
