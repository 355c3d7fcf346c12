"""Timelines: the history of a document, one row per change, written in the change's own
transaction.

`TimelineEvent` is the abstract model of every timeline (orders.OrderEvent,
returns.ReturnEvent): each app's model adds its foreign key to the document and the
choices of `kind`. `Timeline` names such a model and that foreign key (the scope); the
transition machine (`core.transitions`) writes a table's rows through it, and the services
write their other rows (created, edited, note added …) through the same object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from tokodesk.core.documents import actor_or_none


class TimelineEvent(models.Model):
    # Subclasses give the choices (their Kind); "action" is a transition of the table.
    kind = models.CharField(max_length=20)
    action = models.CharField(max_length=40, blank=True, default="")
    from_status = models.CharField(max_length=30, blank=True, default="")
    to_status = models.CharField(max_length=30, blank=True, default="")
    # Empty for the customer (order link) and the system (worker).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # "system" for the worker, "customer" for the buyer's link, "api"/"web" for users.
    source = models.CharField(max_length=20, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.action} {self.from_status}→{self.to_status}"


@dataclass(frozen=True)
class Timeline:
    """Where rows go: `model` ("app_label.Model", a TimelineEvent) and `scope`, its foreign
    key to the document. A transition writes kind `kind` with the document's old and new
    status; `document(obj)` gives the document (or its pk) whose timeline a transition of
    `obj` goes on, when that is not `obj` itself (a refund's row goes on its return's);
    `statuses=False` leaves from/to status empty (they name the document's statuses, and
    the object's are not those)."""

    model: str
    scope: str
    kind: str = "action"
    document: Callable[[Any], Any] | None = None
    statuses: bool = True

    @property
    def event_model(self) -> type[TimelineEvent]:
        return apps.get_model(self.model)

    def event(
        self,
        document,
        kind: str,
        actor,
        *,
        source: str = "",
        action: str = "",
        from_status: str = "",
        to_status: str = "",
        data: dict | None = None,
    ) -> TimelineEvent:
        """An unsaved row on `document`'s timeline (a model instance or its pk)."""
        model = self.event_model
        if isinstance(document, models.Model):
            scope = {self.scope: document}
        else:
            scope = {model._meta.get_field(self.scope).attname: document}
        return model(
            **scope,
            kind=kind,
            actor=actor_or_none(actor),
            source=source or "",
            action=action,
            from_status=from_status,
            to_status=to_status,
            data=data or {},
        )

    def record(self, document, kind: str, actor, **fields) -> TimelineEvent:
        """Write one row on `document`'s timeline (in the caller's transaction)."""
        event = self.event(document, kind, actor, **fields)
        _insert_of(type(event)).insert([event])  # as event.save(force_insert=True), compiled once
        return event

    def transition_event(self, ctx) -> TimelineEvent:
        """The unsaved row of one applied transition (ctx: core.transitions.Context)."""
        obj = ctx.obj
        document = self.document(obj) if self.document else obj
        return self.event(
            document,
            self.kind,
            ctx.actor,
            source=ctx.source,
            action=ctx.transition.action,
            from_status=ctx.from_status if self.statuses else "",
            to_status=obj.status if self.statuses else "",
            data=ctx.event_data,
        )


_INSERTS: dict = {}


def _insert_of(model):
    """The event model's INSERT, compiled once per process (core.compiled_sql, issue 16)."""
    insert = _INSERTS.get(model)
    if insert is None:
        from tokodesk.core.compiled_sql import CompiledInsert

        insert = _INSERTS[model] = CompiledInsert(model)
    return insert
