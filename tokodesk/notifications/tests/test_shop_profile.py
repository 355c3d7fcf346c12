"""The shop profile (issue 12 item 7): the owner sets name, logo, address with district and
city, contacts and bank accounts on the settings page; e-mails, the return slip, landing
pages and the order link print the shop's name (and city), never "tokodesk"; the shop's
side of a payment ("Receiving account") picks one of its offered accounts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from tokodesk.core.models import BankAccount, ShopSettings
from tokodesk.notifications import slips
from tokodesk.notifications.emails import preview_return_email
from tokodesk.notifications.tests.conftest import with_email
from tokodesk.orders.links import order_link_url
from tokodesk.orders.tests.factories import make_order
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import act, paid_order, return_data

SHOP = {
    "shop_name": "Toko Sinar Rejeki", "address": "Jl. Cihampelas No. 12", "district": "Coblong",
    "city": "Kota Bandung", "province": "Jawa Barat", "postal_code": "40131",
    "phone": "022 8765 4321", "whatsapp": "0812 1111 2222", "email": "halo@sinarrejeki.id",
}


def set_profile(**values):
    ShopSettings.get()
    ShopSettings.objects.filter(pk=1).update(**{**SHOP, **values})


def png(color=(200, 30, 30), size=(40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def owner_client(users, lang="en"):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(users["owner"])
    return c


@pytest.fixture
def approved(shop, users):
    owner = users["owner"]
    order = with_email(paid_order(owner))
    ret = return_create(data=return_data(order), actor=owner)
    act(ret, "approve", owner)
    ret.refresh_from_db()
    return ret


# --- e-mails and the slip -------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["id", "en", "fr"])
def test_email_subject_and_body_carry_the_shop_name_and_city(approved, locale):
    set_profile()
    preview = preview_return_email(approved, "approve", locale)
    assert preview.subject.startswith("Toko Sinar Rejeki")
    assert "Toko Sinar Rejeki" in preview.body and "Kota Bandung" in preview.body
    assert "WhatsApp 0812 1111 2222" in preview.body
    assert "tokodesk" not in (preview.subject + preview.body).lower()


def test_email_without_a_shop_name_never_says_tokodesk(approved):
    preview = preview_return_email(approved, "approve", "en")
    assert "tokodesk" not in (preview.subject + preview.body).lower()
    assert preview.subject.startswith("Our shop")


def test_slip_pdf_prints_the_shop_its_city_and_the_customers_city(approved):
    set_profile()
    approved.order.destination_city = "Kab. Sleman"
    approved.order.save(update_fields=["destination_city"])
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(slips.render_slip_pdf(approved, "id"))).pages)
    assert "Toko Sinar Rejeki" in text
    assert "Kota Bandung" in text and "Coblong" in text
    assert "Kab. Sleman" in text  # the customer's city
    assert "tokodesk" not in text.lower()


def test_slip_embeds_the_logo(approved):
    set_profile()
    row = ShopSettings.get()
    row.logo.save("logo.png", io.BytesIO(png()), save=True)
    html = slips.render_slip_html(approved, "en")
    assert 'class="logo" src="data:image/png;base64,' in html


# --- the buyer's pages ----------------------------------------------------------------------


def test_landing_page_and_order_link_show_the_shop_name(shop, users):
    from tokodesk.storefront.tests.test_landing import make_page

    set_profile()
    page = make_page(shop)
    html = Client(HTTP_ACCEPT_LANGUAGE="id").get(f"/p/{page.slug}/").content.decode()
    assert "data-shop-name" in html and "Toko Sinar Rejeki" in html
    order = make_order(users["owner"])
    html = Client(HTTP_ACCEPT_LANGUAGE="id").get(order_link_url(order)).content.decode()
    assert f"<title>Pesanan {order.reference} · Toko Sinar Rejeki</title>" in html
    assert "Toko Sinar Rejeki" in html and "tokodesk" not in html.split("<body", 1)[1].lower().replace(
        "/static/tokodesk/", "")


# --- the settings page ----------------------------------------------------------------------


def profile_post(**values):
    data = {
        "section": "shop",
        **{f"shop-{k}": v for k, v in SHOP.items()},
        "bank-TOTAL_FORMS": "3", "bank-INITIAL_FORMS": "0", "bank-MIN_NUM_FORMS": "0",
        "bank-MAX_NUM_FORMS": "20",
        "bank-0-bank_name": "BCA", "bank-0-account_number": "523 081 2245",
        "bank-0-account_holder": "Toko Sinar Rejeki", "bank-0-active": "on",
        "bank-1-bank_name": "Mandiri", "bank-1-account_number": "1310012345678",
        "bank-1-account_holder": "Toko Sinar Rejeki",
        "bank-2-bank_name": "", "bank-2-account_number": "", "bank-2-account_holder": "",
    }
    data.update(values)
    return data


def test_owner_saves_the_profile_logo_and_accounts(shop, users):
    c = owner_client(users)
    page = c.get("/orders/settings/").content.decode()
    assert 'id="shop"' in page and 'name="shop-shop_name"' in page and "data-bank-accounts" in page
    logo = SimpleUploadedFile("my logo.png", png(), content_type="image/png")
    r = c.post("/orders/settings/", {**profile_post(), "shop-logo_file": logo})
    assert r.status_code == 302 and r["Location"].endswith("#shop"), r.content.decode()[:2000]
    row = ShopSettings.get()
    assert (row.shop_name, row.district, row.city, row.whatsapp) == (
        "Toko Sinar Rejeki", "Coblong", "Kota Bandung", "0812 1111 2222")
    # The accounts, in the posted order; the unticked one kept but not offered.
    assert list(BankAccount.objects.values_list("bank_name", "account_number", "active", "position")) == [
        ("BCA", "5230812245", True, 1), ("Mandiri", "1310012345678", False, 2)]
    # The logo went through the upload check (server-made name, re-encoded) and is served inert.
    assert row.logo.name.startswith("shop/") and row.logo.name.endswith("/my-logo.png")
    served = Client().get("/shop/logo/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_a_logo_that_is_not_an_image_is_refused(shop, users):
    c = owner_client(users)
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not a picture", content_type="image/png")
    r = c.post("/orders/settings/", {**profile_post(), "shop-logo_file": fake})
    assert r.status_code == 200
    assert "shop" in [s["key"] for s in r.context["sections"]]
    form = next(s["form"] for s in r.context["sections"] if s["key"] == "shop").form
    assert "logo_file" in form.errors
    assert not ShopSettings.get().logo and ShopSettings.get().shop_name == ""


def test_profile_needs_a_name_and_only_the_owner_edits_it(shop, users):
    r = owner_client(users).post("/orders/settings/", profile_post(**{"shop-shop_name": ""}))
    assert r.status_code == 200 and ShopSettings.get().shop_name == ""
    for role in ("admin", "finance"):
        c = Client()
        c.force_login(users[role])
        assert c.post("/orders/settings/", profile_post()).status_code == 403
    assert not BankAccount.objects.exists()


# --- the shop's side of a payment picks one of its accounts -------------------------------------


def test_receiving_account_lists_the_shops_offered_accounts(shop, users):
    BankAccount.objects.create(bank_name="BCA", account_number="5230812245", account_holder="Toko A", position=1)
    BankAccount.objects.create(bank_name="BRI", account_number="0123", account_holder="Toko A", position=2,
                               active=False)
    BankAccount.objects.create(bank_name="Mandiri", account_number="131001", account_holder="Toko A", position=3)
    owner = users["owner"]
    order = make_order(owner)
    c = owner_client(users)
    r = c.get(f"/orders/{order.reference}/actions/confirm_payment/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<select name="account"' in html
    assert "BCA 5230812245 (Toko A)" in html and "Mandiri 131001 (Toko A)" in html
    assert "BRI 0123" not in html
    assert html.index("BCA 5230812245") < html.index("Mandiri 131001")


def test_emails_come_from_the_shops_name(db, settings):
    from tokodesk.notifications.emails import _message
    from tokodesk.notifications.models import Notification

    settings.DEFAULT_FROM_EMAIL = "tokodesk <noreply@toko.example>"
    n = Notification(subject="s", body="b", to="buyer@example.com", attachments=[])
    assert _message(n).from_email == "tokodesk <noreply@toko.example>"  # no name set yet
    set_profile()
    assert _message(n).from_email == "Toko Sinar Rejeki <noreply@toko.example>"
