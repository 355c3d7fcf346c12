"""POST /api/v1/cod-remittances (multipart file, courier) → 201 with matched, mismatched
(awb, flag) and the totals; the same file again → 200, duplicate, nothing changed; GET
list and detail; finance/owner only; bad input is 422 naming the field."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tokodesk.payments.models import Remittance
from tokodesk.payments.tests.factories import TOTAL, cod_orders, report_csv

URL = "/api/v1/cod-remittances"


def post(api, content, courier="jne", name="jne.csv"):
    return api.client.post(
        URL,
        data={"courier": courier, "file": SimpleUploadedFile(name, content, "text/csv")},
        **api._headers({}),
    )


def test_import_answers_matched_and_mismatched_then_a_duplicate(shop, api_as):
    finance = api_as("finance")
    orders = cod_orders(3, prefix="JNA")
    content = report_csv(
        [
            (orders[0].awb, TOTAL, 9000, 3000, 0, "28/11/2026"),
            (orders[1].awb, TOTAL - 1000, 9000, 3000, 0, "28/11/2026"),
            ("NOPE123", 50000, 0, 0, 0, "28/11/2026"),
        ]
    )
    r = post(finance, content)
    assert r.status_code == 201, r.content
    body = r.json()
    assert [(x["awb"], x["flag"], x["order"]) for x in body["matched"]] == [
        (orders[0].awb, "matched", orders[0].reference)
    ]
    assert [(x["awb"], x["flag"]) for x in body["mismatched"]] == [
        (orders[1].awb, "amount_short"),
        ("NOPE123", "unknown_awb"),
    ]
    assert (body["total_expected"], body["total_received"]) == (2 * TOTAL, 2 * TOTAL - 1000 + 50000)
    assert (body["total_fees"], body["duplicate"]) == (24000, False)

    again = post(finance, content, name="renamed.csv")
    assert (
        again.status_code == 200
        and again.json()["duplicate"] is True
        and again.json()["id"] == body["id"]
    )
    assert Remittance.objects.count() == 1

    listed = finance.get(URL).json()
    assert [(x["id"], x["courier"], x["matched_count"], x["mismatched_count"]) for x in listed] == [
        (body["id"], "jne", 1, 2)
    ]
    detail = finance.get(f"{URL}/{body['id']}").json()
    assert detail["mismatched"] == body["mismatched"]
    assert finance.get(f"{URL}/999999").status_code == 404


def test_refusals(shop, api_as):
    cod_orders(1, prefix="JNA")
    content = report_csv([("JNA000000", TOTAL, 0, 0, 0, "")])
    assert post(api_as("agent"), content).status_code == 403
    assert api_as("agent").get(URL).status_code == 403
    r = post(api_as("finance"), content, courier="zzz")
    assert r.status_code == 422 and "courier" in r.json()["fields"]
    r = post(api_as("finance"), report_csv([], header=["Resi"]))
    assert r.status_code == 422 and "mapping.cod_amount" in r.json()["fields"]
    r = api_as("finance").client.post(
        URL, data={"courier": "jne"}, **api_as("finance")._headers({})
    )
    assert r.status_code == 422 and "file" in r.json()["fields"]
    assert Remittance.objects.count() == 0
