"""What lands in the CSV: the template's columns, headers and order; selected orders vs
everything under the page's filter (agents: only theirs); formula injection neutralized;
UTF-8 BOM; "," or ";" with decimal commas."""

import pytest
from django.utils import translation

from tokodesk.exports import services
from tokodesk.exports.builtins import ACCOUNTING_COLUMNS, COURIER_COLUMNS
from tokodesk.exports.columns import REGISTRY
from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.exports.tests.helpers import body, bulk_orders, read_csv
from tokodesk.exports.writer import BOM, neutralize
from tokodesk.orders.models import Order
from tokodesk.orders.services import order_tag
from tokodesk.orders.tests.factories import make_order, order_in, run


def template(columns, delimiter=",", name="T"):
    return ExportTemplate.objects.create(name=name, delimiter=delimiter,
                                         columns=[{"field": f, "header": h} for f, h in columns])


def export_page(client, tmpl, *, query="", refs=None):
    data = {"template": tmpl.pk, "query": query, "scope": "selected" if refs is not None else "all"}
    if refs is not None:
        data["refs"] = refs
    return client.post("/exports/new/", data)


def csv_of(client, tmpl, **kwargs):
    r = export_page(client, tmpl, **kwargs)
    assert r.status_code == 200, (r.status_code, r.get("Location"))
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="orders-')
    return read_csv(body(r), tmpl.delimiter)


def test_the_built_in_templates_exist(db):
    built_in = {t.name: t for t in ExportTemplate.objects.filter(built_in=True)}
    assert set(built_in) == {"Courier pickup list", "Accounting", "Full export"}
    assert [c["field"] for c in built_in["Courier pickup list"].columns] == COURIER_COLUMNS
    assert [c["field"] for c in built_in["Accounting"].columns] == ACCOUNTING_COLUMNS
    assert {c["field"] for c in built_in["Full export"].columns} == set(REGISTRY)
    # the columns added since 0002 (migration 0004) next to their neighbours
    full = [c["field"] for c in built_in["Full export"].columns]
    for after, new in [("destination_city", "destination_postcode"), ("customer_address", "customer_postcode"),
                       ("payment_method", "payment_method_code"), ("payment_method_code", "payment_method_label")]:
        assert full[full.index(after) + 1] == new
    with translation.override("id"):
        assert built_in["Accounting"].display_name == translation.gettext("Accounting")


def test_columns_headers_and_order_are_respected(shop, users, client_for):
    owner = users["owner"]
    order = make_order(owner, method="cod", lines=(("MADU-500", 2), ("KAOS-M", 1)), courier="jne")
    order_tag(reference=order.reference, actor=owner, add=["vip", "grosir"], remove=[])
    tmpl = template([("awb", "Resi"), ("reference", ""), ("items", "Barang"), ("total_qty", "Qty"),
                     ("recipient_phone", "HP"), ("tags", ""), ("total", "Total (Rp)"), ("cod_amount", "COD"),
                     ("weight_kg", ""), ("status", "")])
    rows = csv_of(client_for(owner), tmpl, refs=[order.reference])
    assert rows[0] == ["Resi", "Order ID", "Barang", "Qty", "HP", "Tags", "Total (Rp)", "COD", "Weight (kg)",
                       "Status"]
    order.refresh_from_db()
    assert rows[1] == ["", order.reference, "2 × Madu Hutan – 500 ml; 1 × Kaos Polos – M", "3",
                       "0812-34567890", "grosir, vip", str(order.total), str(order.total),
                       "1.600", "New"]
    assert len(rows) == 2


def test_money_is_in_major_units_and_times_in_local_time(shop, users, client_for):
    owner = users["owner"]
    bulk_orders(1, currency="EUR")
    order = Order.objects.get()
    tmpl = template([("total", ""), ("paid_total", ""), ("outstanding", ""), ("created_at", ""),
                     ("order_date", "")])
    rows = csv_of(client_for(owner), tmpl, refs=[order.reference])
    from django.utils import timezone

    local = timezone.localtime(order.created_at)
    assert rows[1] == [f"{order.total / 100:.2f}", f"{order.paid_total / 100:.2f}",
                       f"{(order.total - order.paid_total) / 100:.2f}", local.strftime("%Y-%m-%d %H:%M:%S"),
                       local.date().isoformat()]


def test_bom_and_semicolon_with_decimal_comma(shop, users, client_for):
    bulk_orders(2, currency="EUR")
    tmpl = template([("reference", "Ref"), ("destination_address", "Adresse"), ("total", "Total")], delimiter=";")
    r = export_page(client_for(users["owner"]), tmpl)
    raw = body(r)
    assert raw.startswith(BOM.encode("utf-8"))
    lines = raw.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Ref;Adresse;Total"
    ref, address, total = lines[1].split(";")
    order = Order.objects.get(reference=ref)
    assert address == order.destination_address and "," in address  # a comma needs no quotes with ";"
    assert total == f"{order.total / 100:.2f}".replace(".", ",")


