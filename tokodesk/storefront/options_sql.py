"""The landing page's reads of its catalog rows in SQL written once per process (issue 16):
the page with its product and warehouse (services.public_page), the form's variants
with their product and their stock rows with their warehouse (services.variant_options),
the shop's payment methods (services.payment_choices) and the page's active agents
(services._agent_ids, the round robin's order).

Every submit of a flash sale reads the page and builds the form, and the ORM compiled these
querysets anew each time (~2.2 ms of CPU of the submit's ~12). The statements here are the ones Django
writes for them (the same columns, joins, filters and order: the same plan and rows), and
the rows become model instances as Django's iterator makes them: each column through the
backend's and the field's converters, `Model.from_db`, the joined row cached on the
foreign key (select_related)."""

from __future__ import annotations

from django.db import connection

_SQL: dict[tuple, str] = {}
_CONVERTERS: dict[tuple, list] = {}


def _fields(model) -> list:
    return list(model._meta.concrete_fields)


def _select(model) -> str:
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    return ", ".join(f"{table}.{q(f.column)}" for f in _fields(model))


def _converters(model) -> list:
    key = (connection.vendor, model._meta.label)
    found = _CONVERTERS.get(key)
    if found is None:
        found = []
        for field in _fields(model):
            col = field.get_col(model._meta.db_table)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            found.append((convs, col))
        _CONVERTERS[key] = found
    return found


def _instances(model, rows, start: int) -> list:
    """One saved instance of `model` per row, from its columns starting at `start`."""
    converters = _converters(model)
    end = start + len(converters)
    names = [f.attname for f in _fields(model)]
    out = []
    for row in rows:
        values = list(row[start:end])
        for i, (convs, col) in enumerate(converters):
            for convert in convs:
                values[i] = convert(values[i], col, connection)
        out.append(model.from_db(connection.alias, names, values))
    return out


def _joined(model, related, field_name: str, rows) -> list:
    """Instances of `model` with their `field_name` (of `related`, selected after them)."""
    objs = _instances(model, rows, 0)
    field = model._meta.get_field(field_name)
    for obj, rel in zip(objs, _instances(related, rows, len(_fields(model))), strict=True):
        field.set_cached_value(obj, rel)
    return objs


