"""The sections of the settings page, each registered by the app that owns the settings.

Core knows no app: the shop profile is core's own section; orders registers its order
settings and returns its return settings in their AppConfig.ready(). The settings page
shows the registered sections in `position` order, each with its own form and Save button,
and saves a section through `core.services.settings_update`, which checks each value
against the section's `editable` rules. So neither core nor orders imports returns.

A section's `editable` maps a field of its settings model to a rule: ("pattern",) a
reference pattern (no two sections' patterns may give the same reference), ("bool",),
("int", low, high) or ("text", limit). A section with its own `save(request, form)` (the
shop profile: a logo and a list of bank accounts) saves itself and skips those rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SettingsSection:
    key: str
    title: str
    form_class: type
    # The SingletonSettings subclass the section edits (its `get()` gives the form's initial).
    model: type
    editable: dict = field(default_factory=dict)
    intro: str = ""
    position: int = 100
    # A template included instead of the generic field list ("" for the generic one).
    template: str = ""
    # Builds the form: (data, files, current row) -> form; None: form_class(data, initial=…).
    make_form: Callable | None = None
    # Saves a valid form itself: (form, actor) -> None; None: settings_update(changes=cleaned_data).
    save: Callable | None = None
    # The URL name of a page of its own (a list, such as the WhatsApp templates): the settings
    # page shows the section's template (a summary) and a link there instead of a form.
    page: str = ""


_SECTIONS: dict[str, SettingsSection] = {}


def register(section: SettingsSection) -> None:
    """Register (or replace, on a second ready()) a section of the settings page."""
    _SECTIONS[section.key] = section


def sections() -> list[SettingsSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.position, s.key))


def section(key: str) -> SettingsSection | None:
    return _SECTIONS.get(key)


def editable() -> dict[str, tuple[SettingsSection, tuple]]:
    """Every editable setting of every section: name -> (section, rule)."""
    return {name: (s, rule) for s in sections() for name, rule in s.editable.items()}
