"""What each return action does, in words for the pages (the action's modal and menus).

ASK_FIRST are the actions that undo work, stop or cancel a return: the pages never run them
on one click but open their modal (their form, or a confirmation step) first.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ASK_FIRST = frozenset({"to_draft", "hold", "reject", "cancel"})

ACTION_HELP = {
    "approve": _(
        "The return is accepted: the customer sends the items back (with the return label if you add one)."
    ),
    "to_draft": _("Back to draft to change the lines; the customer's approval is taken back."),
    "hold": _(
        "The return waits (for the customer, the courier …); the reason is kept and it resumes where it was."
    ),
    "resume": _("The return goes on from where it was put on hold."),
    "receive": _(
        "Records what arrived: quantity and condition per line; resellable goods go back in stock."
    ),
    "complete": _(
        "Accept or refuse each line, then the resolution is applied: refund, store credit or exchange."
    ),
    "reject": _("The return is refused; the customer gets your message."),
    "cancel": _("The return is cancelled (nothing has been received yet); the reason is kept."),
}
