"""The owner's template of a document (one row a document; no row: the built-in one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportDocument(models.TextChoices):
    SLIP = "slip", _("Return slip")
    SUMMARY = "summary", _("Return summary")


class ReportTemplate(models.Model):
    document = models.CharField(
        _("document"), max_length=20, choices=ReportDocument.choices, unique=True
    )
    html = models.TextField(_("HTML"))
    css = models.TextField(_("CSS"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last time the saved template failed when a document was made (the built-in one
    # was given instead): shown on the editor page until the template is saved again.
    last_error = models.TextField(blank=True, default="")
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error_reference = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        app_label = "returns"
        verbose_name = _("report template")

    def __str__(self):
        return self.document
