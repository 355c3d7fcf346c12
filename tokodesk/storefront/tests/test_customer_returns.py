"""Returns on the buyer's order link: when "Request a return" is offered, the request
itself (lines, reason, photos, source), its refusals (field errors, nothing written), the
one-time form, and the label and slip downloads scoped to the order's token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from tokodesk.core.tests import files
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import order_in
from tokodesk.returns.models import Return, ReturnEvent, ReturnPhoto, ReturnReason
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.services import (
    ReturnInput,
    ReturnLineInput,
    return_attach_label,
    return_request,
)
from tokodesk.returns.tests.conftest import world
from tokodesk.returns.tests.factories import act, paid_order, return_in
from tokodesk.storefront.links import order_link_token, order_link_url

pytestmark = pytest.mark.django_db

PNG = files.PNG
JPEG = files.JPEG
WEBP = files.WEBP
PDF = files.PDF


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def reasons(db):
    """The owner's list (a transactional test's flush may have emptied the seeded one)."""
    small, _c = ReturnReason.objects.get_or_create(
        code="size_too_small", defaults={"label": "Ukuran kekecilan"}
    )
    damaged, _c = ReturnReason.objects.get_or_create(
        code="damaged", defaults={"label": "Barang rusak atau cacat"}
    )
    other, _c = ReturnReason.objects.get_or_create(
        code="other", defaults={"label": "Lainnya", "needs_text": True, "position": 999}
    )
    return {"small": small, "damaged": damaged, "other": other}


@pytest.fixture
def snapshot():
    """Everything a refused request could have half-written (returns, lines, photos, events …)."""
    return world


@pytest.fixture
def buyer():
    """A browser with no account, reading English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def delivered(shop, owner):
    """A delivered order: 2 shirts and 1 honey."""
    return paid_order(owner, status="delivered", lines=(("KAOS-M", 2), ("MADU-500", 1)))


def form_url(order):
    return order_link_url(order) + "return/"


def lines_of(order):
    return {line.sku: line for line in order.lines.all()}


def form_token(buyer, order) -> str:
    html = buyer.get(form_url(order)).content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def request_body(buyer, order, *, qty=None, reason="size_too_small", resolution="refund", **extra):
    lines = lines_of(order)
    qty = {"KAOS-M": 1} if qty is None else qty
    body = {
        "form_token": form_token(buyer, order),
        "reason": reason,
        "resolution": resolution,
        "reason_text": "",
        "message": "",
    }
    for sku, line in lines.items():
        body[f"qty_{line.pk}"] = str(qty.get(sku, 0))
    body.update(extra)
    return body


