"""Each role lands where its work is (issue 12, item 11), in Indonesian (the app's default):
the warehouse on To ship by ship-by deadline, finance on the transfers to verify (oldest
first), everyone else on the orders page as it opens."""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in


def _login(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "pw-" + username},
                           follow=True)
    return client, response


def _refs(html):
    return list(dict.fromkeys(re.findall(r'id="order-(ORD-\d+)"', html)))


def _password(users):
    for user in users.values():
        user.set_password("pw-" + user.username)
        user.save(update_fields=["password"])


def test_warehouse_lands_on_to_ship_most_urgent_first(shop, users):
    _password(users)
    owner = users["owner"]
    later = order_in("ready_to_ship", owner)
    sooner = order_in("paid", owner)
    Order.objects.filter(pk=later.pk).update(ship_by=timezone.now() + dt.timedelta(hours=30))
    Order.objects.filter(pk=sooner.pk).update(ship_by=timezone.now() + dt.timedelta(hours=2))
    make_order(owner)  # new: not the warehouse's work
    _client, response = _login("warehouse")
    assert response.redirect_chain[-1][0] == "/orders/?tab=to_ship&sort=deadline"
    html = response.content.decode()
    assert re.search(r'class="active[^"]*"[^>]*aria-current="page">\s*Perlu Dikirim', html)
    assert '<option value="deadline" selected>' in html
    assert _refs(html) == [sooner.reference, later.reference]


def test_finance_lands_on_the_transfers_to_verify_oldest_first(shop, users):
    """Their order (proof first) is tokodesk/orders/tests/test_transfers_to_verify.py's."""
    _password(users)
    owner = users["owner"]
    first = order_in("confirmed", owner)  # a bank transfer, waiting for its money
    second = order_in("partially_paid", owner)
    order_in("awaiting_payment", owner)  # a payment gateway's: no transfer to check
    order_in("confirmed", owner, method="cod")
    order_in("paid", owner)  # verified already
    assert first.payment_method == second.payment_method == "bank_transfer"
    _client, response = _login("finance")
    assert response.redirect_chain[-1][0] == "/orders/transfers/"
    html = response.content.decode()
    assert re.findall(r'data-transfer="(ORD-\d+)"', html) == [first.reference, second.reference]
    assert "Dikonfirmasi" in html and "Dibayar Sebagian" in html


def test_owner_and_agents_land_on_the_orders_page(shop, users):
    _password(users)
    for username in ("owner", "agent"):
        _client, response = _login(username)
        assert response.redirect_chain[-1][0] == "/orders/", username
    # The root sends a visitor to log in first, then to their landing.
    assert Client().get("/").url.startswith("/accounts/login/?next=/")
