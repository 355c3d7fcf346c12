"""Issue 10, item 1, in a real browser: the owner opens every kind of served upload
(payment proof, return photo, return label, refund proof, and the buyer's label link) and
nothing in it runs. The files are polyglots stored as the old upload check let them in
(named .html or .svg by the attacker, a PNG signature or `%PDF` in front of a page whose
script would set the title and leave a marker in our origin's localStorage)."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import login
from tokodesk.returns.models import Refund, ReturnPhoto
from tokodesk.returns.tests.factories import paid_order, return_in
from tokodesk.storefront.links import order_link_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = (b"<script>document.title='PWNED';try{localStorage.setItem('pwned','1')}catch(e){}"
          b"document.documentElement.setAttribute('data-pwned','1')</script>")
PAGE = b"<html><head><title>x</title></head><body>" + SCRIPT + b"</body></html>"
PNG_THEN_PAGE = b"\x89PNG\r\n\x1a\n" + PAGE
PDF_THEN_PAGE = b"%PDF-1.4\n" + PAGE
SVG = b'<svg xmlns="http://www.w3.org/2000/svg">' + SCRIPT.replace(b"<script>", b"<script><![CDATA[").replace(
    b"</script>", b"]]></script>") + b"</svg>"


def visit(page, url):
    """Open `url` as a top-level page; a download (an attachment) is not a page at all."""
    try:
        with page.expect_download(timeout=3000) as download:
            try:
                page.goto(url)
            except PlaywrightError:  # "Download is starting"
                pass
        return "download", download.value
    except PlaywrightError:  # no download: the file was shown (or refused) as a page
        return "page", None


def test_no_served_upload_runs_script_for_the_owner(page, shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    done = return_in("completed", owner, order=paid_order(owner))
    refund = Refund.objects.get(return_order=done)
    refund.proof.save("bukti-refund.html", ContentFile(PNG_THEN_PAGE), save=True)
    done.label.save("label.html", ContentFile(PDF_THEN_PAGE), save=True)
    photo = ReturnPhoto(return_order=done, uploaded_by="customer")
    photo.file.save("bukti.html", ContentFile(PNG_THEN_PAGE), save=True)
    payment = done.order.payments.first()
    payment.proof.save("bukti.svg", ContentFile(SVG), save=True)

    urls = {
        "payment proof": f"/orders/{done.order.reference}/payments/{payment.pk}/proof/",
        "return photo": f"/returns/{done.reference}/photos/{photo.pk}/",
        "return label": f"/returns/{done.reference}/label/",
        "refund proof": f"/returns/refunds/{refund.pk}/proof/",
        "buyer's label": order_link_url(done.order).replace("http://testserver", "")
        + f"returns/{done.reference}/label/",
    }
    login(page, "owner")
    page.goto(page.base + f"/returns/{done.reference}/")
    desk_title = page.title()
    assert page.evaluate("localStorage.getItem('pwned')") is None

    for kind, url in urls.items():
        how, _download = visit(page, page.base + url)
        if how == "page":
            assert page.title() != "PWNED", kind
            assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None, kind
        page.goto(page.base + f"/returns/{done.reference}/")
        assert page.title() == desk_title, kind
        assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None, kind
        assert page.evaluate("localStorage.getItem('pwned')") is None, kind