def photo(name="kaos.png", content=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def has_button(html: str) -> bool:
    return 'id="request-return"' in html


# --- when the button is there -----------------------------------------------------------------


@pytest.mark.parametrize(
    "status,section,button",
    [
        ("new", False, False),
        ("confirmed", False, False),
        ("paid", False, False),
        ("cancelled", False, False),
        ("awaiting_pickup", True, False),
        ("in_transit", True, False),
        ("delivered", True, True),
        ("completed", True, True),
    ],
)
def test_the_button_follows_the_order_status(shop, owner, buyer, status, section, button):
    order = order_in(status, owner)
    html = buyer.get(order_link_url(order)).content.decode()
    assert ('id="returns"' in html) == section
    assert has_button(html) == button
    if section and not button:
        assert "Once your order is delivered, you can request a return here." in html
    form = buyer.get(form_url(order))
    assert form.status_code == (200 if button else 303)


def test_the_window_is_announced_and_ends(shop, owner, buyer, delivered):
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(return_window_days=14)
    html = buyer.get(order_link_url(delivered)).content.decode()
    end = timezone.localtime(delivered.delivered_at + dt.timedelta(days=14))
    assert has_button(html)
    assert f"You can request a return until {end.day} {end:%B} {end.year}." in html

    Order.objects.filter(pk=delivered.pk).update(
        delivered_at=timezone.now() - dt.timedelta(days=20)
    )
    end = timezone.localtime(timezone.now() - dt.timedelta(days=6))
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert not has_button(html)
    assert f"The return period ended on {end.day} {end:%B} {end.year}." in html
    # The form is not reachable either, and a form sent late writes nothing.
    assert buyer.get(form_url(delivered)).status_code == 303
    before = Return.objects.count()
    resp = buyer.post(form_url(delivered), {"form_token": "x", "qty_1": "1"})
    assert resp.status_code == 303 and Return.objects.count() == before


def test_returns_turned_off_in_the_settings(shop, owner, buyer, delivered):
    ReturnSettings.objects.filter(pk=ReturnSettings.get().pk).update(returns_enabled=False)
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert not has_button(html)
    assert "This shop does not take return requests here." in html
    assert buyer.get(form_url(delivered)).status_code == 303


def test_open_returns_reduce_what_is_offered_and_a_fully_returned_order_has_no_button(
    shop, owner, buyer, delivered
):
    lines = lines_of(delivered)
    return_in("awaiting_item", owner, order=delivered, lines=[("KAOS-M", 1)])
    html = buyer.get(form_url(delivered)).content.decode()
    assert re.search(rf'data-line="{lines["KAOS-M"].pk}".*?data-returnable="1"', html, re.S)
    assert re.search(rf'data-line="{lines["MADU-500"].pk}".*?data-returnable="1"', html, re.S)
    assert 'max="1"' in html and 'max="2"' not in html

    # A rejected return gives its items back; the rest goes into another one.
    rejected = return_in("rejected", owner, order=delivered, lines=[("MADU-500", 1)])
    assert rejected.status == "rejected"
    return_in("requested", owner, order=delivered, lines=[("KAOS-M", 1), ("MADU-500", 1)])
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert not has_button(html)
    assert "All items of this order are already in a return." in html


# --- the request -------------------------------------------------------------------------------


def test_submit_creates_a_requested_return_with_lines_reason_photos_and_source(
    shop, owner, buyer, delivered, settings
):
    lines = lines_of(delivered)
    body = request_body(
        buyer,
        delivered,
        qty={"KAOS-M": 2},
        reason="damaged",
        resolution="exchange_same",
        message="Jahitan lepas setelah dicuci sekali.",
    )
    body[f"photos_{lines['KAOS-M'].pk}"] = [photo(), photo("sobek.jpg", JPEG, "image/jpeg")]
    resp = buyer.post(form_url(delivered), body)
    ret = Return.objects.get()
    assert resp.status_code == 303
    assert resp["Location"] == order_link_url(delivered) + f"#return-{ret.reference}"

    assert (ret.status, ret.origin, ret.order_id) == ("requested", "customer", delivered.pk)
    assert ret.resolution == "exchange_same"
    assert ret.reason.code == "damaged"
    with translation.override("id"):  # the label follows the reader's language (issue 17)
        assert ret.reason_display == "Barang rusak atau cacat: Jahitan lepas setelah dicuci sekali."
    assert [(line.sku, line.qty, line.order_line_id) for line in ret.lines.all()] == [
        ("KAOS-M", 2, lines["KAOS-M"].pk)
    ]
    photos = list(ReturnPhoto.objects.filter(return_order=ret))
    assert len(photos) == 2
    assert all(
        p.uploaded_by == "customer" and p.line.sku == "KAOS-M" and p.user_id is None for p in photos
    )
    assert len(media_files(settings)) == 2
    created = ReturnEvent.objects.get(return_order=ret, kind="created")
    assert (created.source, created.action, created.to_status, created.actor_id) == (
        "customer",
        "request",
        "requested",
        None,
    )
    assert (
        ReturnEvent.objects.filter(return_order=ret, kind="photo_added", source="customer").count()
        == 2
    )

    # Back on the order link: the return is listed as requested, with its items.
    page = buyer.get(resp["Location"])
    html = page.content.decode()
    assert "was sent to the seller" in html
    block = html[html.index(f'id="return-{ret.reference}"') :]
    assert 'data-status="requested"' in block[:200]
    assert ">Requested<" in block
    assert "Kaos Polos" in block and "× 2" in block
    assert "2 photos" in block
    # One of two items left: the button stays for the honey.
    assert has_button(html)


def test_other_reason_needs_the_buyers_words(shop, owner, buyer, delivered, snapshot):
    before = snapshot()
    body = request_body(buyer, delivered, reason="other", reason_text="")
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422
    html = resp.content.decode()
    assert re.search(r'id="id_reason_text-error">Please describe the reason in a few words.<', html)
    assert snapshot() == before

    body = request_body(buyer, delivered, reason="other", reason_text="Warnanya beda dengan foto")
    assert buyer.post(form_url(delivered), body).status_code == 303
    ret = Return.objects.get()
    assert (ret.reason.code, ret.reason_display) == ("other", "Warnanya beda dengan foto")


def test_over_quantity_and_missing_reason_are_field_errors_and_write_nothing(
    shop, owner, buyer, delivered, snapshot, settings
):
    lines = lines_of(delivered)
    before = snapshot()
    body = request_body(buyer, delivered, qty={"KAOS-M": 3}, reason="", resolution="")
    body[f"photos_{lines['KAOS-M'].pk}"] = [photo()]
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422
    html = resp.content.decode()
    qty_id = f"id_qty_{lines['KAOS-M'].pk}"
    assert re.search(rf'id="{qty_id}-error">At most 2 of this item can be returned.<', html)
    assert re.search(r'id="id_reason-error">Choose the reason for the return.<', html)
    assert re.search(r'id="id_resolution-error">Choose what you would like instead.<', html)
    assert "Please check the fields marked in red." in html
    assert "Please choose the photos again" in html
    assert snapshot() == before and media_files(settings) == []

    # Nothing chosen at all.
    resp = buyer.post(form_url(delivered), request_body(buyer, delivered, qty={}))
    assert resp.status_code == 422
    assert 'id="items-error">Choose at least one item to return' in resp.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("label.pdf", PDF, "application/pdf"),
        ("fake.png", b"not an image at all", "image/png"),
        ("anim.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
    ],
)
def test_photos_must_be_jpg_png_or_webp(
    shop, owner, buyer, delivered, snapshot, settings, name, content, content_type
):
    lines = lines_of(delivered)
    before = snapshot()
    body = request_body(buyer, delivered)
    body[f"photos_{lines['KAOS-M'].pk}"] = [photo(name, content, content_type)]
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422
    assert "is not a photo: send JPG, PNG or WebP." in resp.content.decode()
    assert snapshot() == before and media_files(settings) == []


