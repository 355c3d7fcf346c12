"""The demo shop's reference data: users, warehouses, products, couriers, landing pages
and tags."""

from __future__ import annotations

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

# The shop's profile (settings page: e-mails, the return slip and the buyer's pages print it).
SHOP_PROFILE = {
    "shop_name": "Toko Berkah Jaya",
    "address": "Jl. Daan Mogot KM 12 No. 8, Ruko Taman Palem Blok C2",
    "district": "Cengkareng",
    "city": "Jakarta Barat",
    "province": "DKI Jakarta",
    "postal_code": "11730",
    "phone": "021 5435 7788",
    "whatsapp": "0812 8765 4321",
    "email": "halo@berkahjaya.co.id",
}
# bank, account number, holder, offered: two active accounts, an old one kept for the records
SHOP_BANK_ACCOUNTS = [
    ("BCA", "5230812245", "Toko Berkah Jaya", True),
    ("Mandiri", "1310012345678", "Toko Berkah Jaya", True),
    ("BRI", "012301004512503", "Toko Berkah Jaya", False),
]
