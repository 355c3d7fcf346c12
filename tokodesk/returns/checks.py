"""The checks of a return's input (reason, resolution, lines under the quantity invariant,
responsible, extra lines, exchange items): each returns the clean value or raises a
ValidationFailed/Conflict naming the fields. Split from services.py, which calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tokodesk.catalog.models import Variant
from tokodesk.core.errors import Conflict, ValidationFailed
from tokodesk.orders.models import Order, OrderLine
from tokodesk.returns.models import ReturnReason
from tokodesk.returns.selectors import returned_qty_by_line
from tokodesk.returns.states import ExtraDirection, ExtraKind, Resolution

if TYPE_CHECKING:
    from tokodesk.returns.services import ExchangeItemInput, ExtraLineInput, ReturnLineInput


def _reason(reason: str, reason_text: str) -> tuple[ReturnReason, str]:
    """A listed reason by code or label; anything else is the customer's own words under
    the "other" reason."""
    reason, reason_text = (reason or "").strip(), (reason_text or "").strip()
    if not reason:
        raise ValidationFailed("invalid_input", _("The customer's reason is required."),
                               fields={"reason": _("Required.")})
    # By code, by the plain label, or by its label in any of the shop's languages (issue 17).
    by_label = Q(label__iexact=reason)
    for code, _name in settings.LANGUAGES:
        by_label |= Q(**{f"labels__{code}__iexact": reason})
    found = ReturnReason.objects.filter(active=True).filter(code__iexact=reason).first() or \
        ReturnReason.objects.filter(by_label, active=True).order_by("position", "id").first()
    if found is None:
        other = ReturnReason.objects.filter(needs_text=True, active=True).order_by("position", "id").first()
        if other is None:
            other, _c = ReturnReason.objects.get_or_create(
                code="other", defaults={"label": "Other", "needs_text": True, "position": 999})
        text = f"{reason} — {reason_text}" if reason_text else reason
        return other, text
    if found.needs_text and not reason_text:
        raise ValidationFailed("invalid_input", _("Say in a few words what the reason is."),
                               fields={"reason_text": _("Required with this reason.")})
    return found, reason_text


def _resolution(value: str) -> str:
    if value not in Resolution.values:
        raise ValidationFailed("invalid_input", _("Unknown resolution."), fields={"resolution": _("Unknown.")})
    return value


def _serials(values, qty: int, key: str, errors: dict) -> list[str]:
    serials = [str(s).strip() for s in (values or []) if str(s).strip()]
    if len(serials) > qty:
        errors[key] = _("More serial numbers than items.")
    if any(len(s) > 100 for s in serials):
        errors[key] = _("A serial number has at most 100 characters.")
    return serials


def _serials_sold(resolved, seen: dict, errors: dict, exclude_return_id: int | None) -> None:
    """A return line picks among the serials shipped on its order line (orders.serials) and
    not already in another return that counts: any other is refused on the line's field."""
    from tokodesk.returns.models import ReturnLine
    from tokodesk.returns.states import NOT_COUNTED

    for ol, _qty, serials in resolved:
        if not serials:
            continue
        key = f"lines.{seen[ol.pk]}.serial_numbers"
        if not ol.serial_numbers:
            if ol.variant.serial_tracked:
                errors[key] = _("No serial numbers were recorded when %(sku)s shipped.") % {"sku": ol.sku}
            continue
        unknown = [s for s in serials if s not in ol.serial_numbers]
        if unknown:
            errors[key] = _("Not sold on this order: %(serials)s.") % {"serials": ", ".join(unknown[:10])}
            continue
        others = (ReturnLine.objects.filter(order_line=ol).exclude(return_order__status__in=NOT_COUNTED)
                  .exclude(return_order_id=exclude_return_id).values_list("serial_numbers", flat=True))
        again = sorted({s for used in others for s in used} & set(serials))
        if again:
            errors[key] = _("Already in another return: %(serials)s.") % {"serials": ", ".join(again[:10])}


