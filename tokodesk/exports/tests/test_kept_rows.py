"""Kept export rows (issue 16, exports/kept.py): the worker's exports keep each order's line
and reuse it while nothing it is made of changed. The file must be the bytes the SQL
renderer writes now, cold (nothing kept), warm (everything kept) and after every kind of
change the triggers watch — and a change the line does not show must not re-render."""

import contextlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone, translation

from tokodesk.catalog.models import Warehouse
from tokodesk.customers.models import Customer
from tokodesk.exports import kept, kept_schema
from tokodesk.exports.columns import COLUMNS, ExportContext
from tokodesk.exports.kept import evict
from tokodesk.exports.models import CustomerChange, Export, ExportTemplate, KeptForm, KeptRow
from tokodesk.exports.services import export_cleanup, export_create, export_run
from tokodesk.exports.sqlrender import JOIN_ALIASES, compile_plan
from tokodesk.exports.tests.test_sql_bytes import TEMPLATES, _dst_orders
from tokodesk.exports.tests.test_sql_render import _varied_orders
from tokodesk.exports.writer import Plan, iter_csv
from tokodesk.orders.models import Order, OrderLine, Payment, Tag
from tokodesk.payments.models import PaymentMethod
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage

FULL = Plan.build([{"field": key, "header": ""} for key in TEMPLATES["full"]])


def _export(*, keep: bool, plan=FULL, qs=None, delimiter=";", chunk_size=7, language="id"):
    """An export's bytes and info; a form's first export (`warm_form`) is followed by
    what the worker then does (services.export_warm), its count in info["warmed"]."""
    info: dict = {}
    qs = qs if qs is not None else Order.objects.all()
    with translation.override(language):
        data = b"".join(
            iter_csv(
                qs,
                plan,
                delimiter=delimiter,
                engine="sql",
                info=info,
                chunk_size=chunk_size,
                keep=keep,
            )
        )
        if "warm_form" in info:
            compiled = compile_plan(
                plan, ExportContext.build(decimal_comma=delimiter == ";"), delimiter
            )
            info["warmed"] = kept.warm(compiled, qs, info["warm_form"], chunk_size)
    assert info["engine"] == "sql"
    return data, info


def _check(**kw) -> dict:
    """A kept export: the bytes of the SQL renderer without kept rows; its counts."""
    kept_bytes, info = _export(keep=True, **kw)
    fresh, _ = _export(keep=False, **kw)
    assert kept_bytes == fresh
    return info


