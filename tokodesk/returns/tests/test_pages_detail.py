"""The return detail page: every section shows, files are served to those who see the
return, agents reach only the returns of their orders (404 otherwise) and viewers get no
buttons; the query count does not grow with the lines, photos and events."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokodesk.core.tests import files
from tokodesk.returns.services import (
    ExtraLineInput,
    return_add_photo,
    return_apply_action,
    return_create,
    return_edit,
)
from tokodesk.returns.tests.factories import BANK, act, paid_order, return_data, return_in

PNG = files.PNG
PDF = files.PDF
# session, user, user and group permissions, the return (+ lines, fees, photos, messages,
# refunds), settings, custom states (edit form), store credit, recreated returns, timeline,
# users and groups of the responsible select, role groups (context processor), the shop's
# settings row (ShopLocaleMiddleware: its time zone and staff language, once per request)
MAX_DETAIL_QUERIES = 20


def client_for(user, language="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def sections(html):
    return set(re.findall(r'data-section="(\w+)"', html))


def full_return(owner, photos=1):
    """A completed refund return with a fee, serial numbers, a label, photos, messages and
    a pending bank-transfer refund."""
    order = paid_order(owner, lines=(("KAOS-M", 2), ("MADU-500", 1)))
    data = return_data(order, resolution="refund", extra_lines=[ExtraLineInput("Ongkir retur", 10000)])
    data.lines[0].serial_numbers = ["SN-001"]
    ret = return_create(data=data, actor=owner)
    return_edit(reference=ret.reference, actor=owner, changes={"responsible_user": "warehouse"})
    for _ in range(photos):
        return_add_photo(reference=ret.reference, actor=owner, sku="KAOS-M",
                         file=SimpleUploadedFile("robek.png", PNG, content_type="image/png"))
    ret = return_apply_action(reference=ret.reference, action="approve", actor=owner,
                              inputs={"message": "Silakan kirim barangnya.", "target_date": "2030-01-15"},
                              files={"label": SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")})
    ret = act(ret, "receive", owner)
    lines = list(ret.lines.order_by("id"))
    ret = return_apply_action(reference=ret.reference, action="complete", actor=owner, inputs={
        "lines": [{"line": lines[0].pk, "decision": "accept", "qty": 1}, {"line": lines[1].pk, "decision": "refuse"}],
        **BANK})
    return ret


def test_detail_shows_every_section(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    ret = full_return(owner)
    html = client_for(owner).get(f"/returns/{ret.reference}/").content.decode()
    assert sections(html) >= {"lines", "fees", "refunds", "photos", "messages", "timeline", "return", "customer",
                              "label"}
    assert f'href="/orders/{ret.order.reference}/"' in html
    for text in ("Siti Rahayu", "Size too small", "Refund", "SN-001", "Ongkir retur", "Silakan kirim barangnya.",
                 "label", "15 Jan 2030", "BCA", "1234567890", "Pending", "Mark as paid", "robek"):
        assert text in html, text
    assert 'data-decision="accept"' in html and 'data-decision="refuse"' in html
    # Accepted 1 × 75.000 minus the 10.000 fee.
    assert re.search(r'data-money="credit">Rp 65\.000<', html)
    timeline = re.findall(r'<li data-kind="(\w+)" (?:data-action="(\w+)")?', html)
    assert [a for _k, a in timeline][:3] == ["complete", "receive", "approve"]


def test_files_are_served_to_those_who_see_the_return(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    order = paid_order(owner, agent="agent")
    ret = return_in("draft", owner, order=order)
    photo = return_add_photo(reference=ret.reference, actor=owner,
                             file=SimpleUploadedFile("bukti.png", PNG, content_type="image/png"))
    return_apply_action(reference=ret.reference, action="approve", actor=owner, inputs={},
                        files={"label": SimpleUploadedFile("label.pdf", PDF, content_type="application/pdf")})
    agent = client_for(users["agent"])
    r = agent.get(f"/returns/{ret.reference}/label/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert agent.get(f"/returns/{ret.reference}/photos/{photo.pk}/").status_code == 200
    other = client_for(users["agent2"])
    assert other.get(f"/returns/{ret.reference}/label/").status_code == 404
    assert other.get(f"/returns/{ret.reference}/photos/{photo.pk}/").status_code == 404


def test_agent_gets_404_on_returns_of_other_orders(shop, users):
    owner = users["owner"]
    ret = return_in("draft", owner, order=paid_order(owner, agent="agent2"))
    c = client_for(users["agent"])
    assert c.get(f"/returns/{ret.reference}/").status_code == 404
    assert c.get(f"/returns/{ret.reference}/actions/approve/").status_code == 404
    assert c.post(f"/returns/{ret.reference}/actions/approve/", {}).status_code == 404
    assert c.post(f"/returns/{ret.reference}/recreate/").status_code == 404
    assert client_for(users["agent2"]).get(f"/returns/{ret.reference}/").status_code == 200


def test_viewer_gets_no_buttons(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    pending = full_return(owner)
    rejected = return_in("rejected", owner)
    viewer = client_for(users["viewer"])
    for ret in (pending, rejected, return_in("awaiting_item", owner)):
        html = viewer.get(f"/returns/{ret.reference}/").content.decode()
        assert "data-section=\"lines\"" in html
        assert "<button" not in html.split('id="modal"')[0].split("</header>")[-1], ret.status
        assert "Mark as paid" not in html and "/recreate/" not in html and 'name="label"' not in html
    assert viewer.post(f"/returns/{pending.reference}/edit/", {"target_date": "2030-01-01"}).status_code == 403


def test_detail_query_count_does_not_grow(shop, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = users["owner"]
    c = client_for(owner)
    small = return_in("draft", owner, lines=[("KAOS-M", 1)])
    big = full_return(owner, photos=5)

    def count(ret):
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"/returns/{ret.reference}/").status_code == 200
        return len(q)

    count(small)
    assert count(small) <= MAX_DETAIL_QUERIES
    assert count(big) <= MAX_DETAIL_QUERIES


def test_edit_responsible_target_date_and_custom_state(shop, users):
    from tokodesk.returns.services import custom_state_save

    owner = users["owner"]
    ret = return_in("item_received", owner)
    state = custom_state_save(actor=owner, label="Awaiting inspection", status="item_received")
    custom_state_save(actor=owner, label="Parcel opened", status="draft")
    c = client_for(owner)
    html = c.get(f"/returns/{ret.reference}/").content.decode()
    assert "Awaiting inspection" in html and "Parcel opened" not in html
    r = c.post(f"/returns/{ret.reference}/edit/", {
        "version": ret.version, "responsible": "group:warehouse", "target_date": "2030-02-01",
        "custom_state": state.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "msg success" in r.content.decode()
    ret.refresh_from_db()
    assert (ret.responsible_group.name, str(ret.target_date), ret.custom_state_id) == (
        "warehouse", "2030-02-01", state.pk)
    assert 'data-custom-state' in r.content.decode()
    # A date input takes ISO dates in every language.
    html = client_for(owner, "id").get(f"/returns/{ret.reference}/").content.decode()
    assert re.search(r'<input type="date" name="target_date" value="2030-02-01"', html)
    assert ret.events.filter(kind="edited").exists()
