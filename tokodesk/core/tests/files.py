"""Real, minimal files for tests that upload (the upload check decodes images and parses
PDFs: a few magic bytes are no longer enough)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes(colour=(200, 40, 40), size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(colour=(40, 120, 200), size=(8, 8), exif=None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    params = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, colour).save(out, "JPEG", **params)
    return out.getvalue()


def webp_bytes(colour=(40, 200, 40), size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "WEBP")
    return out.getvalue()


def pdf_bytes(width=200, height=200) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def gps_exif() -> bytes:
    """EXIF with a GPS position (Jakarta) and a camera make: what a phone photo carries."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 40.0)}
    exif[0x8825] = gps  # GPSInfo
    return exif.tobytes()


PNG = png_bytes()
JPEG = jpeg_bytes()
WEBP = webp_bytes()
PDF = pdf_bytes()
# A PNG signature, then a page with a script: what a browser would sniff as HTML.
HTML_AFTER_PNG_SIGNATURE = (b"\x89PNG\r\n\x1a\n<html><head><title>x</title></head><body>"
                            b"<script>document.title='PWNED'</script></body></html>")
# A real PNG with a page appended after its end.
HTML_AFTER_REAL_PNG = PNG + b"<html><script>document.title='PWNED'</script></html>"
HTML_AFTER_PDF_HEADER = b"%PDF-1.4\n<html><script>document.title='PWNED'</script></html>\n"
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'PWNED\'">'
       b"<script>document.title='PWNED'</script></svg>")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_file(name="foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def jpeg_file(name="foto.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def pdf_file(name="label.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def pdf_of_size(size: int, seed: bytes = b"a") -> bytes:
    """A real PDF of `size` bytes (give or take a few): one page, and an unreferenced stream
    of incompressible filler, so no layer can shortcut a large upload."""
    import hashlib

    def build(filler_len: int) -> bytes:
        filler = hashlib.shake_256(seed).digest(max(filler_len, 1))
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            b"<< /Length %d >>\nstream\n" % len(filler) + filler + b"\nendstream",
        ]
        out, offsets = b"%PDF-1.4\n%" + seed + b"\n", []
        for number, obj in enumerate(objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        return out

    overhead = len(build(1)) - 1
    return build(size - overhead)


def png_of_size(size: int, seed: bytes = b"a") -> bytes:
    """A real PNG of about `size` bytes or more: noise, which PNG cannot compress."""
    import hashlib
    import math

    from PIL import Image

    side = math.isqrt(size // 3) + 1
    im = Image.frombytes("RGB", (side, side), hashlib.shake_256(seed).digest(side * side * 3))
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=1)
    return out.getvalue()
