"""CSV for the shop's Excel: a shop whose language is Indonesian (LANGUAGE_CODE "id")
gets ";" and decimal commas by default (new templates start with it, the built-in ones
always use it; a seller's template keeps its own choice); phones of the shop's country are
written nationally ("0812-34567890": text to a spreadsheet, no formula guard needed),
while every other text that could run as a formula keeps the guard; the SQL renderer
writes the same bytes as the Python one."""

import pytest
from django.db import connection
from django.utils import translation

from tokodesk.exports import services
from tokodesk.exports.forms import TemplateForm
from tokodesk.exports.models import ExportTemplate, default_delimiter
from tokodesk.exports.tests.helpers import body, read_csv
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order
from tokodesk.orders.tests.factories import make_order


@pytest.fixture
def indonesian_shop(settings):
    settings.LANGUAGE_CODE = "id"
    settings.TOKODESK_PHONE_REGION = "ID"


def test_the_default_separator_follows_the_shops_language(settings, users):
    settings.LANGUAGE_CODE = "id"
    assert default_delimiter() == ";"
    assert TemplateForm().fields["delimiter"].initial() == ";"
    made = services.template_create(
        actor=users["owner"], name="Kurir", columns=[{"field": "reference"}]
    )
    assert made.delimiter == ";"
    courier = ExportTemplate.objects.get(name="Courier pickup list")
    assert courier.effective_delimiter == ";"
    settings.LANGUAGE_CODE = "en"
    assert default_delimiter() == "," and courier.effective_delimiter == ","
    assert made.effective_delimiter == ";"  # a seller's template keeps its choice


def test_the_courier_list_for_indonesian_excel(indonesian_shop, shop, users, client_for):
    owner = users["owner"]
    order = make_order(owner, method="cod", lines=(("MADU-500", 2), ("KAOS-M", 1)), courier="jne")
    Order.objects.filter(pk=order.pk).update(customer_note='=HYPERLINK("http://x")')
    courier = ExportTemplate.objects.get(name="Courier pickup list")
    r = client_for(owner).post(
        "/exports/new/",
        {"template": courier.pk, "query": "", "scope": "selected", "refs": [order.reference]},
    )
    assert r.status_code == 200
    data = body(r)
    header = data.decode("utf-8-sig").split("\r\n")[0]
    assert header.count(";") == len(courier.columns) - 1 and "," not in header
    rows = read_csv(data, ";")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Phone"] == "0812-34567890"
    assert row["Weight (kg)"] == "1,600"  # decimal comma
    assert row["Customer note"] == '\'=HYPERLINK("http://x")'  # the guard stays


def test_a_sellers_comma_template_stays_comma(indonesian_shop, shop, users, client_for):
    owner = users["owner"]
    order = make_order(owner, lines=(("MADU-500", 2),))
    tmpl = services.template_create(
        actor=owner,
        name="Koma",
        delimiter=",",
        columns=[{"field": "reference"}, {"field": "weight_kg"}],
    )
    r = client_for(owner).post(
        "/exports/new/",
        {"template": tmpl.pk, "query": "", "scope": "selected", "refs": [order.reference]},
    )
    assert read_csv(body(r), ",")[1] == [order.reference, "1.400"]


@pytest.mark.parametrize(
    "stored, written",
    [
        ("+6281234567890", "0812-34567890"),
        ("+62215551234", "0215-551234"),
        ("+33612345678", "'+33612345678"),  # another country: international, guarded
        ("+6212", "'+6212"),  # too short to be a number of ours: as any text
        ("=cmd", "'=cmd"),
        ("", ""),
    ],
)
def test_phones_both_renderers_write_the_same_bytes(indonesian_shop, shop, users, stored, written):
    order = make_order(users["owner"], lines=(("MADU-500", 1),))
    Order.objects.filter(pk=order.pk).update(recipient_phone=stored)
    plan = Plan.build(
        [{"field": "reference"}, {"field": "recipient_phone"}, {"field": "customer_phone"}]
    )
    with translation.override("id"):
        python = b"".join(iter_csv(Order.objects.all(), plan, delimiter=";", engine="python"))
        info = {}
        sql = b"".join(iter_csv(Order.objects.all(), plan, delimiter=";", engine="sql", info=info))
    assert info["engine"] == "sql"
    rows = read_csv(python, ";")
    assert rows[1][1] == written and rows[1][2] == "0812-34567890"
    assert read_csv(sql, ";") == rows
    if connection.vendor == "sqlite":
        assert sql == python
