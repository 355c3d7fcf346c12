"""The document machine: the one transition engine of orders, returns and refunds.

It knows no app. A table is data: each `Transition` names the action, the statuses it
starts from, the status it leads to, the permission it needs, the pydantic model of its
inputs, its guards and its side effect; the table names its statuses, its timeline (a
`core.timeline.Timeline`: the event model and its foreign key to the document) and how
its outbox rows look. `apply_transition` (one document) and `apply_transition_many` (a
batch) are the only functions that assign a status: they lock the rows, check version,
permission, status and guards, run the side effect, move the status, bump the version,
and write the timeline row and the outbox row themselves, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokodesk.core import outbox, validation_messages
from tokodesk.core.documents import check_version
from tokodesk.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tokodesk.core.timeline import Timeline

# A guard returns None when the action may proceed, or (code, message) to refuse it. It may
# also carry `refuses(obj) -> bool`, the same decision without building the message: what the
# lists ask for every row (available_for; a translated, formatted refusal cost ~20 µs, and a
# page of the orders' Action needed tab built two per row, issue 16).
Guard = Callable[[Any, Any], "tuple[str, Any] | None"]


def _refusal_test(guard: Guard) -> Callable[[Any], bool]:
    refuses = getattr(guard, "refuses", None)
    return refuses if refuses is not None else (lambda obj: bool(guard(obj, None)))


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
    # Where the change came from, for the timeline: "api", "web", "customer", "system" …
    source: str = ""


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
    # The effect for many objects at once (bulk forms, apply_transition_many): it gets the
    # contexts of the objects that passed every check and must do exactly what `effect`
    # would do to each, in the given order; it returns {pk: (code, message)} for those it
    # refuses, which it must leave untouched (no write, no field changed).
    batch_effect: Callable[[list[Context]], dict] | None = None

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target,) if self.target else self.possible_targets


class TransitionTable:
    def __init__(self, name: str, statuses: Iterable[tuple[str, Any]], transitions: Iterable[Transition], *,
                 timeline: Timeline | Callable[[Any], Timeline] | None = None,
                 outbox_payload: Callable[[Any], dict] | None = None, outbox_types: dict | None = None,
                 outbox_event: Callable[[Context], Any] | None = None,
                 after_status: Callable[[Context], None] | None = None):
        self.name = name
        # Where each transition's timeline row goes: one Timeline, or a function of the
        # object that chooses one (a refund's row goes on its return's timeline, or on its
        # order's for a goodwill refund). A table without one can be rendered, not applied.
        self.timeline = timeline
        # Replaces core.outbox.transition_event for this table: ctx -> an unsaved OutboxEvent
        # (a refund's `refund.paid` keeps the documented refund payload).
        self.outbox_event = outbox_event
        # Runs after the status moved and before the row is written (its changes are saved
        # with the status): a return drops a custom state of its old status here.
        self.after_status = after_status
        # The outbox row every transition writes (core.outbox.transition_event): its type is
        # "<name>.status_changed" unless `outbox_types` names one for the target status; its
        # document is `outbox_payload(obj)` (else the model's outbox_payload(), else a default).
        self.outbox_payload = outbox_payload
        self.outbox_types = outbox_types or {}
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

    def timeline_for(self, obj) -> Timeline:
        assert self.timeline is not None, f"the {self.name} table has no timeline"
        return self.timeline if isinstance(self.timeline, Timeline) else self.timeline(obj)

    def timeline_event(self, ctx: Context):
        """The unsaved timeline row of one applied transition."""
        return self.timeline_for(ctx.obj).transition_event(ctx)

    def outbox_row(self, ctx: Context):
        """The unsaved outbox row of one applied transition."""
        return self.outbox_event(ctx) if self.outbox_event else outbox.transition_event(self, ctx)

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

    def available_for(self, actor=None):
        """`available` for many objects of one user: a function obj → the action names,
        with the permissions checked once and the transitions grouped by source status
        (the same rule, in the table's order)."""
        by_status: dict[str, list[Transition]] = {}
        allowed: dict[str, bool] = {}  # each permission asked once (many transitions share one)
        for t in self:
            if actor is not None and t.permission not in allowed:
                allowed[t.permission] = actor.has_perm(t.permission)
            if actor is None or allowed[t.permission]:
                for status in t.sources:
                    by_status.setdefault(status, []).append(t)

        tests = {t.action: tuple(map(_refusal_test, t.guards)) for t in self}

        def actions(obj) -> list[str]:
            return [
                t.action
                for t in by_status.get(obj.status, ())
                if not any(refuses(obj) for refuses in tests[t.action])
            ]

        return actions


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
        fields.setdefault(loc or "__all__", validation_messages.message(err))
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
    source: str = "",
    files: dict | None = None,
    lookup: dict | None = None,
    not_found=None,
):
    """Apply `action` to the row `pk` (or the one row matching `lookup`) of `queryset`
    atomically; return the updated object. Only the columns that changed are written; the
    table's timeline row (kind "action": action, from/to status, actor, `source`, the
    effect's event_data) and its outbox row are written in the same transaction."""
    transition = table.get(action)
    with transaction.atomic():
        try:
            obj = queryset.select_for_update().get(**(lookup if lookup is not None else {"pk": pk}))
        except queryset.model.DoesNotExist:
            raise NotFound("not_found", not_found or _("Not found.")) from None
        check_version(obj, expected_version)
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
                      files=files or {}, source=source)
        before = _values(obj)
        target = transition.effect(ctx) if transition.effect else None
        target = target or transition.target
        assert target in transition.targets, f"{action} chose {target}"
        obj.status = target
        obj.version += 1
        if table.after_status:
            table.after_status(ctx)
        obj.save(update_fields=_changed(obj, before))
        table.timeline_event(ctx).save(force_insert=True)
        table.outbox_row(ctx).save(force_insert=True)
    return obj