def _resolve_lines(order: Order, lines: list[ReturnLineInput], *, exclude_return_id: int | None = None):
    """[(order line, qty, serial numbers)] after the quantity invariant: with the other
    returns that count, no order line is returned more than it was delivered.
    The caller holds the order's row lock."""
    if not lines:
        raise ValidationFailed("invalid_input", _("A return needs at least one item."),
                               fields={"lines": _("Pick at least one item.")})
    order_lines = list(OrderLine.objects.filter(order=order).select_related("variant").order_by("id"))
    errors, resolved, seen = {}, [], {}
    for i, item in enumerate(lines):
        if item.line is not None:
            found = [ol for ol in order_lines if ol.pk == item.line]
            key = f"lines.{i}.line"
        else:
            found = [ol for ol in order_lines if ol.sku == (item.sku or "")]
            key = f"lines.{i}.sku"
        if not found:
            errors[key] = _("Not on order %(order)s.") % {"order": order.reference}
            continue
        if len(found) > 1:
            errors[key] = _("This SKU is on several lines of the order: give the line id.")
            continue
        if found[0].pk in seen:
            errors[key] = _("This item is listed twice.")
            continue
        if item.qty is None or item.qty < 1:
            errors[f"lines.{i}.qty"] = _("The quantity must be at least 1.")
            continue
        seen[found[0].pk] = i
        resolved.append((found[0], item.qty, _serials(item.serial_numbers, item.qty, f"lines.{i}.serial_numbers",
                                                      errors)))
    if not errors:
        _serials_sold(resolved, seen, errors, exclude_return_id)
    if errors:
        raise ValidationFailed("invalid_input", _("Some items are not valid."), fields=errors)
    taken = returned_qty_by_line(order.pk, exclude_return_id=exclude_return_id)
    over = {}
    for ol, qty, _s in resolved:
        left = ol.qty - taken.get(ol.pk, 0)
        if qty > left:
            over[f"lines.{seen[ol.pk]}.qty"] = _("Only %(left)s of %(sku)s can still be returned.") % {
                "left": max(left, 0), "sku": ol.sku}
    if over:
        raise Conflict("qty_exceeds_returnable", _("More than was delivered would be returned: other returns "
                                                   "already hold some of these items."), fields=over)
    return resolved


def _responsible(user_name: str | None, group_name: str | None):
    if user_name and group_name:
        raise ValidationFailed("invalid_input", _("Give a responsible user or a group, not both."),
                               fields={"responsible_group": _("Not with a user.")})
    if user_name:
        user = get_user_model().objects.filter(username=user_name, is_active=True).first()
        if user is None:
            raise ValidationFailed("invalid_input", _("Unknown user “%(name)s”.") % {"name": user_name[:50]},
                                   fields={"responsible_user": _("Unknown user.")})
        return user, None
    if group_name:
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            raise ValidationFailed("invalid_input", _("Unknown group “%(name)s”.") % {"name": group_name[:50]},
                                   fields={"responsible_group": _("Unknown group.")})
        return None, group
    return None, None


MAX_AMOUNT = 10**13


def extra_line_values(extra) -> dict:
    """A stored extra line as the fields _extra_lines returns (to compare before/after)."""
    return {"kind": extra.kind, "description": extra.description, "amount": extra.amount, "tax_note": extra.tax_note}


def _extra_lines(items: list[ExtraLineInput]) -> list[dict]:
    """The extra lines as model fields: a known kind, a description for "other", an amount
    (signed by `direction` when given: shipping refunded is credited unless said otherwise)."""
    errors, clean = {}, []
    for i, item in enumerate(items):
        description = (item.description or "").strip()[:200]
        if item.kind not in ExtraKind.values:
            errors[f"extra_lines.{i}.kind"] = _("Unknown kind.")
        elif item.kind == ExtraKind.OTHER and not description:
            errors[f"extra_lines.{i}.description"] = _("Say what this line is.")
        direction = item.direction
        if direction is None and item.kind == ExtraKind.SHIPPING_REFUNDED and (item.amount or 0) > 0:
            direction = ExtraDirection.CREDIT
        if direction not in (None, *ExtraDirection.values):
            errors[f"extra_lines.{i}.direction"] = _("Charged to or credited to the customer.")
        amount = item.amount
        if amount is None or isinstance(amount, bool) or abs(amount) > MAX_AMOUNT or amount == 0:
            errors[f"extra_lines.{i}.amount"] = _("Not a valid amount.")
        elif direction is not None:
            amount = abs(amount) if direction == ExtraDirection.CHARGE else -abs(amount)
        clean.append({"kind": item.kind, "description": description, "amount": amount,
                      "tax_note": (item.tax_note or "").strip()[:200]})
    if errors:
        raise ValidationFailed("invalid_input", _("Some extra lines are not valid."), fields=errors)
    return clean


def _exchange_items(items: list[ExchangeItemInput]) -> list[dict]:
    errors = {}
    skus = {v.sku: v for v in Variant.objects.select_related("product").filter(sku__in=[i.sku for i in items])}
    for i, item in enumerate(items):
        variant = skus.get(item.sku)
        if variant is None or not variant.active or not variant.product.active:
            errors[f"exchange_items.{i}.sku"] = _("Unknown product “%(sku)s”.") % {"sku": item.sku[:64]}
        if item.qty is None or item.qty < 1:
            errors[f"exchange_items.{i}.qty"] = _("The quantity must be at least 1.")
    if errors:
        raise ValidationFailed("invalid_input", _("Some exchange items are not valid."), fields=errors)
    return [{"sku": i.sku, "qty": i.qty} for i in items]
