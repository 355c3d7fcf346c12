"""What the demo's returns are made of: reasons, custom states, messages, how many in
each status, their delays; a return's plan; stand-in photos and labels."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from dataclasses import dataclass, field

from tokodesk.orders.models import Order

# The returns app's seeded reasons (code, label, takes the customer's words): a database
# whose seed rows were flushed (tests) gets them back through `return_reason_save`.
RETURN_REASONS = [
    ("size_too_small", "Ukuran kekecilan", False),
    ("size_too_big", "Ukuran kebesaran", False),
    ("damaged", "Barang rusak atau cacat", False),
    ("wrong_item", "Barang tidak sesuai pesanan", False),
    ("not_as_described", "Tidak sesuai deskripsi", False),
    ("changed_mind", "Berubah pikiran", False),
    ("other", "Lainnya", True),
]
# Why each product comes back: (reason code, the customer's words).
RETURN_WHY = {
    "KAOS": [
        ("size_too_small", "Kekecilan di bagian dada"),
        ("size_too_big", ""),
        ("not_as_described", "Bahan lebih tipis dari di foto"),
    ],
    "AERO": [("size_too_small", "Ujung jari mentok"), ("size_too_big", "Longgar di tumit")],
    "HIJAB": [
        ("not_as_described", "Warnanya lebih gelap dari foto"),
        ("wrong_item", "Pesan Navy, datang Hitam"),
    ],
    "MADU": [("damaged", "Botol retak, madu merembes"), ("wrong_item", "")],
    "KOPI": [("wrong_item", "Pesan biji, dikirim bubuk"), ("damaged", "Kemasan sobek")],
    "SERUM": [("damaged", "Pipet patah"), ("changed_mind", "")],
    "TELON": [("damaged", "Tutup botol bocor")],
    "TEMPE": [("damaged", "Keripik hancur, kemasan gembung")],
    "TAS": [("not_as_described", "Jahitan tali lepas"), ("changed_mind", "")],
    "PB10K": [("damaged", "Tidak bisa mengisi daya"), ("other", "Kabel bawaan tidak ada di kotak")],
}
# A seller's own states shown instead of a base status: label, base status, colour.
CUSTOM_STATES = [
    ("Menunggu inspeksi", "item_received", "#d97706"),
    ("Menunggu resi dari pelanggan", "awaiting_item", "#0284c7"),
]
APPROVE_MESSAGES = [
    "Retur disetujui. Silakan kirim barang ke gudang kami, tulis nomor retur di luar paket.",
    "Baik kak, returnya kami setujui. Label retur sudah kami lampirkan, tinggal ditempel di paket.",
]
RECEIVE_MESSAGES = ["Paket retur sudah kami terima, sedang dicek tim gudang.", ""]
COMPLETE_MESSAGES = {
    "refund": "Dana dikembalikan lewat transfer, maksimal 2x24 jam hari kerja.",
    "store_credit": "Saldo toko sudah masuk ke akun kakak, bisa dipakai untuk belanja berikutnya.",
    "exchange_same": "Barang pengganti segera kami kirim.",
    "exchange_other": "Pesanan penukaran sudah kami buat, selisihnya tertera di pesanan.",
}
RETURN_REJECT_MESSAGES = [
    "Maaf kak, batas waktu retur sudah lewat dan label produk sudah dilepas.",
    "Maaf, barang terlihat sudah dipakai sehingga tidak bisa kami terima.",
]
HOLD_REASONS = [
    "Menunggu konfirmasi kurir soal paket retur yang tertahan",
    "Menunggu foto tambahan dari pelanggan",
]
RETURN_CANCEL_REASONS = ["Pelanggan tidak jadi retur", "Pelanggan memilih menyimpan barangnya"]
RETURN_FEE = ("Ongkir retur ditanggung pelanggan", 15000)
BANKS = ["BCA", "BRI", "Mandiri", "BNI", "BSI"]

# Every return status and every resolution, each at least once: status, resolution, extras.
# extras: bank (refund by bank transfer), paid (then paid, with proof), fee (a return fee),
# label, whatsapp, custom_state, photo (a seller's photo), photos (the customer's request
# with photos), request (asked by the customer), target (a target date at creation),
# recreate (Buat Retur Ulang: a new draft), partial (a unit refused at completion).
REQUIRED_RETURNS = [
    ("completed", "refund", {"bank", "fee"}),
    ("completed", "refund", {"bank", "paid", "request"}),
    ("completed", "store_credit", {"partial"}),
    ("completed", "exchange_same", {"label"}),
    ("completed", "exchange_other", set()),
    ("requested", "refund", {"photos", "request"}),
    ("draft", "exchange_same", {"target"}),
    ("awaiting_item", "refund", {"label", "whatsapp", "custom_state"}),
    ("item_received", "store_credit", {"custom_state", "photo"}),
    ("on_hold", "refund", set()),
    ("rejected", "refund", {"recreate", "whatsapp"}),
    ("cancelled", "exchange_same", set()),
]
RETURN_STATUS_WEIGHTS = {
    "completed": 40,
    "awaiting_item": 12,
    "requested": 10,
    "item_received": 8,
    "rejected": 7,
    "cancelled": 7,
    "draft": 6,
    "on_hold": 4,
}
RESOLUTION_WEIGHTS = {"refund": 45, "store_credit": 25, "exchange_same": 20, "exchange_other": 10}
OPEN_RETURNS = ("requested", "draft", "awaiting_item", "item_received", "on_hold")
RETURN_SHARE = 0.22  # of the delivered and completed orders
# Minutes between a return's steps, and how long an open return has sat since its last one.
RETURN_DELAYS = {
    "approve": (60, 1440),
    "label": (5, 120),
    "whatsapp": (2, 90),
    "custom_state": (10, 300),
    "receive": (2 * 1440, 6 * 1440),
    "photo": (5, 90),
    "complete": (1440, 3 * 1440),
    "refund_paid": (120, 2 * 1440),
    "reject": (60, 2 * 1440),
    "recreate": (1440, 3 * 1440),
    "hold": (1440, 3 * 1440),
    "cancel": (60, 3 * 1440),
}
RETURN_IDLE = {
    "requested": (30, 2 * 1440),
    "draft": (60, 3 * 1440),
    "awaiting_item": (1440, 8 * 1440),
    "item_received": (60, 3 * 1440),
    "on_hold": (1440, 5 * 1440),
}
RETURN_WINDOW_DAYS = 13  # demo returns are asked for inside the shop's 14-day window


@dataclass
class ReturnPlan:
    status: str
    resolution: str
    extras: set
    order: Order | None = None
    delivered: dt.datetime | None = None
    lines: list = field(default_factory=list)  # (order line, qty)
    steps: list = field(default_factory=list)  # (name, when)
    reference: str = ""
    agent: str = "admin"  # the order's agent (admin when it has none)
    order_paid: int = 0
    order_method: str = ""
    recreated: str = ""  # the draft made from this one (Buat Retur Ulang)
    names: list = field(default_factory=list)
    gaps: list = field(default_factory=list)


def _png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    """A small plain PNG (a stand-in for a customer's photo)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text (the return label the seller prints)."""

    def esc(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = " ".join(f"({esc(line)}) '" for line in lines)
    stream = f"BT /F1 13 Tf 40 400 Td 20 TL {body} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 420] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out
