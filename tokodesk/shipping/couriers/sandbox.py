"""The sandbox adapter: books instantly, with AWBs shaped like each courier's (J&T "JP" and
10 digits, SiCepat 12 digits from "00", JNE 16 digits …), for the demo and the tests.

Like a payment provider's test cards, a recipient address containing `SANDBOX-REFUSE`
makes it refuse the booking (`AdapterError("courier_refused")`), so the refusal path can
be shown and tested. AWBs are random and long enough not to repeat in practice; the booking
service still checks an AWB is not on another order before using it.

Tracking: `stream(awb, shipped_at, seed)` is a believable history for one parcel, the same
for the same AWB and seed: picked up within a day; then most delivered 1–4 days after
shipping, some after a delivery problem (the recipient not at home, a wrong address), about
10 % refused and sent back (return_to_sender, then returned a few days later), a few lost.
`track(awb, courier)` answers the part of it that has happened by now (for the poll); the
demo and the tests post the stream to the signed webhook as a provider would. Events carry
the provider's codes (picked_up, delivered, problem, return_to_sender, returned, lost) in
`TrackingEvent.event` and a stable id in `raw["event_id"]`."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
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

    def track(self, awb: str, courier: str, *, shipped_at: dt.datetime | None = None,
              now: dt.datetime | None = None) -> list[TrackingEvent]:
        """The events of the AWB's stream that have happened by `now`. The sandbox keeps no
        booking: the stream starts at `shipped_at` (the poll passes the order's), else at the
        time hidden in nothing: 3 days ago."""
        now = now or dt.datetime.now(dt.UTC)
        start = shipped_at or now - dt.timedelta(days=3)
        seed = int(self._credentials.get("seed", 0) or 0)
        return [e for e in stream(awb, start, seed=seed) if e.at <= now]


PROBLEM_NOTES = ("Penerima tidak di tempat", "Alamat tidak lengkap", "Rumah kosong, dicoba besok",
                 "Penerima menolak, minta dijadwalkan ulang")
RTS_NOTES = ("Ditolak penerima (COD)", "Penerima tidak dapat dihubungi", "Alamat tidak ditemukan")


def outcome(awb: str, seed: int = 0) -> str:
    """The parcel's fate: delivered (~78 %), delivered after a problem (~9 %), returned to
    the sender (~10 %), lost (~3 %); decided by the AWB and the seed."""
    roll = _rng(awb, seed).random()
    if roll < 0.78:
        return "delivered"
    if roll < 0.87:
        return "problem_then_delivered"
    if roll < 0.97:
        return "returned"
    return "lost"


def _rng(awb: str, seed: int) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(f"{seed}:{awb}".encode()).digest()[:8], "big"))


def stream(awb: str, shipped_at: dt.datetime, *, seed: int = 0) -> list[TrackingEvent]:
    """The parcel's whole history from `shipped_at`, deterministic by AWB and seed."""
    rng = _rng(awb, seed)
    rng.random()  # the roll outcome() made
    fate = outcome(awb, seed)
    hours = lambda lo, hi: dt.timedelta(hours=rng.uniform(lo, hi))  # noqa: E731
    events: list[tuple[str, dt.datetime, str]] = []
    picked = shipped_at + hours(2, 20)
    events.append(("picked_up", picked, "Paket diambil kurir"))
    if fate == "delivered":
        events.append(("delivered", shipped_at + hours(24, 96), "Diterima oleh yang bersangkutan"))
    elif fate == "problem_then_delivered":
        problem = shipped_at + hours(24, 60)
        events.append(("problem", problem, rng.choice(PROBLEM_NOTES)))
        events.append(("delivered", problem + hours(12, 36), "Diterima (pengiriman ulang)"))
    elif fate == "returned":
        attempt = shipped_at + hours(24, 72)
        events.append(("problem", attempt, rng.choice(PROBLEM_NOTES)))
        rts = attempt + hours(12, 48)
        events.append(("return_to_sender", rts, rng.choice(RTS_NOTES)))
        events.append(("returned", rts + hours(48, 120), "Paket diterima kembali oleh pengirim"))
    else:
        events.append(("lost", shipped_at + hours(72, 168), "Paket hilang di hub transit"))
    return [TrackingEvent(awb=awb, event=code, at=at, note=note,
                          raw={"event_id": f"sbx-{awb}-{i}-{code}"})
            for i, (code, at, note) in enumerate(events)]