def apply_transition_many(
    table: TransitionTable,
    *,
    queryset,
    key: str,
    keys: list,
    action: str,
    actor,
    inputs: dict | None = None,
    source: str = "",
    not_found: Callable[[Any], Any],
) -> tuple[list, list]:
    """Apply `action` to the rows whose `key` is in `keys`, in one transaction, with the
    transition's batch effect: what `apply_transition` does to each, with a constant number
    of queries. Each row changes completely or not at all; the refusals are those
    `apply_transition` would give (not found, permission, status, guards, the effect's).
    The timeline rows are written with one insert (per event model), the outbox rows with
    another.
    Returns (changed objects, [(key, DomainError)]) in the order of `keys`."""
    transition = table.get(action)
    assert transition.batch_effect is not None, f"{action} has no batch effect"
    denied = None  # told per row after "not found", as one by one (an unknown key is not found)
    if actor is not None and not actor.has_perm(transition.permission):
        denied = PermissionDenied(
            "permission_denied", _("You are not allowed to do “%(action)s”.") % {"action": transition.label}
        )
    try:
        data, input_error = parse_inputs(transition, inputs), None
    except ValidationFailed as exc:  # told per row after its status check, as one by one
        data, input_error = None, exc
    refused: dict = {}
    changed = []
    with transaction.atomic():
        rows = {getattr(o, key): o for o in queryset.select_for_update().filter(**{f"{key}__in": keys}).order_by("pk")}
        contexts, before = [], {}
        for k in keys:
            obj = rows.get(k)
            if obj is None:
                refused[k] = NotFound("not_found", not_found(k))
                continue
            if denied is not None:
                refused[k] = denied
                continue
            if obj.status not in transition.sources:
                refused[k] = Conflict(
                    "not_allowed_in_status",
                    _("“%(action)s” is not possible while the status is “%(status)s”.")
                    % {"action": transition.label, "status": table.statuses[obj.status]},
                )
                continue
            if input_error is not None:
                refused[k] = input_error
                continue
            refusal = next(filter(None, (g(obj, data) for g in (*transition.guards, *transition.checks))), None)
            if refusal:
                refused[k] = Conflict(*refusal)
                continue
            contexts.append(Context(obj=obj, inputs=data, actor=actor, transition=transition,
                                    from_status=obj.status, source=source))
            before[obj.pk] = _values(obj)
        effect_refusals = transition.batch_effect(contexts) if contexts else {}
        # Rows that end with the same values share one UPDATE (the version moves by one on
        # each: the rows are locked, so version + 1 is what each object now holds).
        now = timezone.now()
        groups: dict = {}
        for ctx in contexts:
            obj = ctx.obj
            if obj.pk in effect_refusals:
                refused[getattr(obj, key)] = Conflict(*effect_refusals[obj.pk])
                continue
            assert transition.target, f"{action}: a batch effect needs a fixed target"
            obj.status = transition.target
            obj.version += 1
            if table.after_status:
                table.after_status(ctx)
            for f in obj._meta.concrete_fields:
                if getattr(f, "auto_now", False):
                    setattr(obj, f.attname, now)
            names = set(_changed(obj, before[obj.pk]))
            values = tuple(
                (f.attname, getattr(obj, f.attname))
                for f in obj._meta.concrete_fields
                if f.name in names and f.attname != "version"
            )
            try:
                hash(values)
            except TypeError:  # a JSON value: this row is written alone
                values = (("pk", obj.pk), *values)
            groups.setdefault(values, []).append(obj.pk)
            changed.append(ctx)
        for values, pks in groups.items():
            fields = {name: value for name, value in values if name != "pk"}
            queryset.model.objects.filter(pk__in=pks).update(version=F("version") + 1, **fields)
        if changed:
            by_model: dict = {}
            for ctx in changed:
                event = table.timeline_event(ctx)
                by_model.setdefault(type(event), []).append(event)
            for model, events in by_model.items():
                model.objects.bulk_create(events)
            outbox.emit_many(table.outbox_row(ctx) for ctx in changed)
    done = {getattr(ctx.obj, key): ctx.obj for ctx in changed}
    return [done[k] for k in keys if k in done], [(k, refused[k]) for k in keys if k in refused]


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
