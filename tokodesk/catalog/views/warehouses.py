"""Warehouse pages: the list, create and edit. A warehouse with stock or open orders
cannot be deactivated (the service says why)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tokodesk.catalog import selectors
from tokodesk.catalog.forms import WarehouseForm
from tokodesk.catalog.models import Warehouse
from tokodesk.catalog.services import products as services
from tokodesk.core.errors import DomainError


@login_required
@permission_required("catalog.view_warehouse", raise_exception=True)
def warehouse_list_view(request):
    return render(
        request,
        "catalog/warehouse_list.html",
        {"nav": "catalog", "warehouses": selectors.warehouse_list()},
    )


@login_required
@permission_required("catalog.change_warehouse", raise_exception=True)
def warehouse_edit_view(request, pk: int | None = None):
    warehouse = get_object_or_404(Warehouse, pk=pk) if pk else None
    if request.method == "POST":
        form = WarehouseForm(request.POST)
        if form.is_valid():
            try:
                if warehouse is None:
                    saved = services.warehouse_create(actor=request.user, **form.cleaned_data)
                    messages.success(
                        request, _("Warehouse “%(name)s” created.") % {"name": saved.name}
                    )
                else:
                    saved = services.warehouse_update(
                        warehouse_id=warehouse.pk, actor=request.user, changes=form.cleaned_data
                    )
                    messages.success(
                        request, _("Warehouse “%(name)s” saved.") % {"name": saved.name}
                    )
                return redirect("catalog:warehouses")
            except DomainError as exc:
                if exc.status == 403:
                    raise DjangoPermissionDenied from None
                form.add_error(None, exc.message)
                for key, message in exc.fields.items():
                    if key in form.fields:
                        form.add_error(key, message)
        status = 422
    else:
        initial = (
            {f: getattr(warehouse, f) for f in services.WAREHOUSE_FIELDS} if warehouse else None
        )
        form = WarehouseForm(initial=initial)
        status = 200
    return render(
        request,
        "catalog/warehouse_edit.html",
        {"nav": "catalog", "form": form, "warehouse": warehouse},
        status=status,
    )
