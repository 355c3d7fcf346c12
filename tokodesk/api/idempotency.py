"""Idempotency-Key on API POSTs: a retry with the same key and body gets the stored answer
without a second write; the same key with another body gets 422.

The record is inserted in the same transaction as the work, before it, so two
concurrent requests with one key collide on the unique index: the second waits for the
first to commit, then replays its answer. Failed requests (4xx/5xx) are rolled back
with their record, so a corrected retry may reuse the key.

What "the same body" means: the raw bytes for JSON (and any other body), but for a
multipart upload the parsed form: its fields, and each file's field, name, size and
SHA-256. The raw body of an upload is never read: `request.body` refuses anything over
DATA_UPLOAD_MAX_MEMORY_SIZE and would hold the whole file in memory; Django's upload
handlers parse the stream instead (a large file goes to a temporary file), and each file
is hashed chunk by chunk. The view then gets the same parsed form. This also makes a retry
that a client encodes with a new multipart boundary the same request.

A view of VIEW_CLAIMED (order creation, issue 16) claims the key itself: on SQLite a write
transaction is the database's one writer, and the middleware's would be held through the
view's reads and checks (~half of a create's CPU), making creates serial at ~15 ms each.
That view reads and checks first, outside any transaction, then calls
core.api.write_block.write_once (Claim.write_once): one short transaction writes, renders
the answer and inserts the key's record with it. A
concurrent request with the same key (it passed the middleware's lookup before the first
committed) fails on the unique index when it inserts the record; its transaction, its
writes with it, is rolled back and it replays the first's answer, as here."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext

from tokodesk.core.api.guard import too_big
from tokodesk.core.compiled_sql import CompiledInsert, CompiledSelect

API_PREFIX = "/api/v1/"
REPLAYED_HEADERS = ("ETag", "Location")
MAX_KEY = 200
# POST paths whose view claims the key itself with write_once, after its reads and checks.
# (Named here, not registered by the view's module: the URLconf, and so the view's module,
# is imported at a process's first request, after this middleware has chosen.)
VIEW_CLAIMED = frozenset({API_PREFIX + "orders"})


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
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")
        ]

    def __str__(self):
        return self.key


def _authenticated_scope(request) -> str | None:
    """Who is asking, checked as the API's own authentication checks it (a bearer token
    that is not revoked, of an active user; else the page session of an active user, with
    its CSRF token), or None. The scope of a token is the hash of its header (a replay
    goes only to the same token), of a session its user. Nothing is replayed to a request
    that would not be authenticated: a revoked token's retry gets the view's 401."""
    from ninja.errors import HttpError

    from tokodesk.accounts.api_auth import TokenAuth, UserSessionAuth

    try:
        if TokenAuth()(request) is not None:
            return hashlib.sha256(request.headers["Authorization"].encode()).hexdigest()
        if UserSessionAuth()(request) is not None:
            return f"user:{request.user.pk}"
    except HttpError:  # the session's CSRF check failed: the view answers 403
        return None
    return None


def _fingerprint(request) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode() + b" " + request.get_full_path().encode() + b"\n")
    if request.content_type == "multipart/form-data":
        h.update(b"multipart\n" + _multipart_digest(request))
    else:
        h.update(request.body)
    return h.hexdigest()


def _file_digest(upload) -> str:
    """SHA-256 of an uploaded file, read in chunks (from memory or its temporary file);
    the file is rewound for the view."""
    h = hashlib.sha256()
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


def _multipart_digest(request) -> bytes:
    """The parsed form (request.POST and request.FILES, which Django caches for the view)
    as canonical bytes: fields and files by name, values in the order sent."""
    fields = [[name, request.POST.getlist(name)] for name in sorted(request.POST)]
    files = [
        [name, [[f.name, f.size, _file_digest(f)] for f in request.FILES.getlist(name)]]
        for name in sorted(request.FILES)
    ]
    return json.dumps({"fields": fields, "files": files}, ensure_ascii=False).encode()


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return JsonResponse(
            {
                "code": "idempotency_key_reused",
                "message": gettext(
                    "This Idempotency-Key was already used with a different request."
                ),
                "fields": {"Idempotency-Key": "already used"},
            },
            status=422,
        )
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    for name, value in (record.headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _answer(response) -> dict | None:
    """What the record keeps of a response (a success that is not streamed), else None."""
    if not 200 <= response.status_code < 300 or getattr(response, "streaming", False):
        return None
    return {
        "status_code": response.status_code,
        "content_type": response.get("Content-Type", "application/json"),
        "body": response.content,
        "headers": {h: response[h] for h in REPLAYED_HEADERS if h in response},
    }


# The record's INSERT and its lookup by (scope, key), written once per process
# (core.compiled_sql, issue 16): as objects.create and .filter(scope=, key=).first().
_RECORD_INSERT = CompiledInsert(IdempotencyRecord)
_RECORDS = CompiledSelect(IdempotencyRecord)


def _record(scope: str, key: str) -> IdempotencyRecord | None:
    """The key's record (unique by scope and key), or None."""
    found = _RECORDS.fetch(scope=scope, key=key)
    return found[0] if found else None


