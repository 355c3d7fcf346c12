"""What a report template may print: the documented variables (VARIABLES, shown beside the
editor and in docs/report-templates.md) and the plain data they hold, built from a return
(`return_context`) or from a made-up one (`sample_context`, used to validate a template on
save and to preview it when no return is named).

Every value is plain data (strings, numbers, lists and dicts of them): dates and phone
numbers already formatted in the document's language, money as integers in the currency's
minor units for the `money` filter ({{ line.unit_price|money:currency }})."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tokodesk.core import l10n, money, shop_profile
from tokodesk.core.pdf import barcode_svg
from tokodesk.core.phones import format_phone
from tokodesk.returns.states import (
    Condition,
    Decision,
    ExtraDirection,
    ExtraKind,
    Resolution,
    Status,
)
from tokodesk.returns.totals import return_totals

# name -> what it holds (in the editor's language). Loops: `lines`, `extras`,
# `return.exchange_items`, `shop.address_lines`, `line.serial_numbers`.
VARIABLES: list[tuple[str, object]] = [
    (
        "locale",
        gettext_lazy('the document\'s language code (id, en, fr): {% if locale == "fr" %}…'),
    ),
    ("printed_on", gettext_lazy("today's date, formatted")),
    ("currency", gettext_lazy("the return's currency code, for |money:currency")),
    ("shop.name", gettext_lazy("the shop's name")),
    ("shop.address_lines", gettext_lazy("the shop's address, a list of lines")),
    ("shop.phone / shop.whatsapp / shop.email", gettext_lazy("the shop's contacts")),
    (
        "shop.logo",
        gettext_lazy('the shop\'s logo as a data: URI for <img src="…"> (empty without one)'),
    ),
    ("return.reference", gettext_lazy("the return's reference")),
    (
        "return.barcode",
        gettext_lazy('the reference as a Code 128 barcode, an SVG data: URI for <img src="…">'),
    ),
    ("return.status", gettext_lazy("its status (or custom state), in words")),
    ("return.reason", gettext_lazy("the customer's reason, with their details")),
    (
        "return.resolution",
        gettext_lazy("what the customer asked for: refund, store credit, exchange"),
    ),
    (
        "return.requested_on / return.target_date",
        gettext_lazy("when it was asked for, when it is expected back"),
    ),
    ("return.exchange_items", gettext_lazy("the items wanted in exchange: item.sku, item.qty")),
    ("order.reference / order.invoice_number / order.ordered_on", gettext_lazy("the order")),
    (
        "customer.name / customer.phone / customer.address / customer.postcode / customer.city",
        gettext_lazy("the customer"),
    ),
    (
        "lines",
        gettext_lazy(
            "the returned items: line.sku, line.name, line.qty, line.unit_price, line.value, "
            "line.serial_numbers (a list), line.qty_received, line.condition, line.decision, "
            "line.qty_accepted"
        ),
    ),
    ("items_count", gettext_lazy("how many items are returned")),
    (
        "extras",
        gettext_lazy(
            "the extra lines: extra.label, extra.kind, extra.kind_label, extra.description, "
            'extra.tax_note, extra.direction ("charge" or "credit"), extra.direction_label, '
            "extra.amount (always positive)"
        ),
    ),
    (
        "totals.items_value / totals.charged / totals.credited / totals.credit",
        gettext_lazy(
            "the items' value, the extra lines charged and credited, what the customer gets back"
        ),
    ),
    (
        "totals.final / totals.accepted_total",
        gettext_lazy(
            "whether the amounts are final (the return is completed) and the accepted value then"
        ),
    ),
]


def _date(value, width="long") -> str:
    return l10n.format_date(value, width=width) if value else ""


def _shop() -> dict:
    profile = shop_profile.profile()
    return {
        "name": profile["name"],
        "address_lines": list(profile["address_lines"]),
        "city": profile["city"] or "",
        "phone": profile["phone"] or "",
        "whatsapp": profile["whatsapp"] or "",
        "email": profile["email"] or "",
        "logo": shop_profile.logo_data_uri(),
    }


def _svg_uri(svg: str) -> str:
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _label(choices, value) -> str:
    return str(choices(value).label) if value else ""


def return_context(ret, *, locale: str) -> dict:
    """The variables for `ret` (with its order, customer, reason, lines and extra lines):
    call it inside translation.override(locale)."""
    order, customer = ret.order, ret.customer
    totals = return_totals(ret)
    lines = list(ret.lines.order_by("id"))
    status = ret.custom_state.display_label if ret.custom_state_id else _label(Status, ret.status)
    return {
        "locale": locale,
        "printed_on": _date(timezone.localtime()),
        "currency": ret.currency,
        "shop": _shop(),
        "return": {
            "reference": ret.reference,
            "barcode": _svg_uri(barcode_svg(ret.reference)),
            "status": str(status),
            "reason": ret.reason_display,
            "resolution": _label(Resolution, ret.resolution),
            "requested_on": _date(ret.created_at),
            "target_date": _date(ret.target_date),
            "exchange_items": [
                {"sku": str(i.get("sku", "")), "qty": i.get("qty", "")}
                for i in (ret.exchange_items or [])
                if isinstance(i, dict)
            ],
        },
        "order": {
            "reference": order.reference,
            "invoice_number": order.invoice_number or "",
            "ordered_on": _date(order.created_at),
        },
        "customer": {
            "name": order.recipient_name or customer.name,
            "phone": format_phone(order.recipient_phone or customer.phone or ""),
            "address": order.destination_address or customer.address or "",
            "postcode": getattr(order, "destination_postcode", "") or "",
            "city": order.destination_city or "",
        },
        "lines": [_line(line) for line in lines],
        "items_count": sum(line.qty for line in lines),
        "extras": [
            {
                "label": e.label,
                "kind": e.kind,
                "kind_label": e.kind_label,
                "description": e.description,
                "tax_note": e.tax_note,
                "direction": e.direction,
                "direction_label": _label(ExtraDirection, e.direction),
                "amount": e.size,
            }
            for e in totals.extras
        ],
        "totals": {
            "items_value": totals.items_value,
            "charged": totals.charged,
            "credited": totals.credited,
            "extra_total": totals.extra_total,
            "credit": totals.credit,
            "final": totals.final,
            "accepted_total": totals.accepted_total,
        },
    }


def _line(line) -> dict:
    return {
        "sku": line.sku,
        "name": line.name,
        "qty": line.qty,
        "unit_price": line.unit_price,
        "value": line.qty * line.unit_price,
        "serial_numbers": [str(s) for s in (line.serial_numbers or [])],
        "qty_received": line.qty_received,
        "condition": _label(Condition, line.condition),
        "decision": _label(Decision, line.decision),
        "qty_accepted": line.qty_accepted,
    }


def sample_context(*, locale: str, currency: str = "IDR") -> dict:
    """A made-up return with every variable filled (two lines, one with serial numbers, an
    extra line each way): what a template is validated and previewed against."""
    today = timezone.localdate()
    # Prices of a believable size: 150.00 € or Rp 150.000.
    unit = 10 ** money.exponent(currency) if money.exponent(currency) else 1000
    lines = [
        {
            "sku": "KAOS-HTM-M",
            "name": _("Sample T-shirt, black, M"),
            "qty": 2,
            "unit_price": 150 * unit,
            "value": 300 * unit,
            "serial_numbers": [],
            "qty_received": 2,
            "condition": _label(Condition, "resellable"),
            "decision": _label(Decision, "accept"),
            "qty_accepted": 2,
        },
        {
            "sku": "HDP-01",
            "name": _("Sample headphones"),
            "qty": 1,
            "unit_price": 450 * unit,
            "value": 450 * unit,
            "serial_numbers": ["SN-0001"],
            "qty_received": None,
            "condition": "",
            "decision": "",
            "qty_accepted": None,
        },
    ]
    extras = [
        {
            "label": _("Restocking fee"),
            "kind": "fee",
            "kind_label": _label(ExtraKind, "fee"),
            "description": _("Restocking fee"),
            "tax_note": _("VAT included"),
            "direction": "charge",
            "direction_label": _label(ExtraDirection, "charge"),
            "amount": 25 * unit,
        },
        {
            "label": _label(ExtraKind, "shipping_refunded"),
            "kind": "shipping_refunded",
            "kind_label": _label(ExtraKind, "shipping_refunded"),
            "description": "",
            "tax_note": "",
            "direction": "credit",
            "direction_label": _label(ExtraDirection, "credit"),
            "amount": 20 * unit,
        },
    ]
    items_value = sum(line["value"] for line in lines)
    return {
        "locale": locale,
        "printed_on": _date(today),
        "currency": currency,
        "shop": _shop(),
        "return": {
            "reference": "RMA-000123",
            "barcode": _svg_uri(barcode_svg("RMA-000123")),
            "status": _label(Status, "awaiting_item"),
            "reason": _("Sample reason: the size is too small"),
            "resolution": _label(Resolution, "refund"),
            "requested_on": _date(today - dt.timedelta(days=2)),
            "target_date": _date(today + dt.timedelta(days=12)),
            "exchange_items": [{"sku": "KAOS-HTM-L", "qty": 1}],
        },
        "order": {
            "reference": "ORD-000456",
            "invoice_number": "INV/2026/0456",
            "ordered_on": _date(today - dt.timedelta(days=10)),
        },
        "customer": {
            "name": "Siti Rahmawati",
            "phone": format_phone("+6281234567890"),
            "address": "Jl. Merdeka No. 10\nRT 02 / RW 05",
            "postcode": "40115",
            "city": "Bandung",
        },
        "lines": lines,
        "items_count": sum(line["qty"] for line in lines),
        "extras": extras,
        "totals": {
            "items_value": items_value,
            "charged": 25 * unit,
            "credited": 20 * unit,
            "extra_total": 5 * unit,
            "credit": items_value - 5 * unit,
            "final": False,
            "accepted_total": None,
        },
    }