@pytest.fixture
def orders(shop, users, settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.LANGUAGE_CODE = "id"
    return _dst_orders("IDR") + _varied_orders()


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize(("language", "delimiter"), [("id", ";"), ("en", ",")])
def test_cold_then_warm_same_bytes(orders, template, language, delimiter):
    plan = Plan.build([{"field": key, "header": ""} for key in TEMPLATES[template]])
    cold = _check(plan=plan, language=language, delimiter=delimiter)
    # the form's first export renders as without kept rows; the worker keeps them after
    assert cold["warmed"] == orders and "rendered" not in cold
    warm = _check(plan=plan, language=language, delimiter=delimiter)
    assert (warm["rendered"], warm["kept"]) == (0, orders) and "warm_form" not in warm
    assert KeptRow.objects.count() == orders
    # a chunk's missing lines are rendered on the way (an order the warm-up missed)
    KeptRow.objects.filter(order_id=Order.objects.order_by("pk")[5].pk).delete()
    assert _check(plan=plan, language=language, delimiter=delimiter)["rendered"] == 1


def test_one_column_template_and_one_chunk(orders):
    """A row of one empty cell is `""` both ways (sqlrender's COALESCE case)."""
    plan = Plan.build([{"field": "awb", "header": ""}])
    _check(plan=plan, chunk_size=None)
    assert _check(plan=plan, chunk_size=None)["rendered"] == 0


def _first():
    return Order.objects.filter(reference__startswith="EQ-").order_by("pk").first()


def _lines_order():
    return Order.objects.filter(lines__isnull=False).order_by("pk").first()


def _save_field(o):
    o.recipient_name = "Baru, nama"
    o.save()


def _add_line(o):
    line = o.lines.first()
    OrderLine.objects.create(
        order=o, variant=line.variant, sku="NEW", name="Baru", qty=3, unit_price=5
    )


def _edit_line(o):
    OrderLine.objects.filter(pk=o.lines.first().pk).update(qty=9)


def _delete_line(o):
    o.lines.first().delete()


def _add_payment(o):
    Payment.objects.create(order=o, kind="transfer", amount=12345)


def _void_payment(o):
    Payment.objects.create(order=o, kind="transfer", amount=5)
    _check()
    Payment.objects.filter(order=o).update(voided_at=timezone.now())


PER_ORDER = {
    "order saved": (_first, _save_field, 1),
    "order .update()": (
        _first,
        lambda o: Order.objects.filter(pk=o.pk).update(customer_note="x"),
        1,
    ),
    "line added": (_lines_order, _add_line, 1),
    "line .update()": (_lines_order, _edit_line, 1),
    "line deleted": (_lines_order, _delete_line, 1),
    "payment added": (_first, _add_payment, 1),
    "payment voided": (_first, _void_payment, 1),
    "tag added": (_first, lambda o: o.tags.add(Tag.objects.create(name="baru")), 1),
    "tags cleared": (
        lambda: Order.objects.filter(tags__isnull=False).first(),
        lambda o: o.tags.clear(),
        1,
    ),
}


@pytest.mark.parametrize("change", sorted(PER_ORDER))
def test_a_change_to_an_order_renders_that_order_again(orders, change):
    pick, apply, expected = PER_ORDER[change]
    _check()
    order = pick()
    apply(order)
    info = _check()
    assert info["rendered"] == expected
    assert _check()["rendered"] == 0


def test_customer_changed_renders_their_orders_again(orders):
    _check()
    customer = Order.objects.exclude(customer=None).first().customer
    theirs = Order.objects.filter(customer=customer).count()
    customer.name = "Nama baru"
    customer.save()
    assert list(CustomerChange.objects.values_list("customer_id", flat=True)) == [customer.pk]
    info = _check()
    assert not CustomerChange.objects.exists()  # the export moved their orders' revisions  # rendered on the way, or (over RENDER_SHARE) by the worker after
    assert info.get("rendered", 0) + info.get("warmed", 0) == theirs
    # A change the lines do not show moves nothing.
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())
    assert _check()["rendered"] == 0


SMALL = {
    "courier renamed": lambda: Courier.objects.filter(
        pk=Order.objects.exclude(courier=None).first().courier_id
    ).update(name="Kurir baru"),
    "warehouse renamed": lambda: Warehouse.objects.filter(code="odd").update(name="Gudang baru"),
    "agent renamed": lambda: (
        get_user_model().objects.filter(username="ag1").update(first_name="Andi")
    ),
    "page renamed": lambda: LandingPage.objects.update(name="Halaman baru"),
    "method code": lambda: PaymentMethod.objects.filter(code="paypal").update(code="pp"),
    "tag renamed": lambda: Tag.objects.filter(name="vip").update(name="VIP!"),
    "tag deleted": lambda: Tag.objects.filter(name="zeta").delete(),
}


@pytest.mark.parametrize("change", sorted(SMALL))
def test_a_small_table_changed_makes_a_new_form(orders, change):
    _check()
    SMALL[change]()
    info = _check()
    assert info["warmed"] == orders  # every line again: the form is new
    assert KeptForm.objects.count() == 2


def test_changes_the_lines_do_not_show_keep_them(orders):
    _check()
    User = get_user_model()
    User.objects.filter(username="ag1").update(last_login=timezone.now())
    Courier.objects.filter(code="odd").update(name="+Kurir; baru")  # the same name again
    Warehouse.objects.filter(code="odd").update(city="Depok")
    assert _check()["rendered"] == 0
    assert KeptForm.objects.count() == 1


