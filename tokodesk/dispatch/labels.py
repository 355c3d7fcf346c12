"""Shipping labels and packing slips, in bulk, as one PDF (issue 14): WeasyPrint over
`templates/shipping/labels*.html`, like the return slip (notifications/slips.py).

A label carries the shop and sender, the recipient with the full address and phone, the
items (SKU × qty), the weight, the courier and service, the COD amount to collect in large
type (or "NON-COD"), the AWB as a Code 128 barcode and the order reference as a QR code.
Formats: `thermal` (one 100×150 mm label per page) and `a4` (four labels per A4 page).

Each print (reprints too) writes a `printed` row on every printed order's timeline, in one
statement for the lot."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from tokodesk.core import shop_profile
from tokodesk.core.errors import DomainError, ValidationFailed
from tokodesk.core.money import format_money
from tokodesk.dispatch.booking import cod_amount, order_weight_grams
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.selectors import order_queryset_for
from tokodesk.orders.states import ORDER_TIMELINE, PaymentMethod

FORMATS = ("thermal", "a4")
CHUNK = 100  # labels per WeasyPrint document (see labels_pdf)
PRINT_LIMIT = 1000

logger = logging.getLogger("tokodesk.shipping")


class PdfUnavailable(DomainError):
    """WeasyPrint (or the Pango libraries it needs) is not installed here: the API answers 503."""

    status = 503


@lru_cache(maxsize=1)
def _weasyprint():
    # The same loader as notifications.slips (shipping may not import notifications: orders
    # imports shipping, notifications imports orders).
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango/HarfBuzz libraries are missing
        logger.warning("labels as PDF are unavailable: %s", exc)
        return None
    return weasyprint


def barcode_svg(value: str, *, height: int = 50) -> str:
    """`value` as a Code 128 barcode in inline SVG (python-barcode's modules as black bars,
    10-module quiet zones), sharp at any print resolution."""
    from barcode.codex import Code128

    modules = "".join(Code128(value).build())
    quiet = 10
    bars, x = [], 0
    while x < len(modules):
        if modules[x] == "1":
            start = x
            while x < len(modules) and modules[x] == "1":
                x += 1
            bars.append(f"M{start + quiet} 0h{x - start}v{height}h-{x - start}z")
        else:
            x += 1
    width = len(modules) + 2 * quiet
    # One path for all the bars: WeasyPrint lays out one element instead of ~30 rects.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(value)}">'
        f'<path fill="#000" d="{"".join(bars)}"/></svg>'
    )


def qr_svg(value: str) -> str:
    """`value` as a QR code in inline SVG (segno; medium error correction)."""
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


def render_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    if weasyprint is None:
        raise PdfUnavailable(
            "pdf_unavailable",
            _(
                "PDF printing is not available on this server (WeasyPrint or "
                "its Pango libraries are missing)."
            ),
        )
    return weasyprint.HTML(string=html).write_pdf()


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
    postal = district.postal_code_list[:1]
    return " ".join([district.label, *postal])


def _label(order: Order) -> dict:
    lines = list(order.lines.all())
    weight = order_weight_grams(order, lines)
    cod = cod_amount(order)
    return {
        "order": order,
        "reference": order.reference,
        "qr": qr_svg(order.reference),
        "awb": order.awb,
        "barcode": barcode_svg(order.awb, height=50) if order.awb else "",
        "courier": order.courier.name if order.courier_id else "",
        "service": order.courier_service,
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "address": order.destination_address,
        "city": order.destination_city,
        # The kecamatan with its city, province and postal code, when the order has one.
        "district": _district_line(order),
        "items": [(line.sku, line.qty) for line in lines],
        "items_count": sum(line.qty for line in lines),
        "weight_kg": f"{weight / 1000:.2f}".rstrip("0").rstrip(".") if weight else "0",
        "is_cod": order.payment_method == PaymentMethod.COD,
        "cod": format_money(cod, order.currency) if cod else "",
        "shipping_cost": format_money(order.shipping_cost, order.currency),
        "warehouse": order.warehouse.name if order.warehouse_id else "",
        "date": date_format(timezone.localtime(order.created_at), "SHORT_DATE_FORMAT"),
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


def labels_html(orders: list[Order], fmt: str) -> str:
    profile = shop_profile.profile()
    labels = [_label(order) for order in orders]
    pages = (
        [labels[i : i + 4] for i in range(0, len(labels), 4)]
        if fmt == "a4"
        else [[label] for label in labels]
    )
    return render_to_string(
        "shipping/labels.html", {"shop": profile, "pages": pages, "format": fmt}
    )


def labels_pdf(*, references: list[str], fmt: str, actor, source: str = "web") -> bytes:
    """The labels of the orders, one PDF; the print goes on each order's timeline."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            "invalid_input", _("Choose thermal or A4."), fields={"format": _("Unknown format.")}
        )
    orders = orders_for_print(references, actor)
    # WeasyPrint holds a whole document's layout in memory: 500 labels in one go peaked at
    # ~510 MB; a chunk at a time, joined with pypdf, keeps it to one chunk's.
    step = CHUNK if fmt == "thermal" else max(4, CHUNK // 4 * 4)
    parts = [
        render_pdf(labels_html(orders[i : i + step], fmt)) for i in range(0, len(orders), step)
    ]
    pdf = parts[0] if len(parts) == 1 else join_pdfs(parts)
    record_printed(orders, actor, document="label", fmt=fmt, source=source)
    return pdf


def packing_slips_pdf(*, references: list[str], actor, source: str = "web") -> bytes:
    """A packing slip per order (A4 page each): what goes in the parcel, to tick off."""
    orders = orders_for_print(references, actor)
    html = render_to_string(
        "shipping/labels_packing.html",
        {
            "shop": shop_profile.profile(),
            "slips": [_label(order) | {"lines": list(order.lines.all())} for order in orders],
            "printed": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
        },
    )
    pdf = render_pdf(html)
    record_printed(orders, actor, document="packing_slip", source=source)
    return pdf
