"""PDFs from HTML (WeasyPrint) and the codes printed on them, shared by the return slip
(notifications/slips.py) and the shipping labels, lists and packing slips (dispatch/).

WeasyPrint needs Pango on the machine: `weasyprint_module()` is None without it and the
callers raise `PdfUnavailable` (the endpoints answer 503); the app itself keeps working.

Codes: Code 128 as inline SVG (one path: WeasyPrint lays out one element, a browser shows
it sharp) for pages also shown in the browser, and Code 128 / QR as tiny 1-bit PNGs (one
pixel a module, printed with `image-rendering: pixelated`) for bulk labels, where
WeasyPrint drew each SVG path segment by segment: 500 labels spent ~15% of their time
there."""

from __future__ import annotations

import base64
import gc
import logging
import struct
import zlib
from functools import lru_cache

from django.utils.html import escape

from tokodesk.core.errors import DomainError

logger = logging.getLogger("tokodesk.pdf")

QUIET = 10  # Code 128 quiet zone, modules each side


class PdfUnavailable(DomainError):
    """WeasyPrint (or the Pango libraries it needs) is not installed here: 503."""

    status = 503


@lru_cache(maxsize=1)
def weasyprint_module():
    """The weasyprint module, or None when it (or Pango) cannot be loaded."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango/HarfBuzz libraries are missing
        logger.warning("PDF documents are unavailable: %s", exc)
        return None
    return weasyprint


# The few user-agent rules the bulk labels need (labels.html uses only these elements).
# WeasyPrint's HTML5 stylesheet has hundreds of rules matched against every element, and
# its h1-h6 bookmarks and page-margin boxes: ~14% of a label's rendering.
LEAN_UA_CSS = """
html, body, div, p { display: block; }
head, style, title, meta, script { display: none; }
table { display: table; }
tbody { display: table-row-group; }
tr { display: table-row; }
td { display: table-cell; }
b, strong { font-weight: bold; }
"""


@lru_cache(maxsize=1)
def _lean_html_class():
    weasyprint = weasyprint_module()
    lean_ua = weasyprint.CSS(string=LEAN_UA_CSS)

    class LeanHTML(weasyprint.HTML):
        # A private hook of WeasyPrint's: were it renamed, the full stylesheet applies and
        # the labels only lay out slower.
        def _ua_stylesheets(self, forms=False):
            return [lean_ua]

    return LeanHTML


def html_to_pdf(html: str, *, lean: bool = False) -> bytes:
    """`html` as PDF bytes; `lean` for documents made only of the elements LEAN_UA_CSS
    styles (bulk labels). Raises PdfUnavailable (the caller passes its own message)."""
    weasyprint = weasyprint_module()
    if weasyprint is None:
        raise PdfUnavailable("pdf_unavailable", "WeasyPrint is not installed")
    cls = _lean_html_class() if lean else weasyprint.HTML
    return cls(string=html).write_pdf()


def html_to_pdf_many(
    documents: list[str], *, lean: bool = False, processes: int = 1
) -> list[bytes]:
    """Each HTML document as PDF bytes, in order. With `processes` > 1 and several documents
    they are laid out `processes` at a time: WeasyPrint is pure Python CPU work under one
    GIL, so a bulk print of 500 labels used one core of two. This process lays out
    documents itself while `processes` - 1 spawned ones (not forked: a gunicorn worker has
    threads) each take the next document as soon as they are free, so a slow start or a
    loaded core only shifts the share. One process fewer than the cores keeps the job's
    memory summed over its processes down: each spawned one holds its own WeasyPrint and
    fonts (~110 MB), and this one has them already. Where processes cannot start, the
    rest is laid out here."""
    if processes <= 1 or len(documents) < 2:
        return [_to_pdf_collected(document, lean) for document in documents]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    results: list[bytes | None] = [None] * len(documents)
    remaining = list(range(len(documents)))  # the next document is remaining[0]
    in_flight: dict = {}  # future -> document index
    workers = min(processes - 1, len(documents) - 1)
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            while remaining or in_flight:
                for future in [f for f in in_flight if f.done()]:
                    results[in_flight.pop(future)] = future.result()
                # Two a process: the next one is queued there while this one lays out.
                while remaining and len(in_flight) < 2 * workers:
                    index = remaining.pop(0)
                    in_flight[pool.submit(_to_pdf_collected, documents[index], lean)] = index
                if remaining:
                    index = remaining.pop(0)
                    results[index] = _to_pdf_collected(documents[index], lean)
                elif in_flight:
                    future = next(iter(in_flight))
                    results[in_flight.pop(future)] = future.result()
    except (OSError, BrokenProcessPool) as exc:
        logger.warning("PDF processes could not run (%s): laying out the rest here", exc)
    return [
        result if result is not None else _to_pdf_collected(documents[index], lean)
        for index, result in enumerate(results)
    ]


def _to_pdf_collected(html: str, lean: bool) -> bytes:
    """html_to_pdf, then the document's layout boxes (reference cycles) freed at once: the
    next document is laid out on the same memory instead of beside it."""
    try:
        return html_to_pdf(html, lean=lean)
    finally:
        gc.collect()


def code128_modules(value: str) -> str:
    """Code 128 of `value` as a string of modules ("1" a bar), without quiet zones."""
    from barcode.codex import Code128

    return "".join(Code128(value).build())


def barcode_svg(value: str, *, height: int = 40) -> str:
    """`value` as a Code 128 barcode in inline SVG: the bars as one path, quiet zones of
    QUIET modules, sharp at any print resolution."""
    modules = code128_modules(value)
    bars, x = [], 0
    while x < len(modules):
        if modules[x] == "1":
            start = x
            while x < len(modules) and modules[x] == "1":
                x += 1
            bars.append(f"M{start + QUIET} 0h{x - start}v{height}h-{x - start}z")
        else:
            x += 1
    width = len(modules) + 2 * QUIET
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(value)}">'
        f'<path fill="#000" d="{"".join(bars)}"/></svg>'
    )


def png_1bit(rows: list[list[bool]]) -> bytes:
    """A black-and-white PNG of `rows` (True is black), one pixel a module."""
    width = len(rows[0])
    raw = bytearray()
    for row in rows:
        raw.append(0)  # filter: none
        for start in range(0, width, 8):
            byte = 0
            for bit, black in enumerate(row[start : start + 8]):
                if not black:  # grayscale 1 bit: 1 is white
                    byte |= 0x80 >> bit
            raw.append(byte | (0xFF >> (width - start) if width - start < 8 else 0))

    def chunk(tag: bytes, data: bytes) -> bytes:
        body = tag + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, len(rows), 1, 0, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(bytes(raw), 9)),
            chunk(b"IEND", b""),
        )
    )


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def barcode_png(value: str) -> str:
    """`value` as Code 128, a PNG data URI one pixel high (stretch it in CSS), quiet zones
    included."""
    modules = code128_modules(value)
    row = [False] * QUIET + [m == "1" for m in modules] + [False] * QUIET
    return data_uri(png_1bit([row]))


def qr_png(value: str) -> str:
    """`value` as a QR code (segno; medium error correction, 2-module border), a PNG data
    URI of one pixel a module."""
    import segno

    qr = segno.make(value, error="m", micro=False)
    return data_uri(png_1bit([[bool(m) for m in row] for row in qr.matrix_iter(border=2)]))
