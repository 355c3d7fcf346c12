"""Edit order (Ubah Pesanan): the form of an order before it ships; the write goes through
services.order_edit (split from detail.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tokodesk.core.errors import DomainError, StaleVersion
from tokodesk.core.l10n import colon
from tokodesk.orders import services
from tokodesk.orders.forms_detail import (
    LineFormSet,
    OrderEditForm,
    check_skus,
    line_changes,
    variant_options,
)
from tokodesk.orders.states import PRE_SHIPMENT, Status
from tokodesk.orders.views.detail import _order_or_404
from tokodesk.orders.views.timeline import EDIT_LABELS

# --- edit order (Ubah Pesanan) -----------------------------------------------------------


def _apply_service_errors(exc: DomainError, form, formset, line_index) -> list[str]:
    """Put each field message of the service next to its input; return the rest."""
    general = []
    for key, message in (exc.fields or {}).items():
        if key in form.fields and key != "version":
            form.add_error(key, str(message))
            continue
        parts = key.split(".")
        if (
            parts[0] == "lines"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(line_index)
        ):
            row = formset.forms[line_index[int(parts[1])]]
            field = parts[2] if parts[2] in row.fields else None
            row.add_error(field, str(message))
            continue
        general.append(
            f"{EDIT_LABELS.get(key, key)}{colon()} {message}" if key != "lines" else str(message)
        )
    general.insert(0, str(exc.message))
    return general


def _district(form, order):
    """The district shown in the picker: the one posted, else the order's."""
    from tokodesk.shipping.models import District

    raw = form.data.get("destination") if form.is_bound else order.destination_district_id
    try:
        pk = int(raw or 0)
    except (TypeError, ValueError):
        return None
    if pk == order.destination_district_id:
        return order.destination_district
    return District.objects.select_related("city", "province").filter(pk=pk).first() if pk else None


def _edit_render(request, order, form, formset, *, errors=(), status=200, refused="", stale=False):
    context = {
        "nav": "orders",
        "order": order,
        "form": form,
        "formset": formset,
        "errors": list(errors),
        "refused": refused,
        "stale": stale,
    }
    if form is not None:
        context["district"] = _district(form, order)
        variants = list(variant_options())
        names = {v.sku: v.display_name for v in variants}
        names.update({line.sku: line.name for line in order.lines.all()})
        context.update(
            variants=variants,
            line_names=names,
            groups={
                "left": [
                    (
                        _("Shipping and payment"),
                        [
                            form[n]
                            for n in (
                                "warehouse",
                                "courier",
                                "courier_service",
                                "payment_method",
                                "shipping_cost",
                                "shipping_cost_reason",
                                "insurance_cost",
                                "discount",
                            )
                        ],
                    )
                ],
                "right": [
                    (
                        _("Recipient"),
                        [
                            form[n]
                            for n in (
                                "recipient_name",
                                "recipient_phone",
                                "recipient_email",
                                "destination_address",
                                "destination_city",
                                "destination_postcode",
                            )
                        ],
                    ),
                    (_("Note for the courier and the buyer"), [form["customer_note"]]),
                ],
            },
        )
    return render(request, "orders/edit.html", context, status=status)


@login_required
def order_edit_view(request, reference):
    order = _order_or_404(request, reference)
    if not request.user.has_perm("orders.change_order"):
        raise DjangoPermissionDenied
    if order.status not in PRE_SHIPMENT:
        refused = _(
            "%(reference)s is “%(status)s”: an order can only be edited before it ships."
        ) % {"reference": order.reference, "status": Status(order.status).label}
        return _edit_render(
            request,
            order,
            None,
            None,
            refused=refused,
            status=200 if request.method == "GET" else 409,
        )
    initial_lines = [{"sku": line.sku, "qty": line.qty} for line in order.lines.all()]
    if request.method == "GET":
        form = OrderEditForm(order=order)
        formset = LineFormSet(initial=initial_lines, prefix="lines")
        return _edit_render(request, order, form, formset)
    if request.method != "POST":
        return HttpResponse(status=405)
    form = OrderEditForm(request.POST, order=order)
    formset = LineFormSet(request.POST, initial=initial_lines, prefix="lines")
    form_ok, lines_ok = form.is_valid(), formset.is_valid()
    if lines_ok:
        lines_ok = check_skus(formset)
    if not (form_ok and lines_ok):
        return _edit_render(
            request, order, form, formset, errors=[_("Check the highlighted fields.")], status=422
        )
    changes = form.changes()
    lines, line_index = line_changes(formset, order)
    if lines is not None:
        if not lines:
            return _edit_render(
                request,
                order,
                form,
                formset,
                status=422,
                errors=[_("An order needs at least one product.")],
            )
        changes["lines"] = lines
    before = order.version
    try:
        updated = services.order_edit(
            reference=reference,
            actor=request.user,
            changes=changes,
            expected_version=form.cleaned_data["version"],
            source="web",
            reason=form.cleaned_data.get("shipping_cost_reason") or "",
        )
    except DomainError as exc:
        errors = _apply_service_errors(exc, form, formset, line_index)
        if isinstance(exc, StaleVersion):
            errors.append(
                _("Your changes were not saved. Open the order again to see the current data.")
            )
        return _edit_render(
            request,
            order,
            form,
            formset,
            errors=errors,
            stale=isinstance(exc, StaleVersion),
            status=409 if exc.status == 409 else 422,
        )
    if updated.version == before:
        messages.info(request, _("Nothing changed."))
    else:
        messages.success(request, _("%(reference)s saved.") % {"reference": updated.reference})
    return redirect("orders:detail", reference=updated.reference)
