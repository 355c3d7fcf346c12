"""The returns calendar (InvenTree's calendar view and ICS feed): returns with a target
date, as all-day events "RMA-00001 · ORD-000123 · customer". Completed returns are left
out unless asked for; rejected and cancelled ones never show (nothing will come back).

Calendar apps cannot send an Authorization header, so the feed also takes
`?token=<calendar token>`: a per-user secret that only reads this calendar, derived from
`CalendarToken.nonce` and SECRET_KEY (shown again at will; a reset kills old URLs)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tokodesk.notifications import customers
from tokodesk.notifications.models import CalendarToken, NotificationSettings
from tokodesk.returns.models import Return
from tokodesk.returns.selectors import (  # noqa: F401 - calendar_returns and status_label were here
    calendar_returns,
    return_queryset_for,
    status_label,
)
from tokodesk.returns.states import Resolution, Status

SALT = "tokodesk.returns-calendar"
SEPARATOR = " · "


# --- tokens -----------------------------------------------------------------------------------


def _signer():
    return signing.Signer(salt=SALT, sep=".")


def _new_nonce() -> str:
    return secrets.token_hex(16)


def calendar_token(user) -> str:
    """The user's calendar token (made on first use)."""
    row, _created = CalendarToken.objects.get_or_create(user=user, defaults={"nonce": _new_nonce()})
    return _signer().sign(f"{user.pk}-{row.nonce}")


@transaction.atomic
def calendar_token_reset(user) -> str:
    """A new token: every URL with the old one stops working."""
    row = CalendarToken.objects.select_for_update().filter(user=user).first()
    if row is None:
        row = CalendarToken.objects.create(user=user, nonce=_new_nonce())
    else:
        row.nonce = _new_nonce()
        row.save(update_fields=["nonce"])
    return _signer().sign(f"{user.pk}-{row.nonce}")


def user_for_calendar_token(token: str | None):
    """The active user the token belongs to, or None (wrong, altered, reset or inactive)."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    user_id, _sep, nonce = value.partition("-")
    if not user_id.isdigit() or not nonce:
        return None
    row = (CalendarToken.objects.select_related("user")
           .filter(user_id=int(user_id), nonce=nonce, user__is_active=True).first())
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        CalendarToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def calendar_feed_path(*, include_completed: bool = False) -> str:
    return reverse("api:returns_calendar_ics") + ("?include_completed=true" if include_completed else "")


def calendar_feed_url(user, *, base_url: str = "", include_completed: bool = False) -> str:
    """The URL to paste into a calendar app (it carries the user's token)."""
    path = calendar_feed_path(include_completed=include_completed)
    path += ("&" if "?" in path else "?") + "token=" + calendar_token(user)
    return customers.absolute(path, base_url)


# --- events ------------------------------------------------------------------------------------


def event_title(ret: Return) -> str:
    return SEPARATOR.join([ret.reference, ret.order.reference, ret.order.recipient_name or ret.customer.name])


def return_page_path(ret: Return) -> str | None:
    """The return's page, when the returns pages are installed."""
    try:
        return reverse("returns:detail", kwargs={"reference": ret.reference})
    except NoReverseMatch:
        return None


def calendar_events(user, *, include_completed: bool = False, start: dt.date | None = None,
                    end: dt.date | None = None) -> list[dict]:
    """The calendar view's events (JSON-ready): one per return, on its target date."""
    return [
        {
            "reference": ret.reference, "title": event_title(ret), "date": ret.target_date.isoformat(),
            "status": ret.status, "status_label": status_label(ret), "order": ret.order.reference,
            "customer": ret.order.recipient_name or ret.customer.name, "url": return_page_path(ret),
            "overdue": ret.status != Status.COMPLETED and ret.target_date < timezone.localdate(),
        }
        for ret in calendar_returns(user, include_completed=include_completed, start=start, end=end)
    ]


def _description(ret: Return) -> str:
    items = ", ".join(f"{line.qty} × {line.name}" for line in ret.lines.all())
    return "\n".join([
        _("Reason: %(reason)s") % {"reason": ret.reason_display},
        _("Status: %(status)s") % {"status": status_label(ret)},
        _("Resolution: %(resolution)s") % {"resolution": Resolution(ret.resolution).label},
        _("Items: %(items)s") % {"items": items},
    ])


def returns_ics(returns, *, base_url: str = "", name: str = "") -> bytes:
    """An iCalendar (RFC 5545) file of all-day events on the returns' target dates."""
    from icalendar import Calendar, Event

    settings_row = NotificationSettings.get()
    cal = Calendar()
    cal.add("prodid", "-//tokodesk//returns calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or _("%(shop)s returns") % {"shop": customers.shop_name(settings_row)})
    host = "tokodesk"
    now = timezone.now()
    for ret in returns:
        event = Event()
        event.add("uid", f"return-{ret.pk}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", ret.updated_at)
        event.add("dtstart", ret.target_date)
        event.add("dtend", ret.target_date + dt.timedelta(days=1))
        event.add("summary", event_title(ret))
        event.add("description", _description(ret))
        event.add("categories", [str(Status(ret.status).label)])
        event.add("transp", "TRANSPARENT")
        path = return_page_path(ret)
        url = customers.absolute(path, base_url, settings_row) if path else ""
        if url.startswith(("http://", "https://")):
            event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
