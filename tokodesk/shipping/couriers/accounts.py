"""The shop's courier accounts: credentials per adapter, saved by the owner.

A secret value is write-only: the page shows whether it is set (never the value, nor a part
of it), an empty field keeps the stored one, and nothing here logs a value. The timeline of
the change is the row's `updated_by` / `updated_at`."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.shipping.couriers import ADAPTERS

logger = logging.getLogger("tokodesk.shipping")

MANAGE = "orders.manage_settings"


def accounts_overview() -> list[dict]:
    """Per adapter that takes credentials: its fields and whether each is set."""
    from tokodesk.shipping.models import CourierAccount

    rows = {row.adapter: row for row in CourierAccount.objects.all()}
    overview = []
    for code, cls in ADAPTERS.items():
        if not cls.credential_fields:
            continue
        stored = rows[code].credentials if code in rows else {}
        overview.append(
            {
                "code": code,
                "label": cls.label,
                "fields": [
                    {
                        "name": name,
                        "label": label,
                        "secret": secret,
                        "is_set": bool(stored.get(name)),
                        "value": "" if secret else stored.get(name, ""),
                    }
                    for name, label, secret in cls.credential_fields
                ],
                "updated_at": rows[code].updated_at if code in rows else None,
            }
        )
    return overview


@transaction.atomic
def courier_account_save(*, adapter: str, values: dict, actor, clear: tuple[str, ...] = ()) -> None:
    """Store the adapter's credentials: a given value replaces the stored one, an empty one
    keeps it, a name in `clear` removes it."""
    from tokodesk.shipping.models import CourierAccount

    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied("permission_denied", _("Only the owner manages courier accounts."))
    cls = ADAPTERS.get(adapter)
    if cls is None or not cls.credential_fields:
        raise ValidationFailed(
            "invalid_input", _("Unknown adapter."), fields={"adapter": _("Unknown adapter.")}
        )
    names = {name for name, _label, _secret in cls.credential_fields}
    row, _created = CourierAccount.objects.select_for_update().get_or_create(adapter=adapter)
    credentials = dict(row.credentials)
    errors = {}
    for name in names:
        value = str(values.get(name, "") or "").strip()
        if len(value) > 500:
            errors[name] = _("At most 500 characters.")
        elif value:
            credentials[name] = value
        elif name in clear:
            credentials.pop(name, None)
    if errors:
        raise ValidationFailed("invalid_input", _("Check the fields marked."), fields=errors)
    row.credentials = credentials
    row.updated_by = actor
    row.save()
    logger.info(
        "courier account %s updated by %s (fields set: %s)",
        adapter,
        getattr(actor, "username", "system"),
        ", ".join(sorted(k for k, v in credentials.items() if v)),
    )
