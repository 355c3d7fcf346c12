"""The sandbox adapter: books instantly, with AWBs shaped like each courier's (J&T "JP" and
10 digits, SiCepat 12 digits from "00", JNE 16 digits …), for the demo and the tests.

Like a payment provider's test cards, a recipient address containing `SANDBOX-REFUSE`
makes it refuse the booking (`AdapterError("courier_refused")`), so the refusal path can
be shown and tested. AWBs are random and long enough not to repeat in practice; the booking
service still checks an AWB is not on another order before using it.

Tracking hook: `track()` answers nothing yet. When the sandbox emits tracking events, it
will return `TrackingEvent`s (picked_up, then delivered) for AWBs it booked, by the time
elapsed since booking, and the tracking poller will feed them through the order table
like any courier's."""

from __future__ import annotations

import secrets

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tokodesk.shipping.couriers.base import Adapter, AdapterError, Booking, Parcel, TrackingEvent

# courier code → (prefix, digits after it)
AWB_FORMATS: dict[str, tuple[str, int]] = {
    "jne": ("", 16),
    "jnt": ("JP", 10),
    "sicepat": ("00", 10),
    "anteraja": ("1000", 10),
    "pos": ("P", 12),
    "ninja": ("NLIDAP", 8),
    "idexpress": ("IDS", 12),
    "lion": ("", 11),
    "sap": ("SAP", 10),
    "tiki": ("", 12),
}
REFUSE_MARK = "SANDBOX-REFUSE"


def sandbox_awb(courier: str) -> str:
    prefix, digits = AWB_FORMATS.get(courier, ((courier[:3] or "SBX").upper(), 10))
    first = str(1 + secrets.randbelow(9)) if not prefix else ""
    rest = "".join(str(secrets.randbelow(10)) for _ in range(digits - len(first)))
    return f"{prefix}{first}{rest}"


class SandboxAdapter(Adapter):
    code = "sandbox"
    label = gettext_lazy("Sandbox (test bookings)")
    books = True
    credential_fields = (("api_key", gettext_lazy("API key"), True),)

    def book(self, parcel: Parcel) -> Booking:
        if REFUSE_MARK in parcel.recipient_address:
            raise AdapterError(
                "courier_refused", _("The courier refused the booking (sandbox test address).")
            )
        awb = sandbox_awb(parcel.courier)
        return Booking(
            awb=awb,
            courier=parcel.courier,
            service=parcel.service or "REG",
            provider_id=f"sbx-{awb}",
        )

    def cancel(self, booking: Booking) -> None:
        """Instantly cancelled: nothing to undo."""

    def track(self, awb: str, courier: str) -> list[TrackingEvent]:
        return []  # the hook for simulated tracking events (see the module docstring)
