"""Domain errors: one exception type with a stable machine `code`, a human message in
the user's language, optional per-field messages, and the HTTP status the API answers."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The `code` of an error answer: one of a fixed list, for programs to branch on (the
    message is for people, in their language)."""

    # Every code a DomainError or the API's own refusals carry; the OpenAPI document
    # gives this enum as the error schema's `code`. api/tests/test_error_codes.py reads
    # the source and fails on a code that is not listed here (add it) or not used.

    # Requests the API cannot read or accept.
    BAD_REQUEST = "bad_request"
    INVALID_JSON = "invalid_json"
    INVALID_INPUT = "invalid_input"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    TOO_LARGE = "too_large"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    # Who asks.
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    # What is asked for.
    NOT_FOUND = "not_found"
    UNKNOWN_ACTION = "unknown_action"
    GONE = "gone"
    NOT_READY = "not_ready"
    NOTHING = "nothing"
    # Versions and states.
    STALE_VERSION = "stale_version"
    PRECONDITION_REQUIRED = "precondition_required"  # 428: a write that needs If-Match
    NOT_ALLOWED_IN_STATUS = "not_allowed_in_status"
    NO_PREVIOUS_STATUS = "no_previous_status"
    NOT_EDITABLE = "not_editable"
    # Orders, payments, stock, shipping.
    WRONG_PAYMENT_METHOD = "wrong_payment_method"
    PAYMENT_RECORDED = "payment_recorded"
    PAYMENT_REQUIRED = "payment_required"
    OVERPAYMENT = "overpayment"
    AMOUNT_MISMATCH = "amount_mismatch"
    WAREHOUSE_REQUIRED = "warehouse_required"
    COURIER_REQUIRED = "courier_required"
    INSUFFICIENT_STOCK = "insufficient_stock"
    NOT_STOCKED = "not_stocked"
    ORDER_CLOSED = "order_closed"
    TOTAL_FROZEN = "total_frozen"
    INVALID_PHONE = "invalid_phone"
    NOT_AWAITING_TRANSFER = "not_awaiting_transfer"
    # Courier booking and AWBs (dispatch.booking, shipping/couriers/).
    AWB_REQUIRED = "awb_required"
    AWB_IN_USE = "awb_in_use"
    COURIER_REFUSED = "courier_refused"
    # Confirming an order with a destination needs its courier and shipping cost (shipping.quote_confirm).
    SHIPPING_REQUIRED = "shipping_required"
    # `tokodesk setup` on a database that already holds a shop (ops.setup).
    SHOP_EXISTS = "shop_exists"
    # Stock operations (receipts, adjustments, transfers, stocktakes).
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_WAREHOUSE = "unknown_warehouse"
    NEGATIVE_STOCK = "negative_stock"
    BELOW_RESERVED = "below_reserved"
    SAME_WAREHOUSE = "same_warehouse"
    STOCKTAKE_CLOSED = "stocktake_closed"
    # Catalog: products, variants, warehouses (catalog/services/products.py).
    SKU_TAKEN = "sku_taken"
    SLUG_TAKEN = "slug_taken"
    CODE_TAKEN = "code_taken"
    WAREHOUSE_IN_USE = "warehouse_in_use"
    # Returns, refunds, store credit.
    RETURNS_DISABLED = "returns_disabled"
    RETURN_WINDOW_CLOSED = "return_window_closed"
    ORDER_NOT_RETURNABLE = "order_not_returnable"
    ORDER_NOT_DELIVERED = "order_not_delivered"
    AMBIGUOUS_ORDER = "ambiguous_order"
    QTY_EXCEEDS_RETURNABLE = "qty_exceeds_returnable"
    RETURN_CLOSED = "return_closed"
    LINES_LOCKED = "lines_locked"
    ALREADY_RECEIVED = "already_received"
    RESPONSIBLE_REQUIRED = "responsible_required"
    CUSTOM_STATE_MISMATCH = "custom_state_mismatch"
    CUSTOM_STATE_IN_USE = "custom_state_in_use"
    PAYMENT_METHOD_IN_USE = "payment_method_in_use"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    ALREADY_PAID = "already_paid"
    # Claims for lost or damaged parcels (payments/claims.py).
    CLAIM_EXISTS = "claim_exists"
    # Notifications, exports, accounts.
    NO_CUSTOMER_EMAIL = "no_customer_email"
    NO_CUSTOMER_PHONE = "no_customer_phone"
    PDF_UNAVAILABLE = "pdf_unavailable"
    NOT_FAILED = "not_failed"
    BUILT_IN = "built_in"
    INVALID_ROLE = "invalid_role"
    # Our side.
    ERROR = "error"
    SERVER_ERROR = "server_error"


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message, *, fields: dict | None = None, status: int | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """The action is not possible in the object's current state (409)."""

    status = 409


class StaleVersion(DomainError):
    """The caller acted on an old copy of the object (409, or 412 through If-Match)."""

    status = 409
