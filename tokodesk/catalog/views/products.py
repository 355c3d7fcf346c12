"""Catalog pages: the product list (search, filters, keyset pages), one product with its
variants and stock grid, create/edit with the variants inline, pictures, low stock.
Everyone with the catalog's view permission reads; owner and admin change (the services
check it again)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tokodesk.catalog import selectors
from tokodesk.catalog.forms import ImageForm, ProductForm, VariantForm, VariantFormSet
from tokodesk.catalog.models import Product, ProductImage, Warehouse
from tokodesk.catalog.services import products as services
from tokodesk.core.errors import DomainError, ValidationFailed
from tokodesk.core.models import ShopSettings

VIEW = "catalog.view_product"
CHANGE = "catalog.change_product"


def _bool(value):
    return {"1": True, "0": False}.get(value)


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@login_required
@permission_required(VIEW, raise_exception=True)
def product_list_view(request):
    g = request.GET
    warehouses = selectors.warehouse_list()
    filters = selectors.ProductFilters(
        q=g.get("q", "")[:100],
        active=_bool(g.get("active")),
        category=_int(g.get("category")),
        low_stock=g.get("low") == "1",
        warehouse=_int(g.get("warehouse")),
    )
    try:
        rows, next_cursor = selectors.product_list_rows(
            filters=filters, cursor=g.get("cursor") or None
        )
    except ValidationFailed:  # a crafted cursor: the first page
        rows, next_cursor = selectors.product_list_rows(filters=filters)
    query = g.copy()
    query.pop("cursor", None)
    return render(
        request,
        "catalog/product_list.html",
        {
            "nav": "catalog",
            "products": rows,
            "next_cursor": next_cursor,
            "filters": filters,
            "categories": selectors.categories(),
            "warehouses": warehouses,
            "query": query.urlencode(),
            "first_page": not g.get("cursor"),
            "currency": ShopSettings.get().currency,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def product_detail_view(request, pk: int):
    product = selectors.product_get(key=pk)
    if product is None or product.pk != pk:
        raise Http404
    warehouses, grid = selectors.stock_grid(product)
    return render(
        request,
        "catalog/product_detail.html",
        {
            "nav": "catalog",
            "product": product,
            "warehouses": warehouses,
            "grid": grid,
            "image_form": ImageForm(),
            "currency": ShopSettings.get().currency,
        },
    )


def _put_errors(exc: DomainError, form, formset, index_of: list[int]) -> None:
    """The service's field errors ("name", "variants.2.sku") back on the form and rows."""
    for key, message in exc.fields.items():
        parts = key.split(".")
        if (
            parts[0] == "variants"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(index_of)
        ):
            row = formset.forms[index_of[int(parts[1])]]
            name = parts[2] if parts[2] in row.fields else None
            row.add_error(name, message)
        elif parts[0] == "variants":
            formset._non_form_errors = formset.error_class([message])
        elif key in form.fields:
            form.add_error(key, message)
        else:
            form.add_error(None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def _variant_inputs(formset) -> tuple[list[services.VariantInput], list[int], list[int]]:
    """(inputs, form index of each input, ids of rows marked for removal)."""
    inputs, index_of, remove = [], [], []
    for i, row in enumerate(formset.forms):
        data = row.cleaned_data
        if not data:
            continue
        if data.get("DELETE"):
            if data.get("id"):
                remove.append(data["id"])
            continue
        inputs.append(
            services.VariantInput(
                id=data.get("id"),
                sku=data["sku"],
                name=data.get("name", ""),
                options=data.get("options") or {},
                price=data["price"],
                compare_at_price=data.get("compare_at_price"),
                weight_grams=data.get("weight_grams") or 0,
                barcode=data.get("barcode", ""),
                active=data.get("active", False),
                serial_tracked=data.get("serial_tracked", False),
            )
        )
        index_of.append(i)
    return inputs, index_of, remove


@login_required
@permission_required(CHANGE, raise_exception=True)
def product_edit_view(request, pk: int | None = None):
    product = get_object_or_404(Product, pk=pk) if pk else None
    currency = ShopSettings.get().currency
    if request.method == "POST":
        form = ProductForm(request.POST)
        formset = VariantFormSet(request.POST, prefix="v")
        for row in formset.forms:
            row.fields["price"].currency = row.fields["compare_at_price"].currency = currency
        if form.is_valid() and formset.is_valid():
            inputs, index_of, remove = _variant_inputs(formset)
            data = form.cleaned_data
            try:
                if product is None:
                    product = services.product_create(
                        actor=request.user,
                        data=services.ProductInput(
                            name=data["name"],
                            slug=data["slug"],
                            description=data["description"],
                            category=data["category"],
                            active=data["active"],
                            variants=inputs,
                        ),
                    )
                    messages.success(
                        request, _("Product “%(name)s” created.") % {"name": product.name}
                    )
                else:
                    changes = {k: data[k] for k in ("name", "description", "category", "active")}
                    if data["slug"]:
                        changes["slug"] = data["slug"]
                    changes["variants"] = inputs
                    services.product_update(
                        product_id=product.pk,
                        actor=request.user,
                        changes=changes,
                        expected_version=_int(request.POST.get("version")),
                        remove_variant_ids=tuple(remove),
                    )
                    messages.success(
                        request, _("Product “%(name)s” saved.") % {"name": data["name"]}
                    )
                return redirect("catalog:product", pk=product.pk)
            except DomainError as exc:
                if exc.status == 403:
                    raise DjangoPermissionDenied from None
                _put_errors(exc, form, formset, index_of)
        status = 422
    else:
        if product is None:
            form = ProductForm()
            formset = VariantFormSet(prefix="v", initial=[{"active": True, "weight_grams": 0}])
        else:
            form = ProductForm(
                initial={
                    "name": product.name,
                    "slug": product.slug,
                    "description": product.description,
                    "category": product.category.name if product.category_id else "",
                    "active": product.active,
                }
            )
            formset = VariantFormSet(
                prefix="v",
                initial=[
                    VariantForm.initial_for(v, currency) for v in product.variants.order_by("sku")
                ],
            )
        status = 200
    return render(
        request,
        "catalog/product_edit.html",
        {
            "nav": "catalog",
            "product": product,
            "form": form,
            "formset": formset,
            "categories": selectors.categories(),
        },
        status=status,
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def product_image_upload_view(request, pk: int):
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_image_add(
                product_id=pk, file=form.cleaned_data["image"], actor=request.user
            )
            messages.success(request, _("Picture added."))
        except DomainError as exc:
            messages.error(
                request, " ".join(str(m) for m in exc.fields.values()) or str(exc.message)
            )
    else:
        messages.error(request, _("Choose a picture first."))
    return redirect("catalog:product", pk=pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def product_image_delete_view(request, pk: int, image_id: int):
    services.product_image_delete(image_id=image_id, product_id=pk, actor=request.user)
    messages.success(request, _("Picture removed."))
    return redirect("catalog:product", pk=pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def product_image_view(request, image_id: int):
    from tokodesk.core.uploads import serve_upload

    image = get_object_or_404(ProductImage, pk=image_id)
    return serve_upload(
        image.thumbnail if request.GET.get("thumb") and image.thumbnail else image.image
    )


# The most urgent rows shown at once (worst first): 500 rendered rows were ~30 ms of CPU, over
# the page's 50 ms at 10M ledger rows; the nav's count says how many there are in all.
LOW_STOCK_PAGE = 200

@login_required
@permission_required("catalog.view_stock", raise_exception=True)
def low_stock_view(request):
    warehouse_id = _int(request.GET.get("warehouse"))
    rows = selectors.low_stock_rows(warehouse_id=warehouse_id, limit=LOW_STOCK_PAGE)
    # The product link of up to LOW_STOCK_PAGE rows: reversed once, not by a {% url %} per row (a third of the
    # page's rendering time in the 10M-ledger bench).
    marker = 987654321
    link = reverse("catalog:product", kwargs={"pk": marker})
    head, tail = link.split(str(marker), 1)
    for r in rows:
        r["product_url"] = f"{head}{r['product_id']}{tail}"
    return render(
        request,
        "catalog/low_stock.html",
        {
            "nav": "low_stock",
            "rows": rows,
            "page_full": len(rows) == LOW_STOCK_PAGE,
            "page_size": LOW_STOCK_PAGE,
            "warehouses": Warehouse.objects.filter(active=True).order_by("code"),
            "warehouse_id": warehouse_id,
        },
    )
