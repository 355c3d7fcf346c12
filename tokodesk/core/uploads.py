"""One path for every file a user or a buyer sends, and one way to serve it back.

Every upload (payment proofs, return labels and photos, refund proofs, and any later one)
goes through `clean_upload`: at most 10 MB, its type decided from its content (puremagic),
never from its name or the client's Content-Type; only JPEG, PNG, WebP and PDF. Images are
decoded and encoded again with Pillow, which drops whatever was appended after the picture
and its metadata (EXIF, GPS); PDFs must parse with pypdf. The stored name is made here (a
random directory, the client's name as an ASCII slug, the extension of the verified type).

Spreadsheets (the catalog import) take the same path with `allowed=TABLES`: an .xlsx
workbook is recognised by its structure (a zip holding `[Content_Types].xml` and
`xl/workbook.xml` whose main part is a plain workbook), never by its name; a workbook with
macros (.xlsm, .xlsb, a vbaProject part), an encrypted or oversized zip, an old .xls or
any other zip is refused. CSV is text: no NUL byte and nothing the sniffer recognises as
another type. Neither is ever stored or served (the import reads its bytes).

`serve_upload` answers a stored file with the type its verified extension says,
`nosniff`, `Content-Security-Policy: sandbox` (a file never runs script in our origin,
even when a browser renders it) and as an attachment unless it is an image. A file whose
content is not an allowed type (stored before this check existed) is moved under
`quarantine/` by the data migrations (`quarantine_files`) and is never served.
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
import uuid
import warnings

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tokodesk.core.errors import ValidationFailed

log = logging.getLogger(__name__)

MAX_UPLOAD = 10 * 1024 * 1024
# A picture of at most this many pixels is decoded (a 50 MP phone photo fits); more is
# refused before decoding (a few KB of PNG can claim gigapixels: a decompression bomb).
MAX_PIXELS = 64_000_000

JPEG, PNG, WEBP, PDF = "jpeg", "png", "webp", "pdf"
XLSX, CSV = "xlsx", "csv"
IMAGES = frozenset({JPEG, PNG, WEBP})
ALLOWED = frozenset({JPEG, PNG, WEBP, PDF})
TABLES = frozenset({XLSX, CSV})  # an import's file: never stored nor served
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf", XLSX: "xlsx", CSV: "csv"}
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
                 "pdf": "application/pdf"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The workbook part's content type in [Content_Types].xml: a plain workbook (and its
# template) only; .xlsm/.xltm/.xlsb name theirs application/vnd.ms-excel.*.
_WORKBOOK_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
XLSX_MAX_UNPACKED = 100 * 1024 * 1024  # the parts' total size once inflated (a zip bomb)
XLSX_MAX_PARTS = 1000
_MIME_KINDS = {"image/jpeg": JPEG, "image/png": PNG, "image/webp": WEBP, "application/pdf": PDF}
_PIL_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}

QUARANTINE = "quarantine/"

TOO_LARGE = _("The file is larger than 10 MB.")
NOT_ALLOWED = _("Send a PDF or an image (JPEG, PNG, WebP).")
NOT_ALLOWED_FIELD = _("Not a PDF or an image.")
NOT_A_PHOTO = _("Send a photo (JPEG, PNG, WebP).")
NOT_A_PHOTO_FIELD = _("Not a photo.")
UNREADABLE = _("The file is damaged or not what its type says.")
NOT_A_TABLE = _("Send a CSV file or an Excel workbook (.xlsx).")
NOT_A_TABLE_FIELD = _("Not a CSV file or an Excel workbook (.xlsx).")
MACROS = _("Workbooks with macros (.xlsm) are not accepted: save it as an Excel workbook (.xlsx).")
OLD_XLS = _("Old Excel files (.xls) are not accepted: save it as an Excel workbook (.xlsx) or CSV.")
TOO_MANY_PIXELS = _("The picture is too large (at most %(megapixels)s megapixels).")


class CleanUpload(ContentFile):
    """A file that went through `clean_upload`: its bytes are the checked (re-encoded)
    content, its name is server-made, `kind` is the verified type."""

    def __init__(self, content: bytes, *, kind: str, original_name: str = ""):
        super().__init__(content, name=stored_name(original_name, kind))
        self.kind = kind
        self.original_name = original_name
        self.content_type = {XLSX: XLSX_TYPE, CSV: "text/csv"}.get(kind) or CONTENT_TYPES[EXTENSIONS[kind]]


def stored_name(original_name: str, kind: str) -> str:
    """A name the server makes: a random directory, the client's name reduced to a short
    ASCII slug (still readable on the page and in the e-mail), the verified extension."""
    stem = slugify(os.path.splitext(original_name or "")[0])[:30].strip("-_") or "file"
    return f"{uuid.uuid4().hex[:16]}/{stem}.{EXTENSIONS[kind]}"


class _Refused(Exception):
    def __init__(self, message, field_message=None, *, code: str = "invalid_file"):
        super().__init__(str(message))
        self.message = message
        self.field_message = field_message or message
        self.code = code


def sniff(head: bytes) -> str | None:
    """The allowed type the first bytes say (puremagic), or None."""
    import puremagic

    if not head:
        return None
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    if not matches:
        return None
    best = max(m.confidence for m in matches)
    for match in matches:
        if match.confidence == best and match.mime_type in _MIME_KINDS:
            return _MIME_KINDS[match.mime_type]
    return None


def _read(file, limit: int) -> bytes:
    """At most limit + 1 bytes of the file, from its start (the file is rewound after)."""
    if hasattr(file, "seek"):
        file.seek(0)
    if hasattr(file, "chunks"):
        parts, size = [], 0
        for chunk in file.chunks():
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                break
        data = b"".join(parts)[: limit + 1]
    else:
        data = file.read(limit + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    return data


def _too_many_pixels() -> _Refused:
    return _Refused(TOO_MANY_PIXELS % {"megapixels": MAX_PIXELS // 1_000_000}, code="image_too_large")


def _image(data: bytes, kind: str) -> bytes:
    """The picture decoded and encoded again: its pixels only (turned upright by its EXIF
    orientation), no metadata, nothing after its end."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[f for f, k in _PIL_FORMATS.items() if k == kind]) as im:
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                im.load()
                transparency = im.info.get("transparency")
                im = ImageOps.exif_transpose(im)
                im.info = {}
                out = io.BytesIO()
                if kind == JPEG:
                    if im.mode not in ("RGB", "L", "CMYK"):
                        im = im.convert("RGB")
                    im.save(out, "JPEG", quality=90, optimize=True)
                elif kind == PNG:
                    params = {"transparency": transparency} if transparency is not None and im.mode in (
                        "P", "L", "RGB") else {}
                    im.save(out, "PNG", optimize=False, **params)
                else:
                    if im.mode not in ("RGB", "RGBA"):
                        im = im.convert("RGBA" if "A" in im.mode or "transparency" in im.info else "RGB")
                    im.save(out, "WEBP", quality=90)
                return out.getvalue()
    except _Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:  # noqa: BLE001 - whatever Pillow cannot decode is refused, never a 500
        raise _Refused(UNREADABLE) from None