def test_settings_and_language_make_their_own_forms(orders, settings):
    _check()
    settings.TIME_ZONE = "Asia/Jakarta"
    assert _check()["warmed"] == orders
    assert _check(language="en", delimiter=",")["warmed"] == orders
    assert _check(language="en", delimiter=",")["rendered"] == 0
    assert KeptForm.objects.count() == 3


def test_a_stale_instance_saved_cannot_bring_an_old_revision_back(orders):
    order = _lines_order()
    stale = Order.objects.get(pk=order.pk)
    _check()
    _add_line(order)
    stale.customer_note = "dari instance lama"
    stale.save()  # Django does not know the revision: it cannot write an old one back
    assert _check()["rendered"] == 1


def test_filters_and_selection_use_their_own_rows(orders):
    _check()
    some = Order.objects.filter(status="new")
    info = _check(qs=some)
    assert info["rendered"] == 0 and info["kept"] == some.count()
    assert _check(qs=Order.objects.filter(pk__in=[]))["kept"] == 0


def test_worker_export_keeps_rows_and_writes_the_same_file(orders, users, settings):
    from tokodesk.exports import tasks

    owner = users["owner"]
    template = ExportTemplate.objects.get(name="Full export")

    def run():
        export = export_create(user=owner, template=template, filters={"tab": "all"})
        result = export_run(export.pk)
        export.refresh_from_db()
        assert export.status == Export.Status.DONE
        return (settings.MEDIA_ROOT / export.file.name).read_bytes(), result, export

    settings.TOKODESK_EXPORT_KEEP_FORMS = 0
    plain, result, _export_row = run()
    assert KeptRow.objects.count() == 0 and result["warm"] is False
    settings.TOKODESK_EXPORT_KEEP_FORMS = 3
    first, result, export = run()
    assert first == plain and result["warm"] is True and KeptRow.objects.count() == 0
    assert tasks.warm_kept.call(str(export.pk)) == {"rendered": orders}
    assert KeptRow.objects.count() == orders
    again, result, _export_row = run()
    assert again == plain and (result["warm"], result["rendered"], result["kept"]) == (
        False,
        0,
        orders,
    )


def test_least_recently_used_forms_are_dropped(orders, settings):
    settings.TOKODESK_EXPORT_KEEP_FORMS = 2
    _check(language="id")
    _check(language="en")
    # a form used within the hour is never dropped (an export may be reading it)
    assert evict(connection, keep=1) == 0 and KeptForm.objects.count() == 2
    KeptForm.objects.update(used_at=timezone.now() - timezone.timedelta(hours=2))
    _check(language="fr")
    assert KeptForm.objects.count() == 2
    assert KeptRow.objects.values("form_id").distinct().count() == 2
    # rows of a form that is gone go too
    KeptForm.objects.filter(pk=KeptForm.objects.order_by("used_at").first().pk).delete()
    evict(connection, keep=3)
    assert KeptRow.objects.values("form_id").distinct().count() == 1
    # export_cleanup drops forms no export used within the keep days.
    KeptForm.objects.update(used_at=timezone.now() - timezone.timedelta(days=30))
    export_cleanup()
    assert KeptForm.objects.count() == 0 and KeptRow.objects.count() == 0
    assert evict(connection, keep=1) == 0


def test_an_id_used_again_never_meets_the_deleted_orders_line(orders):
    """Ids come back after a sequence reset or a load with explicit ids: the deleted
    order's revision moved and its kept lines went with it."""
    _check()
    order = Order.objects.order_by("-pk").first()
    pk, reference = order.pk, order.reference
    OrderLine.objects.filter(order=order).delete()
    order.payments.all().delete()
    order.tags.clear()
    Order.objects.filter(pk=pk).delete()
    assert not KeptRow.objects.filter(order_id=pk).exists()
    clone = Order.objects.filter(reference__startswith="EQ-").order_by("pk").first()
    clone.pk, clone.reference = pk, reference + "-B"
    clone.recipient_name = "Orang lain"
    clone.save(force_insert=True)
    info = _check()
    assert info.get("rendered", 0) + info.get("warmed", 0) == 1


