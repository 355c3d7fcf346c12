"""The printable return slip (seed 000: "the reason is printed on the return slip"): the
return and order references, the customer, the items and quantities, the reason, the
resolution and the shop, with the return reference large and as a Code 128 barcode for
the warehouse's scanner. HTML from the report template "slip" (the shop's own, else the
built-in returns/reports/defaults/slip.html: issue 17), PDF by WeasyPrint.

WeasyPrint needs Pango on the machine; without it `render_slip_pdf` raises
`PdfUnavailable` (the endpoints answer 503) and the app itself keeps working."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from tokodesk.core import pdf
from tokodesk.core.pdf import PdfUnavailable, barcode_svg  # noqa: F401  (the warm-up's and tests')
from tokodesk.notifications import customers
from tokodesk.returns.models import Return
from tokodesk.returns.reports import services as report_services

logger = logging.getLogger("tokodesk.notifications")


# The loader, the 503 and the barcode are shared with the shipping labels (core/pdf.py);
# `_weasyprint` keeps its name here for the warm-up and the tests.
_weasyprint = pdf.weasyprint_module


def pdf_available() -> bool:
    return _weasyprint() is not None


def slip_locale(ret: Return, locale: str | None = None) -> str:
    return customers.valid_locale(locale) or customers.customer_locale(ret.order)


def render_slip_html(ret: Return, locale: str | None = None, request=None) -> str:
    """The slip as a standalone HTML page (the browser can print it too). Given the
    `request`, its <style> carries the page's CSP nonce (a PDF needs none). One source: the
    shop's own slip template when it has one, else the built-in one
    (returns/reports/defaults/slip.html), both through the report templates' sandbox."""
    locale = slip_locale(ret, locale)
    # (django-csp's lazy nonce is falsy until read: test for the attribute, then read it)
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    return report_services.render_page(
        "slip", ret, locale=locale, style_nonce=str(nonce) if nonce is not None else ""
    )


def render_slip_pdf(ret: Return, locale: str | None = None) -> bytes:
    """The slip as a PDF (A4): laid out with only data: URIs and our static images fetched."""
    if _weasyprint() is None:
        raise PdfUnavailable("pdf_unavailable", _("PDF slips are not available on this server (WeasyPrint or its "
                                                  "Pango libraries are missing). Print the HTML slip instead."))
    return report_services.render_pdf(render_slip_html(ret, locale))


def slip_filename(ret: Return) -> str:
    return f"{ret.reference}-slip.pdf"
