"""The one small interface every courier adapter implements.

An adapter is asked, per order, to `book` a pickup (→ a `Booking`: the AWB, and the label
PDF when the provider makes one), to `cancel` a booking, to `track` an AWB, and optionally
for `rates`. It never touches the database: the booking service (dispatch/booking.py) reads
the order, calls the adapter outside any row lock it does not need, and applies the `ship`
transition with the AWB it got back (cancelling the booking again when the order refuses).

Credentials are per shop (shipping.models.CourierAccount, the owner's settings page) and
are handed to the adapter's constructor; an adapter must never log them nor put them in an
error message (`AdapterError.message` is shown to the seller).

The shape of a real aggregator adapter (Biteship / KiriminAja / Shipper style REST), for
whoever writes `biteship.py` next:

- credentials: {"api_key": "...", "base_url": "https://api.<provider>/v1"} (+ for some a
  `client_id`); sent as `Authorization: Bearer <api_key>` (Biteship) or an `api-key`
  header; the key goes through `httpx.Client(headers=...)` and never into a URL or a log.
- rates: POST /rates/couriers {origin_postal_code | origin_area_id, destination_…,
  couriers: "jne,jnt,sicepat", items: [{name, value, weight (g), quantity}]} →
  [{courier_code, courier_service_code, price, duration ("1 - 2 days")}]: map to `Rate`.
- book: POST /orders {shipper_contact_name/phone, origin_address + postal code or area id,
  destination_contact_name/phone/address + postal code or area id, courier_company,
  courier_type (service), delivery_type "now"|"scheduled", cash_on_delivery (amount to
  collect for COD), insurance, items, reference_id (our order reference: idempotent on the
  provider's side, so a retried booking does not book twice)} → {id, courier.waybill_id
  (the AWB; KiriminAja returns it later by webhook for some couriers), label url}.
  `Booking.provider_id` keeps the provider's id for cancel; the label is fetched as PDF.
- cancel: DELETE /orders/{provider_id} (or POST /orders/{id}/cancel with a reason).
- track: GET /trackings/{waybill}/couriers/{courier} → history [{status, note,
  updated_at}]; map the provider's statuses (picked, dropping_off, delivered, returned,
  on_hold…) to our courier events (picked_up, delivered, report_problem,
  return_to_sender) in `TrackingEvent.event`.
- webhooks: the provider POSTs status changes signed with a shared secret; they enter
  through the signed webhook endpoint of SPEC 4 (not an adapter concern).
- errors: 4xx with {"error": "...", "code": 40002xx} → `AdapterError(code, message)` with a
  message in the seller's words ("The courier refused the destination postal code.");
  timeouts/5xx → `AdapterError("courier_unavailable", …, retryable=True)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tokodesk.core.errors import DomainError


class AdapterError(DomainError):
    """The provider refused or could not be reached. `message` is for the seller (never
    with credentials in it); `retryable` when trying again later may work."""

    status = 409

    def __init__(self, code: str, message, *, retryable: bool = False):
        super().__init__(code, message)
        self.retryable = retryable


@dataclass(frozen=True)
class Parcel:
    """What an adapter needs to book one order, read from the order by the booking service."""

    reference: str
    courier: str  # our courier code: jne, jnt, sicepat …
    service: str
    weight_grams: int
    cod_amount: int  # minor units; 0 when not COD
    currency: str
    sender_name: str
    sender_phone: str
    sender_address: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    recipient_city: str = ""
    items: tuple[tuple[str, int], ...] = ()  # (SKU, qty)
    awb: str = ""  # manual: the AWB the person typed


@dataclass(frozen=True)
class Booking:
    awb: str
    courier: str
    service: str = ""
    provider_id: str = ""
    label_pdf: bytes | None = None


@dataclass(frozen=True)
class Rate:
    courier: str
    service: str
    price: int
    eta_days: str = ""


@dataclass(frozen=True)
class TrackingEvent:
    awb: str
    event: str  # an action of the order table: picked_up, delivered, report_problem …
    at: dt.datetime
    note: str = ""
    raw: dict = field(default_factory=dict)


class Adapter:
    """Base class: `code` names it in the API ({"adapter": "sandbox"}); `books` says whether
    it can book by itself (manual needs a typed AWB); `credential_fields` are the settings
    the owner fills in (secret ones are never shown back)."""

    code: str = ""
    label = ""
    books: bool = True
    credential_fields: tuple[tuple[str, str, bool], ...] = ()  # (name, label, secret)

    def __init__(self, *, credentials: dict | None = None):
        self._credentials = dict(credentials or {})

    def __repr__(self) -> str:  # never the credentials
        return f"<{type(self).__name__} {self.code}>"

    def rates(self, parcel: Parcel) -> list[Rate]:
        """Optional: live prices from the provider. Our own rate tables answer otherwise."""
        return []

    def book(self, parcel: Parcel) -> Booking:
        raise NotImplementedError

    def cancel(self, booking: Booking) -> None:
        raise NotImplementedError

    def track(self, awb: str, courier: str) -> list[TrackingEvent]:
        return []
