"""Writes to returns. Each function is one atomic change that ends with a timeline event;
the API and the pages call these (and `refunds`), nothing else writes returns.

The rules of SPEC 3 live here: a return belongs to a delivered or completed order inside
the return window (users with `returns.override_return_window` may go past it), and for
each order line the quantity in returns that are not cancelled or rejected never exceeds
the quantity delivered. That check runs under the order's row lock, so two returns racing
for the last unit are decided one after the other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core import uploads
from tokodesk.core.documents import actor_or_none, locked, require
from tokodesk.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from tokodesk.core.models import next_reference
from tokodesk.core.transitions import apply_transition
from tokodesk.orders.models import Order
from tokodesk.returns.checks import (  # noqa: F401 - MAX_AMOUNT and the checks were here before
    MAX_AMOUNT,
    _exchange_items,
    _extra_lines,
    _reason,
    _resolution,
    _resolve_lines,
    _responsible,
    _serials,
    extra_line_values,
)
from tokodesk.returns.lists import custom_state_delete, custom_state_save, return_reason_save  # noqa: F401
from tokodesk.returns.models import (
    CustomState,
    Return,
    ReturnEvent,
    ReturnExtraLine,
    ReturnLine,
    ReturnPhoto,
)
from tokodesk.returns.return_settings import ReturnSettings
from tokodesk.returns.selectors import return_orders_for, return_queryset_for
from tokodesk.returns.states import (
    FINAL,
    LINES_EDITABLE,
    RETURN_TIMELINE,
    RETURN_TRANSITIONS,
    RETURNABLE_ORDER_STATUSES,
    Status,
)


@dataclass
class ReturnLineInput:
    qty: int
    sku: str | None = None
    line: int | None = None  # the order line id, when the order has the SKU on two lines
    serial_numbers: list[str] = field(default_factory=list)


@dataclass
class ExtraLineInput:
    """`amount` > 0 is charged to the customer, < 0 credited; with `direction` given the
    amount is the size and the direction its sign."""

    description: str = ""
    amount: int | None = None
    kind: str = "fee"
    direction: str | None = None
    tax_note: str = ""


@dataclass
class ExchangeItemInput:
    sku: str
    qty: int


@dataclass
class ReturnInput:
    order: str  # order reference, invoice number or marketplace reference
    reason: str  # a listed reason (code or label), or the customer's own words ("other")
    resolution: str
    lines: list[ReturnLineInput]
    reason_text: str = ""
    responsible_user: str | None = None  # username
    responsible_group: str | None = None  # group name
    target_date: dt.date | None = None
    extra_lines: list[ExtraLineInput] = field(default_factory=list)
    exchange_items: list[ExchangeItemInput] = field(default_factory=list)


MAX_UPLOAD = uploads.MAX_UPLOAD


def _not_found_message(reference: str):
    return _("Return %(reference)s not found.") % {"reference": reference[:60]}


def _not_found(reference: str):
    return NotFound("not_found", _not_found_message(reference))


def _locked(reference: str, user, expected_version: int | None) -> Return:
    """The visible return, locked for the change (core.documents.locked)."""
    return locked(
        return_queryset_for(user), lookup={"reference": reference}, expected_version=expected_version,
        not_found=_not_found_message(reference),
        stale=_("This return was changed by someone else (version %(current)s, you had %(yours)s). "
                "Reload and try again."),
    )


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def _find_order(ref: str, user) -> Order:
    """The order by reference, invoice number or marketplace reference, locked."""
    ref = (ref or "").strip()
    orders = return_orders_for(user)
    pk = orders.filter(reference__in={ref, ref.upper()}).values_list("pk", flat=True).first()
    if pk is None and ref:
        for name in ("invoice_number", "external_reference"):
            pks = list(orders.filter(**{name: ref}).values_list("pk", flat=True)[:2])
            if len(pks) > 1:
                raise Conflict("ambiguous_order", _("Several orders have the number %(ref)s: use the order "
                                                    "reference.") % {"ref": ref[:60]})
            if pks:
                pk = pks[0]
                break
    if pk is None:
        raise NotFound("not_found", _("Order %(reference)s not found.") % {"reference": ref[:60]},
                       fields={"order": _("Unknown order.")})
    return _lock_order(pk)


def window_end(order: Order, settings_row: ReturnSettings) -> dt.datetime | None:
    """When the return window closes: return_window_days after delivery."""
    start = order.delivered_at or order.completed_at
    return start + dt.timedelta(days=settings_row.return_window_days) if start else None


def _check_returnable(order: Order, actor, settings_row: ReturnSettings, *, customer: bool = False) -> bool:
    """Refuse an order that cannot take a return now; True when the window was overridden."""
    if not settings_row.returns_enabled:
        raise Conflict("returns_disabled", _("Returns are turned off in the shop settings."))
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise Conflict("order_not_returnable", _("Only a delivered or completed order can be returned."))
    end = window_end(order, settings_row)
    if end is not None and timezone.now() > end:
        if not customer and (actor is None or actor.has_perm("returns.override_return_window")):
            return True
        raise Conflict("return_window_closed", _("The return window of %(days)s days ended on %(date)s.") % {
            "days": settings_row.return_window_days, "date": timezone.localtime(end).date().isoformat()})
    return False


def _create(data: ReturnInput, *, order: Order, actor, status: str, origin: str, source: str, action: str,
            window_overridden: bool, recreated_from: Return | None = None) -> Return:
    settings_row = ReturnSettings.get()
    resolution = _resolution(data.resolution)
    reason, reason_text = _reason(data.reason, data.reason_text)
    user, group = _responsible(data.responsible_user, data.responsible_group)
    if origin == "seller" and settings_row.require_responsible and not (user or group):
        raise ValidationFailed("invalid_input", _("Choose who is responsible for this return."),
                               fields={"responsible_user": _("Required by the settings.")})
    extra = _extra_lines(data.extra_lines)
    exchange = _exchange_items(data.exchange_items)
    lines = _resolve_lines(order, data.lines)
    ret = Return.objects.create(
        reference=next_reference(settings_row.return_reference_pattern, "return"),
        order=order, customer_id=order.customer_id, reason=reason, reason_text=reason_text, resolution=resolution,
        status=status, origin=origin, responsible_user=user, responsible_group=group, target_date=data.target_date,
        currency=order.currency, exchange_items=exchange, created_by=actor_or_none(actor), recreated_from=recreated_from,
    )
    ReturnLine.objects.bulk_create([
        ReturnLine(return_order=ret, order_line=ol, variant_id=ol.variant_id, sku=ol.sku, name=ol.name,
                   unit_price=ol.unit_price, qty=qty, serial_numbers=serials)
        for ol, qty, serials in lines
    ])
    ReturnExtraLine.objects.bulk_create([ReturnExtraLine(return_order=ret, **e) for e in extra])
    event_data = {"order": order.reference, "resolution": resolution,
                  "lines": [{"sku": ol.sku, "qty": qty} for ol, qty, _s in lines]}
    if window_overridden:
        event_data["window_overridden"] = True
    if recreated_from is not None:
        event_data["recreated_from"] = recreated_from.reference
    RETURN_TIMELINE.record(ret, ReturnEvent.Kind.CREATED, actor, source=source, action=action, to_status=status,
                           data=event_data)
    return ret


@transaction.atomic
def return_create(*, data: ReturnInput, actor, source: str = "api") -> Return:
    """A seller creates a return (Tambah): a draft on a delivered or completed order, found
    by its reference or invoice number."""
    require(actor, "returns.add_return")
    order = _find_order(data.order, actor)
    overridden = _check_returnable(order, actor, ReturnSettings.get())
    return _create(data, order=order, actor=actor, status=Status.DRAFT, origin="seller", source=source,
                   action="create", window_overridden=overridden)


@transaction.atomic
def return_request(*, order_id: int, data: ReturnInput, photos: list[tuple[str | None, object]] = (),
                   source: str = "customer", seen_return_id: int | None = None) -> Return:
    """The customer asks for a return from the order link (no account): status requested,
    always inside the return window. `photos` are (SKU or None, file) pairs.

    `seen_return_id` makes the buyer's form one-time: the newest customer return of the
    order when the form was shown (0: none). A newer one means this form was already sent
    (a double tap, a retry): that return is the answer and nothing is written."""
    order = _lock_order(order_id)
    if seen_return_id is not None:
        sent = Return.objects.filter(order=order, origin="customer", pk__gt=seen_return_id).order_by("pk").first()
        if sent is not None:
            return sent
    # Before anything is written: a refused photo leaves no file behind.
    photos = [(sku, uploads.clean_upload(file, field="photos", allowed=uploads.IMAGES)) for sku, file in photos]
    _check_returnable(order, None, ReturnSettings.get(), customer=True)
    ret = _create(data, order=order, actor=None, status=Status.REQUESTED, origin="customer", source=source,
                  action="request", window_overridden=False)
    for sku, file in photos:
        _add_photo(ret, file, sku=sku, line_id=None, actor=None, uploaded_by="customer", source=source)
    return ret


@transaction.atomic
def return_recreate(*, reference: str, actor, source: str = "api") -> Return:
    """Buat Retur Ulang: a new draft copying the lines, reason and resolution of a rejected
    or cancelled return (the same rules as a new return apply)."""
    require(actor, "returns.add_return")
    old = return_queryset_for(actor).filter(reference=reference).select_related("reason").first()
    if old is None:
        raise _not_found(reference)
    if old.status not in (Status.REJECTED, Status.CANCELLED):
        raise Conflict("not_allowed_in_status", _("Only a rejected or cancelled return can be recreated."))
    order = _lock_order(old.order_id)
    overridden = _check_returnable(order, actor, ReturnSettings.get())
    data = ReturnInput(
        order=order.reference, reason=old.reason.code, reason_text=old.reason_text, resolution=old.resolution,
        lines=[ReturnLineInput(line=line.order_line_id, qty=line.qty, serial_numbers=line.serial_numbers)
               for line in old.lines.all()],
        responsible_user=old.responsible_user.username if old.responsible_user_id else None,
        responsible_group=old.responsible_group.name if old.responsible_group_id else None,
        target_date=None,
        extra_lines=[ExtraLineInput(description=e.description, amount=e.amount, kind=e.kind, tax_note=e.tax_note)
                     for e in old.extra_lines.all()],
        exchange_items=[ExchangeItemInput(**item) for item in old.exchange_items],
    )
    if not old.reason.active:
        data.reason, data.reason_text = old.reason_display, ""
    new = _create(data, order=order, actor=actor, status=Status.DRAFT, origin="seller", source=source,
                  action="recreate", window_overridden=overridden, recreated_from=old)
    RETURN_TIMELINE.record(old, ReturnEvent.Kind.RECREATED, actor, source=source, action="recreate",
                           data={"new_return": new.reference})
    return new


def return_apply_action(*, reference: str, action: str, actor, inputs: dict | None = None,
                        expected_version: int | None = None, source: str = "api",
                        files: dict | None = None) -> Return:
    """Run one action of the return table (approve, receive, complete, reject …) on a
    visible return. `files` may carry the return label on approve."""
    pk = return_queryset_for(actor).filter(reference=reference).values_list("pk", flat=True).first()
    if pk is None:
        RETURN_TRANSITIONS.get(action)  # an unknown action says so before "not found"
        raise _not_found(reference)

    return apply_transition(
        RETURN_TRANSITIONS, queryset=return_queryset_for(actor), pk=pk, action=action, actor=actor,
        inputs=inputs, expected_version=expected_version, source=source, files=files,
    )


# Fields a PATCH may change, and when.
ALWAYS_EDITABLE = ("responsible_user", "responsible_group", "target_date", "custom_state")
OPEN_EDITABLE = ("reason", "reason_text", "resolution", "extra_lines", "exchange_items")
EDITABLE = ALWAYS_EDITABLE + OPEN_EDITABLE + ("lines",)


@transaction.atomic
def return_edit(*, reference: str, actor, changes: dict, expected_version: int | None = None,
                source: str = "api") -> Return:
    """Change a return. Responsible, target date and custom state change while it is open
    (and after completion when the settings allow editing completed returns); resolution,
    extra lines and exchange items until it completes; lines (items, quantities, serials) and
    the reason until the goods are received (requested, draft, awaiting item, on hold before
    receipt), the lines under the quantity invariant. Every change is one `edited` row on
    the timeline: what changed (before, after) and who."""
    require(actor, "returns.change_return")
    ret = _locked(reference, actor, expected_version)
    settings_row = ReturnSettings.get()
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("invalid_input", _("These fields cannot be edited."),
                               fields={k: _("Not editable.") for k in sorted(unknown)})
    if ret.status in (Status.REJECTED, Status.CANCELLED):
        raise Conflict("return_closed", _("This return is closed."))
    if ret.status == Status.COMPLETED:
        if not settings_row.edit_completed_returns:
            raise Conflict("not_editable", _("Completed returns cannot be edited (see the settings)."))
        locked = sorted(set(changes) - set(ALWAYS_EDITABLE))
        if locked:
            raise Conflict("not_editable", _("A completed return keeps its items, reason and resolution."),
                           fields={k: _("Not editable once completed.") for k in locked})
    # InvenTree's "edit before receipt": the items, their quantities and the reason change
    # until the goods arrive (also approved or on hold); from then on they are what was received.
    received = sorted({"lines", "reason", "reason_text"} & set(changes)) if ret.received_at else []
    if received:
        raise Conflict("already_received", _("The goods of %(reference)s were received: its items and reason "
                                             "are what arrived and cannot change.") % {"reference": ret.reference},
                       fields={k: _("Not editable after receipt.") for k in received})
    if "lines" in changes and ret.status not in LINES_EDITABLE:
        raise Conflict("lines_locked", _("Items can change only before the goods are received."),
                       fields={"lines": _("Not editable now.")})
    diff: dict = {}

    if "responsible_user" in changes or "responsible_group" in changes:
        user_name = changes.get("responsible_user")
        group_name = changes.get("responsible_group")
        user, group = _responsible(user_name, group_name)
        if settings_row.require_responsible and not (user or group):
            raise ValidationFailed("invalid_input", _("Choose who is responsible for this return."),
                                   fields={"responsible_user": _("Required by the settings.")})
        old = _responsible_name(ret)
        ret.responsible_user, ret.responsible_group = user, group
        if _responsible_name(ret) != old:
            diff["responsible"] = [old, _responsible_name(ret)]
    if "target_date" in changes and changes["target_date"] != ret.target_date:
        diff["target_date"] = [_iso(ret.target_date), _iso(changes["target_date"])]
        ret.target_date = changes["target_date"]
    if "custom_state" in changes:
        state = _custom_state(changes["custom_state"], ret.status, keep_id=ret.custom_state_id)
        if (state.pk if state else None) != ret.custom_state_id:
            old = ret.custom_state.label if ret.custom_state_id else None
            diff["custom_state"] = [old, state.label if state else None]
            ret.custom_state = state
    if "reason" in changes or "reason_text" in changes:
        reason_value = changes.get("reason") or ret.reason.code
        reason, text = _reason(reason_value, changes.get("reason_text", "" if "reason" in changes
                                                         else ret.reason_text))
        if reason.pk != ret.reason_id or text != ret.reason_text:
            old = ret.reason_display
            ret.reason, ret.reason_text = reason, text
            diff["reason"] = [old, ret.reason_display]
    if "resolution" in changes and changes["resolution"] != ret.resolution:
        diff["resolution"] = [ret.resolution, _resolution(changes["resolution"])]
        ret.resolution = changes["resolution"]
    if "extra_lines" in changes:
        after = _extra_lines([ExtraLineInput(**e) for e in changes["extra_lines"]])
        before = [extra_line_values(e) for e in ret.extra_lines.all()]
        if before != after:
            ret.extra_lines.all().delete()
            ReturnExtraLine.objects.bulk_create([ReturnExtraLine(return_order=ret, **e) for e in after])
            diff["extra_lines"] = [before, after]
    if "exchange_items" in changes:
        items = _exchange_items([ExchangeItemInput(**e) for e in changes["exchange_items"]])
        if items != ret.exchange_items:
            diff["exchange_items"] = [ret.exchange_items, items]
            ret.exchange_items = items
    if "lines" in changes:
        _edit_lines(ret, [ReturnLineInput(**line) for line in changes["lines"]], diff)
    if not diff:
        return ret
    ret.version += 1
    ret.save()
    RETURN_TIMELINE.record(ret, ReturnEvent.Kind.EDITED, actor, source=source, data={"changes": diff})
    return ret


def _edit_lines(ret: Return, lines: list[ReturnLineInput], diff: dict) -> None:
    order = _lock_order(ret.order_id)
    resolved = _resolve_lines(order, lines, exclude_return_id=ret.pk)
    current = {line.order_line_id: line for line in ret.lines.all()}
    before = [{"sku": line.sku, "qty": line.qty, "serial_numbers": line.serial_numbers}
              for line in current.values()]
    after = [{"sku": ol.sku, "qty": qty, "serial_numbers": serials} for ol, qty, serials in resolved]
    if before == after:
        return
    keep = set()
    for ol, qty, serials in resolved:
        line = current.get(ol.pk)
        if line is None:
            ReturnLine.objects.create(return_order=ret, order_line=ol, variant_id=ol.variant_id, sku=ol.sku,
                                      name=ol.name, unit_price=ol.unit_price, qty=qty, serial_numbers=serials)
        else:
            keep.add(line.pk)
            line.qty, line.serial_numbers = qty, serials
            line.save(update_fields=["qty", "serial_numbers"])
    ReturnLine.objects.filter(pk__in=[line.pk for line in current.values() if line.pk not in keep]).delete()
    diff["lines"] = [before, after]


def _custom_state(value, status: str, keep_id: int | None = None) -> CustomState | None:
    """The state picked in the edit: active, or the one the return shows already (`keep_id`)."""
    if value in (None, ""):
        return None
    qs = CustomState.objects.all()
    state = qs.filter(pk=int(value)).first() if str(value).isdigit() else qs.filter(label=str(value)).first()
    if state is None:
        raise ValidationFailed("invalid_input", _("Unknown custom state."), fields={"custom_state": _("Unknown.")})
    if not state.active and state.pk != keep_id:
        raise ValidationFailed("invalid_input", _("“%(label)s” is no longer offered.") % {
            "label": state.display_label}, fields={"custom_state": _("Inactive.")})
    if state.status != status:
        raise Conflict("custom_state_mismatch", _("“%(label)s” is a state of “%(base)s” returns.") % {
            "label": state.label, "base": Status(state.status).label}, fields={"custom_state": _("Other status.")})
    return state


def _responsible_name(ret: Return) -> str | None:
    if ret.responsible_user_id:
        return f"user:{ret.responsible_user.username}"
    if ret.responsible_group_id:
        return f"group:{ret.responsible_group.name}"
    return None


def _iso(value):
    return value.isoformat() if value else None


@transaction.atomic
def return_attach_label(*, reference: str, actor, file, expected_version: int | None = None,
                        source: str = "api") -> Return:
    """Upload the return label (PDF or image) the customer prints; it replaces an earlier
    one, goes with the approval e-mail and stays downloadable from the order link."""
    require(actor, "returns.process_return")
    ret = _locked(reference, actor, expected_version)
    if ret.status in FINAL:
        raise Conflict("return_closed", _("This return is closed."))
    file = uploads.clean_upload(file, field="label")
    ret.label.save(file.name, file, save=False)
    ret.version += 1
    ret.save()
    RETURN_TIMELINE.record(ret, ReturnEvent.Kind.LABEL_ADDED, actor, source=source, data={"label": ret.label.name})
    return ret


def _add_photo(ret, file, *, sku, line_id, actor, uploaded_by, source) -> ReturnPhoto:
    file = uploads.clean_upload(file, field="file", allowed=uploads.IMAGES)
    line = None
    if sku or line_id:
        lines = [line for line in ret.lines.all() if (line.pk == line_id if line_id else line.sku == sku)]
        if len(lines) != 1:
            raise ValidationFailed("invalid_input", _("Not a line of this return."),
                                   fields={"line" if line_id else "sku": _("Not a line of this return.")})
        line = lines[0]
    photo = ReturnPhoto(return_order=ret, line=line, uploaded_by=uploaded_by, user=actor_or_none(actor))
    photo.file.save(file.name, file, save=True)
    RETURN_TIMELINE.record(ret, ReturnEvent.Kind.PHOTO_ADDED, actor, source=source,
                           data={"photo_id": photo.pk, "sku": line.sku if line else None, "uploaded_by": uploaded_by})
    return photo


@transaction.atomic
def return_add_photo(*, reference: str, actor, file, sku: str | None = None, line: int | None = None,
                     uploaded_by: str = "seller", source: str = "api") -> ReturnPhoto:
    """A photo as evidence for a line (or the whole return), by the seller or, through the
    order link (actor None), the customer."""
    if actor is not None:
        require(actor, "returns.change_return")
    ret = _locked(reference, actor, None)
    if ret.status in FINAL:
        raise Conflict("return_closed", _("This return is closed."))
    photo = _add_photo(ret, file, sku=sku, line_id=line, actor=actor,
                       uploaded_by="customer" if actor is None else uploaded_by, source=source)
    ret.version += 1
    ret.save(update_fields=["version", "updated_at"])
    return photo