def _pdf(data: bytes) -> bytes:
    """The PDF as sent, once pypdf read its structure (a `%PDF` line then HTML is not one)."""
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    reader.decrypt("")
                except Exception:  # noqa: BLE001 - a password-protected PDF: its structure was read
                    return data
            if len(reader.pages) < 1:
                raise _Refused(UNREADABLE)
            reader.pages[0].mediabox  # noqa: B018 - the first page must be a page
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - whatever pypdf cannot read is refused, never a 500
        raise _Refused(UNREADABLE) from None
    return data


ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, an encrypted .xlsx


def _xlsx(data: bytes) -> bytes:
    """The workbook as sent, once its zip structure says it is a plain .xlsx workbook:
    `[Content_Types].xml` naming `/xl/workbook.xml` as a workbook (not macro-enabled), no
    VBA part, nothing encrypted, no path outside the package, a bounded size inflated."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > XLSX_MAX_PARTS:
                raise _Refused(UNREADABLE)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise _Refused(NOT_A_TABLE, NOT_A_TABLE_FIELD)
            if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
                raise _Refused(MACROS, code="macros")
            if any(i.flag_bits & 0x1 for i in infos):  # encrypted entries
                raise _Refused(UNREADABLE)
            if any(i.filename.startswith("/") or ".." in i.filename.split("/") for i in infos):
                raise _Refused(UNREADABLE)
            if sum(i.file_size for i in infos) > XLSX_MAX_UNPACKED:
                raise _Refused(UNREADABLE)
            types = archive.read("[Content_Types].xml")
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - a broken zip is refused, never a 500
        raise _Refused(UNREADABLE) from None
    if b"macroEnabled" in types or b"vnd.ms-excel.sheet.binary" in types:
        raise _Refused(MACROS, code="macros")
    if not any(t in types for t in _WORKBOOK_TYPES):
        raise _Refused(NOT_A_TABLE, NOT_A_TABLE_FIELD)
    return data


def _table(data: bytes, allowed) -> tuple[str, bytes]:
    """An import's file: an .xlsx workbook by its structure, or CSV text."""
    if data.startswith(ZIP_MAGIC):
        if XLSX not in allowed:
            raise _Refused(NOT_A_TABLE, NOT_A_TABLE_FIELD)
        return XLSX, _xlsx(data)
    if data.startswith(OLE2_MAGIC):
        raise _Refused(OLD_XLS, code="old_xls")
    head = data[:65536]
    if CSV not in allowed or b"\x00" in head or sniff(head[:4096]) is not None:
        raise _Refused(NOT_A_TABLE, NOT_A_TABLE_FIELD)
    return CSV, data


