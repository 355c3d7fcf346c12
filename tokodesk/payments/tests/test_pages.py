"""The COD pages: the reconciliation (outstanding with its age, expected vs received,
mismatches, CSV exports), the import (upload → mapping and preview, nothing written → post)
and a remittance's lines; finance and owner only; query counts do not grow with the rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tokodesk.payments.models import Remittance
from tokodesk.payments.tests.factories import TOTAL, cod_orders, report_csv

URL = "/payments/cod/"


@pytest.fixture
def finance_client(client, users, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(users["finance"])
    client.cookies["django_language"] = "en"  # the assertions read the English words
    return client


def upload(client, content, **extra):
    return client.post(
        f"{URL}import/",
        {
            "courier": "jne",
            "step": "preview",
            "file": SimpleUploadedFile("jne.csv", content, "text/csv"),
            **extra,
        },
    )


def test_import_preview_then_post_and_the_outstanding_falls(shop, finance_client):
    c = finance_client
    orders = cod_orders(3, prefix="JNA")
    page = c.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-outstanding-total="{3 * TOTAL}"' in page and 'data-outstanding-count="3"' in page
    content = report_csv(
        [
            (orders[0].awb, TOTAL, 9000, 3000, 0, "28/11/2026"),
            (orders[1].awb, TOTAL + 1, 9000, 3000, 0, "28/11/2026"),
            ("=HYPERLINK(1)", 10, 0, 0, 0, ""),
        ]
    )
    r = upload(c, content)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-flag-count="matched"' in html and "Matched: 1" in html and "Amount over: 1" in html
    assert Remittance.objects.count() == 0
    token = r.context["token"]
    assert len(token) == 64
    mapping = {f"map_{k}": v for k, v in r.context["mapping"].items()}
    r = c.post(
        f"{URL}import/",
        {"courier": "jne", "step": "post", "token": token, "file_name": "jne.csv", **mapping},
    )
    remittance = Remittance.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{URL}remittances/{remittance.pk}/"
    assert (remittance.matched_count, remittance.mismatched_count) == (1, 2)
    page = c.get(URL).content.decode()
    assert f'data-outstanding-total="{2 * TOTAL}"' in page
    detail = c.get(f"{URL}remittances/{remittance.pk}/?flag=mismatched").content.decode()
    assert detail.count('<tr data-flag="') == 2
    export = c.get(f"{URL}?export=mismatches").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in export  # formula guard
    lines = (
        c.get(f"{URL}remittances/{remittance.pk}/?export=csv")
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert len(lines) == 4
    outstanding = c.get(f"{URL}?export=outstanding").content.decode("utf-8-sig").splitlines()
    assert len(outstanding) == 3 and orders[1].reference in outstanding[1] + outstanding[2]

    # The same file again: the preview says so and posting changes nothing.
    r = upload(c, content)
    assert r.context["duplicate"] == remittance
    r = c.post(
        f"{URL}import/",
        {
            "courier": "jne",
            "step": "post",
            "token": r.context["token"],
            "file_name": "again.csv",
            **mapping,
        },
    )
    assert r.status_code == 302 and Remittance.objects.count() == 1


def test_import_errors_name_the_field(shop, finance_client):
    r = finance_client.post(f"{URL}import/", {"courier": "", "step": "preview"})
    assert r.status_code == 422 and set(r.context["errors"]) == {"courier", "file"}
    r = upload(finance_client, report_csv([], header=["Resi", "Tanggal"]))
    assert r.status_code == 422 and "cod_amount" in r.context["errors"]


def test_only_finance_and_owner(shop, client, users):
    client.force_login(users["agent"])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}import/").status_code == 403
    client.force_login(users["owner"])
    assert client.get(URL).status_code == 200


def test_reconciliation_queries_do_not_grow_with_the_rows(
    shop, finance_client, django_assert_max_num_queries
):
    from tokodesk.payments.services import remittance_import

    orders = cod_orders(40, prefix="JNA")
    remittance_import(
        courier="jne",
        file_name="a.csv",
        actor=None,
        content=report_csv([(o.awb, TOTAL - 1, 1, 1, 1, "28/11/2026") for o in orders[:30]]),
    )
    with django_assert_max_num_queries(16):  # 15, and the claims paid per month (issue 15)
        assert finance_client.get(URL).status_code == 200


def test_rts_rate_per_courier_with_its_fees(shop, finance_client, users):
    from tokodesk.orders.tests.factories import order_in
    from tokodesk.payments.services import remittance_import

    sent_back = order_in("returned", users["owner"])  # JNE, refused at the door
    cod_orders(3, prefix="JNA")  # JNE, delivered
    cod_orders(1, prefix="JTA", courier="jnt")  # J&T, delivered
    remittance_import(
        courier="jne",
        file_name="rts.csv",
        actor=None,
        content=report_csv([(sent_back.awb, 0, 0, 0, 9000, "28/11/2026")]),
    )
    page = finance_client.get(URL).content.decode()
    jne = page.split('data-rts-courier="JNE"')[1].split("</tr>")[0]
    assert 'data-rts-rate="25.0"' in jne and "Rp 9.000" in jne
    jnt = page.split('data-rts-courier="J&amp;T Express"')[1].split("</tr>")[0]
    assert 'data-rts-rate="0.0"' in jnt


def test_a_customer_who_refused_cod_parcels_is_flagged_before_confirming(shop, client, users):
    from tokodesk.orders.tests.factories import order_in

    owner = users["owner"]
    order_in("returned", owner)  # refused at the door, sent back
    order_in("delivered", owner)
    new = order_in("new", owner, method="cod")  # same customer (the factory's phone)
    client.force_login(owner)
    page = client.get(f"/orders/{new.reference}/").content.decode()
    assert 'data-cod-refused="1"' in page and "data-cod-risk" in page
    transfer = order_in("new", owner, method="bank_transfer")
    assert "data-cod-risk" not in client.get(f"/orders/{transfer.reference}/").content.decode()
    shipped = order_in("in_transit", owner)
    assert "data-cod-risk" not in client.get(f"/orders/{shipped.reference}/").content.decode()
