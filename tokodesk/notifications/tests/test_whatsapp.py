"""Kirim ke WhatsApp for returns (seed 000): a wa.me link to the customer's number with a
text in their language (reference, status, items, reason), or the shop's own template;
opening it is noted on the timeline and in the outbox."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from tokodesk.core.errors import NotFound, PermissionDenied
from tokodesk.notifications.models import Notification, NotificationSettings
from tokodesk.notifications.whatsapp import return_open_whatsapp, whatsapp_return_link
from tokodesk.returns.models import ReturnEvent
from tokodesk.returns.services import return_create
from tokodesk.returns.tests.factories import act, paid_order, return_data


def parse(url):
    parts = urlparse(url)
    return parts.netloc + parts.path, parse_qs(parts.query)["text"][0]


@pytest.fixture
def ret(shop, users):
    owner = users["owner"]
    return act(return_create(data=return_data(paid_order(owner, agent="agent")), actor=owner), "approve", owner)


def test_link_text_in_each_language(ret):
    from tokodesk.core.models import ShopSettings

    ShopSettings.get()
    ShopSettings.objects.filter(pk=1).update(shop_name="Toko Berkah")  # the shop profile's name
    where, text = parse(whatsapp_return_link(ret, "en", base_url="https://desk.example.com"))
    assert where == "wa.me/6281234567890"
    assert text.startswith("Hello Siti Rahayu, this is Toko Berkah about your return")
    assert ret.reference in text and ret.order.reference in text
    assert "Status: Awaiting item" in text
    assert "Items: 2 × Kaos Polos – M, 1 × Madu Hutan – 500 ml" in text
    assert "Reason: Size too small" in text  # the reason in the customer's language (issue 17)
    assert "https://desk.example.com/o/" in text
    _where, text_id = parse(whatsapp_return_link(ret, "id"))
    assert text_id.startswith("Halo Siti Rahayu") and ret.reference in text_id and "Ukuran kekecilan" in text_id
    _where, text_fr = parse(whatsapp_return_link(ret, "fr"))
    assert text_fr.startswith("Bonjour Siti Rahayu") and "Taille trop petite" in text_fr
    assert "/o/" not in text_fr  # no site address known: no half link


def test_shop_template(ret):
    settings_row = NotificationSettings.get()
    settings_row.whatsapp_return_template = "Retur {reference} ({status}) – {items} – {reason} {unknown}"
    settings_row.save()
    _where, text = parse(whatsapp_return_link(ret, "id"))
    assert text.startswith(f"Retur {ret.reference} (")
    assert "Ukuran kekecilan {unknown}" in text


def test_opening_is_on_the_timeline(ret, users):
    link = return_open_whatsapp(reference=ret.reference, actor=users["agent"], locale="en")
    assert link.url.startswith("https://wa.me/6281234567890?text=") and parse(link.url)[1] == link.text
    event = ReturnEvent.objects.get(return_order=ret, kind="notification")
    assert event.action == "whatsapp" and event.actor == users["agent"]
    assert event.data["channel"] == "whatsapp" and event.data["message"] == link.text
    n = Notification.objects.get(pk=event.data["notification_id"])
    assert (n.channel, n.status, n.to) == ("whatsapp", "sent", "+6281234567890")


def test_who_may(ret, users):
    with pytest.raises(PermissionDenied):
        return_open_whatsapp(reference=ret.reference, actor=users["viewer"])
    with pytest.raises(NotFound):
        return_open_whatsapp(reference=ret.reference, actor=users["agent2"])
    assert not ReturnEvent.objects.filter(kind="notification").exists()
    assert return_open_whatsapp(reference=ret.reference, actor=users["warehouse"]).url


def test_api_and_page(ret, users, api_as):
    r = api_as("agent").post(f"/api/v1/returns/{ret.reference}/whatsapp", {"locale": "fr"})
    assert r.status_code == 200, r.content
    assert r.json()["url"].startswith("https://wa.me/6281234567890?text=Bonjour")
    assert "http://testserver/o/" in r.json()["text"]
    assert api_as("viewer").post(f"/api/v1/returns/{ret.reference}/whatsapp").status_code == 403
    assert api_as("agent2").post(f"/api/v1/returns/{ret.reference}/whatsapp").status_code == 404

    client = Client()
    client.force_login(users["agent"])
    r = client.post(f"/returns/{ret.reference}/whatsapp/")
    # A page of ours that goes on to wa.me (a redirect after a form to another site is
    # blocked by the CSP's form-action, core.outbound).
    assert r.status_code == 200 and r["Refresh"].startswith("0; url=https://wa.me/6281234567890?text=")
    assert 'href="https://wa.me/6281234567890?text=' in r.content.decode()
    assert ReturnEvent.objects.filter(return_order=ret, kind="notification").count() == 2
    viewer = Client()
    viewer.force_login(users["viewer"])
    assert viewer.post(f"/returns/{ret.reference}/whatsapp/").status_code == 403
    assert client.get(f"/returns/{ret.reference}/whatsapp/").status_code == 405


def test_timeline_titles(ret, users):
    from django.utils import translation

    from tokodesk.notifications.timeline import notification_title

    return_open_whatsapp(reference=ret.reference, actor=users["owner"])
    events = list(ReturnEvent.objects.filter(return_order=ret).order_by("id"))
    with translation.override("en"):
        assert notification_title(events[-1]) == "WhatsApp message to the customer"
    with translation.override("fr"):
        assert notification_title(events[-1]) == "Message WhatsApp au client"
    assert notification_title(events[0]) is None
