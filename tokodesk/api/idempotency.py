"""Idempotency-Key on API POSTs: a retry with the same key and body gets the stored answer
without a second write; the same key with another body gets 422.

The record is inserted in the same transaction as the work, before it, so two
concurrent requests with one key collide on the unique index: the second waits for the
first to commit, then replays its answer. Failed requests (4xx/5xx) are rolled back
with their record, so a corrected retry may reuse the key."""

import hashlib

from django.db import IntegrityError, models, transaction
from django.http import HttpResponse, JsonResponse

API_PREFIX = "/api/v1/"
REPLAYED_HEADERS = ("ETag", "Location")
MAX_KEY = 200


class IdempotencyRecord(models.Model):
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=MAX_KEY)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, default="application/json")
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "api"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")]

    def __str__(self):
        return self.key


def _scope(request) -> str:
    auth = request.headers.get("Authorization", "")
    if auth:
        return hashlib.sha256(auth.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


def _fingerprint(request) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode() + b" " + request.get_full_path().encode() + b"\n")
    h.update(request.body)
    return h.hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return JsonResponse(
            {"code": "idempotency_key_reused",
             "message": "This Idempotency-Key was already used with a different request.",
             "fields": {"Idempotency-Key": "already used"}},
            status=422,
        )
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    for name, value in (record.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY:
            return JsonResponse({"code": "invalid_input", "message": "Idempotency-Key is too long.",
                                 "fields": {"Idempotency-Key": f"at most {MAX_KEY} characters"}}, status=400)
        scope, fingerprint = _scope(request), _fingerprint(request)
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is not None:
            return _replay(existing, fingerprint)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
                response = self.get_response(request)
                if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
                    record.status_code = response.status_code
                    record.content_type = response.get("Content-Type", "application/json")
                    record.body = response.content
                    record.headers = {h: response[h] for h in REPLAYED_HEADERS if h in response}
                    record.save(update_fields=["status_code", "content_type", "body", "headers"])
                else:
                    transaction.set_rollback(True)
                return response
        except IntegrityError:
            # Another request with this key committed first; answer as it did.
            existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if existing is None:
                raise
            return _replay(existing, fingerprint)


class ETagMiddleware:
    """Adds the ETag an API view computed (request.tokodesk_etag) to its response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        etag = getattr(request, "tokodesk_etag", None)
        if etag and 200 <= response.status_code < 300:
            response["ETag"] = etag
        return response
