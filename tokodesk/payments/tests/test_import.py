"""Importing a courier's COD remittance report (issue 15): a report of 2,000 rows with known
mismatches gives the right flags and totals, marks exactly the matched payments remitted,
and importing it again changes nothing."""

import random

import pytest

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.core.outbox import OutboxEvent
from tokodesk.orders.models import Order, Payment
from tokodesk.orders.tests.factories import order_in
from tokodesk.payments.models import Remittance, RemittanceLine, RemittanceMapping
from tokodesk.payments.reports import parse_amount
from tokodesk.payments.services import remittance_import, remittance_preview
from tokodesk.payments.tests.factories import TOTAL, cod_orders, report_csv

DAY = "28/11/2026"


def world():
    return {
        "remittances": list(
            Remittance.objects.order_by("id").values_list("id", "matched_count", "total_received")
        ),
        "lines": RemittanceLine.objects.count(),
        "payments": list(
            Payment.objects.order_by("id").values_list("id", "amount", "remitted_at", "voided_at")
        ),
        "orders": list(
            Order.objects.order_by("id").values_list("id", "status", "version", "paid_total")
        ),
        "outbox": OutboxEvent.objects.count(),
    }


@pytest.fixture
def finance(users):
    return users["finance"]


def test_a_2000_row_report_with_known_mismatches(shop, finance):
    delivered = cod_orders(1920, prefix="JNA")  # 1,840 exact, 40 short, 30 over, 10 remitted before
    matched, short, over, earlier = (
        delivered[:1840],
        delivered[1840:1880],
        delivered[1880:1910],
        delivered[1910:],
    )
    in_transit = cod_orders(30, prefix="JNT", status="in_transit")
    # The 10 paid by an earlier report.
    first, created = remittance_import(
        courier="jne",
        file_name="earlier.csv",
        actor=finance,
        content=report_csv([(o.awb, TOTAL, 9000, 3000, 0, DAY) for o in earlier]),
    )
    assert created and first.matched_count == 10

    rows = [(o.awb, TOTAL, 9000, 3000, 0, DAY) for o in matched]
    rows += [(o.awb, TOTAL - 5000, 9000, 3000, 0, DAY) for o in short]
    rows += [(o.awb, TOTAL + 2000, 9000, 3000, 0, DAY) for o in over]
    rows += [(f"XX{i:08d}", 99000, 9000, 3000, 0, DAY) for i in range(30)]  # unknown AWBs
    rows += [(o.awb, TOTAL, 9000, 3000, 0, DAY) for o in in_transit]  # not delivered
    rows += [(o.awb, TOTAL, 9000, 3000, 0, DAY) for o in earlier]  # remitted by the earlier report
    rows += [
        (o.awb, TOTAL, 9000, 3000, 0, DAY) for o in matched[:20]
    ]  # the same AWB twice in this file
    random.Random(7).shuffle(rows)
    assert len(rows) == 2000
    content = report_csv(rows)

    preview = remittance_preview(courier="jne", content=content, actor=finance)
    remittance, created = remittance_import(
        courier="jne", file_name="jne-2026-11.csv", content=content, actor=finance
    )
    assert created
    flags = dict.fromkeys(RemittanceLine.Flag.values, 0)
    for flag in remittance.lines.values_list("flag", flat=True):
        flags[flag] += 1
    assert flags == {
        "matched": 1840,
        "amount_short": 40,
        "amount_over": 30,
        "unknown_awb": 30,
        "not_delivered": 30,
        "already_remitted": 30,
    }
    assert [line.flag for line in preview.lines] == list(
        remittance.lines.values_list("flag", flat=True)
    )
    assert (remittance.line_count, remittance.matched_count, remittance.mismatched_count) == (
        2000,
        1840,
        160,
    )
    assert remittance.total_expected == (1840 + 40 + 30) * TOTAL
    assert (
        remittance.total_received
        == 1840 * TOTAL
        + 40 * (TOTAL - 5000)
        + 30 * (TOTAL + 2000)
        + 30 * 99000
        + 30 * TOTAL
        + 10 * TOTAL
        + 20 * TOTAL
    )
    assert remittance.total_fees == 2000 * 12000
    assert remittance.net_paid == remittance.total_received - remittance.total_fees
    assert str(remittance.period_start) == str(remittance.period_end) == "2026-11-28"
    # Exactly the matched payments are remitted now; short and over wait for someone to look.
    remitted = set(
        Payment.objects.filter(remitted_at__isnull=False).values_list("order_id", flat=True)
    )
    assert remitted == {o.pk for o in matched} | {o.pk for o in earlier}
    line = remittance.lines.get(awb=short[0].awb)
    assert (line.order_id, line.expected, line.cod_amount, line.difference, line.fees) == (
        short[0].pk,
        TOTAL,
        TOTAL - 5000,
        -5000,
        12000,
    )
    assert remittance.lines.filter(flag="unknown_awb", order__isnull=False).count() == 0
    assert RemittanceMapping.objects.get(courier__code="jne").columns["awb"] == "No Resi"

    before = world()
    again, created = remittance_import(
        courier="jne", file_name="jne-again.csv", content=content, actor=finance
    )
    assert (created, again.pk) == (False, remittance.pk)
    assert world() == before


