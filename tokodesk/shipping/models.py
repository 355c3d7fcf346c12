from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.validators import validate_http_url


class Courier(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    services = models.JSONField(_("services"), default=list, blank=True)
    tracking_url = models.CharField(
        _("tracking URL"), max_length=300, blank=True, default="",
        help_text=_("With {awb} where the tracking number goes."), validators=[validate_http_url],
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CourierAccount(models.Model):
    """The shop's credentials for one courier adapter (shipping/couriers/), set by the owner
    in the courier settings page. The secret values are never shown back, logged or put in
    an error; the page shows only whether each is set."""

    adapter = models.SlugField(_("adapter"), max_length=30, unique=True)
    credentials = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.adapter