def public_page(slug: str):
    """The active landing page `slug` of an active product with its product and warehouse,
    or None: as LandingPage.objects.select_related("product", "warehouse").filter(slug=…,
    active=True, product__active=True).first() (every page view and submit reads it)."""
    from tokodesk.catalog.models import Product, Warehouse
    from tokodesk.storefront.models import LandingPage

    key = (connection.vendor, "page")
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        lp, p, w = (q(m._meta.db_table) for m in (LandingPage, Product, Warehouse))
        # The model's ordering (["name"]), as .first() adds it.
        order = ", ".join(
            f"{lp}.{q(LandingPage._meta.get_field(name).column)} ASC"
            for name in LandingPage._meta.ordering
        )
        sql = _SQL[key] = (
            f"SELECT {_select(LandingPage)}, {_select(Product)}, {_select(Warehouse)} FROM {lp} "
            f"INNER JOIN {p} ON ({lp}.{q('product_id')} = {p}.{q('id')}) "
            f"LEFT OUTER JOIN {w} ON ({lp}.{q('warehouse_id')} = {w}.{q('id')}) "
            f"WHERE ({lp}.{q('active')} AND {p}.{q('active')} AND {lp}.{q('slug')} = %s) "
            f"ORDER BY {order} LIMIT 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    page = _instances(LandingPage, rows, 0)[0]
    at = len(_fields(LandingPage))
    meta = LandingPage._meta
    meta.get_field("product").set_cached_value(page, _instances(Product, rows, at)[0])
    at += len(_fields(Product))
    pk_at = at + _fields(Warehouse).index(Warehouse._meta.pk)
    warehouse = _instances(Warehouse, rows, at)[0] if rows[0][pk_at] is not None else None
    meta.get_field("warehouse").set_cached_value(page, warehouse)
    return page


def variants(product_id: int) -> list:
    """The product's active variants by price and SKU, each with its product: as
    Variant.objects.filter(product_id=…, active=True).select_related("product")
    .order_by("price", "sku")."""
    from tokodesk.catalog.models import Product, Variant

    key = (connection.vendor, "variants")
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        v, p = q(Variant._meta.db_table), q(Product._meta.db_table)
        sql = _SQL[key] = (
            f"SELECT {_select(Variant)}, {_select(Product)} FROM {v} INNER JOIN {p} "
            f"ON ({v}.{q('product_id')} = {p}.{q('id')}) WHERE ({v}.{q('active')} AND "
            f"{v}.{q('product_id')} = %s) ORDER BY {v}.{q('price')} ASC, {v}.{q('sku')} ASC"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [product_id])
        rows = cursor.fetchall()
    return _joined(Variant, Product, "product", rows)


def stock(variant_ids: list[int], warehouse_id: int | None) -> list:
    """The variants' stock rows in active warehouses (in `warehouse_id` only, when given),
    each with its warehouse: as catalog.selectors.stock_rows(variant_ids=…,
    warehouse_id=…, active_warehouses=True)."""
    from tokodesk.catalog.models import Stock, Warehouse

    if not variant_ids:
        return []  # the ORM sends no statement for an empty IN
    key = (connection.vendor, "stock", len(variant_ids), warehouse_id is not None)
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        s, w = q(Stock._meta.db_table), q(Warehouse._meta.db_table)
        marks = ", ".join(["%s"] * len(variant_ids))
        in_warehouse = f" AND {s}.{q('warehouse_id')} = %s" if warehouse_id is not None else ""
        sql = _SQL[key] = (
            f"SELECT {_select(Stock)}, {_select(Warehouse)} FROM {s} INNER JOIN {w} "
            f"ON ({s}.{q('warehouse_id')} = {w}.{q('id')}) WHERE ({s}.{q('variant_id')} IN ({marks})"
            f"{in_warehouse} AND {w}.{q('active')})"
        )
    params = list(variant_ids) + ([warehouse_id] if warehouse_id is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _joined(Stock, Warehouse, "warehouse", rows)


def payment_methods() -> list:
    """Every payment method row in the shop's order, as
    PaymentMethod.objects.order_by("position", "id") (orders.payment_options.method_rows
    reads them; inactive rows too, it filters)."""
    from tokodesk.orders.models import Order

    model = Order.payment_option.field.related_model  # payments.PaymentMethod
    key = (connection.vendor, "methods")
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        t = q(model._meta.db_table)
        sql = _SQL[key] = (
            f"SELECT {_select(model)} FROM {t} ORDER BY {t}.{q('position')} ASC, {t}.{q('id')} ASC"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return _instances(model, rows, 0)


def agent_ids(page_id: int) -> list[int]:
    """The ids of the page's active agents by id (the round robin's order), as
    page.agents.filter(is_active=True).order_by("pk").values_list("pk", flat=True)."""
    from tokodesk.storefront.models import LandingPage

    key = (connection.vendor, "agents")
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        field = LandingPage._meta.get_field("agents")
        through = field.remote_field.through
        user = field.related_model
        u, a = q(user._meta.db_table), q(through._meta.db_table)
        pk, active = q(user._meta.pk.column), q(user._meta.get_field("is_active").column)
        sql = _SQL[key] = (
            f"SELECT {u}.{pk} FROM {u} INNER JOIN {a} ON ({u}.{pk} = {a}.{q(field.m2m_reverse_name())}) "
            f"WHERE ({a}.{q(field.m2m_column_name())} = %s AND {u}.{active}) "
            f"ORDER BY {u}.{pk} ASC"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [page_id])
        return [row[0] for row in cursor.fetchall()]
