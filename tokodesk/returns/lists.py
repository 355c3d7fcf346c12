"""The owner's lists of returns: reasons and custom states (split from services.py, which
re-exports them)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.documents import require
from tokodesk.core.errors import Conflict, NotFound, ValidationFailed
from tokodesk.core.labels import clean_labels, primary
from tokodesk.returns.models import CustomState, ReturnReason
from tokodesk.returns.states import Status

# --- the owner's lists: reasons and custom states -------------------------------------------


def _labels(value, limit: int) -> dict | None:
    """The cleaned {language: label} or None when not given; 422 on labels.<language>."""
    if value is None:
        return None
    labels, errors = clean_labels(value, limit=limit)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the labels."), fields=errors)
    return labels


@transaction.atomic
def return_reason_save(*, actor, code: str, label: str | None = None, needs_text: bool | None = None,
                       active: bool | None = None, position: int | None = None,
                       labels: dict | None = None) -> ReturnReason:
    """Add a return reason (new code) or change one; reasons in use are deactivated, never
    deleted. `labels` ({language: text}, the shop's languages) replaces the labels per
    language; the plain `label` follows them unless given."""
    require(actor, "returns.change_returnreason")
    code = (code or "").strip().lower()
    if not code or len(code) > 50 or not all(c.isalnum() or c in "-_" for c in code):
        raise ValidationFailed("invalid_input", _("A code is letters, digits, - and _."), fields={"code": _("Invalid.")})
    labels = _labels(labels, 200)
    if label is None and labels:
        label = primary(labels)
    reason = ReturnReason.objects.select_for_update().filter(code=code).first()
    if reason is None:
        if not (label or "").strip():
            raise ValidationFailed("invalid_input", _("A new reason needs a label."), fields={"label": _("Required.")})
        reason = ReturnReason(code=code)
    if labels is not None:
        if not labels and not (label or reason.label):
            raise ValidationFailed("invalid_input", _("Give a label in at least one language."),
                                   fields={"labels": _("Required.")})
        reason.labels = labels
    if label is not None:
        if not label.strip():
            raise ValidationFailed("invalid_input", _("The label is empty."), fields={"label": _("Required.")})
        reason.label = label.strip()[:200]
    for name, value in (("needs_text", needs_text), ("active", active), ("position", position)):
        if value is not None:
            setattr(reason, name, value)
    reason.save()
    return reason


@transaction.atomic
def custom_state_save(*, actor, label: str | None = None, status: str, color: str = "", position: int = 0,
                      state_id: int | None = None, labels: dict | None = None,
                      active: bool | None = None) -> CustomState:
    """Add (or, with `state_id`, change) a custom state mapped onto a base status; `labels`
    ({language: text}) are what customers and staff read, the plain `label` follows them
    unless given. An inactive state (`active` False) is no longer offered but stays on the
    returns that show it."""
    require(actor, "returns.change_customstate")
    if status not in Status.values:
        raise ValidationFailed("invalid_input", _("Unknown status."), fields={"status": _("Unknown.")})
    labels = _labels(labels, 100)
    label = (label or (primary(labels) if labels else "")).strip()
    if not label:
        raise ValidationFailed("invalid_input", _("The label is empty."), fields={"label": _("Required.")})
    if state_id is not None:
        state = CustomState.objects.select_for_update().filter(pk=state_id).first()
        if state is None:
            raise NotFound("not_found", _("Not found."))
        if state.status != status and state.returns.exists():
            raise Conflict("custom_state_in_use", _("Returns use this state: its base status cannot change."))
    else:
        state = CustomState()
    if CustomState.objects.filter(label=label).exclude(pk=state.pk).exists():
        raise ValidationFailed("invalid_input", _("A custom state has this label already."),
                               fields={"label": _("Already used.")})
    state.label, state.status, state.color, state.position = label[:100], status, (color or "")[:20], position
    if labels is not None:
        state.labels = labels
    if active is not None:
        state.active = active
    state.save()
    return state


def custom_state_for(value, status: str, field: str = "custom_state", keep_id: int | None = None) -> CustomState | None:
    """The custom state `value` (id or label) of returns in `status`, or None for none; an
    unknown one, an inactive one (other than `keep_id`, the one the return already shows) or
    one of another status is refused on `field` (422)."""
    if value in (None, ""):
        return None
    qs = CustomState.objects.all()
    state = qs.filter(pk=int(value)).first() if str(value).isdigit() else qs.filter(label=str(value)).first()
    if state is None:
        raise ValidationFailed("invalid_input", _("Unknown custom state."), fields={field: _("Unknown.")})
    if not state.active and state.pk != keep_id:
        raise ValidationFailed("invalid_input", _("“%(label)s” is no longer offered.") % {
            "label": state.display_label}, fields={field: _("Inactive.")})
    if state.status != status:
        raise ValidationFailed("invalid_input", _("“%(label)s” is a state of “%(base)s” returns.") % {
            "label": state.display_label, "base": Status(state.status).label}, fields={field: _("Other status.")})
    return state


@transaction.atomic
def custom_state_delete(*, actor, state_id: int) -> CustomState | None:
    """Remove a custom state no return shows; one in use is deactivated instead (no longer
    offered, still shown on its returns) and returned."""
    require(actor, "returns.delete_customstate")
    state = CustomState.objects.select_for_update().filter(pk=state_id).first()
    if state is None:
        raise NotFound("not_found", _("Not found."))
    if state.returns.exists():
        if state.active:
            state.active = False
            state.save(update_fields=["active"])
        return state
    state.delete()
    return None


def _move(model, obj, direction: int) -> None:
    """Swap `obj` with its neighbour in the list's order (renumbering the list 0, 1, 2 …)."""
    rows = list(model.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, row in enumerate(rows) if row.pk == obj.pk)
    other = index + direction
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


@transaction.atomic
def return_reason_move(*, actor, code: str, direction: int) -> None:
    """Move a reason one place up (-1) or down (+1) in the list the customer sees."""
    require(actor, "returns.change_returnreason")
    reason = ReturnReason.objects.filter(code=code).first()
    if reason is None:
        raise NotFound("not_found", _("Not found."))
    _move(ReturnReason, reason, -1 if direction < 0 else 1)


@transaction.atomic
def custom_state_move(*, actor, state_id: int, direction: int) -> None:
    require(actor, "returns.change_customstate")
    state = CustomState.objects.filter(pk=state_id).first()
    if state is None:
        raise NotFound("not_found", _("Not found."))
    _move(CustomState, state, -1 if direction < 0 else 1)
