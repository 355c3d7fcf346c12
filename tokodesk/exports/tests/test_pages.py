"""The export template settings page (owner, admins) and the export menu the orders page
includes."""

import re

from django.template import Context, Template
from django.test import RequestFactory

from tokodesk.exports.models import ExportTemplate
from tokodesk.exports.tests.helpers import body, read_csv
from tokodesk.orders.tests.factories import make_order


def form_data(name, columns, delimiter=","):
    """The template form's POST: columns as [(field, position, header)]."""
    data = {"name": name, "delimiter": delimiter}
    for field, position, header in columns:
        data[f"on_{field}"] = "on"
        data[f"pos_{field}"] = str(position) if position is not None else ""
        data[f"header_{field}"] = header
    return data


def test_templates_page_lists_built_in_and_own(db, users, client_for):
    ExportTemplate.objects.create(name="Gudang", columns=[{"field": "awb", "header": "Resi"}])
    html = client_for(users["owner"]).get("/exports/templates/").content.decode()
    assert html.count("data-template=") == 4
    assert "Courier pickup list" in html and "Gudang" in html and "Resi" in html
    assert client_for(users["admin"]).get("/exports/templates/").status_code == 200
    for role in ("agent", "warehouse", "finance", "viewer"):
        assert client_for(users[role]).get("/exports/templates/").status_code == 403, role
        assert client_for(users[role]).get("/exports/templates/new/").status_code == 403, role


def test_create_and_edit_a_template_with_the_form(shop, users, client_for):
    c = client_for(users["owner"])
    page = c.get("/exports/templates/new/").content.decode()
    assert page.count('type="checkbox"') >= 50
    r = c.post("/exports/templates/new/", form_data("Kurir JNE", [
        ("recipient_name", 2, "Nama"), ("awb", 1, "Resi"), ("items", None, ""), ("cod_amount", 3, "COD")],
        delimiter=";"))
    assert r.status_code == 302 and r["Location"] == "/exports/templates/"
    tmpl = ExportTemplate.objects.get(name="Kurir JNE")
    assert tmpl.columns == [{"field": "awb", "header": "Resi"}, {"field": "recipient_name", "header": "Nama"},
                            {"field": "cod_amount", "header": "COD"}, {"field": "items", "header": ""}]
    assert tmpl.delimiter == ";" and not tmpl.built_in and tmpl.created_by == users["owner"]

    # the edit form shows the chosen columns first, in their order
    html = c.get(f"/exports/templates/{tmpl.pk}/edit/").content.decode()
    assert re.findall(r'data-field="(\w+)"', html)[:4] == ["awb", "recipient_name", "cod_amount", "items"]
    r = c.post(f"/exports/templates/{tmpl.pk}/edit/", form_data("Kurir JNE", [
        ("items", 1, "Barang"), ("awb", 2, "Resi")]))
    assert r.status_code == 302
    tmpl.refresh_from_db()
    assert tmpl.columns == [{"field": "items", "header": "Barang"}, {"field": "awb", "header": "Resi"}]
    assert tmpl.delimiter == ","

    # and an export follows it
    order = make_order(users["owner"])
    r = c.post("/exports/new/", {"template": tmpl.pk, "scope": "selected", "refs": [order.reference], "query": ""})
    rows = read_csv(body(r))
    assert rows == [["Barang", "Resi"], ["2 × Madu Hutan – 500 ml", ""]]


def test_the_form_refuses_bad_input(db, users, client_for):
    c = client_for(users["owner"])
    r = c.post("/exports/templates/new/", {"name": "Kosong", "delimiter": ","})
    assert r.status_code == 422 and "Choose at least one column." in r.content.decode()
    ExportTemplate.objects.create(name="Gudang", columns=[{"field": "awb", "header": ""}])
    r = c.post("/exports/templates/new/", form_data("gudang", [("awb", 1, "")]))
    assert r.status_code == 422 and "A template with this name exists." in r.content.decode()
    r = c.post("/exports/templates/new/", form_data("X", [("awb", 1, "x" * 101)]))
    assert r.status_code == 422
    assert ExportTemplate.objects.filter(built_in=False).count() == 1


