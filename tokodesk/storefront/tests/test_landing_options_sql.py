"""The landing form's variants and stock read in SQL written once (storefront.options_sql,
issue 16) give what the ORM querysets gave: the same variants in the same order with the
same values, product and state, the same stock row per variant (a page's warehouse, or the
active warehouse with the most), the same availability; and as many statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tokodesk.catalog.models import Stock, Variant, Warehouse
from tokodesk.catalog.selectors import stock_rows
from tokodesk.storefront import services
from tokodesk.storefront.tests.test_landing import make_page


def orm_options(page) -> list:
    """variant_options as the ORM read it before (the reference)."""
    variants = list(
        Variant.objects.filter(product_id=page.product_id, active=True)
        .select_related("product")
        .order_by("price", "sku")
    )
    rows = stock_rows(
        variant_ids=[v.pk for v in variants],
        warehouse_id=page.warehouse_id or None,
        active_warehouses=True,
    )
    best: dict = {}
    for row in rows:
        if row.variant_id not in best or row.available > best[row.variant_id].available:
            best[row.variant_id] = row
    return [
        services.VariantOption(v, max(best[v.pk].available, 0), best[v.pk].warehouse)
        if v.pk in best
        else services.VariantOption(v, 0)
        for v in variants
    ]


def values(obj) -> tuple | None:
    if obj is None:
        return None
    fields = tuple(
        (f.attname, getattr(obj, f.attname), type(getattr(obj, f.attname)))
        for f in obj._meta.concrete_fields
    )
    return (type(obj), fields, obj._state.adding, obj._state.db)


def shown(options) -> list:
    return [
        (values(o.variant), values(o.variant.product), o.available, values(o.warehouse), o.label)
        for o in options
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("warehouse", ["jkt", None])
def test_options_from_sql_are_the_orm_options(shop, warehouse):
    page = make_page(shop, warehouse=warehouse)
    product = page.product
    first = Variant.objects.filter(product=product).order_by("pk").first()
    jkt = shop["jkt"]
    other = Warehouse.objects.create(code="h4-sby", name="Surabaya", city="Surabaya")
    shut = Warehouse.objects.create(code="h4-old", name="Old", active=False)
    # Same price as another: the SKU orders them; options as JSON; no stock row; inactive.
    twin = Variant.objects.create(
        product=product, sku="KAOS-A", name="", price=first.price, options={"size": "A"}
    )
    bare = Variant.objects.create(product=product, sku="KAOS-Z", name="Z", price=1)
    Variant.objects.create(product=product, sku="KAOS-OFF", price=2, active=False)
    Stock.objects.create(variant=twin, warehouse=other, on_hand=9, reserved=2)
    Stock.objects.create(variant=twin, warehouse=shut, on_hand=99)
    Stock.objects.update_or_create(
        variant=first, warehouse=jkt, defaults={"on_hand": 3, "reserved": 3}
    )  # none available here
    Stock.objects.create(variant=first, warehouse=other, on_hand=4)
    page.refresh_from_db()
    with CaptureQueriesContext(connection) as ours:
        new = services.variant_options(page)
    with CaptureQueriesContext(connection) as theirs:
        old = orm_options(page)
    assert shown(new) == shown(old)
    assert len(ours.captured_queries) == len(theirs.captured_queries) == 2
    assert any(o.variant.pk == bare.pk for o in new)
    assert all(o.variant.pk != first.pk or o.variant.product is not None for o in new)


@pytest.mark.django_db
def test_a_product_without_active_variants_reads_once(shop):
    page = make_page(shop)
    Variant.objects.filter(product=page.product).update(active=False)
    with CaptureQueriesContext(connection) as queries:
        assert services.variant_options(page) == [] == orm_options(page)
    assert len(queries.captured_queries) == 2


def orm_page(slug):
    from tokodesk.storefront.models import LandingPage

    return (
        LandingPage.objects.select_related("product", "warehouse")
        .filter(slug=slug, active=True, product__active=True)
        .first()
    )


@pytest.mark.django_db
def test_the_page_from_sql_is_the_orm_page(shop):
    from tokodesk.core.errors import NotFound
    from tokodesk.storefront.models import LandingPage

    with_warehouse = make_page(
        shop, slug="kaos", methods=("cod",), image_url="https://x.test/a.png"
    )
    make_page(shop, slug="tanpa-gudang", warehouse=None)
    for slug in ("kaos", "tanpa-gudang"):
        with CaptureQueriesContext(connection) as queries:
            new = services.public_page(slug)
            shown_new = (values(new), values(new.product), values(new.warehouse))
        old = orm_page(slug)
        assert shown_new == (values(old), values(old.product), values(old.warehouse))
        assert len(queries.captured_queries) == 1  # product and warehouse came with the page
    assert services.public_page("tanpa-gudang").warehouse is None
    LandingPage.objects.filter(pk=with_warehouse.pk).update(active=False)
    for slug in ("kaos", "nope"):
        assert orm_page(slug) is None
        with pytest.raises(NotFound):
            services.public_page(slug)
    product = with_warehouse.product
    LandingPage.objects.filter(pk=with_warehouse.pk).update(active=True)
    type(product).objects.filter(pk=product.pk).update(active=False)
    assert orm_page("kaos") is None
    with pytest.raises(NotFound):
        services.public_page("kaos")