def check_content(data: bytes, allowed=ALLOWED) -> tuple[str, bytes]:
    """(verified type, clean bytes) of a file's content, or _Refused."""
    if allowed & TABLES:
        return _table(data, allowed)
    kind = sniff(data[:4096])
    if kind is None or kind not in allowed:
        if allowed <= IMAGES:
            raise _Refused(NOT_A_PHOTO, NOT_A_PHOTO_FIELD)
        raise _Refused(NOT_ALLOWED, NOT_ALLOWED_FIELD)
    return kind, (_pdf(data) if kind == PDF else _image(data, kind))


def clean_upload(file, *, field: str, allowed=ALLOWED, max_bytes: int = MAX_UPLOAD) -> CleanUpload:
    """The uploaded `file` checked and cleaned, ready for FieldFile.save(upload.name, upload);
    or ValidationFailed naming `field`. A CleanUpload of an allowed type passes as it is."""
    allowed = frozenset(allowed)
    if isinstance(file, CleanUpload) and file.kind in allowed:
        return file
    original = posixpath.basename((getattr(file, "name", "") or "").replace("\\", "/"))[:200]
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(field, max_bytes)
    data = _read(file, max_bytes)
    if len(data) > max_bytes:
        raise _too_large(field, max_bytes)
    try:
        kind, clean = check_content(data, allowed)
    except _Refused as exc:
        raise ValidationFailed("invalid_input", exc.message, fields={field: exc.field_message}) from None
    return CleanUpload(clean, kind=kind, original_name=original)


