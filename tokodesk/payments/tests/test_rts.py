"""The RTS flow (issue 15): a parcel back at the seller restocks through the stock ledger
(kind rts) and records its RTS fee, the shipping cost as an estimate until the courier's
remittance report charges the real fee; the RTS report gives the rate per courier, per
district and per customer, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Stock, StockMovement
from tokodesk.orders.models import OrderEvent
from tokodesk.orders.tests.factories import order_in, run
from tokodesk.payments.models import RtsFee
from tokodesk.payments.rts import rts_report
from tokodesk.payments.services import remittance_import
from tokodesk.payments.tests.factories import report_csv


def on_hand(shop):
    return Stock.objects.get(variant=shop["madu"], warehouse=shop["jkt"]).on_hand


def test_returned_to_sender_restocks_through_the_ledger_and_records_the_estimate(shop, owner):
    before = on_hand(shop)
    order = order_in("returning", owner, shipping_cost=21000)
    assert on_hand(shop) == before - 2
    order = run(order, "returned_to_sender", owner)
    assert order.status == "returned" and order.stock_state == "restocked"
    assert on_hand(shop) == before
    movement = StockMovement.objects.filter(doc_ref=order.reference, kind="rts").get()
    assert movement.on_hand_change == 2 and movement.variant_id == shop["madu"].pk
    fee = RtsFee.objects.get(order=order)
    assert (fee.amount, fee.source, fee.courier.code) == (21000, "estimate", "jne")
    event = OrderEvent.objects.filter(order=order, action="returned_to_sender").get()
    assert event.data["rts_fee"] == 21000 and event.data["rts_fee_source"] == "estimate"


def test_the_remittance_fee_replaces_the_estimate_and_a_later_return_uses_it(shop, owner):
    back = order_in("returned", owner, shipping_cost=18000)
    coming = order_in("returning", owner, shipping_cost=18000)
    content = report_csv(
        [(back.awb, 0, 0, 0, 15000, "01/12/2026"), (coming.awb, 0, 0, 0, 16000, "01/12/2026")]
    )
    remittance, created = remittance_import(
        courier="jne", file_name="jne.csv", content=content, actor=owner
    )
    assert created and remittance.matched_count == 2
    fee = RtsFee.objects.get(order=back)
    assert (fee.amount, fee.source) == (15000, "remittance") and fee.line.awb == back.awb
    # Still on its way back when the report came: its row is written then, and kept.
    assert RtsFee.objects.get(order=coming).amount == 16000
    coming = run(coming, "returned_to_sender", owner)
    fee = RtsFee.objects.get(order=coming)
    assert (fee.amount, fee.source) == (16000, "remittance")


def test_rts_report_per_courier_district_and_customer(shop, owner):
    order_in("returned", owner, shipping_cost=20000)
    order_in("returned", owner, shipping_cost=20000)
    order_in("delivered", owner)
    order_in("completed", owner)
    with CaptureQueriesContext(connection) as ctx:
        report = rts_report()
    assert len(ctx) <= 8
    assert (report["ended"], report["sent_back"], report["rate"]) == (4, 2, 50.0)
    assert report["rts_fees"] == 40000
    [jne] = report["couriers"]
    assert (jne["name"], jne["ended"], jne["sent_back"], jne["rate"], jne["rts_fees"]) == (
        "JNE",
        4,
        2,
        50.0,
        40000,
    )
    [customer] = report["customers"]
    assert (customer["sent_back"], customer["rts_fees"]) == (2, 40000)
    assert report["districts"] == []  # the orders have no district (free-text city)
    assert rts_report(courier="jnt")["ended"] == 0


@pytest.fixture
def finance_client(client, users):
    client.force_login(users["finance"])
    return client


def test_rts_report_page(shop, finance_client, users, client):
    order_in("returned", users["owner"], shipping_cost=20000)
    order_in("delivered", users["owner"])
    r = finance_client.get("/payments/rts/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-rts-total-rate="50.0"' in html and 'data-rts-total-fees="20000"' in html
    assert "data-rts-customers" in html and "data-rts-couriers" in html
    assert finance_client.get("/payments/rts/?courier=nope").status_code == 200
    client.force_login(users["agent"])
    assert client.get("/payments/rts/").status_code == 403
