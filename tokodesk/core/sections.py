"""Sections one app adds to another app's page, registered by the app that owns them.

The orders detail page shows the order's returns, but orders must not import returns
(returns is built on orders). So the returns app registers a section for the page
"orders.detail" in its AppConfig.ready(); the orders view asks `sections("orders.detail",
…)` and its template includes each section's template. Core knows no app: it only keeps
what was registered.

A section is a template (included with `section` = the dict its `context` returned, plus the
page's context) and, optionally, a template for buttons in the page's head; the dict may say
"body": False or "head": False to leave either out this time. `context(**kw)`
gets what the page passes (e.g. order=, user=) and returns None when the section is not
shown; it must not run more queries than the page can afford (one or two, never per row).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Callable[..., dict | None]
    # Included in the page's head (buttons), with the same `section`; "" for none.
    head_template: str = ""


_SECTIONS: dict[str, dict[str, Section]] = {}


def register(page: str, name: str, *, template: str, context: Callable[..., dict | None],
             head_template: str = "") -> None:
    """Register (or replace, on a second ready()) the section `name` of `page`."""
    _SECTIONS.setdefault(page, {})[name] = Section(name, template, context, head_template)


def sections(page: str, **kwargs) -> list[dict]:
    """The sections `page` shows now, in registration order: {"name", "data", "body",
    "head"}: data is what the section's context returned, body and head the templates to
    include ("" when the data says "body": False or "head": False)."""
    shown = []
    for section in _SECTIONS.get(page, {}).values():
        data = section.context(**kwargs)
        if data is None:
            continue
        shown.append({
            "name": section.name,
            "data": data,
            "body": section.template if data.get("body", True) else "",
            "head": section.head_template if data.get("head", True) else "",
        })
    return shown
