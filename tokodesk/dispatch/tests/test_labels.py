"""Labels, packing slips and the picking list as PDFs (dispatch/labels.py, picking.py and
POST /api/v1/shipping/labels …): the text of the PDF carries the AWBs, the COD amounts to
collect and the addresses; prints go on the order's timeline; reprints too."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tokodesk.dispatch import booking, labels, picking
from tokodesk.orders.models import Order, OrderEvent
from tokodesk.orders.tests.factories import make_order, order_in
from tokodesk.shipping.regions_testing import regions  # noqa: F401


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def shipped(shop, users):
    owner = users["owner"]
    cod = order_in("ready_to_ship", owner, lines=(("MADU-500", 2), ("KAOS-M", 1)))
    Order.objects.filter(pk=cod.pk).update(
        destination_address="Jl. Raya Cileungsi No. 8, Cileungsi", destination_city="Kab. Bogor"
    )
    transfer = order_in("paid", owner, lines=(("KAOS-M", 3),))
    results = booking.orders_book(adapter="sandbox", references=[cod.reference], actor=owner)
    assert results[0].ok
    cod.refresh_from_db()
    return cod, transfer


def test_thermal_labels_api_gives_one_page_per_order_with_awb_cod_and_address(shipped, api_as):
    cod, transfer = shipped
    r = api_as("warehouse").post(
        "/api/v1/shipping/labels",
        {"references": [cod.reference, transfer.reference], "format": "thermal"},
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages, text = pdf_text(r.content)
    assert pages == 2
    squashed = text.replace(" ", "")
    assert cod.awb in squashed and cod.reference in squashed and transfer.reference in squashed
    assert (
        "JalanRaya" not in squashed
        and "Jl.RayaCileungsiNo.8" in squashed
        and "Kab.Bogor" in squashed
    )
    assert cod.total == cod.outstanding and f"{cod.total:,}".replace(",", ".") in text  # Rp 318.000
    assert "NON-COD" in text  # the paid order collects nothing
    assert "MADU-500 × 2" in text and "KAOS-M × 1" in text
    assert "1.6 kg" in text  # 2 × 700 g + 200 g
    events = OrderEvent.objects.filter(kind="printed", order=cod)
    assert [(e.data["document"], e.data["format"], e.source) for e in events] == [
        ("label", "thermal", "api")
    ]


def test_a4_puts_four_labels_a_page_and_reprints_are_recorded(shipped, shop, users, api_as):
    owner = users["owner"]
    cod, transfer = shipped
    more = [make_order(owner).reference for _ in range(3)]
    refs = [cod.reference, transfer.reference, *more]
    for _ in range(2):
        r = api_as("owner").post("/api/v1/shipping/labels", {"references": refs, "format": "a4"})
        assert r.status_code == 200
    pages, text = pdf_text(r.content)
    assert pages == 2 and all(ref in text.replace(" ", "") for ref in refs)
    assert OrderEvent.objects.filter(kind="printed", order=cod).count() == 2


def test_unknown_reference_or_format_is_422_and_nothing_recorded(shipped, api_as):
    cod, _transfer = shipped
    r = api_as("owner").post("/api/v1/shipping/labels", {"references": [cod.reference, "ORD-NOPE"]})
    assert r.status_code == 422 and "ORD-NOPE" in r.json()["fields"]["references"]
    r = api_as("owner").post(
        "/api/v1/shipping/labels", {"references": [cod.reference], "format": "a5"}
    )
    assert r.status_code == 422 and "format" in r.json()["fields"]
    assert not OrderEvent.objects.filter(kind="printed").exists()
    assert (
        api_as("finance")
        .post("/api/v1/shipping/labels", {"references": [cod.reference]})
        .status_code
        == 403
    )


def test_picking_list_sums_variants_per_warehouse_by_sku(shop, users, api_as):
    owner = users["owner"]
    a = make_order(owner, lines=(("MADU-500", 2), ("KAOS-M", 1)))
    b = make_order(owner, lines=(("KAOS-M", 3), ("KAOS-L", 1)))
    c = make_order(owner, lines=(("SEPATU-42", 1),), warehouse="sby")
    lists = picking.picking_lists(
        list(Order.objects.filter(pk__in=[a.pk, b.pk, c.pk]).select_related("warehouse"))
    )
    assert [(p.warehouse, p.orders, [(line.sku, line.qty) for line in p.lines]) for p in lists] == [
        ("Gudang Jakarta", 2, [("KAOS-L", 1), ("KAOS-M", 4), ("MADU-500", 2)]),
        ("Gudang Surabaya", 1, [("SEPATU-42", 1)]),
    ]
    r = api_as("warehouse").post(
        "/api/v1/shipping/picking-list", {"references": [a.reference, b.reference, c.reference]}
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages, text = pdf_text(r.content)
    assert pages == 2 and "Gudang Jakarta" in text and "Gudang Surabaya" in text
    assert text.index("KAOS-L") < text.index("KAOS-M") < text.index("MADU-500")
    assert OrderEvent.objects.filter(kind="printed", data__document="picking_list").count() == 3


def test_packing_slips_one_page_per_order(shipped, api_as):
    cod, transfer = shipped
    r = api_as("warehouse").post(
        "/api/v1/shipping/packing-slips", {"references": [cod.reference, transfer.reference]}
    )
    pages, text = pdf_text(r.content)
    assert r.status_code == 200 and pages == 2 and cod.awb in text.replace(" ", "")


def test_the_pdf_codes_are_one_pixel_a_module_pngs():
    """Labels print the AWB and the reference as tiny 1-bit PNGs (WeasyPrint drew SVG
    paths segment by segment): the barcode's pixels are the Code 128 modules with their
    quiet zones, the QR's are segno's matrix."""
    import base64
    import io

    import segno
    from PIL import Image

    from tokodesk.core import pdf

    def image(uri):
        assert uri.startswith("data:image/png;base64,")
        return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")

    bars = image(pdf.barcode_png("JNE0123456789"))
    pixels = "".join("1" if bars.getpixel((x, 0)) == 0 else "0" for x in range(bars.width))
    quiet = "0" * pdf.QUIET
    assert bars.height == 1 and pixels == quiet + pdf.code128_modules("JNE0123456789") + quiet
    qr = image(pdf.qr_png("ORD-1"))
    matrix = list(segno.make("ORD-1", error="m", micro=False).matrix_iter(border=2))
    assert qr.size == (len(matrix[0]), len(matrix))
    assert all(
        (qr.getpixel((x, y)) == 0) == bool(m)
        for y, row in enumerate(matrix)
        for x, m in enumerate(row)
    )
    assert labels.qr_svg("ORD-1").startswith("<svg")


def test_label_prints_the_destination_district_with_its_postal_code(shop, users, regions, api_as):  # noqa: F811
    order = order_in("ready_to_ship", users["owner"])
    Order.objects.filter(pk=order.pk).update(destination_district=regions, destination_city="")
    r = api_as("warehouse").post("/api/v1/shipping/labels", {"references": [order.reference]})
    _pages, text = pdf_text(r.content)
    assert r.status_code == 200 and "Cileungsi, Kab. Bogor, Jawa Barat 16820" in " ".join(
        text.split()
    )


def test_printing_reads_a_constant_number_of_queries(shop, users, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = users["owner"]
    refs = [order_in("ready_to_ship", owner).reference for _ in range(6)]
    monkeypatch.setattr(
        labels, "render_pdf", lambda html, **kw: b"%PDF-"
    )  # the queries, not WeasyPrint
    counts = []
    for n in (2, 6):
        with CaptureQueriesContext(connection) as ctx:
            labels.labels_pdf(references=refs[:n], fmt="thermal", actor=owner)
            picking.picking_lists(labels.orders_for_print(refs[:n], owner))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("processes", [1, 2])
def test_many_labels_are_rendered_in_chunks_joined_in_order(
    shipped, shop, users, monkeypatch, settings, processes
):
    """Chunks laid out here one by one, or in two spawned processes at once: the same
    pages, in the order of the selection."""
    settings.TOKODESK_PDF_PROCESSES = processes
    owner = users["owner"]
    cod, transfer = shipped
    refs = [cod.reference, transfer.reference, *(make_order(owner).reference for _ in range(3))]
    monkeypatch.setattr(labels, "CHUNK", 2)
    for fmt, pages in (("thermal", 5), ("a4", 2)):  # a4: chunks of 4 labels, one page each
        count, text = pdf_text(labels.labels_pdf(references=refs, fmt=fmt, actor=owner))
        squashed = text.replace(" ", "")
        assert count == pages and [squashed.index(r) for r in refs] == sorted(
            squashed.index(r) for r in refs
        )