@dataclass(frozen=True)
class Claim:
    """A request's key, claimed by its view (VIEW_CLAIMED) through
    core.api.write_block.write_once, which calls write_once here."""

    scope: str
    key: str
    fingerprint: str

    def write_once(self, write: Callable[[], HttpResponse]) -> HttpResponse:
        """`write()` (the view's writes, returning its rendered answer) in one transaction
        that also stores the answer under the key. The record is inserted last, with the
        answer: one statement; if another request with the key committed first, the unique
        index refuses it, everything is rolled back and that request's answer is replayed.
        An error answer or an exception writes nothing and leaves the key unused."""
        try:
            with transaction.atomic():
                response = write()
                answer = _answer(response)
                if answer is None:
                    transaction.set_rollback(True)
                else:
                    # As IdempotencyRecord.objects.create, compiled once (core.compiled_sql).
                    _RECORD_INSERT.insert(
                        [
                            IdempotencyRecord(
                                scope=self.scope,
                                key=self.key,
                                fingerprint=self.fingerprint,
                                **answer,
                            )
                        ]
                    )
                return response
        except IntegrityError:
            existing = _record(self.scope, self.key)
            if existing is None:
                raise
            return _replay(existing, self.fingerprint)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(key) > MAX_KEY:
            return JsonResponse(
                {
                    "code": "invalid_input",
                    "message": "Idempotency-Key is too long.",
                    "fields": {"Idempotency-Key": f"at most {MAX_KEY} characters"},
                },
                status=400,
            )
        scope = _authenticated_scope(request)
        if scope is None:
            # Not authenticated (revoked token, inactive user, no session): no replay and no
            # record; the view answers 401/403 as without a key.
            return self.get_response(request)
        try:
            fingerprint = _fingerprint(request)
        except RequestDataTooBig:
            return too_big()
        except (MultiPartParserError, SuspiciousOperation) as exc:
            if request.content_type != "multipart/form-data":
                raise  # as before: Django answers 400 (JSON under /api/v1/: core.api.guard)
            # A malformed upload, or form fields over Django's limits.
            return JsonResponse(
                {
                    "code": "invalid_input",
                    "message": gettext("The upload could not be read."),
                    "fields": {"__all__": str(exc)[:200]},
                },
                status=400,
            )
        existing = _record(scope, key)
        if existing is not None:
            return _replay(existing, fingerprint)
        if request.path in VIEW_CLAIMED:
            request.idempotency_claim = Claim(scope, key, fingerprint)
            return self.get_response(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint
                )
                response = self.get_response(request)
                answer = _answer(response)
                if answer is not None:
                    for name, value in answer.items():
                        setattr(record, name, value)
                    record.save(update_fields=list(answer))
                else:
                    transaction.set_rollback(True)
                return response
        except IntegrityError:
            # Another request with this key committed first; answer as it did.
            existing = _record(scope, key)
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
