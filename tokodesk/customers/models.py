from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel


class Customer(TimeStampedModel):
    """A buyer. No account: identified by phone (E.164), reached by WhatsApp or e-mail."""

    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    email = models.EmailField(_("e-mail"), blank=True, default="")
    address = models.TextField(_("address"), blank=True, default="")
    # The latest delivery postcode the buyer gave (customers.postcodes: per the shop's country).
    postcode = models.CharField(_("postal code"), max_length=12, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.phone})"