def test_sent_back_parcel_rts_fee_line_and_completion_by_the_existing_rule(shop, finance, users):
    rts = order_in("returned", users["owner"])
    due = cod_orders(1, prefix="OLD", delivered_days_ago=10)[0]  # past auto_complete_days (7)
    fresh = cod_orders(1, prefix="NEW")[0]
    content = report_csv(
        [
            (rts.awb, 0, 9000, 0, 9000, DAY),
            (due.awb, TOTAL, 9000, 3000, 0, DAY),
            (fresh.awb, TOTAL, 9000, 3000, 0, DAY),
        ]
    )
    remittance, _ = remittance_import(
        courier="jne", file_name="r.csv", content=content, actor=finance
    )
    assert list(remittance.lines.values_list("flag", "rts_fee")) == [
        ("matched", 9000),
        ("matched", 0),
        ("matched", 0),
    ]
    assert Order.objects.get(pk=due.pk).status == "completed"  # the worker's rule, applied now
    assert Order.objects.get(pk=fresh.pk).status == "delivered"


def test_refused_imports_write_nothing(shop, users, finance):
    cod_orders(2, prefix="JNA")
    content = report_csv([("JNA000000", TOTAL, 0, 0, 0, DAY)])
    before = world()
    with pytest.raises(PermissionDenied):
        remittance_import(courier="jne", file_name="r.csv", content=content, actor=users["agent"])
    with pytest.raises(ValidationFailed) as exc:
        remittance_import(courier="nope", file_name="r.csv", content=content, actor=finance)
    assert "courier" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        remittance_import(
            courier="jne",
            file_name="r.csv",
            content=report_csv([], header=["Resi", "Tanggal"]),
            actor=finance,
        )
    assert "mapping.cod_amount" in exc.value.fields
    with pytest.raises(ValidationFailed):
        remittance_import(courier="jne", file_name="r.csv", content=b"", actor=finance)
    assert world() == before


def test_a_saved_mapping_reads_the_courier_s_own_headers(shop, finance):
    order = cod_orders(1, prefix="SC")[0]
    content = report_csv(
        [(order.awb, TOTAL, 1, 2, 3, "2026-11-30")],
        header=["Kolom A", "Kolom B", "Kolom C", "Kolom D", "Kolom E", "Kolom F"],
        delimiter=",",
    )
    mapping = {
        "awb": "Kolom A",
        "cod_amount": "Kolom B",
        "courier_fee": "Kolom C",
        "cod_fee": "Kolom D",
        "rts_fee": "Kolom E",
        "paid_date": "Kolom F",
    }
    remittance, _ = remittance_import(
        courier="jne", file_name="r.csv", content=content, actor=finance, mapping=mapping
    )
    line = remittance.lines.get()
    assert (line.flag, line.courier_fee, line.cod_fee, line.rts_fee, str(line.paid_date)) == (
        "matched",
        1,
        2,
        3,
        "2026-11-30",
    )
    assert RemittanceMapping.objects.get(courier__code="jne").columns == mapping


@pytest.mark.parametrize(
    "text,amount",
    [
        ("Rp 150.000", 150000),
        ("150,000", 150000),
        ("150000", 150000),
        ("150.000,00", 150000),
        ("", 0),
        ("-9.000", -9000),
    ],
)
def test_amounts_as_couriers_write_them(text, amount):
    assert parse_amount(text) == amount


def test_a_file_that_is_not_csv_is_refused_by_field(shop, finance):
    for content in (b"No Resi;Nilai COD\nA\x00B;1000\n", b"\xff\xfe\x00\x81\x8d"):
        with pytest.raises(ValidationFailed) as exc:
            remittance_import(courier="jne", file_name="x.csv", content=content, actor=finance)
        assert "file" in exc.value.fields
