"""Export templates (named, ordered column lists) and the exports run from them (SPEC 2.5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel


class Delimiter(models.TextChoices):
    COMMA = ",", _("Comma (,)")
    SEMICOLON = ";", _("Semicolon (;) for Excel with a decimal comma")


# Shops whose Excel reads "1,5" as a number and so separates CSV cells with ";"
# (Indonesian and French regional settings).
DECIMAL_COMMA_LANGUAGES = frozenset({"id", "fr"})


def default_delimiter() -> str:
    """The separator the shop's Excel expects: ";" (then decimals take a comma) for a shop
    whose language (LANGUAGE_CODE) is Indonesian or French, "," otherwise. New templates
    start with it and the built-in ones always use it; a seller's template keeps its own."""
    language = (settings.LANGUAGE_CODE or "en").split("-")[0].lower()
    return Delimiter.SEMICOLON if language in DECIMAL_COMMA_LANGUAGES else Delimiter.COMMA


class ExportTemplate(TimeStampedModel):
    """A named, ordered list of columns: [{"field": "recipient_name", "header": "Penerima"}, …].
    An empty header means the column's own name in the language of whoever exports.
    Built-in templates (made by a migration) cannot be changed or deleted; copy them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    columns = models.JSONField(_("columns"), default=list)
    delimiter = models.CharField(_("separator"), max_length=1, choices=Delimiter.choices, default=Delimiter.COMMA)
    built_in = models.BooleanField(_("built-in"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-built_in", "name"]

    def __str__(self):
        return self.display_name

    @property
    def effective_delimiter(self) -> str:
        """What an export with it uses: a built-in template (which nobody can edit) follows
        the shop's language, any other its own choice."""
        return default_delimiter() if self.built_in else self.delimiter

    @property
    def display_name(self) -> str:
        # Built-in names are English msgids (marked in builtins.py), shown translated.
        return gettext(self.name) if self.built_in else self.name


class Export(models.Model):
    """One export run in the worker: what to export, who asked, how far it got, the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    template = models.ForeignKey(ExportTemplate, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="exports")
    # The template as it was when the export was asked for: a later edit does not change it.
    template_name = models.CharField(max_length=100)
    columns = models.JSONField(default=list)
    delimiter = models.CharField(max_length=1, default=Delimiter.COMMA)
    # Either filters (the keys of GET /api/v1/orders) or the selected references.
    filters = models.JSONField(default=dict, blank=True)
    references = models.JSONField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True, max_length=200)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched by the worker after every chunk: a running export whose heartbeat is older
    # than TOKODESK_EXPORT_STALE_MINUTES lost its worker (services.export_reap).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_created")]

    def __str__(self):
        return f"{self.template_name} ({self.status})"

    @property
    def progress(self) -> int:
        """Percent done, 0-100 (100 only once the file is complete)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def filename(self) -> str:
        """The name the browser saves the file under."""
        from django.utils import timezone
        from django.utils.text import slugify

        stamp = timezone.localtime(self.created_at).strftime("%Y%m%d-%H%M")
        return f"orders-{stamp}-{slugify(self.template_name) or 'export'}.csv"


class KeptForm(models.Model):
    """A template compiled for one language, time zone, currency and separator, whose
    orders' lines are kept (kept.py): its digest, and when an export last used it."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField()

    class Meta:
        db_table = "exports_keptform"

    def __str__(self):
        return self.digest[:12]


class KeptRow(models.Model):
    """One order's CSV line for one form, at the order's revision (`OrderRev`, kept.py)."""

    pk = models.CompositePrimaryKey("form_id", "order_id")
    form_id = models.BigIntegerField()
    order_id = models.BigIntegerField()
    rev = models.BigIntegerField()
    line = models.BinaryField()

    class Meta:
        db_table = "exports_keptrow"

    def __str__(self):
        return f"{self.form_id}/{self.order_id}@{self.rev}"


class OrderRev(models.Model):
    """An order's revision for its kept export lines (kept_schema.py): moved by triggers
    whenever something its line shows changes; no row is revision 0. Not a column of the
    order, so Django never writes it from a stale instance."""

    order_id = models.BigIntegerField(primary_key=True)
    rev = models.BigIntegerField()

    class Meta:
        db_table = "exports_orderrev"

    def __str__(self):
        return f"{self.order_id}@{self.rev}"


class CustomerChange(models.Model):
    """A customer whose fields shown in export lines changed, queued by a trigger until an
    export moves the revisions of its orders (kept.apply_customer_changes)."""

    customer_id = models.BigIntegerField()

    class Meta:
        db_table = "exports_customerchange"

    def __str__(self):
        return str(self.customer_id)


class KeptGen(models.Model):
    """Generations of the small tables the kept rows name (a courier renamed moves its
    table's), and the digest of the triggers' DDL (kept_schema.py)."""

    name = models.CharField(max_length=100, primary_key=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "exports_keptgen"

    def __str__(self):
        return f"{self.name}={self.n}"
