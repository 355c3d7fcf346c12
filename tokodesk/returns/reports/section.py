"""The settings page's "Report templates" section: a link to their own pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_section() -> None:
    from django import forms

    from tokodesk.core import settings_pages
    from tokodesk.returns.return_settings import ReturnSettings

    settings_pages.register(
        settings_pages.SettingsSection(
            key="report_templates",
            title=_("Report templates"),
            form_class=forms.Form,
            model=ReturnSettings,
            position=32,
            template="returns/_reports_settings_section.html",
            page="returns:report_templates",
            make_form=lambda data, files, current: forms.Form(),
        )
    )