def test_webp_photos_pass_and_too_many_or_too_large_do_not(
    shop, owner, buyer, delivered, snapshot, settings, monkeypatch
):
    lines = lines_of(delivered)
    field = f"photos_{lines['KAOS-M'].pk}"
    before = snapshot()
    body = request_body(buyer, delivered)
    body[field] = [photo(f"p{i}.webp", WEBP, "image/webp") for i in range(4)]
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422 and "At most 3 photos per item." in resp.content.decode()
    monkeypatch.setattr("tokodesk.storefront.forms.MAX_UPLOAD", 50)
    body = request_body(buyer, delivered)
    body[field] = [photo("big.webp", WEBP, "image/webp")]
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422 and "is larger than 10 MB." in resp.content.decode()
    assert snapshot() == before
    monkeypatch.undo()
    body = request_body(buyer, delivered)
    body[field] = [photo("ok.webp", WEBP, "image/webp")]
    assert buyer.post(form_url(delivered), body).status_code == 303
    assert ReturnPhoto.objects.get().file.name.endswith(".webp")


def test_photos_without_a_quantity_are_refused(shop, owner, buyer, delivered, snapshot):
    lines = lines_of(delivered)
    before = snapshot()
    body = request_body(buyer, delivered, qty={"KAOS-M": 1})
    body[f"photos_{lines['MADU-500'].pk}"] = [photo()]
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422
    assert "These photos are for an item you do not return" in resp.content.decode()
    assert snapshot() == before


# --- one form, one return --------------------------------------------------------------------------


