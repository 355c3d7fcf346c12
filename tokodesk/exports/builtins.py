"""The built-in export templates (created by migration 0002; kept here for makemessages
and for tests). Names are English msgids shown translated; empty headers mean "the
column's name in the language of whoever exports"."""

from django.utils.translation import gettext_noop

COURIER = gettext_noop("Courier pickup list")
ACCOUNTING = gettext_noop("Accounting")
FULL = gettext_noop("Full export")

COURIER_COLUMNS = [
    "reference", "recipient_name", "recipient_phone", "destination_address", "destination_city", "items",
    "total_qty", "weight_kg", "cod_amount", "courier", "courier_service", "awb", "warehouse", "customer_note",
]
ACCOUNTING_COLUMNS = [
    "reference", "invoice_number", "order_date", "completed_at", "status", "payment_method", "currency",
    "subtotal", "shipping_cost", "insurance_cost", "discount", "total", "paid_total", "outstanding",
    "last_payment_date",
]
