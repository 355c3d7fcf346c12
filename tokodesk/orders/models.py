import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tokodesk.core.models import TimeStampedModel
from tokodesk.core.timeline import TimelineEvent
from tokodesk.orders.states import AWAITING_SHIPMENT, Channel, PaymentMethod, Status, StockState

# The deadline sort's key of an order without a deadline: after every real one (and within
# the years a list cursor accepts, core.cursors).
NO_DEADLINE = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
# An order's next deadline, as Order.deadline reads it, in SQL.
DEADLINE_SQL = Coalesce(
    models.Case(
        models.When(status=Status.CANCELLATION_REQUESTED, then=models.F("cancellation_deadline")),
        models.When(status__in=AWAITING_SHIPMENT, then=models.F("ship_by")),
    ),
    models.Value(NO_DEADLINE, output_field=models.DateTimeField()),
    output_field=models.DateTimeField(),
)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Order(TimeStampedModel):
    # Indexed by order_created (with id and the name), not on its own: see Meta.indexes.
    created_at = models.DateTimeField(auto_now_add=True)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.MANUAL
    )
    landing_page = models.ForeignKey(
        "storefront.LandingPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    external_reference = models.CharField(max_length=100, blank=True, default="")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    # The recipient as it was on this order (the customer may change later).
    recipient_name = models.CharField(_("recipient"), max_length=200)
    recipient_phone = models.CharField(_("phone"), max_length=20)
    recipient_email = models.EmailField(blank=True, default="")
    destination_address = models.TextField(_("destination"))
    destination_city = models.CharField(max_length=100, blank=True, default="")
    # Required and shaped per the shop's country (customers.postcodes); "" when not given.
    destination_postcode = models.CharField(_("postal code"), max_length=12, blank=True, default="")
    # The kecamatan the order ships to (shipping rates price it); free-text city stays for
    # older orders and shops abroad.
    destination_district = models.ForeignKey(
        "shipping.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    courier = models.ForeignKey(
        "shipping.Courier", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    courier_service = models.CharField(max_length=50, blank=True, default="")
    awb = models.CharField(_("AWB"), max_length=64, blank=True, default="")
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices
    )
    # The shop's payment method the customer chose ("PayPal"; payments.PaymentMethod, issue
    # 17), shown wherever the method is; `payment_method` above is its flow. None: an order
    # from before the managed list, or a flow with no method of that code (shows the flow).
    payment_option = models.ForeignKey(
        "payments.PaymentMethod", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    currency = models.CharField(max_length=3, default="IDR")
    subtotal = models.BigIntegerField(default=0)
    shipping_cost = models.BigIntegerField(_("shipping cost"), default=0)
    insurance_cost = models.BigIntegerField(default=0)
    discount = models.BigIntegerField(default=0)
    total = models.BigIntegerField(_("total"), default=0)
    paid_total = models.BigIntegerField(default=0)
    # No index of its own: order_agent_created and order_agent_status start with it.
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_orders",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="orders")
    customer_note = models.TextField(blank=True, default="")
    # Bank transfer: the small unique code included in the total, so that finance can tell
    # this order's transfer by its amount (orders.transfer_codes); 0 when there is none.
    transfer_code = models.PositiveSmallIntegerField(_("unique transfer code"), default=0)
    # The latest proof of transfer the buyer sent from their order page (orders.proofs),
    # for finance to check before confirming the payment.
    customer_proof = models.FileField(upload_to="payment-proofs/%Y/%m/", blank=True)
    customer_proof_at = models.DateTimeField(null=True, blank=True)
    # The buyer's language (orders.languages): what the team's messages to the buyer use.
    language = models.CharField(_("language"), max_length=10, blank=True, default="",
                                choices=settings.LANGUAGES)

    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.NEW
    )
    version = models.PositiveIntegerField(default=1)
    stock_state = models.CharField(
        max_length=12, choices=StockState.choices, default=StockState.NONE
    )
    # Where reject_cancellation / reopen go back to.
    status_before_cancellation = models.CharField(max_length=30, blank=True, default="")
    cancellation_deadline = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True, default="")
    problem_reason = models.TextField(blank=True, default="")
    ship_by = models.DateTimeField(null=True, blank=True)
    invoice_number = models.CharField(max_length=64, blank=True, default="")
    invoice_due_date = models.DateField(null=True, blank=True)
    payment_link = models.CharField(max_length=300, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The key of the deadline sort: the next deadline (Order.deadline) or NO_DEADLINE,
    # computed by the database on every write, whoever writes (the machine, bulk updates,
    # raw SQL), so it never goes stale and an index can serve the sort.
    deadline_sort = models.GeneratedField(
        expression=DEADLINE_SQL, output_field=models.DateTimeField(), db_persist=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_orders", "Can see every order, not only assigned ones"),
            ("process_order", "Can confirm, cancel and reopen orders"),
            ("manage_payments", "Can confirm payments and invoices"),
            ("ship_order", "Can prepare and ship orders and record courier events"),
            ("assign_order", "Can change the agent of an order"),
            ("manage_settings", "Can change the shop settings"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="order_status_created"),
            # The Completed tab, newest first. Most orders end completed, the newest of them
            # long after they were created: PostgreSQL's planner, which takes the statuses as
            # spread evenly over time, read order_created from the newest order and skipped
            # the ~170k recent orders not yet completed (74 ms at 1M orders) rather than
            # order_status_created's range. This index is the cheaper path to it.
            models.Index(
                fields=["-created_at", "-id"],
                name="order_completed_created",
                condition=Q(status="completed"),
            ),
            # The newest first, for everyone and for one agent. The recipient's name rides
            # along so that SQLite tests a name fragment (LIKE '%…%') on the index entry and
            # reads only the matching rows (PostgreSQL has a trigram index for it, 0004).
            models.Index(fields=["-created_at", "-id", "recipient_name"], name="order_created"),
            models.Index(fields=["-total", "-id"], name="order_total"),
            models.Index(
                fields=["assigned_agent", "-created_at", "-id", "recipient_name"],
                name="order_agent_created",
            ),
            models.Index(
                fields=["assigned_agent", "status", "-created_at", "-id"], name="order_agent_status"
            ),
            models.Index(fields=["landing_page", "-created_at"], name="order_landing_page"),
            models.Index(fields=["warehouse", "-created_at"], name="order_warehouse"),
            models.Index(fields=["courier", "-created_at"], name="order_courier"),
            models.Index(fields=["payment_method", "status"], name="order_payment_method"),
            models.Index(fields=["channel", "-created_at"], name="order_channel"),
            models.Index(fields=["recipient_phone"], name="order_phone"),
            models.Index(fields=["awb"], name="order_awb"),
            # Orders past their shipping deadline (Action needed, the worker's overdue count):
            # status IN (awaiting shipment) AND ship_by < now, for everyone and for one agent.
            models.Index(
                fields=["status", "ship_by"],
                name="order_status_ship_by",
                condition=Q(ship_by__isnull=False),
            ),
            models.Index(
                fields=["assigned_agent", "status", "ship_by"],
                name="order_agent_ship_by",
                condition=Q(ship_by__isnull=False),
            ),
            models.Index(
                fields=["cancellation_deadline"],
                name="order_cancel_deadline",
                condition=Q(cancellation_deadline__isnull=False),
            ),
            # The deadline sort, one status at a time (selectors.order_list merges the
            # statuses of a tab), for everyone and for one agent.
            models.Index(fields=["status", "deadline_sort", "-id"], name="order_status_deadline"),
            models.Index(
                fields=["assigned_agent", "status", "deadline_sort", "-id"],
                name="order_agent_deadline",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(condition=Q(paid_total__gte=0), name="order_paid_gte_0"),
        ]

    def __str__(self):
        return self.reference

    @property
    def payment_method_label(self) -> str:
        """The shop's method as the reader reads it ("PayPal", "Carte bancaire"), else the flow's."""
        if self.payment_option_id:
            return self.payment_option.display_label
        return str(self.get_payment_method_display())

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @property
    def outstanding(self) -> int:
        return max(self.total - self.paid_total, 0)

    @property
    def deadline(self) -> dt.datetime | None:
        """What the seller must act on before, None when no clock runs: a cancellation
        request's automatic approval, or the shipping deadline while the order awaits
        shipment (past it, the order is in Action needed). DEADLINE_SQL is the same rule."""
        if self.status == Status.CANCELLATION_REQUESTED:
            return self.cancellation_deadline
        if self.status in AWAITING_SHIPMENT:
            return self.ship_by
        return None


class OrderCount(models.Model):
    """How many orders each agent has in each status and payment method: the tab counts
    without reading the orders (see `tokodesk.orders.counters`).

    Kept exact by database triggers on orders_order (migration 0003), so every write counts:
    the services, bulk inserts, raw SQL. Never written by the application, except by
    `counters.recount()` (`tokodesk recount_orders`), which rebuilds it from the orders."""

    agent_id = models.BigIntegerField(help_text="The assigned agent's user id; 0 when unassigned.")
    status = models.CharField(max_length=30)
    payment_method = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent_id", "status", "payment_method"], name="ordercount_key"
            ),
        ]

    def __str__(self):
        return f"{self.agent_id}/{self.status}/{self.payment_method}: {self.n}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    qty = models.PositiveIntegerField()
    unit_price = models.BigIntegerField()
    weight_grams = models.PositiveIntegerField(default=0)
    # The serial numbers shipped (a serial-tracked variant's units, recorded at ship time by
    # orders.serials): what a return of this line may name.
    serial_numbers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(qty__gt=0), name="orderline_qty_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_gte_0"),
        ]

    def __str__(self):
        return f"{self.qty} × {self.sku}"

    @property
    def line_total(self) -> int:
        return self.qty * self.unit_price


