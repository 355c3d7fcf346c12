"""Shipping labels for 500 orders in one PDF (issue 14 target: <= 15 s, <= 300 MB RSS).

    .venv/bin/python bench/measure_labels.py [--orders 500] [--format thermal|a4]

Times what the labels endpoint does after its one query: each label's context (Code 128
AWB and QR reference as SVG, tokodesk.dispatch.labels) and WeasyPrint's PDF of them all, with
made-up orders (no database: the query with its prefetch is a few ms of the total). Prints
seconds, pages, PDF size and the process's peak RSS."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--format", default="thermal", choices=("thermal", "a4"))
    args = parser.parse_args()
    import django

    django.setup()
    from django.template.loader import render_to_string

    from tokodesk.dispatch import labels

    start = time.perf_counter()
    rows = []
    for i in range(args.orders):
        ref = f"ORD-{i + 1:06d}"
        awb = f"{3000000000000000 + i * 7919}"
        rows.append(
            {
                "reference": ref,
                "qr": labels.qr_svg(ref),
                "awb": awb,
                "barcode": labels.barcode_svg(awb),
                "courier": "JNE",
                "service": "REG",
                "recipient_name": "Siti Rahayu",
                "recipient_phone": "+6281234567890",
                "address": f"Jl. Raya Cileungsi No. {i}, RT 02/RW 05",
                "city": "",
                "district": "Cileungsi, Kab. Bogor, Jawa Barat 16820",
                "items": [("MADU-500", 2), ("KAOS-M", 1)],
                "items_count": 3,
                "weight_kg": "1.6",
                "is_cod": True,
                "cod": "Rp 393.000",
                "shipping_cost": "Rp 18.000",
                "warehouse": "Gudang Jakarta",
                "date": "04/12/2026",
            }
        )
    shop = {"name": "Toko Kami", "address_lines": ["Jl. Melati 5", "Bandung"], "phone": "0812"}
    built = time.perf_counter() - start
    parts = []
    # As labels_pdf does: labels.CHUNK labels per WeasyPrint document, joined with pypdf.
    for n in range(0, len(rows), labels.CHUNK):
        chunk = rows[n : n + labels.CHUNK]
        if args.format == "a4":
            pages = [chunk[i : i + 4] for i in range(0, len(chunk), 4)]
        else:
            pages = [[r] for r in chunk]
        html = render_to_string(
            "shipping/labels.html", {"shop": shop, "pages": pages, "format": args.format}
        )
        parts.append(labels.render_pdf(html))
    pdf = parts[0] if len(parts) == 1 else labels.join_pdfs(parts)
    total = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.orders} labels ({args.format}): {total:.1f} s (contexts+HTML {built:.1f} s), "
        f"{len(pdf) / 1e6:.1f} MB PDF, peak RSS {rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