def test_built_in_templates_are_copied_not_changed(db, users, client_for):
    c = client_for(users["owner"])
    courier = ExportTemplate.objects.get(name="Courier pickup list")
    r = c.get(f"/exports/templates/{courier.pk}/edit/")
    assert r.status_code == 302
    r = c.post(f"/exports/templates/{courier.pk}/delete/")
    assert r.status_code == 302 and ExportTemplate.objects.filter(pk=courier.pk).exists()
    r = c.post(f"/exports/templates/{courier.pk}/copy/")
    copy = ExportTemplate.objects.get(built_in=False)
    assert r["Location"] == f"/exports/templates/{copy.pk}/edit/"
    assert copy.name == "Copy of Courier pickup list" and copy.columns == courier.columns
    c.post(f"/exports/templates/{courier.pk}/copy/")
    assert ExportTemplate.objects.filter(name="Copy of Courier pickup list (2)").exists()

    r = c.post(f"/exports/templates/{copy.pk}/delete/")
    assert r.status_code == 302 and not ExportTemplate.objects.filter(pk=copy.pk).exists()
    assert client_for(users["agent"]).post(f"/exports/templates/{courier.pk}/copy/").status_code == 403


def _render_menu(user, query=""):
    request = RequestFactory().get("/orders/?" + query)
    request.user = user
    from django.template import RequestContext

    return Template('{% include "exports/_export_button.html" %}').render(RequestContext(request, {}))


def test_the_export_menu_for_the_orders_page(db, users):
    html = _render_menu(users["owner"], "tab=pending&payment_method=cod")
    assert 'id="export-menu"' in html and 'action="/exports/new/"' in html
    assert 'name="query" value="tab=pending&amp;payment_method=cod"' in html
    assert html.count("<option value=") == ExportTemplate.objects.count()
    assert 'name="scope" value="selected"' in html and 'name="scope" value="all" checked' in html
    # The selected rows are read from the page by app.js (no inline script under the CSP).
    assert "<script" not in html and "data-export-count" in html
    assert 'href="/exports/templates/"' in html and 'href="/exports/"' in html
    agent_html = _render_menu(users["agent"])
    assert 'id="export-menu"' in agent_html and 'href="/exports/templates/"' not in agent_html


def test_the_export_menu_needs_the_order_permission(db):
    from django.contrib.auth.models import AnonymousUser

    assert "export-menu" not in Template('{% include "exports/_export_button.html" %}').render(Context({}))
    request = RequestFactory().get("/orders/")
    request.user = AnonymousUser()
    from django.template import RequestContext

    html = Template('{% include "exports/_export_button.html" %}').render(RequestContext(request, {}))
    assert "export-menu" not in html


def test_indonesian_menu_headers_and_template_names(shop, users):
    """The seed's words: Ekspor Pesanan, Template Ekspor, Buat; built-in headers follow the
    exporting user's language."""
    from django.test import Client

    c = Client(headers={"Accept-Language": "id"})
    c.force_login(users["owner"])
    with_lang = _render_menu_in(users["owner"], "id")
    assert "Ekspor Pesanan" in with_lang and "Template Ekspor" in with_lang and ">Buat<" in with_lang
    assert "Daftar Penjemputan Kurir" in with_lang
    order = make_order(users["owner"], method="cod")
    courier = ExportTemplate.objects.get(name="Courier pickup list")
    r = c.post("/exports/new/", {"template": courier.pk, "scope": "selected", "refs": [order.reference]})
    header = read_csv(body(r))[0]
    assert header[:3] == ["ID Pesanan", "Penerima", "Telepon"] and "Nilai COD" in header
    assert r["Content-Disposition"].endswith('-daftar-penjemputan-kurir.csv"')


def _render_menu_in(user, language):
    from django.utils import translation

    with translation.override(language):
        return _render_menu(user)


def test_the_builder_lists_the_payment_method_and_postcode_columns_in_the_readers_language(db, users):
    """Issue 17: the shop's payment method (code, label) and the postal codes are columns of the
    template form, titled and grouped in the language of whoever builds the template."""
    from html import unescape

    from django.test import Client
    from django.utils import translation

    from tokodesk.exports.columns import REGISTRY

    new = ["destination_postcode", "customer_postcode", "payment_method_code", "payment_method_label"]
    for language in ("en", "fr", "id"):
        c = Client()
        c.force_login(users["owner"])
        c.cookies["django_language"] = language
        html = c.get("/exports/templates/new/").content.decode()
        rows = {key: (unescape(label), unescape(group)) for key, label, group in re.findall(
            r'<tr data-field="(\w+)"[^>]*>\s*<td>[^\n]*</td>\s*<td><label[^>]*>([^<]*)</label></td>\s*'
            r'<td class="muted small">([^<]*)</td>', html)}
        assert len(rows) == len(REGISTRY)
        with translation.override(language):
            for key in new:
                assert rows[key] == (str(REGISTRY[key].label), str(REGISTRY[key].group)), (language, key)
        if language == "en":
            assert rows["payment_method_code"] == ("Payment method code", "Payment")
            assert rows["payment_method_label"] == ("Payment method name", "Payment")
            assert rows["destination_postcode"] == ("Postal code", "Recipient")
        if language == "fr":
            assert rows["destination_postcode"][0] == "Code postal"
