"""The dispatch pages (dispatch/views.py) reached from the bulk bar on To ship: book
with the sandbox, the AWB table, the CSV import with its preview (unknown reference and a
duplicate AWB refused, nothing written), labels; in Indonesian where the seller reads."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order, order_in


def client_for(user, lang="id") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def test_bulk_bar_offers_dispatch_on_to_ship_only_to_who_may_ship(shop, users):
    order_in("ready_to_ship", users["owner"])
    html = client_for(users["warehouse"]).get("/orders/?tab=to_ship").content.decode()
    assert (
        'id="dispatch-bar"' in html
        and 'data-dispatch="book"' in html
        and "shipping/dispatch.js" in html
    )
    assert (
        'id="dispatch-bar"'
        not in client_for(users["warehouse"]).get("/orders/?tab=all").content.decode()
    )
    assert (
        'id="dispatch-bar"'
        not in client_for(users["finance"]).get("/orders/?tab=to_ship").content.decode()
    )


def test_book_page_then_booking_with_the_sandbox(shop, users):
    owner = users["owner"]
    a, b = order_in("ready_to_ship", owner), order_in("ready_to_ship", owner)
    new = make_order(owner)
    c = client_for(users["warehouse"])
    refs = [a.reference, b.reference, new.reference]
    html = c.post("/shipping/dispatch/", {"tool": "book", "refs": refs}).content.decode()
    assert 'name="adapter"' in html and 'value="sandbox"' in html and a.reference in html
    assert Order.objects.get(pk=a.pk).status == "ready_to_ship"
    r = c.post("/shipping/dispatch/book/", {"adapter": "sandbox", "refs": refs})
    html = r.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == "awaiting_pickup" and a.awb and b.awb
    assert 'data-shipped="2"' in html and a.awb in html and b.awb in html
    assert (
        'data-refused="1"' in html and "tidak bisa dilakukan saat status" in html
    )  # the reason, in Indonesian


def test_awb_table_ships_typed_rows_and_lists_refusals(shop, users):
    owner = users["owner"]
    a, b, c_ = (order_in("ready_to_ship", owner) for _ in range(3))
    taken = order_in("awaiting_pickup", owner)
    done = order_in("in_transit", owner)
    c = client_for(users["warehouse"], "en")
    html = c.post(
        "/shipping/dispatch/",
        {"tool": "awb", "refs": [a.reference, b.reference, c_.reference, done.reference]},
    ).content.decode()
    assert (
        "data-awb-input" in html
        and f'name="awb_{a.reference}"' in html
        and 'data-left-out="1"' in html
    )
    assert f'name="awb_{done.reference}"' not in html
    r = c.post(
        "/shipping/dispatch/awb/",
        {
            "refs": [a.reference, b.reference, c_.reference],
            f"awb_{a.reference}": "JP0000000001",
            f"courier_{a.reference}": "jnt",
            f"awb_{b.reference}": taken.awb,
            f"courier_{b.reference}": "jne",
            f"awb_{c_.reference}": "",
            f"courier_{c_.reference}": "jne",
        },
    )
    html = r.content.decode()
    assert 'data-shipped="1"' in html and 'data-refused="1"' in html
    assert f"The AWB {taken.awb} is already on another order." in html
    assert Order.objects.get(pk=a.pk).awb == "JP0000000001"
    assert (
        Order.objects.get(pk=b.pk).status == Order.objects.get(pk=c_.pk).status == "ready_to_ship"
    )


def test_csv_preview_refuses_unknown_reference_and_duplicate_awb_and_writes_nothing(shop, users):
    owner = users["owner"]
    orders = [order_in("ready_to_ship", owner) for _ in range(3)]
    csv = "reference,courier,awb\n" + "\n".join(
        [
            f"{orders[0].reference},jne,AWB-0001",
            "ORD-NOPE,jne,AWB-0002",
            f"{orders[1].reference},jnt,AWB-0001",
            f"{orders[2].reference},,AWB-0003",
        ]
    )
    c = client_for(users["warehouse"], "en")
    r = c.post(
        "/shipping/dispatch/csv/", {"file": SimpleUploadedFile("awb.csv", csv.encode(), "text/csv")}
    )
    html = r.content.decode()
    assert r.status_code == 422 and 'data-csv-refused="2"' in html and "data-csv-apply" not in html
    assert (
        html.count("data-refused-row") == 2
        and "Unknown order ORD-NOPE." in html
        and "The AWB AWB-0001 is also on line 2." in html
    )
    assert all(Order.objects.get(pk=o.pk).status == "ready_to_ship" for o in orders)
    # Even posted straight to the apply step, nothing is written while a row is refused.
    r = c.post("/shipping/dispatch/csv/", {"step": "apply", "text": csv})
    assert r.status_code == 422 and all(Order.objects.get(pk=o.pk).awb == "" for o in orders)

    good = csv.replace("ORD-NOPE,jne,AWB-0002\n", "").replace("jnt,AWB-0001", "jnt,AWB-0002")
    r = c.post(
        "/shipping/dispatch/csv/",
        {"file": SimpleUploadedFile("awb.csv", good.encode(), "text/csv")},
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'data-csv-valid="3"' in html and "data-csv-apply" in html
    r = c.post("/shipping/dispatch/csv/", {"step": "apply", "text": good})
    assert 'data-shipped="3"' in r.content.decode()
    assert [Order.objects.get(pk=o.pk).awb for o in orders] == ["AWB-0001", "AWB-0002", "AWB-0003"]


def test_labels_button_answers_a_pdf_and_bad_selection_a_page(shop, users):
    order = order_in("awaiting_pickup", users["owner"])
    c = client_for(users["warehouse"])
    r = c.post("/shipping/dispatch/", {"tool": "labels", "refs": [order.reference]})
    assert (
        r.status_code == 200
        and r["Content-Type"] == "application/pdf"
        and r.content.startswith(b"%PDF")
    )
    r = c.post("/shipping/dispatch/", {"tool": "labels", "refs": []})
    assert r.status_code == 422 and "data-dispatch-error" in r.content.decode()
    assert (
        client_for(users["finance"])
        .post("/shipping/dispatch/", {"tool": "labels", "refs": [order.reference]})
        .status_code
        == 403
    )
