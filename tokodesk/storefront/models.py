from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel


class LandingPage(TimeStampedModel):
    """A product's public order page; its orders go to its agents in turn."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="landing_pages")
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="landing_pages")
    payment_methods = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    # Round robin: index of the agent who got the last order.
    last_agent_index = models.IntegerField(default=-1)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
