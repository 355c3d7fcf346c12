"""How the return timeline shows the rows this app writes (kind "notification": an
e-mail queued to the customer, a WhatsApp message opened). The returns pages call
`notification_title` before falling back to `get_kind_display()`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tokodesk.notifications.emails import TIMELINE_KIND

# Keys of the row's `data` that are for machines, not for the page.
HIDDEN_DATA = ("notification_id", "channel")


def notification_title(event) -> str | None:
    """"E-mail to the customer" / "WhatsApp message to the customer", or None when the
    row is not ours."""
    if event.kind != TIMELINE_KIND:
        return None
    if (event.data or {}).get("channel") == "whatsapp":
        return _("WhatsApp message to the customer")
    return _("E-mail to the customer")
