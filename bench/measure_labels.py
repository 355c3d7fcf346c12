"""Shipping labels for 500 orders in one PDF (issue 14 target: <= 15 s, <= 300 MB RSS).

    .venv/bin/python bench/measure_labels.py [--orders 500] [--format thermal|a4]

Times what the labels endpoint does after its one query: each label's codes (Code 128 AWB
and QR reference as 1-bit PNGs, tokodesk.core.pdf) and labels.render_labels (WeasyPrint, in
labels.CHUNK chunks joined with pypdf), with made-up orders (no database: the query with
its prefetch is a few ms of the total). WeasyPrint's import is done first and reported
apart (a server has it loaded). Prints wall and CPU seconds (the CPU time is the steadier
number on a shared machine), PDF size, the process's peak RSS and the load average."""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS of `root` and all its descendants (the PDF processes and
    multiprocessing's helper), read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class TreeSampler(threading.Thread):
    """Peak of the whole process tree's summed RSS, sampled every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
            self.stop.wait(0.02)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--format", default="thermal", choices=("thermal", "a4"))
    parser.add_argument("--out", help="write the PDF here")
    parser.add_argument("--chunk", type=int, help="labels a WeasyPrint document (labels.CHUNK)")
    args = parser.parse_args()
    import django

    django.setup()
    from tokodesk.core import pdf
    from tokodesk.dispatch import labels

    if args.chunk:
        labels.CHUNK = args.chunk
    weasyprint_start = time.perf_counter()
    pdf.weasyprint_module()  # loaded once per process (the server warms it up at start)
    loaded = time.perf_counter() - weasyprint_start
    sampler = TreeSampler()
    sampler.start()
    start = time.perf_counter()
    cpu_start = time.process_time()
    rows = []
    for i in range(args.orders):
        ref = f"ORD-{i + 1:06d}"
        awb = f"{3000000000000000 + i * 7919}"
        # What labels._label gives for an order (its codes made the same way).
        rows.append(
            {
                "reference": ref,
                "qr": pdf.qr_png(ref),
                "awb": awb,
                "barcode": pdf.barcode_png(awb),
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
    # What labels_pdf does after its query: labels.CHUNK labels a WeasyPrint document,
    # joined with pypdf.
    document = labels.render_labels(rows, args.format, shop)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    sampler.stop.set()
    sampler.join()
    if args.out:
        with open(args.out, "wb") as fh:
            fh.write(document)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The PDF processes' (labels.render_labels lays several documents out at once): the
    # largest one's peak.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_mb = children.ru_maxrss / 1024
    print(
        f"{args.orders} labels ({args.format}): {total:.1f} s wall, {cpu:.1f} s CPU here + {children.ru_utime + children.ru_stime:.1f} s in the PDF processes (codes "
        f"{built:.1f} s; loading WeasyPrint before: {loaded:.1f} s), {len(document) / 1e6:.1f} MB "
        f"PDF, peak RSS {rss_mb:.0f} MB (largest PDF process {child_mb:.0f} MB; whole tree summed at peak {sampler.peak_kb / 1024:.0f} MB), load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
