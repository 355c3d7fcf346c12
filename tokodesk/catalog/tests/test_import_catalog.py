"""CSV import and export of the catalog: a preview that lists the bad rows with their
reasons and writes nothing; the fixed file imported in one transaction."""

import csv
import io
import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from tokodesk.catalog.models import Product, Stock, Variant
from tokodesk.catalog.services import importing

HEADER = importing.COLUMNS + importing.STOCK_COLUMNS


def make_csv(rows) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, HEADER)
    w.writeheader()
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode()


def thousand_rows():
    rows = []
    for i in range(1000):
        rows.append(
            {
                "product_name": f"Produk {i // 4}",
                "product_slug": f"produk-{i // 4}",
                "category": "Impor",
                "sku": f"IMP-{i:04d}",
                "options": f"size={i % 4}",
                "price": str(10000 + i),
                "weight_grams": "250",
                "variant_active": "yes",
                "product_active": "yes",
                "warehouse": "jkt" if i % 10 == 0 else "",
                "stock_qty": "5" if i % 10 == 0 else "",
            }
        )
    return rows


def break_three(rows):
    rows[10]["price"] = "murah"  # line 12
    rows[500]["sku"] = "IMP-0001"  # line 502: duplicate of line 3
    rows[998]["warehouse"], rows[998]["stock_qty"] = "mdn", "3"  # line 1000: unknown warehouse
    return rows


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_thousand_rows_three_bad_preview_lists_them_and_writes_nothing(shop, users):
    c = client_for(users["owner"])
    c.cookies["django_language"] = "id"
    before = (Product.objects.count(), Variant.objects.count())
    upload = io.BytesIO(make_csv(break_three(thousand_rows())))
    upload.name = "katalog.csv"
    r = c.post(
        reverse("catalog:import"), {"step": "preview", "file": upload}, HTTP_ACCEPT_LANGUAGE="id"
    )
    assert r.status_code == 422
    html = r.content.decode()
    lines = re.findall(r'<tr data-line="(\d+)">', html)
    assert lines == ["12", "502", "1000"]
    assert "IMP-0001" in html and "mdn" in html
    assert (Product.objects.count(), Variant.objects.count()) == before
    # The import button of a file with errors imports nothing unless only_valid is chosen.
    with translation.override("id"):
        preview = importing.import_apply(
            data=make_csv(break_three(thousand_rows())), actor=users["owner"]
        )
    assert [r.line for r in preview.bad_rows] == [12, 502, 1000]
    assert (Product.objects.count(), Variant.objects.count()) == before


def test_fixed_file_imports_in_one_transaction(shop, users):
    c = client_for(users["owner"])
    upload = io.BytesIO(make_csv(thousand_rows()))
    upload.name = "katalog.csv"
    r = c.post(reverse("catalog:import"), {"step": "preview", "file": upload})
    assert r.status_code == 200, r.content.decode()[:500]
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', r.content.decode()).group(1)
    r = c.post(reverse("catalog:import"), {"step": "apply", "digest": digest})
    assert r.status_code == 302
    assert Product.objects.filter(slug__startswith="produk-").count() == 250
    assert Variant.objects.filter(sku__startswith="IMP-").count() == 1000
    assert Variant.objects.get(sku="IMP-0007").options == {"size": "3"}
    assert Product.objects.get(slug="produk-0").category.name == "Impor"
    # warehouse + stock_qty went in through the ledger's receipt.
    stock = Stock.objects.get(variant__sku="IMP-0010", warehouse=shop["jkt"])
    assert stock.on_hand == 5
    from tokodesk.catalog.models import StockMovement

    assert StockMovement.objects.filter(variant__sku="IMP-0010", kind="receipt").count() == 1


def test_only_valid_rows_by_choice(shop, users):
    preview = importing.import_apply(
        data=make_csv(break_three(thousand_rows())), actor=users["owner"], only_valid=True
    )
    assert len(preview.bad_rows) == 3
    assert (
        Variant.objects.filter(sku__startswith="IMP-").count() == 997
    )  # the first IMP-0001 (line 3) is valid


def test_a_failure_midway_leaves_nothing(shop, users, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_receive", boom)
    try:
        importing.import_apply(data=make_csv(thousand_rows()), actor=users["owner"])
    except RuntimeError:
        pass
    assert not Variant.objects.filter(sku__startswith="IMP-").exists()
    assert not Product.objects.filter(slug__startswith="produk-").exists()


def test_export_imports_back_unchanged(shop, users):
    Variant.objects.filter(sku="KAOS-M").update(
        options={"size": "M"}, compare_at_price=90000, barcode="899123"
    )
    c = client_for(users["agent"])
    r = c.get(reverse("catalog:export"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    data = r.content
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["sku"] for row in rows} == set(Variant.objects.values_list("sku", flat=True))
    before = list(
        Variant.objects.order_by("sku").values_list(
            "sku", "price", "compare_at_price", "options", "barcode"
        )
    )
    preview = importing.import_apply(data=data, actor=users["owner"])
    assert preview.ok and preview.changed_variants == len(before) and preview.new_variants == 0
    after = list(
        Variant.objects.order_by("sku").values_list(
            "sku", "price", "compare_at_price", "options", "barcode"
        )
    )
    assert after == before


def test_export_neutralises_formulas(shop, users):
    Product.objects.filter(slug="madu-hutan").update(name='=HYPERLINK("http://x")')
    text = client_for(users["owner"]).get(reverse("catalog:export")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_agents_cannot_import(shop, users):
    assert client_for(users["agent"]).get(reverse("catalog:import")).status_code == 403
