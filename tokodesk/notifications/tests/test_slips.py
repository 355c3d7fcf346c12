"""The printable return slip: a real PDF (WeasyPrint) that shows the order, the items and
the reason; the API and the page, scoped like the returns; a clear 503 when WeasyPrint
cannot be loaded."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from tokodesk.notifications import slips
from tokodesk.notifications.tests.conftest import with_email
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import paid_order, return_data

REASON = "Jahitan lengan kiri lepas"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def returns(shop, users):
    """A return on an order of `agent` and one on an order of `agent2`."""
    owner = users["owner"]
    made = {}
    for key, agent in (("mine", "agent"), ("theirs", "agent2")):
        order = with_email(paid_order(owner, agent=agent))
        made[key] = return_create(data=return_data(order, reason="other", reason_text=REASON,
                                                   resolution="exchange_same"), actor=owner)
    return made


def test_slip_html_prints_the_order_items_and_reason(returns):
    ret = returns["mine"]
    html = slips.render_slip_html(ret, "en")
    assert REASON in html
    assert ret.reference in html and ret.order.reference in html
    assert "Siti Rahayu" in html and "Jl. Melati 5, Bandung" in html
    for line in ret.lines.all():
        assert line.sku in html and line.name in html
    assert "Exchange for the same item" in html
    # The barcode: an SVG embedded as a data: URI (the sandboxed template prints no markup).
    assert '<img class="barcode" src="data:image/svg+xml;base64,' in html
    assert "Return slip" in html


def test_barcode_is_code_128_of_the_reference():
    svg = slips.barcode_svg("RMA-00001")
    # Start B (11010010000) … stop (1100011101011): 11 modules per symbol + 13 for stop.
    # The bars as one path (core/pdf.py, shared with the shipping labels), one "M" a bar.
    assert svg.count("<path") == 1 and svg.count("M") > 10 and 'aria-label="RMA-00001"' in svg


def test_slip_pdf_contains_the_reason(returns):
    ret = returns["mine"]
    pdf = slips.render_slip_pdf(ret, "fr")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert REASON in text
    assert ret.reference in text and ret.order.reference in text
    assert "KAOS-M" in text and "MADU-500" in text
    assert "bon de retour" in text.lower() or "return slip" in text.lower()


def test_api_slip(returns, api_as):
    ret = returns["mine"]
    r = api_as("agent").get(f"/api/v1/returns/{ret.reference}/slip.pdf", {"lang": "id"})
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'inline; filename="{ret.reference}-slip.pdf"'
    assert r.content.startswith(b"%PDF") and REASON in pdf_text(r.content)
    # Agents reach only the returns of their orders; the viewer reads them all.
    r = api_as("agent").get(f"/api/v1/returns/{returns['theirs'].reference}/slip.pdf")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert api_as("viewer").get(f"/api/v1/returns/{returns['theirs'].reference}/slip.pdf").status_code == 200
    assert api_as("owner").get("/api/v1/returns/RMA-99999/slip.pdf").status_code == 404
    assert Client().get(f"/api/v1/returns/{ret.reference}/slip.pdf").status_code == 401


def test_page_slip(returns, users):
    ret = returns["mine"]
    url = f"/returns/{ret.reference}/slip.pdf"
    assert Client().get(url).status_code == 302  # to the login page
    client = Client()
    client.force_login(users["agent"])
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert REASON in pdf_text(r.content)
    assert client.get(f"/returns/{returns['theirs'].reference}/slip.pdf").status_code == 404
    r = client.get(f"/returns/{ret.reference}/slip/")
    assert r.status_code == 200 and REASON in r.content.decode()


def test_without_weasyprint_the_slip_answers_503(returns, api_as, users, monkeypatch):
    monkeypatch.setattr(slips, "_weasyprint", lambda: None)
    ret = returns["mine"]
    r = api_as("owner").get(f"/api/v1/returns/{ret.reference}/slip.pdf")
    assert r.status_code == 503
    body = r.json()
    assert body["code"] == "pdf_unavailable" and "WeasyPrint" in body["message"]
    client = Client()
    client.force_login(users["owner"])
    r = client.get(f"/returns/{ret.reference}/slip.pdf")
    assert r.status_code == 503 and "WeasyPrint" in r.content.decode()
    # The HTML slip still prints from the browser.
    assert client.get(f"/returns/{ret.reference}/slip/").status_code == 200


def test_a_missing_library_does_not_break_the_import(monkeypatch):
    """Pango missing makes `import weasyprint` raise OSError: the slip says so, the app runs."""
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    slips._weasyprint.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_pango)
    try:
        assert slips.pdf_available() is False
    finally:
        monkeypatch.undo()
        slips._weasyprint.cache_clear()
    assert slips.pdf_available() is True


def test_the_builtin_slip_is_the_report_templates_default(returns, monkeypatch):
    """One source (issue 17): the slip without a shop template is the built-in report
    template (returns/reports/defaults/slip.html) through the sandbox, HTML and PDF alike."""
    from tokodesk.returns.reports import services as report_services

    ret = returns["mine"]
    monkeypatch.setattr(
        report_services,
        "default_template",
        lambda document: ("<p>ONE SOURCE {{ return.reference }} {{ return.reason }}</p>", "p{}"),
    )
    html = slips.render_slip_html(ret, "en")
    assert f"ONE SOURCE {ret.reference} {REASON}" in html
    assert f"ONE SOURCE {ret.reference}" in pdf_text(slips.render_slip_pdf(ret, "en"))
