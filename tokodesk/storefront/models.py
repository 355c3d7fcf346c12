from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel
from tokodesk.core.validators import validate_http_url


def default_payment_instructions() -> str:
    """What a new page tells bank-transfer buyers until the owner writes the shop's accounts."""
    return gettext(
        "Please transfer the exact total to our bank account. Our admin will contact you on "
        "WhatsApp with the account details; send the transfer receipt in that chat. We ship "
        "as soon as the payment is confirmed."
    )


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
    image_url = models.URLField(_("image URL"), max_length=500, blank=True, default="",
                                validators=[validate_http_url])
    # Shown on the thank-you page of bank-transfer orders: the shop's accounts.
    payment_instructions = models.TextField(
        _("payment instructions"), blank=True, default=default_payment_instructions
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LandingSubmission(models.Model):
    """One order sent from a landing page: its one-time form token (a second submit of the
    same form finds the first order) and the sender's IP (the per-IP rate limit)."""

    landing_page = models.ForeignKey(LandingPage, on_delete=models.CASCADE, related_name="submissions")
    form_token = models.CharField(max_length=100)
    ip = models.CharField(max_length=45, blank=True, default="")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["landing_page", "form_token"], name="landing_submission_token"),
        ]
        indexes = [
            models.Index(fields=["landing_page", "ip", "created_at"], name="landing_submission_ip"),
        ]

    def __str__(self):
        return f"{self.landing_page_id}:{self.form_token[:12]}"
