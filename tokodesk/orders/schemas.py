"""HTTP shapes of orders. Inputs forbid unknown fields and bound every string."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import Field, create_model, field_validator

from tokodesk.core.api.common import Out
from tokodesk.core.inputs import StrictInput
from tokodesk.orders.states import Channel, PaymentMethod
from tokodesk.orders.tabs import TABS

PaymentMethodLit = Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
ChannelLit = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
LanguageLit = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]
LANGUAGE_HELP = ("The buyer's language: WhatsApp texts and e-mails to the buyer use it. Null: the shop's "
                 "language for customers.")


class StrictIn(StrictInput):
    """Unknown fields refused, strings stripped, no bool for a number, sane dates."""


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid e-mail address") from None
    return value


class CustomerIn(StrictIn):
    name: str = Field(..., min_length=1, max_length=200)
    phone: str = Field(..., min_length=1, max_length=32)
    address: str = Field(..., min_length=1, max_length=2000)
    email: str = Field("", max_length=254)
    city: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20, description="Required and checked per the shop's country (FR: 5 "
                          "digits, required; ID: 5 digits, optional); 422 on customer.postcode.")

    _check_email = field_validator("email")(_email)


# Far above any real order, far below the 9.2e18 a BIGINT holds (200 lines of
# 100 000 × 10^13 would overflow it and fail as a 500).
MAX_LINES_AMOUNT = 10**15


def _lines_amount(lines):
    if lines and sum(line.qty * line.unit_price for line in lines if line.unit_price is not None) > MAX_LINES_AMOUNT:
        raise ValueError(f"the lines come to more than {MAX_LINES_AMOUNT}")
    return lines


class LineIn(StrictIn):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: int = Field(..., ge=1, le=100_000)
    unit_price: int | None = Field(None, ge=0, le=10**13, description="Minor units; the variant's price when omitted.")


class OrderCreateIn(StrictIn):
    customer: CustomerIn
    lines: list[LineIn] = Field(..., min_length=1, max_length=200)
    payment_method: PaymentMethodLit | None = Field(None, description="The flow; omit it with `payment_method_code`.")
    payment_method_code: str | None = Field(None, max_length=30, description="One of the shop's active payment "
                                            "methods (GET /api/v1/payments/methods): sets the flow.")
    warehouse: str | None = Field(None, max_length=30, description="Warehouse code; the first that stocks every product when omitted.")
    courier: str | None = Field(None, max_length=30)
    courier_service: str = Field("", max_length=50)
    destination: int | None = Field(None, ge=1, description="District id (GET /api/v1/regions): "
                                    "prices the shipping when `shipping_cost` is omitted.")
    shipping_cost: int | None = Field(None, ge=0, le=10**12, description="Omitted: from the rate "
                                      "tables for `destination` (the courier's, or the cheapest), else 0.")
    insurance_cost: int = Field(0, ge=0, le=10**12)
    discount: int = Field(0, ge=0, le=10**13)
    channel: ChannelLit = "api"
    landing_page: str | None = Field(None, max_length=100)
    agent: str | None = Field(None, max_length=150, description="Username of the assigned agent.")
    store_credit: int = Field(0, ge=0, le=10**13, description="Pay this much at once with the customer's "
                              "store credit (minor units): at most their balance and the order's total, else 422.")
    tags: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=2000)
    external_reference: str = Field("", max_length=100)
    language: LanguageLit | None = Field(None, description=LANGUAGE_HELP)

    _check_lines = field_validator("lines")(_lines_amount)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value):
        if any(len(t) > 50 for t in value):
            raise ValueError("a tag has at most 50 characters")
        return value


class OrderPatchIn(StrictIn):
    version: int | None = Field(None, ge=1)
    recipient_name: str | None = Field(None, min_length=1, max_length=200)
    recipient_phone: str | None = Field(None, min_length=1, max_length=32)
    recipient_email: str | None = Field(None, max_length=254)
    destination_address: str | None = Field(None, min_length=1, max_length=2000)
    destination_city: str | None = Field(None, max_length=100)
    destination_postcode: str | None = Field(None, max_length=20, description="Checked per the shop's country.")
    courier: str | None = Field(None, max_length=30)
    courier_service: str | None = Field(None, max_length=50)
    shipping_cost: int | None = Field(None, ge=0, le=10**12)
    insurance_cost: int | None = Field(None, ge=0, le=10**12)
    discount: int | None = Field(None, ge=0, le=10**13)
    payment_method: PaymentMethodLit | None = None
    payment_method_code: str | None = Field(None, max_length=30, description="Another of the shop's payment "
                                            "methods (sets the flow): on a new or confirmed order without payments.")
    warehouse: str | None = Field(None, max_length=30)
    customer_note: str | None = Field(None, max_length=2000)
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=200)
    destination: int | None = Field(None, ge=1, description="District id (GET /regions); null removes it.")
    shipping_cost_reason: str | None = Field(None, max_length=500, description="Why the shipping cost differs "
                                             "from the rate tables: required to change it on an order with a district.")
    language: LanguageLit | None = Field(None, description="The buyer's language (any status, even after "
                                         "shipment; omit or null to leave it).")

    _check_email = field_validator("recipient_email")(lambda v: _email(v) if v else v)
    _check_lines = field_validator("lines")(_lines_amount)

    @field_validator("recipient_name", "recipient_phone", "recipient_email", "destination_address",
                     "destination_city", "destination_postcode", "courier_service", "shipping_cost",
                     "insurance_cost", "discount", "payment_method", "payment_method_code", "customer_note", "lines")
    @classmethod
    def _not_null(cls, value):
        # Omit a field to leave it alone; null is only meaningful for `courier` (none yet)
        # and `warehouse` (keep the current one).
        if value is None:
            raise ValueError("may not be null")
        return value


class AssignIn(StrictIn):
    agent: str | None = Field(..., max_length=150)
    version: int | None = Field(None, ge=1)


class TagsIn(StrictIn):
    add: list[str] = Field(default_factory=list, max_length=20)
    remove: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("add", "remove")
    @classmethod
    def _tags(cls, value):
        if any(len(t) > 50 for t in value):
            raise ValueError("a tag has at most 50 characters")
        return value


class NoteIn(StrictIn):
    body: str = Field(..., min_length=1, max_length=5000)


class LineOut(Out):
    sku: str
    name: str
    qty: int
    unit_price: int
    line_total: int
    serial_numbers: list[str] = Field(default_factory=list, description="Serials shipped (serial-tracked variants).")


class PaymentOut(Out):
    id: int
    kind: str
    amount: int
    paid_on: dt.date | None
    account: str
    reference: str
    recorded_at: dt.datetime
    voided_at: dt.datetime | None
    remitted_at: dt.datetime | None = Field(
        None, description="COD: when the courier's remittance of this cash was matched; null while "
        "the cash collected at delivery awaits remittance (and for other kinds)."
    )


class NoteOut(Out):
    id: int
    body: str
    author: str | None
    created_at: dt.datetime


class RecipientOut(Out):
    name: str
    phone: str
    email: str
    address: str
    city: str
    postcode: str


class OrderOut(Out):
    reference: str
    status: str
    status_label: str
    version: int
    channel: str
    landing_page: str | None
    customer: int = Field(description="The customer's id (GET /api/v1/customers/{id}).")
    customer_id: int = Field(description="The same id as `customer` (kept for older clients).")
    recipient: RecipientOut
    warehouse: str | None
    courier: str | None
    courier_service: str
    destination: int | None = Field(None, description="The destination district's id, when it has one.")
    awb: str
    payment_method: str = Field(description="The flow: cod, bank_transfer, payment_gateway or invoice.")
    payment_method_code: str | None = Field(None, description="The shop's payment method (GET /api/v1/payments/methods).")
    payment_method_label: str = Field("", description="That method's label in your language.")
    currency: str
    subtotal: int
    shipping_cost: int
    insurance_cost: int
    discount: int
    transfer_code: int = Field(
        0, description="The unique transfer code included in the total of a bank-transfer order "
        "(0 when none): the buyer transfers exactly `total`."
    )
    total: int
    paid_total: int
    outstanding: int
    assigned_agent: str | None
    tags: list[str]
    lines: list[LineOut]
    customer_note: str
    language: str | None = Field(None, description=LANGUAGE_HELP)
    cancellation_reason: str
    cancellation_deadline: dt.datetime | None
    ship_by: dt.datetime | None
    deadline: dt.datetime | None = Field(
        description="The order's next deadline: a cancellation request's automatic approval, "
        "or the shipping deadline while it awaits shipment; null when no clock runs."
    )
    invoice_number: str
    created_at: dt.datetime
    updated_at: dt.datetime
    actions: list[str] = Field(description="Actions this user may try in the current status.")


class OrderDetailOut(OrderOut):
    payments: list[PaymentOut]
    notes: list[NoteOut]


class OrderPageOut(Out):
    items: list[OrderOut]
    next_cursor: str | None


# One count per tab of orders.tabs.
TabCountsOut = create_model("TabCountsOut", __base__=Out, **{key: (int, ...) for key in TABS})


class EventOut(Out):
    id: int
    kind: str
    action: str
    from_status: str
    to_status: str
    actor: str | None
    source: str
    data: dict
    created_at: dt.datetime