def _too_large(field: str, max_bytes: int) -> ValidationFailed:
    if max_bytes == MAX_UPLOAD:
        message = TOO_LARGE
    else:
        message = _("The file is larger than %(size)s MB.") % {"size": max_bytes // (1024 * 1024)}
    return ValidationFailed("invalid_input", message, fields={field: _("Too large.")})


# --- serving --------------------------------------------------------------------------------


def is_quarantined(file) -> bool:
    """True for a stored file (a FieldFile or its name) moved out of the way by the
    quarantine: never served, the pages say so."""
    name = getattr(file, "name", file) or ""
    return name.startswith(QUARANTINE)


def _stored_type(file) -> str | None:
    """The content type of a stored upload: its extension when this module named it, else
    (a file stored before) what its first bytes say, within the allowed types."""
    ext = os.path.splitext(file.name)[1].lower().lstrip(".")
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    try:
        with file.storage.open(file.name, "rb") as fh:
            kind = sniff(fh.read(4096))
    except OSError:
        return None
    return CONTENT_TYPES[EXTENSIONS[kind]] if kind else None


def quarantined_response() -> HttpResponse:
    response = HttpResponse(
        str(_("This file was quarantined: its content is not an allowed type. It is not shown.")),
        status=410, content_type="text/plain; charset=utf-8")
    return _inert(response)


def _inert(response):
    response["X-Content-Type-Options"] = "nosniff"
    # Set before CSPMiddleware runs on the way out: it keeps a header that is already there.
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def serve_upload(file, *, filename: str | None = None, attachment: bool | None = None):
    """A FileResponse for a stored upload (a FieldFile): 404 when there is none, 410 when
    it is quarantined. Images inline (thumbnails), anything else as an attachment."""
    if not file or not getattr(file, "name", ""):
        raise Http404
    if is_quarantined(file):
        return quarantined_response()
    content_type = _stored_type(file)
    if content_type is None:  # stored before the check and never migrated: not served
        return quarantined_response()
    is_image = content_type.startswith("image/")
    if attachment is None:
        attachment = not is_image
    ext = next(e for e, t in CONTENT_TYPES.items() if t == content_type and e != "jpeg")
    stem = os.path.splitext(os.path.basename(filename or file.name))[0][:100] or "file"
    try:
        handle = file.storage.open(file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=attachment, filename=f"{stem}.{ext}",
                            content_type=content_type)
    return _inert(response)


# --- quarantine (data migrations) -----------------------------------------------------------


def content_allowed(data: bytes) -> bool:
    """Would this stored content pass today's upload check (type and parse)?"""
    try:
        check_content(data)
    except _Refused as exc:
        # Too many pixels is a size problem, not a disguised file: it is still a picture.
        return exc.code == "image_too_large"
    return True


def quarantine_files(model, field_name: str) -> int:
    """Move every stored file of `model.field_name` whose content is not an allowed type
    under quarantine/ (the same relative path) and save the new name: never served again.
    Returns how many were quarantined. Used by the apps' data migrations."""
    quarantined = 0
    field = model._meta.get_field(field_name)
    storage = field.storage
    rows = (model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__startswith": QUARANTINE})
            .values_list("pk", field_name))
    for pk, name in list(rows.iterator()):
        if not name:
            continue
        try:
            with storage.open(name, "rb") as fh:
                data = fh.read(MAX_UPLOAD * 5 + 1)
        except OSError:
            continue  # a missing file is not served either (404)
        if content_allowed(data):
            continue
        target = storage.save(QUARANTINE + name, ContentFile(data))
        model._default_manager.filter(pk=pk).update(**{field_name: target})
        try:
            storage.delete(name)
        except OSError:
            log.warning("quarantine: could not delete %s", name)
        log.warning("quarantine: %s.%s #%s %s -> %s", model.__name__, field_name, pk, name, target)
        quarantined += 1
    return quarantined


def quarantine_migration(*fields: tuple[str, str, str]):
    """A RunPython forward function quarantining the (app_label, model, field) files."""

    def forward(apps, schema_editor):
        for app_label, model_name, field_name in fields:
            quarantine_files(apps.get_model(app_label, model_name), field_name)

    return forward
