"""The stock pages: receive, adjust, transfer and stocktake through the forms (errors next
to the fields), the ledger list with filters, keyset pages and CSV, roles (agents read)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Stock, StockMovement, Stocktake
from tokodesk.catalog.services import stock_ops
from tokodesk.catalog.services.ledger import open_ledger, stock_differences
from tokodesk.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(shop):
    open_ledger()
    return shop


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def on_hand(sku, wh="jkt"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=wh).on_hand


def test_receive_form_with_several_lines_and_errors_next_to_them(ledger, users):
    c = client_for(users["warehouse"])
    assert c.get("/stock/receive/").status_code == 200
    r = c.post(
        "/stock/receive/",
        {
            "warehouse": "jkt",
            "rows": 5,
            "sku-0": "KAOS-M",
            "qty-0": "3",
            "sku-2": "NOPE",
            "qty-2": "1",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "NOPE" in html and "field-error" in html
    assert on_hand("KAOS-M") == 100  # nothing written
    r = c.post(
        "/stock/receive/",
        {
            "warehouse": "jkt",
            "supplier": "CV Kain",
            "rows": 5,
            "sku-0": "KAOS-M",
            "qty-0": "3",
            "sku-1": "KAOS-L",
            "qty-1": "4",
            "unit_cost-1": "30000",
        },
    )
    assert r.status_code == 302
    assert (on_hand("KAOS-M"), on_hand("KAOS-L")) == (103, 104)
    assert StockMovement.objects.filter(kind="receipt", reason="CV Kain").count() == 2


def test_adjust_and_transfer_forms(ledger, users):
    c = client_for(users["admin"])
    r = c.post(
        "/stock/adjust/", {"warehouse": "jkt", "sku": "MADU-500", "qty_change": "-2", "reason": ""}
    )
    assert r.status_code == 200 and "field-error" in r.content.decode()
    r = c.post(
        "/stock/adjust/",
        {"warehouse": "jkt", "sku": "MADU-500", "qty_change": "-2", "reason": "damaged"},
    )
    assert r.status_code == 302 and on_hand("MADU-500") == 98
    r = c.post(
        "/stock/transfer/",
        {"from": "jkt", "to": "jkt", "rows": 5, "sku-0": "MADU-500", "qty-0": "1"},
    )
    assert r.status_code == 200 and on_hand("MADU-500") == 98
    r = c.post(
        "/stock/transfer/",
        {"from": "jkt", "to": "sby", "rows": 5, "sku-0": "MADU-500", "qty-0": "8"},
    )
    assert r.status_code == 302 and on_hand("MADU-500") == 90 and on_hand("MADU-500", "sby") == 8
    assert not stock_differences()


def test_stocktake_pages(ledger, users):
    c = client_for(users["warehouse"])
    r = c.post("/stock/stocktakes/", {"warehouse": "jkt"})
    assert r.status_code == 302
    take = Stocktake.objects.get()
    line = take.lines.get(variant__sku="KAOS-L")
    r = c.post(f"/stock/stocktakes/{take.pk}/", {"action": "count", f"counted-{line.pk}": "97"})
    assert r.status_code == 302
    page = c.get(f"/stock/stocktakes/{take.pk}/").content.decode()
    assert "-3" in page
    printed = c.get(f"/stock/stocktakes/{take.pk}/print/")
    assert printed.status_code == 200 and "KAOS-L" in printed.content.decode()
    r = c.post(f"/stock/stocktakes/{take.pk}/", {"action": "post"})
    assert r.status_code == 302 and on_hand("KAOS-L") == 97
    take.refresh_from_db()
    assert take.status == "posted"


def test_agents_read_the_ledger_but_not_the_forms(ledger, users):
    c = client_for(users["agent"])
    page = c.get("/stock/")
    assert page.status_code == 200
    assert "/stock/receive/" not in page.content.decode()
    assert c.get("/stock/receive/").status_code == 403
    assert (
        c.post(
            "/stock/adjust/",
            {"warehouse": "jkt", "sku": "KAOS-M", "qty_change": "1", "reason": "found"},
        ).status_code
        == 403
    )
    assert c.post("/stock/stocktakes/", {"warehouse": "jkt"}).status_code == 403
    assert on_hand("KAOS-M") == 100


def test_ledger_filters_pages_and_query_count(ledger, users):
    owner = users["owner"]
    for _i in range(60):
        stock_ops.receive_stock(actor=owner, warehouse="jkt", lines=[{"sku": "KAOS-M", "qty": 1}])
    stock_ops.receive_stock(actor=owner, warehouse="sby", lines=[{"sku": "KAOS-L", "qty": 1}])
    c = client_for(users["warehouse"])
    c.get("/stock/")  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as small:
        c.get("/stock/?kind=receipt&warehouse=jkt&sku=KAOS-M")
    r = c.get("/stock/?kind=receipt&warehouse=jkt&sku=KAOS-M")
    html = r.content.decode()
    assert html.count('data-kind="receipt"') == 50 and 'data-sku="KAOS-L"' not in html
    assert "ledger-next" in html
    nxt = html.split('id="ledger-next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = c.get("/stock/" + nxt).content.decode()
    assert second.count('data-kind="receipt"') == 10
    # No N+1: a page of 50 rows costs what a page of 10 does.
    with CaptureQueriesContext(connection) as big:
        c.get("/stock/" + nxt)
    assert len(small.captured_queries) == len(big.captured_queries)
    assert c.get("/stock/?cursor=junk").status_code == 200


def test_ledger_csv_for_a_date_range(ledger, users):
    owner = users["owner"]
    stock_ops.adjust_stock(actor=owner, warehouse="jkt", sku="KAOS-M", qty_change=-1, reason="lost")
    c = client_for(users["viewer"])
    r = c.get("/stock/ledger.csv")
    body = b"".join(r.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("created_at,warehouse,sku")
    assert any(
        ",KAOS-M," in line and ",adjustment,-1," in line and ",owner," in line for line in lines
    )
    r = c.get("/stock/ledger.csv?since=2020-01-01&until=2030-01-01")
    assert r.status_code == 302  # more than a year


def test_owner_manages_the_adjustment_reasons(ledger, users):
    from tokodesk.catalog.models import AdjustmentReason

    assert set(AdjustmentReason.objects.values_list("code", flat=True)) >= {
        "damaged",
        "lost",
        "found",
        "sample",
    }
    assert client_for(users["warehouse"]).get("/stock/reasons/").status_code == 403
    c = client_for(users["owner"])
    assert c.get("/stock/reasons/").status_code == 200
    r = c.post("/stock/reasons/", {"code": "", "name": "", "active": "on"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    assert (
        c.post(
            "/stock/reasons/", {"code": "giveaway", "name": "Hadiah", "active": "on"}
        ).status_code
        == 302
    )
    assert (
        c.post("/stock/reasons/", {"code": "sample", "name": "Sampel"}).status_code == 302
    )  # deactivated
    assert not AdjustmentReason.objects.get(code="sample").active
    form = client_for(users["warehouse"]).get("/stock/adjust/").content.decode()
    assert 'value="giveaway"' in form and 'value="sample"' not in form
    with pytest.raises(ValidationFailed):  # an inactive reason is refused
        stock_ops.adjust_stock(
            actor=users["owner"], warehouse="jkt", sku="KAOS-M", qty_change=1, reason="sample"
        )


def test_ledger_page_reads_its_relations_by_primary_key_in_three_queries(ledger, users):
    """The page's movements, then their variants with products, warehouses and actors:
    four queries whatever the page, and no tuple `IN` (prefetch_related_objects built one
    expression per key on PostgreSQL)."""
    from tokodesk.catalog.services.ledger import MovementFilters, movement_page

    owner = users["owner"]
    for sku in ("KAOS-M", "KAOS-L"):
        stock_ops.adjust_stock(actor=owner, warehouse="jkt", sku=sku, qty_change=-1, reason="lost")
    with CaptureQueriesContext(connection) as ctx:
        page, _next = movement_page(MovementFilters(), limit=50)
        shown = [
            (m.variant.display_name, m.variant.product.name, m.warehouse.code, m.actor)
            for m in page
        ]
    assert len(ctx.captured_queries) == 4
    assert not any(") IN ((" in q["sql"] for q in ctx.captured_queries)
    assert any(actor == owner for *_rest, actor in shown)
    assert any(actor is None for *_rest, actor in shown)  # the opening movements
    assert {code for _n, _p, code, _a in shown} >= {"jkt"}
