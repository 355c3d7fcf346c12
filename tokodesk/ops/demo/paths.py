"""How the demo's orders are spread over the statuses, and the plan of one order (its
steps and their times)."""

from __future__ import annotations

from dataclasses import dataclass, field

# How the orders spread over the statuses (every status gets at least one).
STATUS_WEIGHTS = {
    "completed": 24,
    "cancelled": 9,
    "new": 8,
    "in_transit": 7,
    "confirmed": 6,
    "delivered": 5,
    "ready_to_ship": 4,
    "awaiting_pickup": 4,
    "returned": 4,
    "paid": 3,
    "cancellation_requested": 2,
    "delivery_problem": 2,
    "returning": 2,
    "awaiting_payment": 2,
    "payment_completed": 2,
    "partially_paid": 1.5,
    "invoice_issued": 1.5,
    "lost_or_damaged": 1,
    "payment_processing": 1,
    "invoice_pending": 1,
    "invoice_paid": 1,
}
METHOD_FOR_STATUS = {
    "paid": "bank_transfer",
    "partially_paid": "bank_transfer",
    "awaiting_payment": "payment_gateway",
    "payment_processing": "payment_gateway",
    "payment_completed": "payment_gateway",
    "invoice_pending": "invoice",
    "invoice_issued": "invoice",
    "invoice_paid": "invoice",
}
SHIPPED_TARGETS = (
    "awaiting_pickup",
    "in_transit",
    "delivered",
    "delivery_problem",
    "lost_or_damaged",
    "returning",
    "returned",
    "completed",
)
FINAL_TARGETS = ("completed", "cancelled", "returned", "lost_or_damaged")

# How long after the previous event each step happens: (min, max) in minutes.
DELAYS = {
    "confirm": (5, 8 * 60),
    "unconfirm": (10, 180),
    "request_payment": (1, 30),
    "payment_pending": (1, 40),
    "payment_failed": (1, 20),
    "payment_succeeded": (1, 6 * 60),
    "confirm_payment": (20, 24 * 60),
    "unconfirm_payment": (10, 6 * 60),
    "create_invoice": (10, 4 * 60),
    "issue_invoice": (60, 2 * 1440),
    "record_invoice_payment": (3 * 1440, 25 * 1440),
    "mark_ready": (60, 20 * 60),
    "ship": (60, 24 * 60),
    "cancel_shipment": (20, 5 * 60),
    "picked_up": (2 * 60, 18 * 60),
    "delivered": (1440, 5 * 1440),
    "report_problem": (1440, 3 * 1440),
    "resume_delivery": (4 * 60, 2 * 1440),
    "mark_lost": (2 * 1440, 7 * 1440),
    "return_to_sender": (1440, 3 * 1440),
    "returned_to_sender": (3 * 1440, 10 * 1440),
    "complete": (1440, 6 * 1440),
    "request_cancellation": (10, 12 * 60),
    "approve_cancellation": (10, 24 * 60),
    "reject_cancellation": (10, 24 * 60),
    "cancel": (30, 2 * 1440),
    "reopen": (60, 1440),
    "tag": (2, 120),
    "note": (5, 6 * 60),
    "assign": (10, 180),
}
# How long an order has sat in its (unfinished) status: (min, max) in minutes. Kept below
# the deadlines the worker enforces (cancellation window, automatic completion).
IDLE = {
    "new": (5, 2 * 1440),
    "confirmed": (10, 2 * 1440),
    "paid": (10, 1440),
    "partially_paid": (60, 3 * 1440),
    "awaiting_payment": (10, 1440),
    "payment_processing": (2, 120),
    "payment_completed": (10, 1440),
    "invoice_pending": (60, 2 * 1440),
    "invoice_issued": (1440, 10 * 1440),
    "invoice_paid": (10, 1440),
    "ready_to_ship": (10, 1440),
    "awaiting_pickup": (10, 1440),
    "in_transit": (120, 3 * 1440),
    "delivered": (60, 5 * 1440),
    "delivery_problem": (60, 2 * 1440),
    "returning": (1440, 5 * 1440),
    "cancellation_requested": (10, 30 * 60),
}
PROCESS_ACTIONS = {
    "confirm",
    "unconfirm",
    "request_payment",
    "cancel",
    "reopen",
    "approve_cancellation",
    "reject_cancellation",
}
FINANCE_ACTIONS = {
    "confirm_payment",
    "unconfirm_payment",
    "create_invoice",
    "issue_invoice",
    "record_invoice_payment",
    "complete",
}
GATEWAY_ACTIONS = {"payment_pending", "payment_succeeded", "payment_failed"}
COURIER_EVENTS = {"picked_up", "delivered", "report_problem", "resume_delivery", "return_to_sender"}
WAREHOUSE_ACTIONS = {"mark_ready", "ship", "cancel_shipment", "returned_to_sender", "mark_lost"}


@dataclass
class Step:
    kind: str  # "action", "tag", "note" or "assign"
    name: str  # the action, the tag, the note's body or the new agent
    actor: str | None  # a username, "@agent" (the order's agent) or None (customer / system)
    source: str = "web"
    variant: str = ""  # e.g. "partial" for a part payment


@dataclass
class Plan:
    target: str
    method: str
    channel: str
    customer: dict
    lines: list  # (sku, qty, unit_price or None)
    warehouse: str
    courier: str
    service: str
    shipping_cost: int
    insurance: int = 0
    discount: int = 0
    landing_page: str | None = None
    creator: str | None = None  # None: the buyer on the landing page
    source: str = "customer"
    agent: str | None = None  # fixed agent, else round robin at creation
    tags: list = field(default_factory=list)
    note: str = ""
    steps: list = field(default_factory=list)
    times: list = field(default_factory=list)  # creation, then one per step
