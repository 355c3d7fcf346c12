"""The buyer's language on the order (issue 12, item 13): the messages the team sends the
buyer (WhatsApp texts, e-mails, the order link's notices) are in it, whoever sends them.

An order keeps the language its buyer used when it is known: the language the landing page
was read in when ordering (storefront passes it to order_create), the one given through
the API or chosen on the manual order; staff may change it on the order page or through the
API (`order_set_language`), in any status. An order without one ("") follows the shop's
language for customers. That default belongs to notifications (its setting and each
landing page's language), which orders does not import: notifications provides it in its
ready() (`provide_default`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tokodesk.core.documents import require
from tokodesk.core.errors import ValidationFailed
from tokodesk.orders.models import Order, OrderEvent

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

_default: Callable[[Order], str] | None = None


def valid(value: str | None) -> str:
    """ "fr", "fr-FR" -> "fr"; a language the shop does not speak -> ""."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else ""


def provide_default(function: Callable[[Order], str]) -> None:
    """notifications: the shop's language for customers of an order (its landing page's …)."""
    global _default
    _default = function


def default_for(order: Order) -> str:
    """The language a new order gets when its buyer's is not known."""
    if _default is not None:
        found = valid(_default(order))
        if found:
            return found
    return valid(settings.LANGUAGE_CODE) or LANGUAGES[0]


def order_language(order: Order) -> str:
    """The language to write to the buyer of `order` in."""
    return valid(order.language) or default_for(order)


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


@transaction.atomic
def order_set_language(
    *,
    reference: str,
    actor,
    language: str,
    expected_version: int | None = None,
    source: str = "api",
) -> Order:
    """Change the buyer's language on the order (any status: a message may follow the order
    to the end). Noted on the timeline."""
    from tokodesk.orders import services

    require(actor, "orders.change_order")
    code = valid(language)
    if not code or code != (language or "").strip().lower():
        raise ValidationFailed(
            "invalid_input",
            _("Unknown language."),
            fields={"language": _("Choose one of: %(codes)s.") % {"codes": ", ".join(LANGUAGES)}},
        )
    order = services._locked(reference, actor, expected_version)
    if order.language == code:
        return order
    before = order.language
    order.language = code
    order.version += 1
    order.save(update_fields=["language", "version", "updated_at"])
    from tokodesk.orders.states import ORDER_TIMELINE

    ORDER_TIMELINE.record(
        order,
        OrderEvent.Kind.EDITED,
        actor,
        source=source,
        data={"changes": {"language": [before, code]}},
    )
    return order
