"""Shipping labels and packing slips, in bulk, as one PDF (issue 14): WeasyPrint over
`templates/shipping/labels*.html`, like the return slip (both through core/pdf.py).

A label carries the shop and sender, the recipient with the full address and phone, the
items (SKU × qty), the weight, the courier and service, the COD amount to collect in large
type (or "NON-COD"), the AWB as a Code 128 barcode and the order reference as a QR code.
Formats: `thermal` (one 100×150 mm label per page) and `a4` (four labels per A4 page).

Each print (reprints too) writes a `printed` row on every printed order's timeline, in one
statement for the lot."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.core import l10n, pdf, shop_profile
from tokodesk.core.errors import ValidationFailed
from tokodesk.core.money import format_money
from tokodesk.core.pdf import PdfUnavailable
from tokodesk.dispatch.booking import cod_amount, order_weight_grams
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import ORDER_TIMELINE, PaymentMethod

FORMATS = ("thermal", "a4")
CHUNK = 50  # labels per WeasyPrint document (see render_labels)
PRINT_LIMIT = 1000


def qr_svg(value: str) -> str:
    """`value` as a QR code in inline SVG (segno; medium error correction): for pages shown
    in the browser. The PDFs print `pdf.qr_png`."""
    import segno

    return segno.make(value, error="m", micro=False).svg_inline(scale=4, border=2, omitsize=True)


def orders_for_print(references: list[str], actor) -> list[Order]:
    """The orders to print, in the order asked; refused whole (422, naming the unknown
    references) when one is not an order this user can see."""
    references = list(dict.fromkeys(r.strip() for r in references if r.strip()))
    if not references:
        raise ValidationFailed(
            "invalid_input",
            _("Choose at least one order."),
            fields={"references": _("This field is required.")},
        )
    if len(references) > PRINT_LIMIT:
        raise ValidationFailed(
            "invalid_input",
            _("At most %(n)s orders at once.") % {"n": PRINT_LIMIT},
            fields={"references": _("Too many orders.")},
        )
    orders = {
        o.reference: o
        for o in order_queryset_for(actor)
        .filter(reference__in=references)
        .select_related(
            "courier", "warehouse", "destination_district__city", "destination_district__province"
        )
        .prefetch_related("lines")
    }
    unknown = [r for r in references if r not in orders]
    if unknown:
        listed = ", ".join(r[:60] for r in unknown[:10])
        raise ValidationFailed(
            "invalid_input",
            _("Unknown orders: %(refs)s.") % {"refs": listed},
            fields={"references": _("Unknown orders: %(refs)s.") % {"refs": listed}},
        )
    return [orders[r] for r in references]


def render_pdf(html: str, *, lean: bool = False) -> bytes:
    if pdf.weasyprint_module() is None:
        raise PdfUnavailable(
            "pdf_unavailable",
            _(
                "PDF printing is not available on this server (WeasyPrint or "
                "its Pango libraries are missing)."
            ),
        )
    return pdf.html_to_pdf(html, lean=lean)


def record_printed(
    orders: list[Order], actor, *, document: str, fmt: str = "", source: str = "web"
) -> None:
    """One `printed` row per order on its timeline (reprints write another)."""
    data = {"document": document, **({"format": fmt} if fmt else {})}
    with transaction.atomic():
        OrderEvent.objects.bulk_create(
            [
                ORDER_TIMELINE.event(
                    order, OrderEvent.Kind.PRINTED, actor, source=source, data=data
                )
                for order in orders
            ]
        )


def _district_line(order: Order) -> str:
    district = order.destination_district if order.destination_district_id else None
    if district is None:
        return ""
    postal = [order.destination_postcode] if order.destination_postcode else district.postal_code_list[:1]
    return " ".join([district.label, *postal])


def _label(order: Order) -> dict:
    lines = list(order.lines.all())
    weight = order_weight_grams(order, lines)
    cod = cod_amount(order)
    return {
        "order": order,
        "reference": order.reference,
        "qr": pdf.qr_png(order.reference),
        "awb": order.awb,
        "barcode": pdf.barcode_png(order.awb) if order.awb else "",
        "courier": order.courier.name if order.courier_id else "",
        "service": order.courier_service,
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "address": order.destination_address,
        # "75011 Paris": the postcode the buyer gave before the free-text city.
        "city": " ".join(part for part in (order.destination_postcode, order.destination_city) if part),
        # The kecamatan with its city, province and postal code, when the order has one.
        "district": _district_line(order),
        "items": [(line.sku, line.qty) for line in lines],
        "items_count": sum(line.qty for line in lines),
        "weight_kg": f"{weight / 1000:.2f}".rstrip("0").rstrip(".") if weight else "0",
        "is_cod": order.payment_method == PaymentMethod.COD,
        "cod": format_money(cod, order.currency) if cod else "",
        "shipping_cost": format_money(order.shipping_cost, order.currency),
        "warehouse": order.warehouse.name if order.warehouse_id else "",
        "date": l10n.format_date(order.created_at),
    }


def join_pdfs(parts: list[bytes]) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def labels_html(labels: list[dict], fmt: str, shop) -> str:
    """The labels (`_label` dicts) as one HTML document for WeasyPrint."""
    pages = (
        [labels[i : i + 4] for i in range(0, len(labels), 4)]
        if fmt == "a4"
        else [[label] for label in labels]
    )
    return render_to_string("shipping/labels.html", {"shop": shop, "pages": pages, "format": fmt})


def render_labels(labels: list[dict], fmt: str, shop) -> bytes:
    """One PDF of the labels. WeasyPrint holds a whole document's layout in memory (500
    labels in one go peaked at ~510 MB), so CHUNK labels a document, joined with pypdf.
    bench/measure_labels.py times this with made-up labels."""
    step = CHUNK if fmt == "thermal" else max(4, CHUNK // 4 * 4)
    documents = [labels_html(labels[i : i + step], fmt, shop) for i in range(0, len(labels), step)]
    if len(documents) == 1 or pdf.weasyprint_module() is None:
        return render_pdf(documents[0], lean=True)  # (PdfUnavailable with its message if no PDFs)
    # Several documents: laid out on every core (TOKODESK_PDF_PROCESSES, default up to 2).
    processes = getattr(settings, "TOKODESK_PDF_PROCESSES", min(2, os.cpu_count() or 1))
    return join_pdfs(pdf.html_to_pdf_many(documents, lean=True, processes=processes))


def labels_pdf(*, references: list[str], fmt: str, actor, source: str = "web") -> bytes:
    """The labels of the orders, one PDF; the print goes on each order's timeline."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            "invalid_input", _("Choose thermal or A4."), fields={"format": _("Unknown format.")}
        )
    orders = orders_for_print(references, actor)
    document = render_labels([_label(order) for order in orders], fmt, shop_profile.profile())
    record_printed(orders, actor, document="label", fmt=fmt, source=source)
    return document


def packing_slips_pdf(*, references: list[str], actor, source: str = "web") -> bytes:
    """A packing slip per order (A4 page each): what goes in the parcel, to tick off."""
    orders = orders_for_print(references, actor)
    html = render_to_string(
        "shipping/labels_packing.html",
        {
            "shop": shop_profile.profile(),
            "slips": [_label(order) | {"lines": list(order.lines.all())} for order in orders],
            "printed": l10n.format_datetime(timezone.localtime()),
        },
    )
    document = render_pdf(html)
    record_printed(orders, actor, document="packing_slip", source=source)
    return document
