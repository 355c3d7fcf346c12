"""Courier adapters: one module per provider behind the small interface of `base.py`.

`ADAPTERS` is the registry the booking service, the API and the pages read: add a module,
then its class here. `manual` (a person types the AWB) and `sandbox` (books instantly with
believable AWBs, for the demo and the tests) ship with the product; the shape of a real
aggregator's adapter (Biteship / KiriminAja / Shipper) is written down in `base.py`."""

from __future__ import annotations

from tokodesk.shipping.couriers.base import (
    Adapter,
    AdapterError,
    Booking,
    Parcel,
    TrackingEvent,
)
from tokodesk.shipping.couriers.manual import ManualAdapter
from tokodesk.shipping.couriers.sandbox import SandboxAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    ManualAdapter.code: ManualAdapter,
    SandboxAdapter.code: SandboxAdapter,
}


def get_adapter(code: str, *, credentials: dict | None = None) -> Adapter:
    """The adapter `code`, set up with the shop's credentials for it; KeyError when unknown."""
    return ADAPTERS[code](credentials=credentials or {})


def bookable() -> list[type[Adapter]]:
    """The adapters that can book a pickup by themselves (manual cannot: a person types)."""
    return [cls for cls in ADAPTERS.values() if cls.books]


__all__ = [
    "ADAPTERS",
    "Adapter",
    "AdapterError",
    "Booking",
    "Parcel",
    "TrackingEvent",
    "bookable",
    "get_adapter",
]
