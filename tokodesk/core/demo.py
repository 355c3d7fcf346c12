"""Demo data: a believable Indonesian landing-page shop (`tokodesk demo`).

Everything an order goes through is done by the real services: each order is made by
`order_create` and moved only by `order_apply_action` (plus `order_tag`, `order_add_note`
and `order_assign_agent`), acted by the user whose role would do it. Only afterwards are
the dates spread over the last ~90 days: the rows' timestamps (creation, timeline events,
payments, notes, and the confirmed/shipped/... dates) are moved back together, keeping
every timeline in the same order. That is backdating data, not changing any status.

Returns (every status, every resolution) are made the same way on the delivered and
completed orders, right after the orders, by the returns services only (`return_create`,
`return_request`, `return_apply_action`, `refund_mark_paid`, …), then backdated onto the
story inside the return window: see `_Returns`.

The data is drawn from a seeded `random.Random`, so two loads give the same shop. Loading
is one transaction and leaves a marker (the `demo_data` sequence): a second run changes
nothing, and a database that already holds real orders is left alone.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import struct
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone

from tokodesk.accounts.services import user_create
from tokodesk.catalog.models import Product, Stock, Variant, Warehouse
from tokodesk.core.models import Sequence, ShopSettings
from tokodesk.customers.models import Customer, StoreCreditEntry
from tokodesk.notifications.models import Notification
from tokodesk.notifications.whatsapp import return_open_whatsapp
from tokodesk.orders.models import Order, OrderEvent, OrderLine, OrderNote, Payment, Tag
from tokodesk.orders.services import (
    CustomerInput,
    LineInput,
    OrderInput,
    order_add_note,
    order_apply_action,
    order_assign_agent,
    order_create,
    order_tag,
)
from tokodesk.orders.states import ORDER_TRANSITIONS, Status
from tokodesk.returns.models import (
    CustomState,
    Refund,
    Return,
    ReturnEvent,
    ReturnMessage,
    ReturnPhoto,
    ReturnReason,
)
from tokodesk.returns.refunds import refund_mark_paid
from tokodesk.returns.services import (
    ExchangeItemInput,
    ExtraLineInput,
    ReturnInput,
    ReturnLineInput,
    custom_state_save,
    return_add_photo,
    return_apply_action,
    return_attach_label,
    return_create,
    return_edit,
    return_reason_save,
    return_recreate,
    return_request,
)
from tokodesk.returns.states import Status as ReturnStatus
from tokodesk.shipping.models import Courier
from tokodesk.storefront.models import LandingPage

DEMO_PASSWORD = "demo12345"
MARKER = "demo_data"  # a Sequence row whose value is the number of demo orders
DEFAULT_ORDERS = 500
DEFAULT_DAYS = 90
DEFAULT_SEED = 20240817

# username, role, first name, last name
USERS = [
    ("owner", "owner", "Hendra", "Wijaya"),
    ("admin", "admin", "Dewi", "Anggraini"),
    ("agent1", "agent", "Ayu", "Lestari"),
    ("agent2", "agent", "Rizky", "Ramadhan"),
    ("agent3", "agent", "Putri", "Maharani"),
    ("gudang", "warehouse", "Joko", "Susilo"),
    ("keuangan", "finance", "Sri", "Wahyuni"),
    ("viewer", "viewer", "Tamu", "Demo"),
]
AGENTS = ["agent1", "agent2", "agent3"]

# code, name, city, address
WAREHOUSES = [
    (
        "jkt",
        "Gudang Jakarta",
        "Jakarta Barat",
        "Jl. Daan Mogot KM 12 No. 8, Cengkareng, Jakarta Barat, DKI Jakarta 11730",
    ),
    (
        "sby",
        "Gudang Surabaya",
        "Surabaya",
        "Jl. Rungkut Industri III No. 21, Rungkut, Surabaya, Jawa Timur 60293",
    ),
]

# slug, name, description, warehouses, variants (sku, name, price in rupiah, weight g)
PRODUCTS = [
    (
        "madu-hutan-sumbawa",
        "Madu Hutan Sumbawa",
        "Madu hutan murni dari Sumbawa, tanpa campuran.",
        ("jkt", "sby"),
        [
            ("MADU-250", "250 ml", 85000, 400),
            ("MADU-500", "500 ml", 150000, 750),
            ("MADU-1000", "1 liter", 280000, 1400),
        ],
    ),
    (
        "kopi-gayo-arabika",
        "Kopi Gayo Arabika",
        "Kopi arabika Gayo, sangrai medium.",
        ("jkt",),
        [
            ("KOPI-BJ-250", "Biji 250 g", 95000, 300),
            ("KOPI-BK-250", "Bubuk 250 g", 95000, 300),
            ("KOPI-BJ-1000", "Biji 1 kg", 340000, 1100),
        ],
    ),
    (
        "kaos-polos-combed",
        "Kaos Polos Cotton Combed 30s",
        "Kaos polos bahan adem, jahitan rapi.",
        ("jkt", "sby"),
        [
            ("KAOS-S", "S", 65000, 180),
            ("KAOS-M", "M", 65000, 200),
            ("KAOS-L", "L", 65000, 220),
            ("KAOS-XL", "XL", 70000, 240),
        ],
    ),
    (
        "hijab-segi-empat-voal",
        "Hijab Segi Empat Voal",
        "Voal premium, tegak di dahi, tidak menerawang.",
        ("jkt", "sby"),
        [
            ("HIJAB-HTM", "Hitam", 55000, 120),
            ("HIJAB-NVY", "Navy", 55000, 120),
            ("HIJAB-MOC", "Mocca", 55000, 120),
        ],
    ),
    (
        "sepatu-lari-aerorun",
        "Sepatu Lari AeroRun",
        "Sepatu lari ringan, sol empuk.",
        ("sby",),
        [
            ("AERO-40", "40", 349000, 850),
            ("AERO-41", "41", 349000, 880),
            ("AERO-42", "42", 349000, 900),
            ("AERO-43", "43", 349000, 930),
        ],
    ),
    (
        "serum-vitamin-c",
        "Serum Wajah Vitamin C 20 ml",
        "Mencerahkan dan meratakan warna kulit.",
        ("jkt",),
        [("SERUM-VITC", "", 89000, 90)],
    ),
    (
        "minyak-telon-bayi",
        "Minyak Telon Bayi 100 ml",
        "Hangat, aroma lembut, aman untuk bayi.",
        ("jkt", "sby"),
        [("TELON-100", "", 45000, 150)],
    ),
    (
        "keripik-tempe-pedas",
        "Keripik Tempe Pedas Malang",
        "Keripik tempe renyah bumbu pedas.",
        ("sby",),
        [("TEMPE-250", "250 g", 25000, 280), ("TEMPE-500", "500 g", 45000, 540)],
    ),
    (
        "tas-selempang-kulit",
        "Tas Selempang Kulit",
        "Kulit sapi asli, muat ponsel dan dompet.",
        ("jkt",),
        [("TAS-CKL", "Coklat", 189000, 450), ("TAS-HTM", "Hitam", 189000, 450)],
    ),
    (
        "powerbank-10000",
        "Powerbank 10.000 mAh",
        "Fast charging 20 W, dua port USB.",
        ("jkt", "sby"),
        [("PB10K-HTM", "Hitam", 159000, 250), ("PB10K-PTH", "Putih", 159000, 250)],
    ),
]

# code, name, services, tracking URL
COURIERS = [
    ("jne", "JNE", ["REG", "YES", "OKE"], "https://www.jne.co.id/id/tracking/trace?awb={awb}"),
    ("jnt", "J&T Express", ["EZ", "Super"], "https://www.jet.co.id/track?awb={awb}"),
    ("sicepat", "SiCepat", ["REG", "BEST", "HALU"], "https://www.sicepat.com/checkAwb?awb={awb}"),
    ("anteraja", "AnterAja", ["Reguler", "Next Day"], "https://anteraja.id/tracking?awb={awb}"),
    (
        "pos",
        "Pos Indonesia",
        ["Pos Reguler", "Pos Kilat Khusus"],
        "https://www.posindonesia.co.id/id/tracking?awb={awb}",
    ),
]
FAST_SERVICES = {"YES", "Super", "BEST", "Next Day", "Pos Kilat Khusus"}

# name, slug, product slug, warehouse, agents
LANDING_PAGES = [
    (
        "Madu Hutan Sumbawa Asli – Promo Beli 2",
        "madu-hutan-sumbawa",
        "madu-hutan-sumbawa",
        "jkt",
        ["agent1", "agent2"],
    ),
    (
        "Kopi Gayo Arabika Premium",
        "kopi-gayo-premium",
        "kopi-gayo-arabika",
        "jkt",
        ["agent2", "agent3"],
    ),
    (
        "Sepatu Lari AeroRun – Gratis Kaos Kaki",
        "sepatu-lari-aerorun",
        "sepatu-lari-aerorun",
        "sby",
        ["agent1", "agent3"],
    ),
]

TAGS = [
    ("VIP", "#d97706"),
    ("Reseller", "#2563eb"),
    ("Follow up", "#ea580c"),
    ("Komplain", "#dc2626"),
]

FIRST_NAMES = [
    "Siti",
    "Agus",
    "Dewi",
    "Budi",
    "Rina",
    "Andi",
    "Nur",
    "Muhammad",
    "Fitri",
    "Wahyu",
    "Eko",
    "Sri",
    "Indah",
    "Hendra",
    "Yuni",
    "Rudi",
    "Ratna",
    "Bambang",
    "Lina",
    "Dedi",
    "Nurul",
    "Arif",
    "Wulan",
    "Fajar",
    "Rini",
    "Taufik",
    "Dian",
    "Ahmad",
    "Novi",
    "Yusuf",
    "Maya",
    "Irfan",
    "Lestari",
    "Bayu",
    "Ani",
    "Galih",
    "Retno",
    "Teguh",
    "Sari",
    "Hadi",
    "Ika",
    "Rizal",
    "Mega",
    "Yohanes",
    "Maria",
    "Putu",
    "Made",
    "Kadek",
    "Nyoman",
    "Aisyah",
    "Reza",
    "Citra",
    "Joko",
    "Endang",
    "Slamet",
    "Tuti",
]
LAST_NAMES = [
    "Rahayu",
    "Setiawan",
    "Lestari",
    "Santoso",
    "Wulandari",
    "Pratama",
    "Aisyah",
    "Rizki",
    "Handayani",
    "Hidayat",
    "Prasetyo",
    "Wahyuni",
    "Permatasari",
    "Gunawan",
    "Saputra",
    "Kurniawan",
    "Susanti",
    "Nugroho",
    "Siregar",
    "Simanjuntak",
    "Nasution",
    "Harahap",
    "Lubis",
    "Sihombing",
    "Purba",
    "Tanjung",
    "Syahputra",
    "Hasibuan",
    "Suryani",
    "Firmansyah",
    "Ramadhani",
    "Maulana",
    "Fauzi",
    "Anggraeni",
    "Kusuma",
    "Wijayanti",
    "Hakim",
    "Utami",
    "Pangaribuan",
    "Manurung",
    "Mahendra",
    "Suarta",
    "Wirawan",
    "Lumbantobing",
    "Sitompul",
    "Daulay",
    "Tambunan",
    "Hutapea",
    "",
]
# city, province, postal prefix, region
CITIES = [
    ("Jakarta Selatan", "DKI Jakarta", "12", "jawa"),
    ("Jakarta Timur", "DKI Jakarta", "13", "jawa"),
    ("Jakarta Utara", "DKI Jakarta", "14", "jawa"),
    ("Bekasi", "Jawa Barat", "17", "jawa"),
    ("Depok", "Jawa Barat", "16", "jawa"),
    ("Bogor", "Jawa Barat", "16", "jawa"),
    ("Bandung", "Jawa Barat", "40", "jawa"),
    ("Cirebon", "Jawa Barat", "45", "jawa"),
    ("Tasikmalaya", "Jawa Barat", "46", "jawa"),
    ("Tangerang", "Banten", "15", "jawa"),
    ("Serang", "Banten", "42", "jawa"),
    ("Semarang", "Jawa Tengah", "50", "jawa"),
    ("Surakarta", "Jawa Tengah", "57", "jawa"),
    ("Purwokerto", "Jawa Tengah", "53", "jawa"),
    ("Yogyakarta", "DI Yogyakarta", "55", "jawa"),
    ("Surabaya", "Jawa Timur", "60", "jatim"),
    ("Sidoarjo", "Jawa Timur", "61", "jatim"),
    ("Malang", "Jawa Timur", "65", "jatim"),
    ("Kediri", "Jawa Timur", "64", "jatim"),
    ("Jember", "Jawa Timur", "68", "jatim"),
    ("Medan", "Sumatera Utara", "20", "sumatera"),
    ("Palembang", "Sumatera Selatan", "30", "sumatera"),
    ("Pekanbaru", "Riau", "28", "sumatera"),
    ("Padang", "Sumatera Barat", "25", "sumatera"),
    ("Bandar Lampung", "Lampung", "35", "sumatera"),
    ("Denpasar", "Bali", "80", "bali"),
    ("Mataram", "Nusa Tenggara Barat", "83", "bali"),
    ("Kupang", "Nusa Tenggara Timur", "85", "timur"),
    ("Makassar", "Sulawesi Selatan", "90", "sulawesi"),
    ("Manado", "Sulawesi Utara", "95", "sulawesi"),
    ("Balikpapan", "Kalimantan Timur", "76", "kalimantan"),
    ("Banjarmasin", "Kalimantan Selatan", "70", "kalimantan"),
    ("Pontianak", "Kalimantan Barat", "78", "kalimantan"),
    ("Jayapura", "Papua", "99", "timur"),
]
# Where buyers live: mostly Java.
CITY_WEIGHTS = [
    6,
    5,
    3,
    5,
    4,
    3,
    5,
    2,
    1,
    4,
    1,
    3,
    2,
    1,
    3,
    5,
    3,
    3,
    1,
    1,
    3,
    2,
    2,
    1,
    1,
    2,
    1,
    1,
    2,
    1,
    1,
    1,
    1,
    1,
]
STREETS = [
    "Jl. Merdeka",
    "Jl. Jend. Sudirman",
    "Jl. Diponegoro",
    "Jl. Gatot Subroto",
    "Jl. Ahmad Yani",
    "Jl. Pahlawan",
    "Jl. Melati",
    "Jl. Mawar",
    "Jl. Kenanga",
    "Jl. Cempaka",
    "Jl. Anggrek",
    "Jl. Flamboyan",
    "Jl. Veteran",
    "Jl. Pemuda",
    "Jl. Imam Bonjol",
    "Jl. Hasanuddin",
    "Jl. Gajah Mada",
    "Jl. Kartini",
    "Jl. Cendrawasih",
    "Jl. Rajawali",
    "Jl. Kalimantan",
    "Jl. Sumatera",
    "Gg. Masjid",
    "Gg. Mushola",
    "Jl. Raya Pasar Minggu",
    "Jl. Pramuka",
    "Jl. Teuku Umar",
    "Jl. Sisingamangaraja",
]
HOUSING = [
    "Perumahan Griya Asri",
    "Perum Bumi Indah",
    "Komplek Villa Mutiara",
    "Perumahan Taman Sari",
    "Cluster Green Garden",
    "Perum Puri Permata",
]
VILLAGES = [
    "Sukamaju",
    "Sukajadi",
    "Mekarsari",
    "Sumbersari",
    "Karangrejo",
    "Tegalsari",
    "Kebonsari",
    "Sidomulyo",
    "Margahayu",
    "Cempaka Putih",
    "Rawamangun",
    "Sukarame",
    "Kedungkandang",
    "Tanjungsari",
    "Pondok Kelapa",
    "Jatimulya",
    "Bojongsari",
    "Wonorejo",
    "Panjunan",
]
DISTRICTS = [
    "Cibeunying",
    "Kebayoran Baru",
    "Duren Sawit",
    "Tambaksari",
    "Lowokwaru",
    "Medan Baru",
    "Ilir Timur",
    "Mampang",
    "Cilandak",
    "Bekasi Timur",
    "Ciputat",
    "Banyumanik",
    "Denpasar Barat",
    "Tamalate",
    "Sukajadi",
    "Kiaracondong",
    "Rungkut",
    "Gubeng",
    "Sawahan",
    "Tegalsari",
]
ADDRESS_HINTS = [
    "rumah cat hijau",
    "depan masjid",
    "samping warung Bu Tini",
    "pagar hitam",
    "dekat pos ronda",
    "belakang Indomaret",
    "sebelah bengkel motor",
]
PHONE_PREFIXES = [
    "0811",
    "0812",
    "0813",
    "0821",
    "0822",
    "0823",
    "0851",
    "0852",
    "0853",
    "0814",
    "0815",
    "0816",
    "0855",
    "0856",
    "0857",
    "0858",
    "0817",
    "0818",
    "0819",
    "0859",
    "0877",
    "0878",
    "0895",
    "0896",
    "0897",
    "0898",
    "0899",
    "0881",
    "0882",
    "0887",
    "0888",
    "0831",
    "0832",
    "0838",
]
CUSTOMER_NOTES = [
    "Tolong dikirim secepatnya ya kak",
    "Kirim sore saja, pagi rumah kosong",
    "Mohon dibungkus rapi, untuk kado",
    "Kalau kurir datang tolong telepon dulu",
    "Titip ke satpam komplek kalau tidak ada orang",
    "Bonus stiker boleh kak?",
    "Tolong packing bubble wrap tebal",
]
CANCEL_REASONS = [
    "Pelanggan tidak bisa dihubungi",
    "Pesanan ganda",
    "Pelanggan berubah pikiran",
    "Alamat tidak lengkap dan tidak ada respon",
    "Stok warna kosong, pelanggan tidak mau ganti",
]
CUSTOMER_CANCEL_REASONS = [
    "Salah pilih ukuran",
    "Mau ganti alamat pengiriman",
    "Sudah beli di tempat lain",
    "Ongkirnya kemahalan",
    "Berubah pikiran",
    "Uangnya belum ada kak",
]
REJECT_REASONS = [
    "Pelanggan setuju lanjut setelah dihubungi via WA",
    "Paket sudah dikemas, pelanggan setuju lanjut",
]
PROBLEM_REASONS = [
    "Alamat tidak ditemukan",
    "Penerima tidak di tempat",
    "Nomor telepon penerima tidak aktif",
    "Penerima menolak paket COD",
    "Cuaca buruk, pengiriman tertunda",
]
LOST_REASONS = [
    "Paket hilang di hub transit",
    "Paket rusak, botol pecah",
    "Paket basah terkena banjir",
]
AGENT_NOTES = [
    "Sudah dihubungi via WA, pelanggan minta dikirim hari ini.",
    "Pelanggan minta konfirmasi ulang alamat, patokan sudah dicatat.",
    "Pelanggan tanya promo beli 3, sudah dijelaskan.",
    "Nomor WA aktif, pelanggan fast respon.",
    "Pelanggan lama, biasanya order tiap bulan.",
]
WAREHOUSE_NOTES = [
    "Packing kayu sesuai permintaan.",
    "Stok dicek, dikemas bubble wrap dobel.",
    "Kardus diganti ukuran lebih besar.",
]
FINANCE_NOTES = [
    "Bukti transfer sudah dicek di mutasi rekening.",
    "Transfer masuk, nominal sesuai.",
]
BANK_ACCOUNTS = [
    "BCA 523-081-2245 a.n. Toko Berkah Jaya",
    "Mandiri 131-00-1234567-8 a.n. Toko Berkah Jaya",
    "BRI 0123-01-004512-50-3 a.n. Toko Berkah Jaya",
]

# How the orders spread over the statuses (every status gets at least one).
STATUS_WEIGHTS = {
    "completed": 24,
    "cancelled": 9,
    "new": 8,
    "in_transit": 7,
    "confirmed": 6,
    "delivered": 5,
    "ready_to_ship": 4,
    "awaiting_pickup": 4,
    "returned": 4,
    "paid": 3,
    "cancellation_requested": 2,
    "delivery_problem": 2,
    "returning": 2,
    "awaiting_payment": 2,
    "payment_completed": 2,
    "partially_paid": 1.5,
    "invoice_issued": 1.5,
    "lost_or_damaged": 1,
    "payment_processing": 1,
    "invoice_pending": 1,
    "invoice_paid": 1,
}
METHOD_FOR_STATUS = {
    "paid": "bank_transfer",
    "partially_paid": "bank_transfer",
    "awaiting_payment": "payment_gateway",
    "payment_processing": "payment_gateway",
    "payment_completed": "payment_gateway",
    "invoice_pending": "invoice",
    "invoice_issued": "invoice",
    "invoice_paid": "invoice",
}
SHIPPED_TARGETS = (
    "awaiting_pickup",
    "in_transit",
    "delivered",
    "delivery_problem",
    "lost_or_damaged",
    "returning",
    "returned",
    "completed",
)
FINAL_TARGETS = ("completed", "cancelled", "returned", "lost_or_damaged")

# How long after the previous event each step happens: (min, max) in minutes.
DELAYS = {
    "confirm": (5, 8 * 60),
    "unconfirm": (10, 180),
    "request_payment": (1, 30),
    "payment_pending": (1, 40),
    "payment_failed": (1, 20),
    "payment_succeeded": (1, 6 * 60),
    "confirm_payment": (20, 24 * 60),
    "unconfirm_payment": (10, 6 * 60),
    "create_invoice": (10, 4 * 60),
    "issue_invoice": (60, 2 * 1440),
    "record_invoice_payment": (3 * 1440, 25 * 1440),
    "mark_ready": (60, 20 * 60),
    "ship": (60, 24 * 60),
    "cancel_shipment": (20, 5 * 60),
    "picked_up": (2 * 60, 18 * 60),
    "delivered": (1440, 5 * 1440),
    "report_problem": (1440, 3 * 1440),
    "resume_delivery": (4 * 60, 2 * 1440),
    "mark_lost": (2 * 1440, 7 * 1440),
    "return_to_sender": (1440, 3 * 1440),
    "returned_to_sender": (3 * 1440, 10 * 1440),
    "complete": (1440, 6 * 1440),
    "request_cancellation": (10, 12 * 60),
    "approve_cancellation": (10, 24 * 60),
    "reject_cancellation": (10, 24 * 60),
    "cancel": (30, 2 * 1440),
    "reopen": (60, 1440),
    "tag": (2, 120),
    "note": (5, 6 * 60),
    "assign": (10, 180),
}
# How long an order has sat in its (unfinished) status: (min, max) in minutes. Kept below
# the deadlines the worker enforces (cancellation window, automatic completion).
IDLE = {
    "new": (5, 2 * 1440),
    "confirmed": (10, 2 * 1440),
    "paid": (10, 1440),
    "partially_paid": (60, 3 * 1440),
    "awaiting_payment": (10, 1440),
    "payment_processing": (2, 120),
    "payment_completed": (10, 1440),
    "invoice_pending": (60, 2 * 1440),
    "invoice_issued": (1440, 10 * 1440),
    "invoice_paid": (10, 1440),
    "ready_to_ship": (10, 1440),
    "awaiting_pickup": (10, 1440),
    "in_transit": (120, 3 * 1440),
    "delivered": (60, 5 * 1440),
    "delivery_problem": (60, 2 * 1440),
    "returning": (1440, 5 * 1440),
    "cancellation_requested": (10, 30 * 60),
}
PROCESS_ACTIONS = {
    "confirm",
    "unconfirm",
    "request_payment",
    "cancel",
    "reopen",
    "approve_cancellation",
    "reject_cancellation",
}
FINANCE_ACTIONS = {
    "confirm_payment",
    "unconfirm_payment",
    "create_invoice",
    "issue_invoice",
    "record_invoice_payment",
    "complete",
}
GATEWAY_ACTIONS = {"payment_pending", "payment_succeeded", "payment_failed"}
COURIER_EVENTS = {"picked_up", "delivered", "report_problem", "resume_delivery", "return_to_sender"}
WAREHOUSE_ACTIONS = {"mark_ready", "ship", "cancel_shipment", "returned_to_sender", "mark_lost"}


@dataclass
class Step:
    kind: str  # "action", "tag", "note" or "assign"
    name: str  # the action, the tag, the note's body or the new agent
    actor: str | None  # a username, "@agent" (the order's agent) or None (customer / system)
    source: str = "web"
    variant: str = ""  # e.g. "partial" for a part payment


@dataclass
class Plan:
    target: str
    method: str
    channel: str
    customer: dict
    lines: list  # (sku, qty, unit_price or None)
    warehouse: str
    courier: str
    service: str
    shipping_cost: int
    insurance: int = 0
    discount: int = 0
    landing_page: str | None = None
    creator: str | None = None  # None: the buyer on the landing page
    source: str = "customer"
    agent: str | None = None  # fixed agent, else round robin at creation
    tags: list = field(default_factory=list)
    note: str = ""
    steps: list = field(default_factory=list)
    times: list = field(default_factory=list)  # creation, then one per step


class Loaded:
    """What a load did, for the summary."""

    def __init__(
        self,
        *,
        created: bool,
        message: str,
        orders: int = 0,
        seconds: float = 0.0,
        by_status: dict | None = None,
        actions: set | None = None,
        returns_by_status: dict | None = None,
    ):
        self.created = created
        self.message = message
        self.orders = orders
        self.seconds = seconds
        self.by_status = by_status or {}
        self.actions = actions or set()
        self.returns_by_status = returns_by_status or {}


def demo_is_loaded() -> bool:
    return Sequence.objects.filter(name=MARKER).exists()


def load_demo(
    *, orders: int = DEFAULT_ORDERS, seed: int = DEFAULT_SEED, days: int = DEFAULT_DAYS
) -> Loaded:
    """Load the demo shop once. Returns what happened; never loads twice."""
    if demo_is_loaded():
        n = Sequence.objects.get(name=MARKER).value
        return Loaded(
            created=False, message=f"Demo data is already loaded ({n} orders): nothing to do."
        )
    if Order.objects.exists():
        return Loaded(
            created=False, message="The database already holds orders: demo data not loaded."
        )
    started = time.monotonic()
    with transaction.atomic():
        builder = _Builder(random.Random(seed), orders=orders, days=days)
        builder.run()
        Sequence.objects.create(name=MARKER, value=orders)
    seconds = time.monotonic() - started
    by_status = dict(Counter(Order.objects.values_list("status", flat=True)))
    return Loaded(
        created=True,
        message="Demo data loaded.",
        orders=orders,
        seconds=seconds,
        by_status=by_status,
        actions=builder.actions_used,
        returns_by_status=dict(Counter(Return.objects.values_list("status", flat=True))),
    )


class _Builder:
    def __init__(self, rng: random.Random, *, orders: int, days: int):
        self.rng = rng
        self.n = orders
        self.days = days
        self.now = timezone.now()
        self.users: dict = {}
        self.pages: dict[str, LandingPage] = {}
        self.variants: dict[str, Variant] = {}
        self.stocked: dict[str, set[str]] = defaultdict(set)  # warehouse -> skus
        self.product_skus: dict[str, list[str]] = {}
        self.round_robin: Counter = Counter()
        self.actions_used: set[str] = set()
        self.invoice_seq = 0
        self.returns: list[ReturnPlan] = []

    # --- reference data ------------------------------------------------------------

    def run(self) -> None:
        ShopSettings.get()
        self._users()
        self._catalog()
        self._couriers()
        self._pages()
        for name, color in TAGS:
            Tag.objects.get_or_create(name=name, defaults={"color": color})
        plans = self._plans()
        made = [(plan, self._execute(plan)) for plan in plans]
        # Returns come next, while every order was delivered moments ago; then the dates.
        self.returns = _Returns(self, made).run()
        self._backdate(made)
        for page in self.pages.values():
            page.save(update_fields=["last_agent_index"])

    def _users(self) -> None:
        User = get_user_model()
        hashed = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        created = []
        for username, role, first, last in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(
                    username=username,
                    role=role,
                    first_name=first,
                    email=f"{username}@tokoberkah.example",
                )
                created.append(user.pk)
                user.last_name = last
                user.password = hashed
                user.save(update_fields=["last_name", "password"])
            self.users[username] = user
        User.objects.filter(pk__in=created).update(
            date_joined=self.now - dt.timedelta(days=self.days + 30)
        )

    def _catalog(self) -> None:
        for code, name, city, address in WAREHOUSES:
            Warehouse.objects.get_or_create(
                code=code, defaults={"name": name, "city": city, "address": address}
            )
        warehouses = {w.code: w for w in Warehouse.objects.all()}
        for slug, name, description, stocked_in, variants in PRODUCTS:
            product, _c = Product.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
            self.product_skus[slug] = [sku for sku, *_rest in variants]
            for sku, vname, price, weight in variants:
                variant, _c = Variant.objects.get_or_create(
                    sku=sku,
                    defaults={
                        "product": product,
                        "name": vname,
                        "price": price,
                        "weight_grams": weight,
                    },
                )
                self.variants[sku] = variant
                for code in stocked_in:
                    on_hand = (
                        self.rng.randrange(500, 900, 10)
                        if code == "jkt"
                        else self.rng.randrange(300, 600, 10)
                    )
                    Stock.objects.get_or_create(
                        variant=variant, warehouse=warehouses[code], defaults={"on_hand": on_hand}
                    )
                    self.stocked[code].add(sku)
        Product.objects.filter(slug__in=[p[0] for p in PRODUCTS]).update(
            created_at=self.now - dt.timedelta(days=self.days + 20)
        )

    def _couriers(self) -> None:
        for code, name, services, url in COURIERS:
            Courier.objects.get_or_create(
                code=code, defaults={"name": name, "services": services, "tracking_url": url}
            )

    def _pages(self) -> None:
        for name, slug, product_slug, warehouse, agents in LANDING_PAGES:
            page, created = LandingPage.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "product": Product.objects.get(slug=product_slug),
                    "warehouse": Warehouse.objects.get(code=warehouse),
                    "payment_methods": ["cod", "bank_transfer"],
                    "payment_instructions": "Transfer ke salah satu rekening berikut, lalu kirim bukti transfer "
                    "lewat WhatsApp:\n" + "\n".join(BANK_ACCOUNTS),
                },
            )
            if created:
                page.agents.set([self.users[a] for a in agents])
            self.pages[slug] = page
        LandingPage.objects.filter(slug__in=self.pages).update(
            created_at=self.now - dt.timedelta(days=self.days + 10)
        )

    # --- plans -----------------------------------------------------------------------

    def _targets(self) -> list[str]:
        statuses = list(STATUS_WEIGHTS)
        counts = dict.fromkeys(statuses, 1 if self.n >= len(statuses) else 0)
        rest = self.n - sum(counts.values())
        total_weight = sum(STATUS_WEIGHTS.values())
        shares = {s: rest * STATUS_WEIGHTS[s] / total_weight for s in statuses}
        for s in statuses:
            counts[s] += int(shares[s])
        left = self.n - sum(counts.values())
        for s in sorted(statuses, key=lambda s: shares[s] - int(shares[s]), reverse=True)[:left]:
            counts[s] += 1
        targets = [s for s in statuses for _i in range(counts[s])]
        self.rng.shuffle(targets)
        return targets

    def _customers(self, count: int) -> list[dict]:
        rng, seen, people = self.rng, set(), []
        while len(people) < count:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if first in ("Putu", "Made", "Kadek", "Nyoman"):
                last = rng.choice(["Ayu Wulandari", "Suarta", "Wirawan", "Sudiarta", "Ayu Lestari"])
            name = f"{first} {last}".strip()
            phone = rng.choice(PHONE_PREFIXES) + "".join(
                str(rng.randrange(10)) for _ in range(rng.choice((7, 8)))
            )
            if phone in seen or not phonenumbers.is_valid_number(phonenumbers.parse(phone, "ID")):
                continue
            seen.add(phone)
            city, province, postal, region = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
            if rng.random() < 0.2:
                street = f"{rng.choice(HOUSING)} Blok {rng.choice('ABCDEFGH')}{rng.randint(1, 20)} No. {rng.randint(1, 40)}"
            else:
                street = f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}"
            address = (
                f"{street}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}, "
                f"Kel. {rng.choice(VILLAGES)}, Kec. {rng.choice(DISTRICTS)}, {city}, {province} "
                f"{postal}{rng.randint(100, 999)}"
            )
            if rng.random() < 0.15:
                address += f" ({rng.choice(ADDRESS_HINTS)})"
            shown = phone
            if rng.random() < 0.1:
                shown = f"+62 {phone[1:4]}-{phone[4:8]}-{phone[8:]}"
            email = ""
            if rng.random() < 0.3:
                email = f"{first.lower()}.{(last.split() or ['x'])[-1].lower() or 'x'}{rng.randint(1, 99)}@gmail.com"
            people.append(
                {
                    "name": name,
                    "phone": shown,
                    "address": address,
                    "city": city,
                    "email": email,
                    "region": region,
                }
            )
        return people

    def _plans(self) -> list[Plan]:
        rng = self.rng
        targets = self._targets()
        people = self._customers(self.n)
        plans, used = [], []
        for target in targets:
            # Most buyers order once; some come back.
            if used and rng.random() < 0.22:
                customer = rng.choice(used)
            else:
                customer = people[len(used)]
                used.append(customer)
            method = (
                METHOD_FOR_STATUS.get(target)
                or rng.choices(
                    ["cod", "bank_transfer", "payment_gateway", "invoice"], weights=[58, 30, 8, 4]
                )[0]
            )
            plans.append(self._plan(target, method, customer))
        # Buyers who came back three times or more are VIPs from their third order on.
        per_phone = defaultdict(list)
        for plan in plans:
            per_phone[plan.customer["phone"]].append(plan)
        for plan in plans:
            plan.times = self._times(plan)
        for same in per_phone.values():
            same.sort(key=lambda p: p.times[0])
            for plan in same[2:]:
                if "VIP" not in plan.tags:
                    plan.tags.append("VIP")
        plans.sort(key=lambda p: p.times[0])
        return plans

    def _plan(self, target: str, method: str, customer: dict) -> Plan:
        rng = self.rng
        reseller = method == "invoice" or (method == "bank_transfer" and rng.random() < 0.05)
        use_page = method in ("cod", "bank_transfer") and not reseller and rng.random() < 0.92
        if use_page:
            slug = rng.choice(list(self.pages))
            page = self.pages[slug]
            warehouse = page.warehouse.code
            skus = self.product_skus[page.product.slug]
            first = rng.choice(skus)
            lines = [(first, rng.choices([1, 2, 3], weights=[55, 35, 10])[0], None)]
            if len(skus) > 1 and rng.random() < 0.2:
                lines.append((rng.choice([s for s in skus if s != first]), 1, None))
            plan_kw = {
                "channel": "landing_page",
                "landing_page": slug,
                "creator": None,
                "source": "customer",
            }
            if rng.random() < 0.25:
                plan_kw["note"] = rng.choice(CUSTOMER_NOTES)
        else:
            near_sby = customer["region"] in ("jatim", "bali", "sulawesi", "kalimantan", "timur")
            warehouse = "sby" if near_sby and rng.random() < 0.7 else "jkt"
            skus = sorted(self.stocked[warehouse])
            count = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            lines = []
            for sku in rng.sample(skus, count):
                if reseller:
                    price = self.variants[sku].price * 85 // 100 // 500 * 500
                    lines.append((sku, rng.randint(5, 12), price))
                else:
                    lines.append((sku, rng.choices([1, 2], weights=[75, 25])[0], None))
            if method == "payment_gateway" and rng.random() < 0.7:
                plan_kw = {"channel": "api", "creator": "owner", "source": "api"}
            elif rng.random() < 0.5:
                plan_kw = {"channel": "manual", "creator": "@agent", "source": "web"}
            else:
                plan_kw = {"channel": "manual", "creator": "admin", "source": "web"}
        courier = rng.choices([c[0] for c in COURIERS], weights=[30, 25, 20, 15, 10])[0]
        services = next(c[2] for c in COURIERS if c[0] == courier)
        service = services[0] if rng.random() < 0.8 else rng.choice(services)
        weight = sum(self.variants[sku].weight_grams * qty for sku, qty, _p in lines)
        subtotal = sum((price or self.variants[sku].price) * qty for sku, qty, price in lines)
        plan = Plan(
            target=target,
            method=method,
            customer=customer,
            lines=lines,
            warehouse=warehouse,
            courier=courier,
            service=service,
            shipping_cost=self._shipping_cost(warehouse, customer["region"], weight, service),
            **plan_kw,
        )
        if subtotal > 300000 and rng.random() < 0.3:
            plan.insurance = max(1000, subtotal * 25 // 10000 // 100 * 100)
        if reseller:
            plan.tags.append("Reseller")
            plan.discount = rng.choice([0, 10000, 25000])
        elif plan.channel == "manual" and rng.random() < 0.15:
            plan.discount = rng.choice([5000, 10000, 15000])
        plan.steps = self._steps(plan)
        return plan

    @staticmethod
    def _shipping_cost(warehouse: str, region: str, weight: int, service: str) -> int:
        per_kg = {
            "jkt": {
                "jawa": 10000,
                "jatim": 13000,
                "sumatera": 18000,
                "bali": 22000,
                "kalimantan": 27000,
                "sulawesi": 31000,
                "timur": 56000,
            },
            "sby": {
                "jawa": 12000,
                "jatim": 8000,
                "sumatera": 25000,
                "bali": 15000,
                "kalimantan": 22000,
                "sulawesi": 26000,
                "timur": 50000,
            },
        }[warehouse][region]
        cost = per_kg * max(1, math.ceil(weight / 1000))
        if service in FAST_SERVICES:
            cost = cost * 16 // 10
        return cost // 500 * 500

    # --- the path of each order ---------------------------------------------------------

    def _steps(self, plan: Plan) -> list[Step]:
        rng, target, method = self.rng, plan.target, plan.method
        steps: list[Step] = []

        def act(action, actor=None, source=None, variant=""):
            if actor is None:
                actor, source = self._actor_for(action)
            steps.append(Step("action", action, actor, source or "web", variant))

        def maybe_note(who, bodies, chance):
            if rng.random() < chance:
                steps.append(Step("note", rng.choice(bodies), who))

        def confirm():
            if rng.random() < 0.03:
                act("confirm")
                act("unconfirm")  # the agent pressed too early
            act("confirm")
            maybe_note("@agent", AGENT_NOTES, 0.08)

        def pay(until=None):
            """From confirmed to a status mark_ready accepts (or to `until` on the way)."""
            if method == "bank_transfer":
                r = rng.random()
                if r < 0.1:
                    act("confirm_payment", variant="partial")
                    act("confirm_payment")
                elif r < 0.15:
                    act("confirm_payment")
                    act("unconfirm_payment")  # wrong transfer matched, done again
                    act("confirm_payment")
                else:
                    act("confirm_payment")
                maybe_note("keuangan", FINANCE_NOTES, 0.1)
            elif method == "payment_gateway":
                act("request_payment")
                if until == "awaiting_payment":
                    if rng.random() < 0.3:
                        act("payment_pending")
                        act("payment_failed")
                    return
                if rng.random() < 0.6 or until == "payment_processing":
                    act("payment_pending")
                    if rng.random() < 0.15:
                        act("payment_failed")
                        act("payment_pending")
                if until == "payment_processing":
                    return
                act("payment_succeeded")
            elif method == "invoice":
                act("create_invoice")
                if until == "invoice_pending":
                    return
                act("issue_invoice")
                if until == "invoice_issued":
                    return
                act("record_invoice_payment")

        def cancellation_detour():
            r = rng.random()
            if r < 0.05:
                act("request_cancellation")
                act("reject_cancellation")
            elif r < 0.07:
                act("request_cancellation")
                act("reopen")  # the buyer changed their mind again

        def ship():
            act("mark_ready")
            maybe_note("gudang", WAREHOUSE_NOTES, 0.05)
            act("ship")
            if rng.random() < 0.04:
                act("cancel_shipment")  # wrong label printed
                act("ship")

        if rng.random() < 0.03 and target not in ("new",):
            steps.append(Step("assign", rng.choice(AGENTS), "admin"))

        if target == "new":
            r = rng.random()
            if r < 0.04:
                act("confirm")
                act("unconfirm")
            elif r < 0.07:
                act("cancel")
                act("reopen")
            if rng.random() < 0.2:
                steps.append(Step("tag", "Follow up", "@agent"))
            return steps
        if target == "cancellation_requested":
            if rng.random() < 0.6:
                confirm()
                if method == "bank_transfer" and rng.random() < 0.3:
                    pay()
            act("request_cancellation")
            return steps
        if target == "cancelled":
            r = rng.random()
            if r < 0.45:
                act("cancel")
            elif r < 0.7:
                confirm()
                if rng.random() < 0.2:
                    steps.append(Step("tag", "Follow up", "@agent"))
                act("cancel")
            elif r < 0.92:
                if rng.random() < 0.5:
                    confirm()
                act("request_cancellation")
                act("approve_cancellation")
            else:
                act("cancel")
                act("reopen")
                act("cancel")
            return steps

        confirm()
        if target == "confirmed":
            if rng.random() < 0.25:
                steps.append(Step("tag", "Follow up", "@agent"))
            return steps
        if target in ("paid", "partially_paid"):
            if target == "partially_paid":
                act("confirm_payment", variant="partial")
            else:
                pay()
            return steps
        if target in (
            "awaiting_payment",
            "payment_processing",
            "payment_completed",
            "invoice_pending",
            "invoice_issued",
            "invoice_paid",
        ):
            pay(until=target)
            return steps

        cancellation_detour()
        pay()
        if target == "ready_to_ship":
            act("mark_ready")
            return steps
        ship()
        if target == "awaiting_pickup":
            return steps
        act("picked_up")
        if target == "in_transit":
            return steps
        if target == "delivery_problem":
            act("report_problem")
            if rng.random() < 0.5:
                steps.append(Step("tag", "Komplain", "@agent"))
            return steps
        if target == "lost_or_damaged":
            if rng.random() < 0.5:
                act("report_problem")
            steps.append(Step("tag", "Komplain", "@agent"))
            act("mark_lost")
            return steps
        if target in ("returning", "returned"):
            if rng.random() < 0.7:
                act("report_problem")
            act("return_to_sender")
            if target == "returned":
                act("returned_to_sender")
            return steps
        if rng.random() < 0.06:
            act("report_problem")
            act("resume_delivery")
        act("delivered")
        if target == "completed":
            act("complete")
        return steps

    def _actor_for(self, action: str) -> tuple[str | None, str]:
        rng = self.rng
        if action == "request_cancellation":
            return (None, "customer") if rng.random() < 0.8 else ("@agent", "web")
        if action == "approve_cancellation" and rng.random() < 0.25:
            return None, "system"  # the cancellation window ran out
        if action in PROCESS_ACTIONS:
            return ("admin", "web") if rng.random() < 0.1 else ("@agent", "web")
        if action in FINANCE_ACTIONS:
            return ("owner", "web") if rng.random() < 0.1 else ("keuangan", "web")
        if action in GATEWAY_ACTIONS:
            return None, "system"
        if action in COURIER_EVENTS:
            return (None, "system") if rng.random() < 0.6 else ("gudang", "web")
        return "gudang", "web"

    def _times(self, plan: Plan) -> list[dt.datetime]:
        rng = self.rng
        gaps = []
        window = ShopSettings.get().cancellation_window_hours * 60
        for step in plan.steps:
            key = step.name if step.kind == "action" else step.kind
            if step.name == "approve_cancellation" and step.actor is None:
                gaps.append(window + rng.randint(1, 10))
            else:
                gaps.append(rng.randint(*DELAYS[key]))
        busy = sum(gaps)
        horizon = self.days * 1440
        if plan.target in IDLE:
            idle = rng.randint(*IDLE[plan.target])
        else:
            idle = rng.randint(60, max(61, horizon - busy))
        start = self.now - dt.timedelta(minutes=busy + idle, seconds=rng.randint(0, 59))
        times = [start]
        for gap in gaps:
            times.append(times[-1] + dt.timedelta(minutes=gap, seconds=rng.randint(0, 59)))
        return times

    # --- running the plans through the services --------------------------------------------

    def _agent_for(self, plan: Plan) -> str:
        if plan.landing_page:
            page = self.pages[plan.landing_page]
            agents = LANDING_PAGES[[p[1] for p in LANDING_PAGES].index(plan.landing_page)][4]
            page.last_agent_index = (page.last_agent_index + 1) % len(agents)
            return agents[page.last_agent_index]
        self.round_robin["manual"] += 1
        return AGENTS[self.round_robin["manual"] % len(AGENTS)]

    def _execute(self, plan: Plan) -> Order:
        agent = self._agent_for(plan)
        user = self.users.get
        creator = agent if plan.creator == "@agent" else plan.creator
        c = plan.customer
        order = order_create(
            data=OrderInput(
                customer=CustomerInput(
                    name=c["name"],
                    phone=c["phone"],
                    address=c["address"],
                    email=c["email"],
                    city=c["city"],
                ),
                lines=[
                    LineInput(sku=sku, qty=qty, unit_price=price) for sku, qty, price in plan.lines
                ],
                payment_method=plan.method,
                warehouse=plan.warehouse,
                courier=plan.courier,
                courier_service=plan.service,
                shipping_cost=plan.shipping_cost,
                insurance_cost=plan.insurance,
                discount=plan.discount,
                channel=plan.channel,
                landing_page=plan.landing_page,
                agent=agent,
                tags=plan.tags,
                note=plan.note,
            ),
            actor=user(creator) if creator else None,
            source=plan.source,
        )
        reference = order.reference
        for step, when in zip(plan.steps, plan.times[1:], strict=True):
            actor = user(agent if step.actor == "@agent" else step.actor) if step.actor else None
            if step.kind == "action":
                order = order_apply_action(
                    reference=reference,
                    action=step.name,
                    actor=actor,
                    inputs=self._inputs(step, order, plan, when),
                    source=step.source,
                )
                self.actions_used.add(step.name)
            elif step.kind == "tag":
                order_tag(reference=reference, actor=actor, add=[step.name], source="web")
            elif step.kind == "note":
                order_add_note(reference=reference, actor=actor, body=step.name, source="web")
            elif step.kind == "assign":
                new_agent = (
                    step.name
                    if step.name != agent
                    else AGENTS[(AGENTS.index(agent) + 1) % len(AGENTS)]
                )
                order_assign_agent(reference=reference, actor=actor, agent=new_agent, source="web")
                agent = new_agent
        assert order.status == plan.target, (reference, plan.target, order.status)
        return order

    def _inputs(self, step: Step, order: Order, plan: Plan, when: dt.datetime) -> dict:
        rng, action = self.rng, step.name
        day = timezone.localtime(when).date()
        if action == "confirm_payment":
            amount = order.total - order.paid_total
            if step.variant == "partial":
                amount = max(1000, order.total // 2 // 1000 * 1000)
            return {
                "amount": amount,
                "paid_on": day.isoformat(),
                "account": rng.choice(BANK_ACCOUNTS),
                "reference": f"TRF{rng.randint(10**9, 10**10 - 1)}",
            }
        if action == "request_payment":
            return {"payment_link": f"https://pay.tokoberkah.example/i/{rng.getrandbits(48):012x}"}
        if action in ("payment_pending", "payment_succeeded"):
            return {"reference": f"PG-{rng.getrandbits(40):010X}"}
        if action == "payment_failed":
            return {"reason": rng.choice(["Kartu ditolak", "Virtual account kedaluwarsa"])}
        if action == "issue_invoice":
            self.invoice_seq += 1
            due = day + dt.timedelta(days=rng.choice([14, 30]))
            return {"number": f"INV/{day:%Y%m}/{self.invoice_seq:04d}", "due_date": due.isoformat()}
        if action == "record_invoice_payment":
            return {"paid_on": day.isoformat(), "reference": f"TRF{rng.randint(10**9, 10**10 - 1)}"}
        if action == "ship":
            courier = plan.courier if rng.random() < 0.9 else rng.choice([c[0] for c in COURIERS])
            return {"courier": courier, "awb": self._awb(courier, plan.warehouse)}
        if action in ("cancel",):
            return {"reason": rng.choice(CANCEL_REASONS)}
        if action == "request_cancellation":
            return {"reason": rng.choice(CUSTOMER_CANCEL_REASONS)}
        if action == "reject_cancellation":
            return {"reason": rng.choice(REJECT_REASONS)}
        if action == "report_problem":
            return {"reason": rng.choice(PROBLEM_REASONS)}
        if action == "mark_lost":
            return {"reason": rng.choice(LOST_REASONS)}
        return {}

    def _awb(self, courier: str, warehouse: str) -> str:
        r = self.rng.randint
        return {
            "jne": f"{'CGK' if warehouse == 'jkt' else 'SUB'}{r(10**12, 10**13 - 1)}",
            "jnt": f"JP{r(10**9, 10**10 - 1)}",
            "sicepat": f"00{r(10**9, 10**10 - 1)}",
            "anteraja": f"1000{r(10**10, 10**11 - 1)}",
            "pos": f"P{r(10**11, 10**12 - 1)}",
        }[courier]

    # --- spreading the dates ---------------------------------------------------------------

    def _backdate(self, made: list[tuple[Plan, Order]]) -> None:
        """Move every timestamp of the demo orders from "the few seconds of the load" to the
        plan's times. A timestamp set by an action's effect (confirmed_at, ...) moves with
        the timeline event written right after it, so the story stays consistent."""
        settings_row = ShopSettings.get()
        ship_window = dt.timedelta(hours=settings_row.shipping_deadline_hours)
        cancel_window = dt.timedelta(hours=settings_row.cancellation_window_hours)
        plan_of = {order.pk: plan for plan, order in made}
        ids = list(plan_of)
        real: dict[int, list] = defaultdict(list)
        event_ids: dict[int, list] = defaultdict(list)
        for pk, order_id, created in (
            OrderEvent.objects.filter(order_id__in=ids)
            .order_by("order_id", "id")
            .values_list("pk", "order_id", "created_at")
        ):
            real[order_id].append(created)
            event_ids[order_id].append(pk)

        def mapper(order_id):
            reals, sims = real[order_id], plan_of[order_id].times
            assert len(reals) == len(sims), (order_id, len(reals), len(sims))

            def move(value):
                if value is None:
                    return None
                i = min(bisect.bisect_left(reals, value), len(reals) - 1)
                return sims[i] - (reals[i] - value)

            return move

        moves = {pk: mapper(pk) for pk in ids}
        events = [
            OrderEvent(pk=pk, created_at=plan_of[oid].times[i])
            for oid in ids
            for i, pk in enumerate(event_ids[oid])
        ]
        _update_rows(events, ["created_at"])

        fields = [
            "created_at",
            "updated_at",
            "confirmed_at",
            "shipped_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
        ]
        orders = list(
            Order.objects.filter(pk__in=ids).only(*fields, "ship_by", "cancellation_deadline")
        )
        for order in orders:
            move = moves[order.pk]
            for name in fields:
                setattr(order, name, move(getattr(order, name)))
            if order.ship_by:  # the clock started at confirmation (COD) or at full payment
                order.ship_by = move(order.ship_by - ship_window) + ship_window
            if order.cancellation_deadline:
                order.cancellation_deadline = (
                    move(order.cancellation_deadline - cancel_window) + cancel_window
                )
        _update_rows(orders, [*fields, "ship_by", "cancellation_deadline"])

        payments = list(Payment.objects.filter(order_id__in=ids))
        for p in payments:
            move = moves[p.order_id]
            p.recorded_at = move(p.recorded_at)
            p.voided_at = move(p.voided_at)
            if p.kind in (Payment.Kind.COD, Payment.Kind.GATEWAY):
                p.paid_on = timezone.localtime(p.recorded_at).date()
        _update_rows(payments, ["recorded_at", "voided_at", "paid_on"])

        notes = list(OrderNote.objects.filter(order_id__in=ids))
        for note in notes:
            note.created_at = moves[note.order_id](note.created_at)
        _update_rows(notes, ["created_at"])

        by_customer = defaultdict(list)
        for customer_id, created in Order.objects.filter(pk__in=ids).values_list(
            "customer_id", "created_at"
        ):
            by_customer[customer_id].append(created)
        customers = list(Customer.objects.filter(pk__in=by_customer))
        for customer in customers:
            customer.created_at = min(by_customer[customer.pk])
            customer.updated_at = max(by_customer[customer.pk])
        _update_rows(customers, ["created_at", "updated_at"])


# --- returns ---------------------------------------------------------------------------

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


class _Returns:
    """Returns on the demo's delivered and completed orders, made only by the returns
    services (and `return_open_whatsapp`) with the user whose role would act: the order's
    agent creates, approves or cancels, the warehouse receives, finance completes and pays
    refunds, the customer asks from the order link.

    They are made right after the orders, while every order was delivered moments ago (so
    each is inside the return window, as it was at the time the story tells), then their
    timestamps are moved onto the story like the orders': every step runs in the order of
    its date, so one mapping from "when the step ran" to "when it happened" moves every row
    the step wrote (events, messages, photos, refunds, the store-credit ledger, the
    replacement orders of exchanges, WhatsApp notes)."""

    def __init__(self, builder: _Builder, made: list[tuple[Plan, Order]]):
        self.b = builder
        self.rng = builder.rng
        self.now = builder.now
        self.made = made
        self.plans: list[ReturnPlan] = []

    def run(self) -> list[ReturnPlan]:
        owner = self.b.users["owner"]
        for position, (code, label, needs_text) in enumerate(RETURN_REASONS):
            if not ReturnReason.objects.filter(code=code).exists():
                return_reason_save(
                    actor=owner, code=code, label=label, needs_text=needs_text, position=position
                )
        for label, status, colour in CUSTOM_STATES:
            if not CustomState.objects.filter(label=label).exists():
                custom_state_save(actor=owner, label=label, status=status, color=colour)
        self._allocate()
        first_ids = {
            model: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
            for model in self._moved_models()
        }
        steps = sorted(
            (
                (when, i, j, plan, name)
                for i, plan in enumerate(self.plans)
                for j, (name, when) in enumerate(plan.steps)
            ),
            key=lambda s: (s[0], s[1], s[2]),
        )
        reals, sims = [], []
        for when, _i, _j, plan, name in steps:
            self._do(plan, name, when)
            reals.append(timezone.now())
            sims.append(when)
        self._backdate(reals, sims, first_ids)
        return self.plans

    # --- which returns, on which orders -------------------------------------------------

    def _allocate(self) -> None:
        rng = self.rng
        info = {
            o["pk"]: o
            for o in Order.objects.filter(pk__in=[o.pk for _p, o in self.made]).values(
                "pk", "paid_total", "payment_method", "assigned_agent__username"
            )
        }
        eligible = []
        for plan, order in self.made:
            if plan.target in ("delivered", "completed"):
                delivered = plan.times[1 + [s.name for s in plan.steps].index("delivered")]
                eligible.append((delivered, order, info[order.pk]))
        count = max(len(REQUIRED_RETURNS), round(len(eligible) * RETURN_SHARE))
        specs = [(s, r, set(x)) for s, r, x in REQUIRED_RETURNS]
        while len(specs) < count:
            status = rng.choices(
                list(RETURN_STATUS_WEIGHTS), weights=list(RETURN_STATUS_WEIGHTS.values())
            )[0]
            resolution = rng.choices(
                list(RESOLUTION_WEIGHTS), weights=list(RESOLUTION_WEIGHTS.values())
            )[0]
            extras = {
                x
                for x, chance in (
                    ("paid", 0.6),
                    ("fee", 0.2),
                    ("label", 0.3),
                    ("whatsapp", 0.15),
                    ("custom_state", 0.4),
                    ("request", 0.3),
                    ("partial", 0.1),
                    ("photo", 0.1),
                )
                if rng.random() < chance
            }
            if status == "requested":
                extras |= {"request"} | ({"photos"} if rng.random() < 0.5 else set())
            specs.append((status, resolution, extras))
        # Open returns first: they need an order delivered in the last two weeks or so.
        specs.sort(key=lambda s: s[0] not in OPEN_RETURNS)
        window = dt.timedelta(days=RETURN_WINDOW_DAYS)
        for status, resolution, extras in specs:
            plan = ReturnPlan(status=status, resolution=resolution, extras=extras)
            self._steps(plan)
            # How long ago the order must have been delivered for the story to fit.
            need = sum(plan.gaps, dt.timedelta()) + dt.timedelta(
                minutes=RETURN_IDLE[status][0] if status in RETURN_IDLE else 180
            )
            fits = [e for e in eligible if status != "completed" or e[2]["paid_total"] > 0]
            if not fits:
                continue
            ages = [(self.now - e[0], e) for e in fits]
            if status in OPEN_RETURNS:
                good = [e for age, e in ages if need <= age <= window + need]
                pick = rng.choice(good) if good else min(ages, key=lambda a: a[0])[1]
            else:
                good = [e for age, e in ages if age >= need]
                pick = rng.choice(good or fits)
            eligible.remove(pick)
            delivered, order, row = pick
            plan.order, plan.delivered = order, delivered
            plan.agent = row["assigned_agent__username"] or "admin"
            plan.order_paid, plan.order_method = row["paid_total"], row["payment_method"]
            self.plans.append(plan)
        # The order the story is told in (and the references are drawn in).
        self.plans.sort(key=lambda p: (p.delivered, p.order.pk))
        for plan in self.plans:
            lines = list(OrderLine.objects.filter(order=plan.order).order_by("id"))
            if len(lines) > 1 and rng.random() < 0.5:
                lines = [rng.choice(lines)]
            for line in lines:
                qty = line.qty if line.qty == 1 or rng.random() < 0.7 else rng.randint(1, line.qty)
                if "partial" in plan.extras and line.qty > 1:
                    qty = max(qty, 2)
                plan.lines.append((line, qty))
            self._place(plan)

    def _steps(self, plan: ReturnPlan) -> None:
        """The return's steps to its status, and the time between them."""
        rng, status, extras = self.rng, plan.status, plan.extras
        customer = status == "requested" or ("request" in extras and status != "draft")
        names = ["request" if customer else "create"]
        if status == "rejected":
            names += ["reject"] + (["whatsapp"] if "whatsapp" in extras else [])
            names += ["recreate"] if "recreate" in extras else []
        elif status == "cancelled":
            names += (["approve"] if rng.random() < 0.4 else []) + ["cancel"]
        elif status not in ("requested", "draft"):
            names += ["approve"] + (["label"] if "label" in extras else [])
            names += ["whatsapp"] if "whatsapp" in extras else []
            if status == "awaiting_item" and "custom_state" in extras:
                names.append("custom_state")
            if status == "on_hold":
                names += (["receive"] if rng.random() < 0.3 else []) + ["hold"]
            if status in ("item_received", "completed"):
                names.append("receive")
                names += ["photo"] if "photo" in extras else []
            if status == "item_received" and "custom_state" in extras:
                names.append("custom_state")
            if status == "completed":
                names.append("complete")
                if plan.resolution == "refund" and "paid" in extras:
                    names.append("refund_paid")
        plan.names = names
        plan.gaps = [
            dt.timedelta(minutes=rng.randint(*RETURN_DELAYS[n]), seconds=rng.randint(0, 59))
            for n in names[1:]
        ]

    def _place(self, plan: ReturnPlan) -> None:
        """When each step happened: asked for inside the return window after delivery, an
        open return idle since its last step, everything before now."""
        rng, gaps = self.rng, plan.gaps
        total = sum(gaps, dt.timedelta())
        since = self.now - plan.delivered
        lower = plan.delivered + min(dt.timedelta(hours=3), since / 5)
        latest_start = plan.delivered + dt.timedelta(days=RETURN_WINDOW_DAYS)
        end = self.now - min(dt.timedelta(minutes=20), since / 10)
        if plan.status in RETURN_IDLE:
            start = end - dt.timedelta(minutes=rng.randint(*RETURN_IDLE[plan.status])) - total
        else:
            start = lower + (min(latest_start, end - total) - lower) * rng.random()
        start = min(max(start, lower), latest_start)
        if start + total > end:
            start = max(lower, end - total)
            if start + total > end:  # delivered a moment ago: the story is squeezed
                gaps = [gap * ((end - start) / total) for gap in gaps]
        times = [start]
        for gap in gaps:
            times.append(times[-1] + gap)
        plan.steps = list(zip(plan.names, times, strict=True))

    # --- running the steps through the services --------------------------------------------

    def _user(self, name):
        return self.b.users[name]

    def _agent(self, plan: ReturnPlan):
        return self._user(plan.agent)

    def _do(self, plan: ReturnPlan, name: str, when: dt.datetime) -> None:
        rng = self.rng
        ref = plan.reference
        day = timezone.localtime(when).date()
        if name in ("create", "request"):
            self._create(plan, name, day)
        elif name == "approve":
            inputs = {"message": rng.choice(APPROVE_MESSAGES) if rng.random() < 0.7 else ""}
            if rng.random() < 0.85:
                inputs["target_date"] = (day + dt.timedelta(days=rng.randint(5, 10))).isoformat()
            actor = self._agent(plan) if rng.random() < 0.7 else self._user("admin")
            return_apply_action(
                reference=ref, action="approve", actor=actor, inputs=inputs, source="web"
            )
        elif name == "label":
            ret = Return.objects.select_related("order__warehouse", "order__courier").get(
                reference=ref
            )
            warehouse = ret.order.warehouse
            pdf = _pdf(
                [
                    "LABEL RETUR",
                    f"No. retur: {ref}",
                    f"Pesanan: {ret.order.reference}",
                    f"Dari: {ret.order.recipient_name}",
                    f"Kepada: {warehouse.name if warehouse else 'Toko Berkah Jaya'}",
                    (warehouse.address if warehouse else "")[:60],
                    f"Kurir: {ret.order.courier.name if ret.order.courier_id else 'bebas'}",
                ]
            )
            return_attach_label(
                reference=ref,
                actor=self._user("admin"),
                file=ContentFile(pdf, name=f"label-{ref}.pdf"),
                source="web",
            )
        elif name == "whatsapp":
            return_open_whatsapp(reference=ref, actor=self._agent(plan), source="web")
        elif name == "custom_state":
            ret = Return.objects.get(reference=ref)
            label = next(label for label, status, _c in CUSTOM_STATES if status == ret.status)
            return_edit(
                reference=ref,
                actor=self._user("admin"),
                changes={"custom_state": label},
                source="web",
            )
        elif name == "hold":
            return_apply_action(
                reference=ref,
                action="hold",
                actor=self._user("admin"),
                inputs={"reason": rng.choice(HOLD_REASONS)},
                source="web",
            )
        elif name == "receive":
            self._receive(plan)
        elif name == "photo":
            line = plan.lines[0][0]
            return_add_photo(
                reference=ref,
                actor=self._user("admin"),
                sku=line.sku,
                source="web",
                file=ContentFile(_png((180, 120, 90)), name=f"cek-gudang-{ref}.png"),
            )
        elif name == "complete":
            self._complete(plan)
        elif name == "refund_paid":
            refund = Refund.objects.filter(return_order__reference=ref, status="pending").first()
            if refund is None:  # nothing was left to refund
                return
            proof = None
            if refund.method == "bank_transfer":
                proof = ContentFile(
                    _pdf(
                        [
                            "BUKTI TRANSFER",
                            f"{refund.bank_name} {refund.account_number}",
                            f"a.n. {refund.account_holder}",
                            f"Rp {refund.amount:,}".replace(",", "."),
                            f"Retur {ref}",
                        ]
                    ),
                    name=f"bukti-transfer-{ref}.pdf",
                )
            refund_mark_paid(
                refund_id=refund.pk,
                actor=self._user("keuangan"),
                paid_on=day,
                proof=proof,
                reference=f"TRF{rng.randint(10**9, 10**10 - 1)}",
                source="web",
            )
        elif name == "reject":
            actor = self._user("admin") if rng.random() < 0.5 else self._agent(plan)
            return_apply_action(
                reference=ref,
                action="reject",
                actor=actor,
                inputs={"message": rng.choice(RETURN_REJECT_MESSAGES)},
                source="web",
            )
        elif name == "cancel":
            return_apply_action(
                reference=ref,
                action="cancel",
                actor=self._agent(plan),
                inputs={"reason": rng.choice(RETURN_CANCEL_REASONS)},
                source="web",
            )
        elif name == "recreate":
            new = return_recreate(reference=ref, actor=self._agent(plan), source="web")
            plan.recreated = new.reference
        else:  # pragma: no cover - a typo in the schedule
            raise ValueError(name)

    def _create(self, plan: ReturnPlan, name: str, day: dt.date) -> None:
        rng = self.rng
        first = plan.lines[0][0]
        code, words = rng.choice(RETURN_WHY.get(first.sku.split("-")[0], [("changed_mind", "")]))
        customer = name == "request"
        data = ReturnInput(
            order=plan.order.reference,
            reason=code,
            reason_text=words,
            resolution=plan.resolution,
            lines=[ReturnLineInput(line=line.pk, qty=qty) for line, qty in plan.lines],
        )
        value = sum(line.unit_price * qty for line, qty in plan.lines)
        if (
            "fee" in plan.extras
            and plan.resolution in ("refund", "store_credit")
            and value > 3 * RETURN_FEE[1]
        ):
            data.extra_lines = [ExtraLineInput(*RETURN_FEE)]
        if plan.resolution == "exchange_other":
            data.exchange_items = [ExchangeItemInput(sku=self._other_sku(plan), qty=1)]
        if not customer:
            r = rng.random()
            if r < 0.35:
                data.responsible_user = plan.agent
            elif r < 0.55:
                data.responsible_group = "warehouse"
            elif r < 0.65:
                data.responsible_user = "gudang"
            if "target" in plan.extras:
                data.target_date = day + dt.timedelta(days=rng.randint(3, 7))
            ret = return_create(data=data, actor=self._agent(plan), source="web")
        else:
            photos = []
            if "photos" in plan.extras:
                colours = [(200, 60, 60), (60, 120, 200), (90, 160, 90)]
                photos = [
                    (first.sku, ContentFile(_png(rng.choice(colours)), name=f"foto-{i + 1}.png"))
                    for i in range(rng.randint(1, 2))
                ]
            ret = return_request(
                order_id=plan.order.pk, data=data, photos=photos, source="customer"
            )
        plan.reference = ret.reference

    def _other_sku(self, plan: ReturnPlan) -> str:
        """exchange_other: another size or colour of the product, else another product of the
        order's warehouse."""
        first = plan.lines[0][0].sku
        warehouse = plan.order.warehouse.code if plan.order.warehouse_id else "jkt"
        stocked = self.b.stocked[warehouse]
        for skus in self.b.product_skus.values():
            if first in skus:
                siblings = [s for s in skus if s != first and s in stocked]
                if siblings:
                    return self.rng.choice(siblings)
        return self.rng.choice(sorted(s for s in stocked if s != first))

    def _receive(self, plan: ReturnPlan) -> None:
        rng = self.rng
        ret = Return.objects.select_related("reason").get(reference=plan.reference)
        lines = []
        for line in ret.lines.all():
            if ret.reason.code == "damaged":
                condition = rng.choice(["damaged", "defective"])
            else:
                condition = "resellable" if rng.random() < 0.8 else "opened"
            lines.append({"line": line.pk, "qty": line.qty, "condition": condition})
        inputs = {"lines": lines, "message": rng.choice(RECEIVE_MESSAGES)}
        return_apply_action(
            reference=plan.reference,
            action="receive",
            actor=self._user("gudang"),
            inputs=inputs,
            source="web",
        )

    def _complete(self, plan: ReturnPlan) -> None:
        rng = self.rng
        ret = Return.objects.get(reference=plan.reference)
        lines, accepted = [], 0
        for line in ret.lines.all():
            qty = line.qty_received or 0
            if "partial" in plan.extras and qty > 1 and not lines:
                lines.append({"line": line.pk, "decision": "accept", "qty": qty - 1})
                qty -= 1
            else:
                lines.append({"line": line.pk, "decision": "accept"})
            accepted += qty * line.unit_price
        inputs = {
            "lines": lines,
            "message": COMPLETE_MESSAGES[plan.resolution] if rng.random() < 0.8 else "",
        }
        if plan.resolution in ("refund", "store_credit"):
            credit = max(accepted - sum(e.amount for e in ret.extra_lines.all()), 0)
            if credit > plan.order_paid:
                inputs["refund_amount"] = plan.order_paid
        if plan.resolution == "refund":
            method = (
                "bank_transfer"
                if "bank" in plan.extras or plan.order_method != "payment_gateway"
                else "original"
            )
            inputs["refund_method"] = method
            if method == "bank_transfer":
                inputs.update(
                    bank_name=rng.choice(BANKS),
                    account_number=str(rng.randint(10**9, 10**10 - 1)),
                    account_holder=plan.order.recipient_name,
                )
        return_apply_action(
            reference=plan.reference,
            action="complete",
            actor=self._user("keuangan"),
            inputs=inputs,
            source="web",
        )

    # --- spreading the dates ---------------------------------------------------------------

    @staticmethod
    def _moved_models() -> list:
        return [
            Return,
            ReturnEvent,
            ReturnMessage,
            ReturnPhoto,
            Refund,
            StoreCreditEntry,
            Notification,
            Order,
            OrderEvent,
        ]

    def _backdate(self, reals: list, sims: list, first_ids: dict) -> None:
        """Each row written by the steps gets the date of the step that wrote it (minus the
        milliseconds it was written before the step's end, so rows keep their order)."""
        if not reals:
            return

        def move(value):
            if value is None:
                return None
            i = min(bisect.bisect_left(reals, value), len(reals) - 1)
            return sims[i] - (reals[i] - value)

        for model in self._moved_models():
            names = [f.name for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
            extra = ["method", "paid_on"] if model is Refund else []
            rows = list(model.objects.filter(pk__gt=first_ids[model]).only(*names, *extra))
            for row in rows:
                for name in names:
                    setattr(row, name, move(getattr(row, name)))
            if model is Refund:
                for row in rows:  # store credit is paid on the day it is written
                    if row.method == "store_credit" and row.paid_recorded_at is not None:
                        row.paid_on = timezone.localtime(row.paid_recorded_at).date()
                names.append("paid_on")
            _update_rows(rows, names)


def _update_rows(objs: list, names: list[str]) -> None:
    """UPDATE … WHERE id = … for each object, in one executemany: Django's bulk_update
    builds a CASE per column and is many times slower for a few thousand rows."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [meta.get_field(name) for name in names]
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {sets} WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def summary_lines(result: Loaded) -> list[str]:
    lines = [result.message]
    if result.created:
        lines[0] = (
            f"Demo data loaded in {result.seconds:.1f} s: {result.orders} orders, "
            f"{Customer.objects.count()} customers, {Product.objects.count()} products "
            f"({Variant.objects.count()} variants), {Warehouse.objects.count()} warehouses, "
            f"{Courier.objects.count()} couriers, {LandingPage.objects.count()} landing pages."
        )
        order = [s for s in Status.values if s in result.by_status]
        lines.append("Orders by status: " + ", ".join(f"{s} {result.by_status[s]}" for s in order))
        lines.append(f"Actions used: {len(result.actions)} of {len(ORDER_TRANSITIONS)}.")
        returns = result.returns_by_status
        lines.append(
            f"Returns: {sum(returns.values())} ("
            + ", ".join(f"{s} {returns[s]}" for s in ReturnStatus.values if s in returns)
            + f"); refunds {Refund.objects.count()} ({Refund.objects.filter(status='pending').count()} pending), "
            f"{Order.objects.filter(replaces_return__isnull=False).count()} replacement orders of exchanges."
        )
    lines.append(f"Logins (password {DEMO_PASSWORD}): " + ", ".join(u[0] for u in USERS))
    return lines
