"""Dispatch pages (issue 14), reached from the orders page's bulk bar on the To ship tab with
the ticked orders: book a courier through an adapter, type AWBs in a table (scanner-friendly:
Enter goes to the next row, shipping/dispatch.js), import AWBs from a CSV with a preview, and
print labels, packing slips and the picking list. They call the same services as the API
(dispatch.booking, labels, picking); nothing here writes a model."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.core.errors import DomainError
from tokodesk.core.money import format_money
from tokodesk.dispatch import booking, labels, picking
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import ORDER_TRANSITIONS, PaymentMethod, Status
from tokodesk.shipping.couriers import bookable
from tokodesk.shipping.models import Courier

SHIP = "orders.ship_order"
TOOLS = ("book", "awb", "csv", "labels", "labels_a4", "picking", "packing")


def _refs(request) -> list[str]:
    return [r[:40] for r in dict.fromkeys(request.POST.getlist("refs")) if r.strip()][
        : booking.BOOK_LIMIT
    ]


def _orders(request, refs):
    found = {
        o.reference: o
        for o in order_queryset_for(request.user)
        .filter(reference__in=refs)
        .select_related("courier")
    }
    return [found[r] for r in refs if r in found]


def _rows(orders):
    ship = ORDER_TRANSITIONS.get("ship")
    return [
        {
            "order": o,
            "reference": o.reference,
            "status": Status(o.status).label,
            "shippable": o.status in ship.sources,
            "courier": o.courier.code if o.courier_id else "",
            "courier_name": o.courier.name if o.courier_id else "",
            "cod": format_money(booking.cod_amount(o), o.currency)
            if o.payment_method == PaymentMethod.COD
            else "",
        }
        for o in orders
    ]


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _page(request, template, context, status=200):
    return render(request, template, {"nav": "orders", **context}, status=status)


def _error_page(request, exc: DomainError, refs):
    return _page(
        request,
        "shipping/dispatch_result.html",
        {
            "title": _("Dispatch"),
            "error": exc.message,
            "fields": list(exc.fields.values()),
            "refs": refs,
        },
        status=exc.status if 400 <= exc.status < 500 else 200,
    )


@login_required
@permission_required(SHIP, raise_exception=True)
@require_POST
def dispatch_view(request):
    """The bulk bar's dispatch buttons: `tool` says which; `refs` are the ticked orders."""
    tool = request.POST.get("tool", "")
    refs = _refs(request)
    if tool not in TOOLS or not refs:
        return _page(
            request,
            "shipping/dispatch_result.html",
            {
                "title": _("Dispatch"),
                "error": _("Tick the orders first, then choose what to do."),
                "refs": refs,
            },
            status=422,
        )
    try:
        if tool in ("labels", "labels_a4"):
            fmt = "a4" if tool == "labels_a4" else "thermal"
            return _pdf(
                labels.labels_pdf(references=refs, fmt=fmt, actor=request.user), f"labels-{fmt}.pdf"
            )
        if tool == "picking":
            return _pdf(
                picking.picking_pdf(references=refs, actor=request.user), "picking-list.pdf"
            )
        if tool == "packing":
            return _pdf(
                labels.packing_slips_pdf(references=refs, actor=request.user), "packing-slips.pdf"
            )
    except DomainError as exc:
        return _error_page(request, exc, refs)
    rows = _rows(_orders(request, refs))
    if tool == "book":
        return _page(
            request,
            "shipping/dispatch_book.html",
            {
                "rows": rows,
                "refs": refs,
                "adapters": bookable(),
                "shippable": sum(1 for r in rows if r["shippable"]),
            },
        )
    if tool == "awb":
        return _awb_page(request, rows, refs)
    return _page(request, "shipping/dispatch_csv.html", {"refs": refs, "rows": None})


def _awb_page(request, rows, refs, *, values=None, refused=None, status=200):
    values = values or {}
    for row in rows:
        row["awb"] = values.get(row["reference"], ("", ""))[0]
        row["courier"] = values.get(row["reference"], ("", row["courier"]))[1] or row["courier"]
    return _page(
        request,
        "shipping/dispatch_awb.html",
        {
            "rows": [r for r in rows if r["shippable"]],
            "left_out": [r for r in rows if not r["shippable"]],
            "refs": refs,
            "couriers": list(
                Courier.objects.filter(active=True).order_by("name").values_list("code", "name")
            ),
            "refused": refused or [],
        },
        status=status,
    )


def _results_page(request, title, results, refs):
    booked = [r for r in results if r.ok]
    return _page(
        request,
        "shipping/dispatch_result.html",
        {
            "title": title,
            "booked": booked,
            "refused": [r for r in results if not r.ok],
            "booked_refs": [r.reference for r in booked],
            "refs": refs,
        },
    )


@login_required
@permission_required(SHIP, raise_exception=True)
@require_POST
def book_view(request):
    refs = _refs(request)
    try:
        results = booking.orders_book(
            adapter=request.POST.get("adapter", ""),
            references=refs,
            actor=request.user,
            source="web",
        )
    except DomainError as exc:
        return _error_page(request, exc, refs)
    return _results_page(request, _("Book a courier"), results, refs)


@login_required
@permission_required(SHIP, raise_exception=True)
@require_POST
def awb_view(request):
    """The AWB table's submit: each order with a typed AWB is shipped; empty rows are left
    as they are; the refused ones are listed with the reason."""
    refs = _refs(request)
    values = {
        ref: (
            request.POST.get(f"awb_{ref}", "").strip()[:64],
            request.POST.get(f"courier_{ref}", "").strip()[:30],
        )
        for ref in refs
    }
    typed = [(ref, awb, courier) for ref, (awb, courier) in values.items() if awb]
    if not typed:
        rows = _rows(_orders(request, refs))
        return _awb_page(
            request,
            rows,
            refs,
            values=values,
            status=422,
            refused=[(None, _("Type at least one AWB. No order was changed."))],
        )
    results = booking.orders_ship_typed(rows=typed, actor=request.user, source="web")
    return _results_page(request, _("Type AWBs"), results, refs)


@login_required
@permission_required(SHIP, raise_exception=True)
@require_POST
def csv_view(request):
    """Step 1 (`file`): the preview, every row with its refusal if any, nothing written.
    Step 2 (`text`, carried from the preview, all rows valid): ship them all or none."""
    refs = _refs(request)
    upload = request.FILES.get("file")
    if upload is not None:
        raw = upload.read(booking.CSV_MAX_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    else:
        text = request.POST.get("text", "")
    apply = upload is None and request.POST.get("step") == "apply"
    try:
        if apply:
            rows, results = booking.awb_csv_apply(text=text, actor=request.user, source="web")
        else:
            rows, results = booking.awb_csv_preview(text=text, actor=request.user), []
    except DomainError as exc:
        return _page(
            request,
            "shipping/dispatch_csv.html",
            {"refs": refs, "rows": None, "error": exc.message},
            status=422,
        )
    if results:
        return _results_page(request, _("Import AWBs"), results, refs)
    refused = [row for row in rows if row.error]
    return _page(
        request,
        "shipping/dispatch_csv.html",
        {
            "refs": refs,
            "rows": rows,
            "refused": refused,
            "text": text,
            "applied": apply,
            "valid": len(rows) - len(refused),
        },
        status=422 if refused else 200,
    )