def test_double_submit_makes_one_return_and_the_retry_lands_on_it(shop, owner, buyer, delivered):
    body = request_body(buyer, delivered, qty={"KAOS-M": 1})
    first = buyer.post(form_url(delivered), body)
    second = buyer.post(form_url(delivered), body)
    ret = Return.objects.get()
    assert first.status_code == second.status_code == 303
    assert (
        first["Location"]
        == second["Location"]
        == order_link_url(delivered) + f"#return-{ret.reference}"
    )
    assert ReturnEvent.objects.filter(return_order=ret, kind="created").count() == 1

    # Even once the first took every item left for that line, the retry still lands on it.
    body = request_body(buyer, delivered, qty={"KAOS-M": 1, "MADU-500": 1})
    assert buyer.post(form_url(delivered), body).status_code == 303
    assert buyer.post(form_url(delivered), body).status_code == 303
    assert Return.objects.count() == 2


def test_each_rendering_has_its_own_token(shop, owner, buyer, delivered):
    assert form_token(buyer, delivered) != form_token(buyer, delivered)


def test_the_service_answers_a_resent_form_with_the_first_return(shop, owner, delivered):
    data = ReturnInput(
        order=delivered.reference,
        reason="size_too_small",
        resolution="refund",
        lines=[ReturnLineInput(sku="KAOS-M", qty=1)],
    )
    first = return_request(order_id=delivered.pk, data=data, seen_return_id=0)
    again = return_request(order_id=delivered.pk, data=data, seen_return_id=0)
    assert again.pk == first.pk and Return.objects.count() == 1
    second = return_request(order_id=delivered.pk, data=data, seen_return_id=first.pk)
    assert second.pk != first.pk and Return.objects.count() == 2


def test_a_forged_or_foreign_form_token_writes_nothing(shop, owner, buyer, delivered, snapshot):
    other = paid_order(owner, status="delivered", lines=(("KAOS-M", 1),))
    before = snapshot()
    body = request_body(buyer, delivered)
    for token in ("", "0-abc", body["form_token"] + "x", form_token(buyer, other)):
        resp = buyer.post(form_url(delivered), {**body, "form_token": token})
        assert resp.status_code == 400
        assert "This form has expired." in resp.content.decode()
        # The page offers a new, valid form with what was typed.
        fresh = re.search(r'name="form_token" value="([^"]+)"', resp.content.decode()).group(1)
        assert fresh != token
    assert snapshot() == before


def test_csrf_is_required(shop, owner, delivered):
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    body = request_body(strict, delivered)
    assert strict.post(form_url(delivered), body).status_code == 403
    assert Return.objects.count() == 0


def test_a_seller_return_made_meanwhile_is_a_field_error(shop, owner, buyer, delivered, snapshot):
    lines = lines_of(delivered)
    body = request_body(buyer, delivered, qty={"KAOS-M": 2})
    return_in("draft", owner, order=delivered, lines=[("KAOS-M", 1)])
    before = snapshot()
    resp = buyer.post(form_url(delivered), body)
    assert resp.status_code == 422
    assert re.search(
        rf'id="id_qty_{lines["KAOS-M"].pk}-error">At most 1 of this item can be returned.<',
        resp.content.decode(),
    )
    assert snapshot() == before


def test_a_wrong_order_token_is_404(shop, owner, buyer, delivered):
    url = form_url(delivered)
    assert (
        buyer.get(url.replace(f"/o/{delivered.pk}.", f"/o/{delivered.pk + 1}.")).status_code == 404
    )


# --- the buyer's returns, label and slip --------------------------------------------------------


