"""Template helpers of the return pages: the status badge (the custom state's label when
one is set) and the responsible owner's name."""

import re

from django import template
from django.utils.html import format_html

from tokodesk.accounts.roles import group_label

register = template.Library()

# One colour per stage of a return (the badge classes of app.css).
STATUS_GROUP = {
    "requested": "pending", "draft": "draft", "awaiting_item": "to_ship", "on_hold": "problem",
    "item_received": "shipped", "completed": "completed", "rejected": "cancelled", "cancelled": "cancelled",
}
# A custom state's colour: one of the badge colours, or a hex colour.
NAMED_COLOURS = {"amber": "pending", "yellow": "pending", "blue": "to_ship", "indigo": "shipped",
                 "purple": "shipped", "green": "completed", "gray": "cancelled", "grey": "cancelled",
                 "red": "problem"}
HEX = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")


@register.simple_tag
def return_badge(ret):
    from tokodesk.returns.states import Status

    group = STATUS_GROUP.get(ret.status, "pending")
    base = Status(ret.status).label
    state = ret.custom_state if ret.custom_state_id else None
    if state is None:
        return format_html('<span class="badge st-{}" data-status="{}">{}</span>', group, ret.status, base)
    colour = (state.color or "").strip().lower()
    if HEX.match(colour):
        return format_html('<span class="badge rt-custom" data-status="{}" data-custom-state="{}" title="{}" '
                           'data-rt-colour="{}">{}</span>', ret.status, state.pk, base, colour, state.label)
    return format_html('<span class="badge st-{} rt-custom" data-status="{}" data-custom-state="{}" title="{}">{}</span>',
                       NAMED_COLOURS.get(colour, group), ret.status, state.pk, base, state.label)


@register.filter
def responsible_name(ret) -> str:
    if ret.responsible_user_id:
        user = ret.responsible_user
        return user.get_full_name() or user.username
    if ret.responsible_group_id:
        return group_label(ret.responsible_group.name)
    return ""
