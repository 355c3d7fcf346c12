"""Issue 10, item 1: nothing anyone uploads can act in a colleague's browser. Every upload
(the buyer's return photos, payment proofs, return labels, refund proofs) has its type
decided from its content, images are re-encoded, PDFs must parse; every served file is
inert (its verified type, nosniff, CSP sandbox, attachment unless an image); files stored
before the check are quarantined by a data migration and never served."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tokodesk.core import uploads
from tokodesk.core.tests import files
from tokodesk.orders.models import Payment
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.models import Refund, Return, ReturnPhoto, ReturnReason
from tokodesk.returns.services import return_add_photo, return_attach_label
from tokodesk.returns.tests.factories import paid_order, return_in
from tokodesk.storefront.links import order_link_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def reasons(db):
    ReturnReason.objects.get_or_create(code="damaged", defaults={"label": "Barang rusak atau cacat"})


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "en"
    return c


def stored(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_inert(response, content_type: str, *, attachment: bool):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment" if attachment else "inline"), disposition
    assert not re.search(r"\.(html?|svg|xml|js)\b", disposition)


# --- the buyer's return request on the order link -----------------------------------------


def buyer_request(order, photo_name: str, content: bytes, content_type: str = "image/png"):
    buyer = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = order_link_url(order) + "return/"
    html = buyer.get(url).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    lines = {line.sku: line for line in order.lines.all()}
    body = {"form_token": token, "reason": "damaged", "resolution": "refund", "reason_text": "", "message": ""}
    for sku, line in lines.items():
        body[f"qty_{line.pk}"] = "1" if sku == "KAOS-M" else "0"
    body[f"photos_{lines['KAOS-M'].pk}"] = [files.upload(photo_name, content, content_type)]
    return buyer.post(url, body)


def test_the_buyers_html_photo_behind_a_png_signature_is_refused(shop, owner, media):
    order = paid_order(owner, status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    r = buyer_request(order, "bukti.html", files.HTML_AFTER_PNG_SIGNATURE)
    assert r.status_code == 422
    assert "is not a photo: send JPG, PNG or WebP." in r.content.decode()
    assert not Return.objects.filter(order=order).exists() and stored(media) == []


def test_a_real_png_with_html_appended_is_stored_without_the_html_and_served_as_png(shop, users, media):
    owner = users["owner"]
    order = paid_order(owner, status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))
    r = buyer_request(order, "bukti.html", files.HTML_AFTER_REAL_PNG, "text/html")
    assert r.status_code == 303, r.content[:500]
    photo = ReturnPhoto.objects.get(return_order__order=order)
    assert photo.file.name.endswith(".png") and ".html" not in photo.file.name
    with photo.file.open("rb") as fh:
        data = fh.read()
    assert b"<html" not in data and b"script" not in data
    served = client_for(owner).get(f"/returns/{photo.return_order.reference}/photos/{photo.pk}/")
    assert_inert(served, "image/png", attachment=False)
    assert b"<html" not in body_of(served)


# --- payment proofs on the confirm-payment form ---------------------------------------------


@pytest.mark.parametrize("name,content,content_type", [
    ("bukti.svg", files.SVG, "image/svg+xml"),
    ("bukti.png", files.SVG, "image/png"),  # the client's header lies: the content decides
    ("bukti.png", files.HTML_AFTER_PNG_SIGNATURE, "image/png"),
    ("bukti.pdf", files.HTML_AFTER_PDF_HEADER, "application/pdf"),
])
def test_an_svg_or_html_payment_proof_is_refused_on_the_confirm_payment_page(shop, users, media, name, content,
                                                                             content_type):
    order = order_in("confirmed", users["owner"], method="bank_transfer")
    r = client_for(users["finance"]).post(
        f"/orders/{order.reference}/actions/confirm_payment/",
        {"amount": "318000", "proof": files.upload(name, content, content_type)})
    html = r.content.decode()
    assert r["HX-Retarget"] == "#modal-body"
    assert "Send a PDF or an image (JPEG, PNG, WebP)." in html or "The file is damaged" in html
    assert not Payment.objects.filter(order=order).exists() and stored(media) == []


def test_a_payment_proof_is_served_inert(shop, users, media):
    order = order_in("confirmed", users["owner"], method="bank_transfer")
    client_for(users["finance"]).post(
        f"/orders/{order.reference}/actions/confirm_payment/",
        {"amount": "318000", "proof": files.upload("bukti transfer.pdf", files.PDF, "text/html")})
    payment = Payment.objects.get(order=order)
    assert payment.proof.name.endswith("/bukti-transfer.pdf")
    r = client_for(users["owner"]).get(f"/orders/{order.reference}/payments/{payment.pk}/proof/")
    assert_inert(r, "application/pdf", attachment=True)
    assert body_of(r) == files.PDF


# --- return labels: page and API --------------------------------------------------------------


def test_a_pdf_header_then_html_label_is_refused_on_the_page_and_the_api(shop, users, api_as, media):
    ret = return_in("awaiting_item", users["owner"])
    r = client_for(users["owner"]).post(f"/returns/{ret.reference}/label/",
                                        {"label": files.upload("label.pdf", files.HTML_AFTER_PDF_HEADER)},
                                        HTTP_HX_REQUEST="true")
    assert r.status_code in (200, 422) and "The file is damaged or not what its type says." in r.content.decode()
    api = api_as("owner")
    r = api.client.post(f"/api/v1/returns/{ret.reference}/label",
                        data={"file": files.upload("label.pdf", files.HTML_AFTER_PDF_HEADER)}, **api._headers({}))
    assert r.status_code == 422 and "label" in r.json()["fields"] and r.json()["code"] == "invalid_input"
    r = api.client.post(f"/api/v1/returns/{ret.reference}/label",
                        data={"file": files.upload("label.svg", files.SVG)}, **api._headers({}))
    assert r.status_code == 422 and r.json()["fields"]["label"] == str(uploads.NOT_ALLOWED_FIELD) != ""
    ret.refresh_from_db()
    assert not ret.label and stored(media) == []


def test_a_label_is_served_inert_to_the_desk_the_api_and_the_buyer(shop, users, api_as, media):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    return_attach_label(reference=ret.reference, actor=owner, file=files.upload("label.pdf", files.PDF, "text/html"))
    page = client_for(owner).get(f"/returns/{ret.reference}/label/")
    assert_inert(page, "application/pdf", attachment=True)
    api = api_as("owner")
    from_api = api.client.get(f"/api/v1/returns/{ret.reference}/label", **api._headers({}))
    assert_inert(from_api, "application/pdf", attachment=True)
    buyer = Client().get(order_link_url(ret.order) + f"returns/{ret.reference}/label/")
    assert_inert(buyer, "application/pdf", attachment=True)
    assert body_of(page) == body_of(from_api) == body_of(buyer) == files.PDF


# --- photos: EXIF/GPS stripped, images only -------------------------------------------------------


def test_a_jpeg_with_gps_is_stored_without_exif(shop, users, api_as, media):
    from PIL import Image

    ret = return_in("awaiting_item", users["owner"])
    sent = files.jpeg_bytes(size=(32, 16), exif=files.gps_exif())
    with Image.open(io.BytesIO(sent)) as im:
        assert im.getexif().get_ifd(0x8825)  # the phone's GPS position is in what was sent
    api = api_as("owner")
    r = api.client.post(f"/api/v1/returns/{ret.reference}/photos",
                        data={"file": files.upload("IMG_0001.JPG", sent, "image/jpeg")}, **api._headers({}))
    assert r.status_code == 201, r.content
    photo = ReturnPhoto.objects.get(return_order=ret)
    assert photo.file.name.endswith("/img_0001.jpg")
    with photo.file.open("rb") as fh:
        kept = fh.read()
    assert b"PhoneMaker" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as im:
        assert im.format == "JPEG" and im.size == (32, 16) and not im.getexif()


def test_a_pdf_is_not_a_photo_and_a_decompression_bomb_is_a_422(shop, users, api_as, media):
    from PIL import Image

    ret = return_in("awaiting_item", users["owner"])
    api = api_as("owner")
    url = f"/api/v1/returns/{ret.reference}/photos"
    r = api.client.post(url, data={"file": files.upload("foto.pdf", files.PDF)}, **api._headers({}))
    assert r.status_code == 422 and "file" in r.json()["fields"]
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 megapixels in about 50 KB
    r = api.client.post(url, data={"file": files.upload("bomb.png", bomb.getvalue())},
                        **api._headers({"Accept-Language": "en"}))
    assert r.status_code == 422 and "megapixels" in r.json()["message"]
    assert not ReturnPhoto.objects.filter(return_order=ret).exists()


def test_a_refund_proof_is_checked_and_served_inert(shop, users, api_as, media):
    owner = users["owner"]
    done = return_in("completed", owner, order=paid_order(owner))  # a pending bank-transfer refund
    refund = Refund.objects.get(return_order=done)
    api = api_as("owner")
    url = f"/api/v1/refunds/{refund.pk}/mark-paid"
    r = api.client.post(url, data={"proof": files.upload("bukti.png", files.HTML_AFTER_PNG_SIGNATURE, "image/png"),
                                   "paid_on": "2026-01-05"}, **api._headers({}))
    assert r.status_code == 422 and "proof" in r.json()["fields"]
    r = api.client.post(url, data={"proof": files.upload("bukti.png", files.PNG), "paid_on": "2026-01-05"},
                        **api._headers({}))
    assert r.status_code == 200, r.content
    served = client_for(owner).get(f"/returns/refunds/{refund.pk}/proof/")
    assert_inert(served, "image/png", attachment=False)


# --- quarantine of files stored before the check --------------------------------------------------


def test_the_migration_quarantines_an_html_photo_it_is_not_served_and_the_page_says_so(shop, users, media):
    owner = users["owner"]
    ret = return_in("awaiting_item", owner)
    good = return_add_photo(reference=ret.reference, actor=owner, file=files.png_file())
    # What the old check let in: a page behind a PNG signature, under the buyer's name.
    bad = ReturnPhoto(return_order=ret, uploaded_by="customer")
    bad.file.save("bukti.html", ContentFile(files.HTML_AFTER_PNG_SIGNATURE), save=True)
    Return.objects.filter(pk=ret.pk).update(label="return-labels/old/label.pdf")
    (media / "return-labels/old").mkdir(parents=True)
    (media / "return-labels/old/label.pdf").write_bytes(files.HTML_AFTER_PDF_HEADER)
    old_path = media / bad.file.name

    # The function the data migrations run (returns 0005).
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tokodesk.returns.migrations.0005_quarantine_uploads")
    migration.Migration.operations[0].code(apps, None)

    bad.refresh_from_db()
    good.refresh_from_db()
    ret.refresh_from_db()
    assert bad.file.name.startswith("quarantine/") and not old_path.exists()
    assert (media / bad.file.name).read_bytes() == files.HTML_AFTER_PNG_SIGNATURE
    assert not good.file.name.startswith("quarantine/")
    assert ret.label.name.startswith("quarantine/")

    c = client_for(owner)
    r = c.get(f"/returns/{ret.reference}/photos/{bad.pk}/")
    assert r.status_code == 410 and r["Content-Type"].startswith("text/plain") and b"<html" not in r.content
    assert r["Content-Security-Policy"] == "sandbox"
    assert c.get(f"/returns/{ret.reference}/label/").status_code == 410
    assert c.get(f"/returns/{ret.reference}/photos/{good.pk}/").status_code == 200
    page = c.get(f"/returns/{ret.reference}/").content.decode()
    assert f"/returns/{ret.reference}/photos/{bad.pk}/" not in page
    assert f"/returns/{ret.reference}/photos/{good.pk}/" in page
    assert f'href="/returns/{ret.reference}/label/"' not in page
    assert page.count("quarantined: not an allowed file type, not shown") == 2
    # The buyer's order link has no label button, and the label URL answers 410.
    buyer = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert buyer.get(order_link_url(ret.order) + f"returns/{ret.reference}/label/").status_code == 410
    # Running it again changes nothing.
    assert uploads.quarantine_files(ReturnPhoto, "file") == 0


def test_the_migration_quarantines_an_svg_payment_proof(shop, users, media):
    order = order_in("confirmed", users["owner"], method="bank_transfer")
    client_for(users["finance"]).post(f"/orders/{order.reference}/actions/confirm_payment/", {"amount": "318000"})
    payment = Payment.objects.get(order=order)
    payment.proof.save("bukti.svg", ContentFile(files.SVG), save=True)
    assert uploads.quarantine_files(Payment, "proof") == 1
    c = client_for(users["owner"])
    assert c.get(f"/orders/{order.reference}/payments/{payment.pk}/proof/").status_code == 410
    page = c.get(f"/orders/{order.reference}/").content.decode()
    assert "quarantined: not an allowed file type, not shown" in page
    assert f"/payments/{payment.pk}/proof/" not in page
