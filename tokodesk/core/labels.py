"""Labels the owner writes once per language (return reasons, custom states, …).

A managed list keeps `labels` = {"id": "...", "en": "...", "fr": "..."} (the shop's
languages, settings.LANGUAGES) next to a plain `label` (the one it had before, or the first
it was given). `localized()` picks, for the active language (the customer's on what the
customer sees, the staff member's on the staff pages): that language's label, else the one in
the shop's language for customers, else the plain label, else any label. Core knows no app:
notifications provides the customers' default language in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

_default_language: list[Callable[[], str]] = []
_default_memo: ContextVar[list | None] = ContextVar("tokodesk_default_language_memo", default=None)


def provide_default_language(fn: Callable[[], str]) -> None:
    """Register where the customers' default language comes from (notifications' setting)."""
    _default_language[:] = [fn]


def _customers_default() -> str:
    memo = _default_memo.get()
    if memo is None:
        return _default_language[0]()
    if not memo:
        memo.append(_default_language[0]())
    return memo[0]


@contextmanager
def default_language_read_once():
    """Inside this block `localized()` looks the customers' default language up at most once
    (a page of rows with labels: one settings read, not one per row)."""
    token = _default_memo.set([])
    try:
        yield
    finally:
        _default_memo.reset(token)


def languages() -> list[tuple[str, str]]:
    """The shop's languages: (code, name) in settings order."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def _code(value: str | None) -> str:
    return (value or "").strip().lower().replace("_", "-").split("-")[0]


def localized(labels: dict | None, fallback: str = "", language: str | None = None) -> str:
    labels = labels or {}
    text = labels.get(_code(language or translation.get_language()))
    if text:
        return text
    if labels and _default_language:  # (no lookup of the setting for a row without labels)
        text = labels.get(_code(_customers_default()))
        if text:
            return text
    if fallback:
        return fallback
    return next((value for _lang, value in sorted(labels.items()) if value), "")


def clean_labels(value, *, limit: int, field: str = "labels") -> tuple[dict, dict]:
    """(labels, errors): `value` {language: text} kept for the shop's languages, stripped,
    empty ones dropped; an unknown language or a text over `limit` is an error on
    `field.<language>`."""
    codes = {code for code, _name in settings.LANGUAGES}
    labels, errors = {}, {}
    if value is None:
        return labels, errors
    if not isinstance(value, dict):
        return labels, {field: _('A label per language: {"fr": "…"}.')}
    for lang, text in value.items():
        key = f"{field}.{lang}"
        if lang not in codes:
            errors[key] = _("Not a language of this shop.")
            continue
        text = " ".join(str(text or "").split())
        if len(text) > limit:
            errors[key] = _("At most %(limit)s characters.") % {"limit": limit}
        elif text:
            labels[lang] = text
    return labels, errors


def primary(labels: dict) -> str:
    """The plain label kept next to `labels`: the customers' language's, else the first."""
    if _default_language:
        text = labels.get(_code(_default_language[0]()))
        if text:
            return text
    return next((labels[code] for code, _name in settings.LANGUAGES if labels.get(code)), "")