def test_formula_injection_is_neutralized(shop, users, client_for):
    owner = users["owner"]
    evil = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    orders = []
    for text in evil:
        o = make_order(owner)
        Order.objects.filter(pk=o.pk).update(recipient_name=text, customer_note=text)
        orders.append(o)
    order_tag(reference=orders[0].reference, actor=owner, add=["=cmd|' /C calc'!A0"], remove=[])
    tmpl = template([("reference", ""), ("recipient_name", ""), ("customer_note", "=note"), ("tags", ""),
                     ("total", "")])
    rows = csv_of(client_for(owner), tmpl, refs=[o.reference for o in orders])
    assert rows[0][2] == "'=note"
    by_ref = {row[0]: row for row in rows[1:]}
    for o, text in zip(orders, evil, strict=True):
        row = by_ref[o.reference]
        assert row[1] == "'" + text and row[2] == "'" + text
        assert not row[4].startswith("'")  # numbers stay numbers
    assert by_ref[orders[0].reference][3] == "'=cmd|' /C calc'!A0"
    # harmless text is untouched
    assert neutralize("Siti =1") == "Siti =1" and neutralize("") == "" and neutralize(None) == ""
    assert neutralize(-5) == -5


def test_all_under_the_filter_vs_selected(shop, users, client_for):
    owner = users["owner"]
    cod_new = [make_order(owner, method="cod") for _ in range(2)]
    transfer_new = make_order(owner, method="bank_transfer")
    cod_confirmed = run(make_order(owner, method="cod"), "confirm", owner)
    tmpl = template([("reference", "")])
    c = client_for(owner)

    rows = csv_of(c, tmpl, query="tab=pending&payment_method=cod&cursor=abc&view=card&sort=total")
    assert sorted(r[0] for r in rows[1:]) == sorted(o.reference for o in cod_new)

    rows = csv_of(c, tmpl, query="tab=to_ship")  # a confirmed COD order waits for the warehouse
    assert [r[0] for r in rows[1:]] == [cod_confirmed.reference]

    rows = csv_of(c, tmpl, query="")
    assert len(rows) == 1 + 4

    rows = csv_of(c, tmpl, query="tab=pending&payment_method=cod", refs=[transfer_new.reference, cod_new[0].reference])
    assert sorted(r[0] for r in rows[1:]) == sorted([transfer_new.reference, cod_new[0].reference])


def test_agents_export_only_their_orders(shop, users, client_for):
    owner, agent = users["owner"], users["agent"]
    mine = [make_order(owner, agent="agent") for _ in range(2)]
    theirs = make_order(owner, agent="agent2")
    unassigned = make_order(owner)
    tmpl = template([("reference", "")])
    c = client_for(agent)
    rows = csv_of(c, tmpl, query="tab=all")
    assert sorted(r[0] for r in rows[1:]) == sorted(o.reference for o in mine)
    rows = csv_of(c, tmpl, refs=[mine[0].reference, theirs.reference, unassigned.reference])
    assert [r[0] for r in rows[1:]] == [mine[0].reference]
    # nothing of theirs: no file, a message
    r = export_page(c, tmpl, refs=[theirs.reference])
    assert r.status_code == 302 and r["Location"].startswith("/orders/")
    # and in the background too
    export = services.export_create(user=agent, template=tmpl, filters={})
    services.export_run(export.pk)
    export.refresh_from_db()
    rows = read_csv(services.export_file_path(export).read_bytes())
    assert sorted(r[0] for r in rows[1:]) == sorted(o.reference for o in mine)


def test_refused_exports_go_back_to_the_orders_page(shop, users, client_for):
    owner = users["owner"]
    make_order(owner)
    tmpl = template([("reference", "")])
    c = client_for(owner)
    r = c.post("/exports/new/", {"template": "", "scope": "all", "query": "tab=pending"})
    assert r.status_code == 302 and r["Location"] == "/orders/?tab=pending"
    r = c.post("/exports/new/", {"template": tmpl.pk, "scope": "selected", "query": ""})
    assert r.status_code == 302  # nothing selected
    r = c.post("/exports/new/", {"template": tmpl.pk, "scope": "all", "query": "tab=pending&status=nonsense"})
    assert r.status_code == 302  # invalid filters are not widened to "everything"
    assert Export.objects.count() == 0
    viewer = client_for(users["viewer"])
    assert viewer.post("/exports/new/", {"template": tmpl.pk, "scope": "all", "query": ""}).status_code == 200
    assert client_for(users["warehouse"]).get("/exports/templates/").status_code == 403


def test_an_order_in_any_status_exports(shop, users, client_for):
    """Every column renders for orders the services made (payments, shipment, cancellation)."""
    owner = users["owner"]
    orders = [order_in(s, owner) for s in ("paid", "completed", "cancelled", "invoice_issued", "partially_paid")]
    full = ExportTemplate.objects.get(name="Full export")
    rows = csv_of(client_for(owner), full, refs=[o.reference for o in orders])
    header = rows[0]
    assert len(header) == len(REGISTRY)
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    paid = by_ref[orders[0].reference]
    assert paid["Payments"].startswith("Bank transfer ") and paid["Outstanding"] == "0"
    completed = by_ref[orders[1].reference]
    assert completed["AWB"].startswith("JNE") and completed["Status"] == "Completed"
    assert completed["Shipped"] and completed["Delivered"] and completed["Completed"]
    assert by_ref[orders[2].reference]["Cancellation reason"] == "test reason"
    assert by_ref[orders[3].reference]["Invoice number"].startswith("INV-")
    partial = by_ref[orders[4].reference]
    assert int(partial["Outstanding"]) == orders[4].total - orders[4].total // 2


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_every_column_of_the_registry_renders(shop, users, delimiter):
    bulk_orders(3, currency="EUR" if delimiter == ";" else "IDR")
    from tokodesk.exports.writer import Plan, iter_csv

    plan = Plan.build([{"field": k} for k in REGISTRY])
    data = b"".join(iter_csv(Order.objects.all(), plan, delimiter=delimiter))
    rows = read_csv(data, delimiter)
    assert len(rows) == 4 and all(len(r) == len(REGISTRY) for r in rows)