def test_a_one_column_cell_that_is_copys_end_marker(shop, users):
    """PostgreSQL's COPY quotes a row that is exactly \\. ; a kept line must be the same."""
    customer = Customer.objects.create(name="Zoë", phone="+6281100000009")
    for city in ("\\.", "Bandung", "\\.x"):
        Order.objects.create(reference=f"C-{city}", customer=customer, destination_city=city)
    plan = Plan.build([{"field": "destination_city", "header": ""}])
    assert _check(plan=plan)["warmed"] == 3  # the lines kept by the worker…
    assert _check(plan=plan)["kept"] == 3  # …are the rendered file's


def test_ensure_puts_back_a_lost_trigger_and_empties_the_rows(orders):
    _check()
    assert kept_schema.ensure(connection) is False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER kept_orders_orderline_ins ON orders_orderline")
        else:
            cursor.execute("DROP TRIGGER kept_orders_orderline_ins")
    assert kept_schema.ensure(connection) is True
    assert KeptRow.objects.count() == 0
    assert kept_schema.installed(connection) == {name for name, _sql in kept_schema.ddl(connection)}


def test_the_registry_reads_only_watched_tables(shop, users):
    """Every table the SQL of every column reads has triggers, and every column it reads of
    the customer and the small tables moves a revision or a generation: a column added to
    the registry that reads something unwatched fails here."""
    plan = Plan.build([{"field": c.key, "header": ""} for c in COLUMNS])
    with translation.override("en"):
        compiled = compile_plan(plan, ExportContext.build(decimal_comma=False), ",")
    text = compiled.select + compiled.joins
    read = set(re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', text))
    customer, _fk, customer_columns = kept_schema.customer_watch()
    small = kept_schema.small_tables()
    watched = {
        Order._meta.db_table,
        customer,
        *small,
        *(t for t, _c in kept_schema.per_order_tables()),
    }
    assert read and read <= watched
    for rel, alias in JOIN_ALIASES.items():
        table = Order._meta.get_field(rel).related_model._meta.db_table
        allowed = customer_columns if table == customer else small[table]
        used = set(re.findall(rf'\b{alias}\."(\w+)"', text)) - {"id"}
        assert used <= set(allowed), (rel, used - set(allowed))


@pytest.mark.django_db(transaction=True)
def test_threads_read_ahead_and_the_file_comes_in_order(shop, users, settings, monkeypatch):
    """workers > 1 (the worker's exports): threads on connections of their own read (and,
    for missing lines, render and keep) the chunks ahead; the file is the one-connection
    file; an error in a thread reaches the export; inside a transaction one connection.
    The tests' in-memory SQLite database shares one cache with table locks: one connection
    there (the bench's file databases run the threads on SQLite too)."""
    settings.TIME_ZONE = "Europe/Paris"
    # (not _dst_orders: it reads a payment method a migration made, which a transactional
    # test run before this one may have flushed)
    n = _varied_orders()
    ahead = []
    original = kept._ahead

    def spy(compiled, form, chunks, workers):
        ahead.append(workers)
        yield from original(compiled, form, chunks, workers)

    monkeypatch.setattr(kept, "_ahead", spy)
    threads = connection.vendor == "postgresql" or not connection.is_in_memory_db()

    def export(workers, keep=True, qs=None):
        info: dict = {}
        qs = qs if qs is not None else Order.objects.all()
        with translation.override("id"):
            data = b"".join(
                iter_csv(
                    qs,
                    FULL,
                    delimiter=";",
                    engine="sql",
                    info=info,
                    chunk_size=5,
                    keep=keep,
                    workers=workers,
                )
            )
            if "warm_form" in info:
                compiled = compile_plan(FULL, ExportContext.build(decimal_comma=True), ";")
                kept.warm(compiled, Order.objects.all(), info["warm_form"], 5)
        return data, info

    fresh, _ = export(1, keep=False)
    first, info = export(2)
    assert first == fresh and "warm_form" in info and ahead == []
    warm, info = export(2)
    assert warm == fresh and (info["rendered"], info["kept"]) == (0, n)
    assert ahead == ([2] if threads else [])
    for order in Order.objects.order_by("pk")[2:9:3]:  # stale lines in several chunks
        Order.objects.filter(pk=order.pk).update(customer_note="diubah; lagi")
    again, info = export(3)
    assert again == export(1, keep=False)[0] and (info["rendered"], info["kept"]) == (3, n - 3)
    agent = get_user_model().objects.get(username="ag1")
    mine = Order.objects.filter(assigned_agent=agent)
    assert export(2, qs=mine)[0] == export(1, keep=False, qs=mine)[0]
    monkeypatch.setattr(kept, "_read_checked", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        export(2)
    from django.db import transaction

    ahead.clear()
    monkeypatch.setattr(kept, "_read_checked", lambda *a: (0, b"", []))
    with transaction.atomic():
        export(2)
    assert ahead == []


def test_an_export_over_orders_mostly_not_kept_renders_as_before(orders):
    """Over kept.RENDER_SHARE of an export's orders without a line: rendered as without
    kept rows (faster than on the way), the worker keeps them after."""
    some = Order.objects.filter(reference__startswith="DST-")
    assert _check(qs=some)["warmed"] == some.count()
    info = _check()  # the whole export: most of its orders have no line yet
    assert "warm_form" in info and "rendered" not in info
    assert info["warmed"] == orders - some.count()
    assert _check()["kept"] == orders
    few = list(
        Order.objects.order_by("pk").values_list("pk", flat=True)[: int(orders * kept.RENDER_SHARE)]
    )
    Order.objects.filter(pk__in=few).update(customer_note="diubah")
    info = _check()  # at the share: rendered on the way
    assert (info["rendered"], info["kept"]) == (len(few), orders - len(few))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE fires no row trigger on PostgreSQL"
)
def test_postgresql_truncate_drops_every_kept_line(orders):
    _check()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way
        cursor.execute(f"TRUNCATE {Order.tags.through._meta.db_table}")
    assert KeptRow.objects.count() == 0
    assert _check()["warmed"] == orders


NAME_PLAN = Plan.build(
    [{"field": "reference", "header": ""}, {"field": "customer_name", "header": ""}]
)


@contextlib.contextmanager
def _other_transaction():
    """A cursor in an open transaction on a connection of its own (another writer),
    rolled back unless it committed."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            yield cursor
            cursor.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_postgresql_an_order_added_while_its_customer_changes_is_rendered_again(shop, users):
    """A customer renamed by a transaction still open while an order is added for it and
    exported (with the old name, rightly): once the rename commits, that order's line is
    stale too — the customer's own revision, not a fan-out to the orders it could see."""
    import threading


    customer = Customer.objects.create(name="Lama", phone="+6281100000077")
    Order.objects.create(reference="RACE-0", customer=customer)
    plan = NAME_PLAN
    assert _check(plan=plan)["warmed"] == 1
    renamed, commit = threading.Event(), threading.Event()

    def rename():
        with _other_transaction() as cursor:
            cursor.execute(
                "UPDATE customers_customer SET name = 'Baru' WHERE id = %s", [customer.pk]
            )
            renamed.set()
            commit.wait(30)
            cursor.execute("COMMIT")

    thread = threading.Thread(target=rename)
    thread.start()
    assert renamed.wait(10)
    Order.objects.create(reference="RACE-1", customer=customer)  # does not wait for the rename
    before, info = _export(keep=True, plan=plan)
    assert info.get("rendered", 0) + info.get("warmed", 0) == 1  # RACE-1, kept with the old name
    assert b"Lama" in before and b"Baru" not in before
    commit.set()
    thread.join()
    info = _check(plan=plan)
    assert info.get("rendered", 0) + info.get("warmed", 0) == 2
    assert _export(keep=True, plan=plan)[0].count(b"Baru") == 2


FILTERS = [
    {"tab": "all"},
    {"tab": "all", "status": ["new", "cancelled"]},
    {"tab": "all", "date_from": "2025-03-01", "date_to": "2025-10-26"},
    {"tab": "all", "agent": "ag1"},
    {"tab": "all", "agent": "none"},
    {"tab": "all", "landing_page": "madu-promo"},
    {"tab": "all", "warehouse": "odd"},
    {"tab": "all", "courier": "odd"},
    {"tab": "all", "payment_method": "cod"},
    {"tab": "all", "payment_method": "paypal"},
    {"tab": "all", "tag": "vip"},
    {"tab": "all", "channel": "landing_page"},
    {"tab": "all", "min_total": 100, "max_total": 10**12},
    {"tab": "all", "q": "Zoë"},
    {"tab": "all", "q": "0812"},
    {"tab": "all", "q": "EQ-00"},
]


def test_the_orders_pages_filters_read_kept_lines(orders, users):
    """Every filter of the orders page (the export's own SQL inside the kept rows'
    statements; PostgreSQL binds it on the server there, for binary results)."""
    from tokodesk.exports.services import export_queryset

    _check()  # every line kept
    for filters in FILTERS:
        qs = export_queryset(user=users["owner"], filters=filters)
        assert _check(qs=qs)["kept"] == qs.count(), filters
        first = list(qs.values_list("pk", flat=True)[:1])
        touched = Order.objects.filter(pk__in=first).update(customer_note=f"x{filters}")
        info = _check(qs=qs)  # on the way, or by the worker after (over RENDER_SHARE)
        assert info.get("rendered", 0) + info.get("warmed", 0) == touched, filters


def test_the_worker_applies_customer_changes_between_exports(orders):
    from tokodesk.core import jobs

    _check()
    customer = Order.objects.exclude(customer=None).first().customer
    Customer.objects.filter(pk=customer.pk).update(address="Jl. Baru 2")
    assert CustomerChange.objects.count() == 1
    job = next(j for j in jobs.registered() if j.name == "kept_customer_changes")
    assert job.run() == {"applied": True} and not CustomerChange.objects.exists()
    info = _check()
    assert (
        info.get("rendered", 0) + info.get("warmed", 0)
        == Order.objects.filter(customer=customer).count()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_postgresql_a_busy_lock_makes_the_export_render_in_full(shop, users):
    """Applying customer changes waits at most kept.APPLY_LOCK_TIMEOUT_MS for a revision a
    writer holds; then the export renders every line (never a stale kept one) and the
    queue stays for the next export."""

    from tokodesk.exports.models import OrderRev

    customer = Customer.objects.create(name="Lama", phone="+6281100000088")
    order = Order.objects.create(reference="BUSY-1", customer=customer)
    plan = NAME_PLAN
    _check(plan=plan)
    Customer.objects.filter(pk=customer.pk).update(name="Baru")
    OrderRev.objects.get_or_create(order_id=order.pk, defaults={"rev": 1})
    with _other_transaction() as cursor:
        cursor.execute("SELECT 1 FROM exports_orderrev WHERE order_id = %s FOR UPDATE", [order.pk])
        data, info = _export(keep=True, plan=plan)
        assert b"Baru" in data and "kept" not in info and "warm_form" not in info
        assert CustomerChange.objects.count() == 1
    info = _check(plan=plan)
    assert not CustomerChange.objects.exists() and b"Baru" in _export(keep=True, plan=plan)[0]
