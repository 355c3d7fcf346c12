"""The generic transition engine shared by orders and returns.

A table is data: each `Transition` names the action, the statuses it starts from, the
status it leads to, the permission it needs, the pydantic model of its inputs, its guards
and its side effect. `apply_transition` is the one function that assigns a status: it
locks the row, checks version, permission, status and guards, runs the side effect,
moves the status, bumps the version and writes the timeline event, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)

# A guard returns None when the action may proceed, or (code, message) to refuse it.
Guard = Callable[[Any, Any], "tuple[str, Any] | None"]


@dataclass
class Context:
    obj: Any
    inputs: Any
    actor: Any
    transition: Transition
    from_status: str
    # Uploaded files that come with the inputs (a proof of transfer …).
    files: dict = field(default_factory=dict)
    # Effects put what the timeline should remember here (amount paid, AWB, reason ...).
    event_data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: tuple[str, ...]
    target: str | None
    permission: str
    inputs: type[pydantic.BaseModel] | None = None
    # Guards read only the order: they also decide what the menus offer.
    guards: tuple[Guard, ...] = ()
    effect: Callable[[Context], str | None] | None = None
    # For dynamic targets (target None), the statuses the effect may choose, for docs.
    possible_targets: tuple[str, ...] = ()
    description: str = ""
    # Checks need the inputs or the database; they run only when the action is applied.
    checks: tuple[Guard, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,) if self.target else self.possible_targets


class TransitionTable:
    def __init__(self, name: str, statuses: Iterable[tuple[str, Any]], transitions: Iterable[Transition]):
        self.name = name
        self.statuses = dict(statuses)
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            assert t.action not in self.transitions, f"duplicate action {t.action}"
            for s in (*t.sources, *t.targets):
                assert s in self.statuses, f"{t.action}: unknown status {s}"
            assert t.target or t.possible_targets, f"{t.action}: no target"
            self.transitions[t.action] = t

    def __iter__(self):
        return iter(self.transitions.values())

    def __len__(self):
        return len(self.transitions)

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise NotFound(
                "unknown_action", _("Unknown action “%(action)s”.") % {"action": action[:50]}
            ) from None

    def available(self, obj, actor=None) -> list[Transition]:
        """Actions possible now for this user: status, permission and guards (checks that
        need inputs or stock run when the action is applied)."""
        return [
            t
            for t in self
            if obj.status in t.sources
            and (actor is None or actor.has_perm(t.permission))
            and not any(guard(obj, None) for guard in t.guards)
        ]


def parse_inputs(transition: Transition, raw: dict | None):
    if transition.inputs is None:
        if raw:
            unknown = ", ".join(sorted(raw))
            raise ValidationFailed(
                "invalid_input",
                _("This action takes no input."),
                fields={k: _("Unknown field.") for k in raw} or {"__all__": unknown},
            )
        return None
    try:
        return transition.inputs.model_validate(raw or {})
    except pydantic.ValidationError as exc:
        raise ValidationFailed(
            "invalid_input", _("The action's input is not valid."), fields=pydantic_fields(exc)
        ) from None


def pydantic_fields(exc: pydantic.ValidationError) -> dict:
    fields = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        fields.setdefault(loc or "__all__", err.get("msg", "invalid"))
    return fields


def apply_transition(
    table: TransitionTable,
    *,
    queryset,
    pk=None,
    action: str,
    actor,
    inputs: dict | None = None,
    expected_version: int | None = None,
    record_event: Callable[[Context], None],
    files: dict | None = None,
    lookup: dict | None = None,
    not_found=None,
):
    """Apply `action` to the row `pk` (or the one row matching `lookup`) of `queryset`
    atomically; return the updated object. Only the columns that changed are written."""
    transition = table.get(action)
    with transaction.atomic():
        try:
            obj = queryset.select_for_update().get(**(lookup if lookup is not None else {"pk": pk}))
        except queryset.model.DoesNotExist:
            raise NotFound("not_found", not_found or _("Not found.")) from None
        if expected_version is not None and obj.version != expected_version:
            raise StaleVersion(
                "stale_version",
                _("This was changed by someone else (version %(current)s, you had %(yours)s). Reload and try again.")
                % {"current": obj.version, "yours": expected_version},
            )
        if actor is not None and not actor.has_perm(transition.permission):
            raise PermissionDenied(
                "permission_denied", _("You are not allowed to do “%(action)s”.") % {"action": transition.label}
            )
        if obj.status not in transition.sources:
            raise Conflict(
                "not_allowed_in_status",
                _("“%(action)s” is not possible while the status is “%(status)s”.")
                % {"action": transition.label, "status": table.statuses[obj.status]},
            )
        # Inputs are read after the status check: "not possible now" is the more useful answer.
        data = parse_inputs(transition, inputs)
        for guard in (*transition.guards, *transition.checks):
            refusal = guard(obj, data)
            if refusal:
                code, message = refusal
                raise Conflict(code, message)
        ctx = Context(obj=obj, inputs=data, actor=actor, transition=transition, from_status=obj.status,
                      files=files or {})
        before = _values(obj)
        target = transition.effect(ctx) if transition.effect else None
        target = target or transition.target
        assert target in transition.targets, f"{action} chose {target}"
        obj.status = target
        obj.version += 1
        obj.save(update_fields=_changed(obj, before))
        record_event(ctx)
    return obj


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}


def _changed(obj, before: dict) -> list[str]:
    """The columns the effect, the status and the version changed, plus the auto_now ones
    and every JSON and file column (an effect may change a list, a dict or a file in place,
    which a comparison with the value before would not see)."""
    changed = []
    for f in obj._meta.concrete_fields:
        if f.attname not in before:
            continue
        if (
            getattr(f, "auto_now", False)
            or isinstance(f, (models.JSONField, models.FileField))
            or getattr(obj, f.attname) != before[f.attname]
        ):
            changed.append(f.name)
    return changed
