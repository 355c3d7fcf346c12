from tokodesk.api.idempotency import IdempotencyRecord

__all__ = ["IdempotencyRecord"]
