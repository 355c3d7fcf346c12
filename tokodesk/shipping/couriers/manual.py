"""The manual adapter: nobody is called; a person typed the AWB (the bulk AWB table, the
CSV import, the order's Ship form) and booking only checks it is there."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tokodesk.shipping.couriers.base import Adapter, AdapterError, Booking, Parcel


class ManualAdapter(Adapter):
    code = "manual"
    label = gettext_lazy("Manual (typed AWB)")
    books = False

    def book(self, parcel: Parcel) -> Booking:
        awb = parcel.awb.strip()
        if not awb:
            raise AdapterError("awb_required", _("Type the AWB / tracking number."))
        return Booking(awb=awb, courier=parcel.courier, service=parcel.service)

    def cancel(self, booking: Booking) -> None:
        """Nothing was booked anywhere: the person cancels with the courier themselves."""
