"""HTTP shapes of returns, refunds and store credit. Inputs forbid unknown fields and bound
every string; action inputs are the pydantic models of the return table (states.py)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field, field_validator

from tokodesk.returns.states import (
    ExtraDirection,
    ExtraKind,
    RefundMethodLit,
    StrictIn,
)
from tokodesk.returns.states import Resolution as ResolutionChoices
from tokodesk.returns.states import Status as StatusChoices

ResolutionLit = Literal[tuple(ResolutionChoices.values)]  # type: ignore[valid-type]
StatusLit = Literal[tuple(StatusChoices.values)]  # type: ignore[valid-type]
ExtraKindLit = Literal[tuple(ExtraKind.values)]  # type: ignore[valid-type]
ExtraDirectionLit = Literal[tuple(ExtraDirection.values)]  # type: ignore[valid-type]


class ReturnLineIn(StrictIn):
    sku: str | None = Field(None, min_length=1, max_length=64)
    line: int | None = Field(None, ge=1, description="The order line id, when the order has the SKU twice.")
    qty: int = Field(..., ge=1, le=100_000)
    serial_numbers: list[str] = Field(default_factory=list, max_length=1000)

    @field_validator("serial_numbers")
    @classmethod
    def _serials(cls, value):
        if any(len(s) > 100 for s in value):
            raise ValueError("a serial number has at most 100 characters")
        return value


class ExtraLineIn(StrictIn):
    kind: ExtraKindLit = Field("fee", description="fee, service, shipping_charged, shipping_refunded or other.")
    description: str = Field("", max_length=200,
                             description="Return shipping fee, restocking fee … (the kind's name when empty; "
                                         "required for other).")
    amount: int = Field(..., ge=-10**13, le=10**13,
                        description="Without direction: > 0 charged to the customer (taken off what they get "
                                    "back), < 0 credited to them. With direction: the amount, its sign ignored.")
    direction: ExtraDirectionLit | None = Field(
        None, description="charge (to the customer) or credit (to the customer); shipping_refunded credits by "
                          "default.")
    tax_note: str = Field("", max_length=200, description="Printed with the line, e.g. “VAT 20 % included”.")


class ExchangeItemIn(StrictIn):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: int = Field(..., ge=1, le=100_000)


class ReturnCreateIn(StrictIn):
    order: str = Field(..., min_length=1, max_length=100, description="Order reference or invoice number.")
    reason: str = Field(..., min_length=1, max_length=1000,
                        description="A listed reason (code or label), or the customer's own words.")
    reason_text: str = Field("", max_length=2000)
    resolution: ResolutionLit
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=200)
    responsible_user: str | None = Field(None, max_length=150)
    responsible_group: str | None = Field(None, max_length=150)
    target_date: dt.date | None = Field(None, ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))
    extra_lines: list[ExtraLineIn] = Field(default_factory=list, max_length=50)
    exchange_items: list[ExchangeItemIn] = Field(default_factory=list, max_length=200,
                                                 description="exchange_other: what the customer wants instead.")


class ReturnPatchIn(StrictIn):
    version: int | None = Field(None, ge=1)
    reason: str | None = Field(None, min_length=1, max_length=1000)
    reason_text: str | None = Field(None, max_length=2000)
    resolution: ResolutionLit | None = None
    lines: list[ReturnLineIn] | None = Field(None, min_length=1, max_length=200)
    responsible_user: str | None = Field(None, max_length=150)
    responsible_group: str | None = Field(None, max_length=150)
    target_date: dt.date | None = Field(None, ge=dt.date(2000, 1, 1), le=dt.date(2999, 12, 31))
    custom_state: int | str | None = Field(None, description="Custom state id or label; null for none.")
    extra_lines: list[ExtraLineIn] | None = Field(None, max_length=50)
    exchange_items: list[ExchangeItemIn] | None = Field(None, max_length=200)

    @field_validator("reason", "reason_text", "resolution", "lines", "extra_lines", "exchange_items")
    @classmethod
    def _not_null(cls, value):
        # Omit a field to leave it alone; null clears only responsible, target date, custom state.
        if value is None:
            raise ValueError("may not be null")
        return value

    @field_validator("custom_state")
    @classmethod
    def _custom_state(cls, value):
        if isinstance(value, str) and len(value) > 100:
            raise ValueError("at most 100 characters")
        return value


class GoodwillIn(StrictIn):
    order: str = Field(..., min_length=1, max_length=100)
    amount: int = Field(..., gt=0, le=10**13)
    method: RefundMethodLit
    bank_name: str = Field("", max_length=100)
    account_number: str = Field("", max_length=50)
    account_holder: str = Field("", max_length=200)
    reference: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


class ReasonIn(StrictIn):
    code: str = Field(..., min_length=1, max_length=50)
    label: str | None = Field(None, min_length=1, max_length=200,
                              description="The plain label; without it, the labels' (customers' language first).")
    labels: dict[str, str] | None = Field(None, max_length=10, description="The label per shop language (id, en, fr): {\"fr\": \"Taille trop petite\"}; replaces the labels given before.")
    needs_text: bool = False
    active: bool = True
    position: int = Field(0, ge=0, le=10_000)


class ReasonPatchIn(StrictIn):
    label: str | None = Field(None, min_length=1, max_length=200)
    labels: dict[str, str] | None = Field(None, max_length=10, description="The label per shop language (id, en, fr): {\"fr\": \"Taille trop petite\"}; replaces the labels given before.")
    needs_text: bool | None = None
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=10_000)


class CustomStateIn(StrictIn):
    label: str | None = Field(None, min_length=1, max_length=100,
                              description="The plain label; without it, the labels' (customers' language first).")
    labels: dict[str, str] | None = Field(None, max_length=10, description="The label per shop language (id, en, fr): {\"fr\": \"Taille trop petite\"}; replaces the labels given before.")
    status: StatusLit
    color: str = Field("", max_length=20)
    position: int = Field(0, ge=0, le=10_000)
    active: bool | None = Field(None, description="False: no longer offered (hold / resume, edit), still shown on "
                                                  "the returns that have it. Not given: unchanged (new: active).")


# --- outputs ---------------------------------------------------------------------------------


class InvenTreeStatusOut(Schema):
    code: int
    name: str
    label: str


class CustomStateOut(Schema):
    id: int
    label: str
    labels: dict[str, str]
    display_label: str = Field(description="The label in the request's language (else the customers', else any).")
    status: str
    color: str
    position: int
    active: bool


class CustomStateRefOut(Schema):
    id: int
    label: str
    color: str


class ReasonOut(Schema):
    code: str
    label: str
    labels: dict[str, str]
    display_label: str = Field(description="The label in the request's language (else the customers', else any).")
    needs_text: bool
    active: bool
    position: int


class ResponsibleOut(Schema):
    type: Literal["user", "group"]
    name: str


class CustomerRefOut(Schema):
    id: int
    name: str
    phone: str


class ReturnLineOut(Schema):
    id: int
    order_line: int
    sku: str
    name: str
    qty: int
    unit_price: int
    serial_numbers: list[str]
    qty_received: int | None
    condition: str
    qty_restocked: int
    decision: str
    qty_accepted: int | None


class ExchangeOut(Schema):
    items: list[ExchangeItemIn]
    replacement_order: str | None
    value: int | None = Field(description="exchange_other: the new items' value.")
    difference: int | None = Field(description="New items' value minus the credit: > 0 due, < 0 to refund.")
    due: int | None
    to_refund: int | None


class ReturnOut(Schema):
    reference: str
    status: str
    status_label: str
    inventree_status: InvenTreeStatusOut
    custom_state: CustomStateRefOut | None
    version: int
    order: str
    order_status: str
    customer: CustomerRefOut
    reason: ReasonOut
    reason_text: str
    reason_display: str
    resolution: str
    origin: str
    responsible: ResponsibleOut | None
    target_date: dt.date | None
    currency: str
    items_count: int
    lines: list[ReturnLineOut]
    accepted_total: int
    fees_total: int
    resolution_amount: int
    replacement_order: str | None
    exchange: ExchangeOut | None
    label: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    approved_at: dt.datetime | None
    received_at: dt.datetime | None
    completed_at: dt.datetime | None
    actions: list[str] = Field(description="Actions this user may try in the current status.")


class ExtraLineOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    label: str = Field(description="The description, or the kind's name.")
    direction: str = Field(description="charge (to the customer) or credit (to the customer).")
    amount: int = Field(description="Signed: > 0 charged to the customer, < 0 credited.")
    tax_note: str


class TotalsOut(Schema):
    items_value: int = Field(description="The returned lines at their price.")
    charged: int = Field(description="Extra lines charged to the customer.")
    credited: int = Field(description="Extra lines credited to the customer.")
    credit: int = Field(description="What the customer gets back: an estimate until completed (final).")
    final: bool


class RefundOut(Schema):
    id: int
    order: str
    return_reference: str | None
    goodwill: bool
    amount: int
    method: str
    status: str
    bank_name: str
    account_number: str
    account_holder: str
    reference: str
    note: str
    proof: str | None
    paid_on: dt.date | None
    created_at: dt.datetime


class PhotoOut(Schema):
    id: int
    line: int | None
    sku: str | None
    uploaded_by: str
    file: str
    created_at: dt.datetime


class MessageOut(Schema):
    id: int
    action: str
    body: str
    author: str | None
    channel: str
    sent_at: dt.datetime | None
    created_at: dt.datetime


class ReturnDetailOut(ReturnOut):
    extra_lines: list[ExtraLineOut]
    totals: TotalsOut
    refunds: list[RefundOut]
    refunded_total: int
    photos: list[PhotoOut]
    messages: list[MessageOut]
    restock_warehouse: str | None
    recreated_from: str | None


class ReturnPageOut(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


class StatusOut(Schema):
    code: str
    label: str
    inventree: InvenTreeStatusOut
    custom_states: list[CustomStateRefOut]


class ReturnableLineOut(Schema):
    line: int
    sku: str
    name: str
    qty: int
    unit_price: int
    returnable: int


class ReturnableOut(Schema):
    order: str
    order_status: str
    window_ends: dt.datetime | None
    lines: list[ReturnableLineOut]


class EventOut(Schema):
    id: int
    kind: str
    action: str
    from_status: str
    to_status: str
    actor: str | None
    source: str
    data: dict
    created_at: dt.datetime


class StoreCreditEntryOut(Schema):
    id: int
    amount: int
    kind: str
    note: str
    order: str | None
    return_reference: str | None
    running_balance: int
    created_at: dt.datetime


class StoreCreditOut(Schema):
    customer: int
    balance: int
    entries: list[StoreCreditEntryOut]
