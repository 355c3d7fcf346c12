from django.test import Client

from tokodesk.orders.order_settings import OrderSettings
from tokodesk.orders.tests.factories import make_order


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_owner_changes_order_settings(shop, users):
    c = client_for(users["owner"])
    assert c.get("/orders/settings/").status_code == 200
    r = c.post("/orders/settings/", {"order_reference_pattern": "TK-{year}-{seq:05d}", "shipping_deadline_hours": 24,
                                     "cancellation_window_hours": 12, "auto_complete_days": 5,
                                     "whatsapp_template": ""})
    assert r.status_code == 302
    s = OrderSettings.get()
    assert (s.shipping_deadline_hours, s.cancellation_window_hours, s.auto_complete_days) == (24, 12, 5)
    order = make_order(users["owner"])
    assert order.reference.startswith("TK-20") and order.reference.endswith("00001")


def test_bad_pattern_is_refused_inline(shop, users):
    c = client_for(users["owner"])
    r = c.post("/orders/settings/", {"order_reference_pattern": "ORD-{nope}", "shipping_deadline_hours": 24,
                                     "cancellation_window_hours": 12, "auto_complete_days": 5})
    assert r.status_code == 200
    assert "field-error" in r.content.decode()
    assert OrderSettings.get().order_reference_pattern == "ORD-{seq:06d}"


def test_only_the_owner(shop, users):
    for role in ("admin", "agent", "warehouse", "finance", "viewer"):
        assert client_for(users[role]).get("/orders/settings/").status_code == 403