def test_label_download_is_scoped_to_the_orders_token(shop, owner, buyer, delivered):
    ret = return_in("awaiting_item", owner, order=delivered, lines=[("KAOS-M", 1)])
    return_attach_label(
        reference=ret.reference,
        actor=owner,
        file=SimpleUploadedFile("label-retur.pdf", PDF, content_type="application/pdf"),
    )
    html = buyer.get(order_link_url(delivered)).content.decode()
    label_url = f"{order_link_url(delivered)}returns/{ret.reference}/label/"
    assert f'href="{label_url}"' in html
    resp = buyer.get(label_url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == PDF
    assert "label-retur" in resp["Content-Disposition"]

    other = paid_order(owner, status="delivered", lines=(("KAOS-M", 1),))
    assert buyer.get(f"{order_link_url(other)}returns/{ret.reference}/label/").status_code == 404
    assert (
        buyer.get(f"/o/{order_link_token(delivered)}x/returns/{ret.reference}/label/").status_code
        == 404
    )
    # No label yet: no link, 404.
    plain = return_in("requested", owner, order=delivered, lines=[("MADU-500", 1)])
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert f"returns/{plain.reference}/label/" not in html
    assert (
        buyer.get(f"{order_link_url(delivered)}returns/{plain.reference}/label/").status_code == 404
    )


def test_slip_once_approved_and_scoped(shop, owner, buyer, delivered):
    requested = return_in("requested", owner, order=delivered, lines=[("KAOS-M", 1)])
    slip_url = f"{order_link_url(delivered)}returns/{requested.reference}/slip/"
    assert slip_url not in buyer.get(order_link_url(delivered)).content.decode()
    assert buyer.get(slip_url).status_code == 404

    act(requested, "approve", owner)
    assert slip_url in buyer.get(order_link_url(delivered)).content.decode()
    resp = buyer.get(slip_url)
    assert resp.status_code == 200
    assert resp["Content-Type"] in ("application/pdf", "text/html; charset=utf-8")
    other = paid_order(owner, status="delivered", lines=(("KAOS-M", 1),))
    assert (
        buyer.get(f"{order_link_url(other)}returns/{requested.reference}/slip/").status_code == 404
    )


def test_drafts_stay_off_the_link_and_other_statuses_show(shop, owner, buyer, delivered):
    draft = return_in("draft", owner, order=delivered, lines=[("KAOS-M", 1)])
    rejected = return_in("rejected", owner, order=delivered, lines=[("MADU-500", 1)])
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert draft.reference not in html
    assert rejected.reference in html and "The seller declined this return." in html
    assert (
        buyer.get(f"{order_link_url(delivered)}returns/{draft.reference}/label/").status_code == 404
    )


def test_indonesian_labels(shop, owner, delivered):
    ret = return_in("awaiting_item", owner, order=delivered, lines=[("KAOS-M", 1)])
    return_attach_label(
        reference=ret.reference,
        actor=owner,
        file=SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf"),
    )
    return_in("requested", owner, order=delivered, lines=[("MADU-500", 1)])
    html = Client(HTTP_ACCEPT_LANGUAGE="id").get(order_link_url(delivered)).content.decode()
    assert 'lang="id"' in html
    assert ">Diminta<" in html and ">Menunggu Item Retur<" in html  # status labels
    assert "Retur Pesanan" in html and ">Ajukan Retur<" in html
    assert "Pengembalian Dana" in html  # resolution
    assert "Label Retur" in html and "Slip Retur (PDF)" in html
    form = (
        Client(HTTP_ACCEPT_LANGUAGE="id")
        .get(form_url(paid_order(owner, status="delivered")))
        .content.decode()
    )
    assert "Pengembalian Dana" in form and "Tukar Barang Sama" in form and ">Jumlah<" in form


def test_the_sellers_sent_messages_show_and_unsent_ones_do_not(shop, owner, buyer, delivered):
    from tokodesk.returns.models import ReturnMessage

    rejected = return_in("rejected", owner, order=delivered, lines=[("KAOS-M", 1)])
    message = ReturnMessage.objects.get(return_order=rejected)
    html = buyer.get(order_link_url(delivered)).content.decode()
    assert message.body not in html  # the seller has not sent it (yet)
    ReturnMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), channel="email")
    assert message.body in buyer.get(order_link_url(delivered)).content.decode()


def test_the_order_link_queries_do_not_grow_with_returns(
    shop, owner, buyer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(order) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert buyer.get(order_link_url(order)).status_code == 200
        return len(ctx.captured_queries)

    one = paid_order(owner, status="delivered", lines=(("KAOS-M", 3), ("MADU-500", 3)))
    return_in("requested", owner, order=one, lines=[("KAOS-M", 1)])
    many = paid_order(owner, status="delivered", lines=(("KAOS-M", 3), ("MADU-500", 3)))
    for lines in ([("KAOS-M", 1)], [("KAOS-M", 1), ("MADU-500", 1)], [("MADU-500", 2)]):
        return_in("awaiting_item", owner, order=many, lines=lines)
    assert count(many) == count(one)
