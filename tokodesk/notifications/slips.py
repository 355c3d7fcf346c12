"""The printable return slip (seed 000: "the reason is printed on the return slip"): the
return and order references, the customer, the items and quantities, the reason, the
resolution and the shop, with the return reference large and as a Code 128 barcode for
the warehouse's scanner. HTML from `templates/notifications/slip.html`, PDF by WeasyPrint.

WeasyPrint needs Pango on the machine; without it `render_slip_pdf` raises
`PdfUnavailable` (the endpoints answer 503) and the app itself keeps working."""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tokodesk.core import l10n, pdf, shop_profile
from tokodesk.core.pdf import PdfUnavailable, barcode_svg
from tokodesk.notifications import customers
from tokodesk.notifications.models import NotificationSettings
from tokodesk.returns.models import Return
from tokodesk.returns.reports import services as report_services
from tokodesk.returns.states import Resolution, Status
from tokodesk.returns.totals import return_totals

logger = logging.getLogger("tokodesk.notifications")


# The loader, the 503 and the barcode are shared with the shipping labels (core/pdf.py);
# `_weasyprint` keeps its name here for the warm-up and the tests.
_weasyprint = pdf.weasyprint_module


def pdf_available() -> bool:
    return _weasyprint() is not None


def _with_value(line):
    line.value = line.qty * line.unit_price
    return line


def slip_context(ret: Return, *, settings_row: NotificationSettings | None = None) -> dict:
    """What the slip prints; call it inside `translation.override(locale)`."""
    settings_row = settings_row or NotificationSettings.get()
    order = ret.order
    customer = ret.customer
    status = ret.custom_state.display_label if ret.custom_state_id else str(Status(ret.status).label)
    return {
        "shop_name": customers.shop_name(settings_row),
        # The shop's profile (name, address with the city, contacts) and its logo, embedded.
        "shop": shop_profile.profile(),
        "shop_logo": shop_profile.logo_data_uri(),
        "ret": ret,
        "reference": ret.reference,
        "barcode": barcode_svg(ret.reference),
        "order": order,
        "order_date": l10n.format_date(order.created_at, width="long"),
        "request_date": l10n.format_date(ret.created_at, width="long"),
        "printed": l10n.format_date(timezone.localtime(), width="long"),
        "customer_name": order.recipient_name or customer.name,
        "customer_phone": order.recipient_phone or customer.phone,
        "customer_address": order.destination_address or customer.address,
        "customer_city": " ".join(part for part in (order.destination_postcode, order.destination_city) if part),
        "lines": [_with_value(line) for line in ret.lines.order_by("id")],
        "items_count": sum(line.qty for line in ret.lines.all()),
        "reason": ret.reason_display,
        "resolution": str(Resolution(ret.resolution).label),
        "status": status,
        "target_date": l10n.format_date(ret.target_date, width="long") if ret.target_date else "",
        "exchange_items": ret.exchange_items,
        # Prices, the extra lines (fees, services, shipping charged or refunded) and what the
        # customer gets back: an estimate until the return is completed.
        "currency": ret.currency,
        "totals": return_totals(ret),
    }


def slip_locale(ret: Return, locale: str | None = None) -> str:
    return customers.valid_locale(locale) or customers.customer_locale(ret.order)


def render_slip_html(ret: Return, locale: str | None = None, request=None) -> str:
    """The slip as a standalone HTML page (the browser can print it too). Given the
    `request`, its <style> carries the page's CSP nonce (a PDF needs none). The shop's own
    slip template when it has one (returns/reports/, issue 17), else the built-in one."""
    locale = slip_locale(ret, locale)
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    custom = report_services.render_custom("slip", ret, locale=locale,
                                           style_nonce=str(nonce) if nonce is not None else "")
    if custom is not None:
        return custom
    return _builtin_slip_html(ret, locale, request)


def _builtin_slip_html(ret: Return, locale: str, request=None) -> str:
    with translation.override(locale):
        context = slip_context(ret)
        context["locale"] = locale
        # (django-csp's lazy nonce is falsy until read: test for the attribute, then read it)
        nonce = getattr(request, "csp_nonce", None) if request is not None else None
        context["style_nonce"] = str(nonce) if nonce is not None else ""
        return render_to_string("notifications/slip.html", context)


def render_slip_pdf(ret: Return, locale: str | None = None) -> bytes:
    """The slip as a PDF (A4)."""
    weasyprint = _weasyprint()
    if weasyprint is None:
        raise PdfUnavailable("pdf_unavailable", _("PDF slips are not available on this server (WeasyPrint or its "
                                                  "Pango libraries are missing). Print the HTML slip instead."))
    locale = slip_locale(ret, locale)
    custom = report_services.render_custom("slip", ret, locale=locale)
    if custom is not None:
        # The owner's HTML: laid out with only data: URIs and our static images fetched.
        return report_services.render_pdf(custom)
    html = _builtin_slip_html(ret, locale)
    return weasyprint.HTML(string=html).write_pdf()


def slip_filename(ret: Return) -> str:
    return f"{ret.reference}-slip.pdf"