class Payment(models.Model):
    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        GATEWAY = "gateway", _("Payment gateway")
        INVOICE = "invoice", _("Invoice payment")
        COD = "cod", _("Cash on delivery")
        # Paid from the customer's store credit (orders.store_credit): a debit on their ledger.
        STORE_CREDIT = "store_credit", _("Store credit")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.BigIntegerField()
    paid_on = models.DateField(null=True, blank=True)
    account = models.CharField(max_length=200, blank=True, default="")
    reference = models.CharField(max_length=200, blank=True, default="")
    proof = models.FileField(upload_to="payment-proofs/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # COD: the cash the courier collected at delivery (orders.cod) is the shop's once the
    # courier remits it; set when a remittance report's line matches it (payments app).
    remitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0")
        ]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class OrderNote(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:50]


class OrderEvent(TimelineEvent):
    """The order's timeline (core.timeline): one row per change, written in the change's own
    transaction; the transitions' rows by the machine (orders.states.ORDER_TIMELINE)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ACTION = "action", _("Status changed")
        EDITED = "edited", _("Edited")
        AGENT_CHANGED = "agent_changed", _("Agent changed")
        TAG_ADDED = "tag_added", _("Tag added")
        TAG_REMOVED = "tag_removed", _("Tag removed")
        NOTE_ADDED = "note_added", _("Note added")
        CHAT = "chat", _("Customer chat opened")
        # A goodwill refund paid (returns.refunds): a refund of a return goes on the return's.
        REFUND_PAID = "refund_paid", _("Refund paid")
        PROOF_SENT = "proof_sent", _("Proof of transfer sent")
        # A shipping label, packing slip or picking list printed (dispatch.labels); reprints too.
        PRINTED = "printed", _("Printed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["order", "created_at"], name="orderevent_order")]


from tokodesk.orders.order_settings import OrderSettings  # noqa: E402,F401  (the order settings, orders.order_settings)

# The WhatsApp message templates live in their own module (orders.wa_templates).
from tokodesk.orders.wa_templates import WhatsAppTemplate  # noqa: E402, F401
