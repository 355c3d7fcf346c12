"""What every document service (orders, returns, refunds) does around a change: who
acted, whether they may, and the document locked for the change.

The transition machine (`core.transitions`) does the same for the status changes of a
table; these are for the services' other writes (edit, assign, tag, note, label …)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import NotFound, PermissionDenied, StaleVersion

STALE = _(
    "This was changed by someone else (version %(current)s, you had %(yours)s). Reload and try again."
)


def actor_or_none(user):
    """The user to record (created_by, a timeline's actor): None for the system (None)
    and for an anonymous user."""
    return user if getattr(user, "pk", None) else None


def require(user, perm: str) -> None:
    """Refuse a user without `perm` (None, the system, may do anything)."""
    if user is not None and not user.has_perm(perm):
        raise PermissionDenied("permission_denied", _("You are not allowed to do this."))


def check_version(obj, expected_version: int | None, stale=STALE) -> None:
    """Refuse a change made on an old copy (`stale`: a message with %(current)s, %(yours)s)."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(
            "stale_version", stale % {"current": obj.version, "yours": expected_version}
        )


def locked(
    queryset, *, lookup: dict, expected_version: int | None = None, not_found=None, stale=STALE
):
    """The one row of `queryset` matching `lookup`, locked (SELECT … FOR UPDATE) for the
    caller's transaction, at the version the client had (when it says which)."""
    obj = queryset.select_for_update().filter(**lookup).first()
    if obj is None:
        raise NotFound("not_found", not_found or _("Not found."))
    check_version(obj, expected_version, stale)
    return obj
