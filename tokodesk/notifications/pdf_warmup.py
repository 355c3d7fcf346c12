"""Warm WeasyPrint up when a web process starts, so the first return slip PDF a user asks
for does not pay for loading it.

The first slip in a fresh process took 4.4 s on the demo machine (4-8 s measured on a
loaded 2-CPU box, the next ones 0.5-0.7 s; with the warm-up done, the first one took
about 1 s): importing weasyprint loads cffi, Pango,
HarfBuzz and fontconfig (about 2.3 s alone), and the first layout reads the fonts. A
daemon thread started from config/wsgi.py (so in each gunicorn worker, after the fork,
and under runserver; not in management commands or tests) does both on a tiny page with
the slip's font families, and compiles the slip's template, while the worker waits for its first request.

TOKODESK_PDF_WARMUP=0 turns it off (a server that never prints slips saves the memory).
"""

from __future__ import annotations

import logging
import os
import threading

from tokodesk.notifications import slips
from tokodesk.returns.reports import services as report_services

logger = logging.getLogger("tokodesk.notifications")

# The slip's families (returns/reports/defaults/slip.css), regular, bold and monospace,
# and an inline SVG like its barcode: what the first real slip would otherwise load.
WARM_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-weight: bold; }
.row { display: flex; justify-content: space-between; } th { text-transform: uppercase; }
</style></head><body><div class="row"><p><b>Slip</b> Rp 1.000 × 1</p><p class="mono">RET-000000</p></div>
<table><tr><th>Produk</th><th>Qty</th></tr><tr><td>Kaos Polos – M</td><td class="mono">KAOS-M</td></tr></table>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 4"><rect x="1" y="0" width="2" height="4"/></svg>
</body></html>"""


def warm_up() -> bool:
    """Load WeasyPrint and lay out a tiny page, compile the slip's template and load the
    barcode writer; True when a PDF came out."""
    weasyprint = slips._weasyprint()
    if weasyprint is None:
        return False
    try:
        # The built-in slip template, kept compiled for the first slip.
        report_services.compiled(report_services.default_template("slip")[0])
        slips.barcode_svg("RET-000000")
        pdf = weasyprint.HTML(string=WARM_HTML).write_pdf()
    except Exception:  # a warm-up must never take the worker down
        logger.exception("warming WeasyPrint up failed")
        return False
    return pdf.startswith(b"%PDF")


def start() -> threading.Thread | None:
    """Run `warm_up` in a daemon thread (unless TOKODESK_PDF_WARMUP=0); the thread."""
    if os.environ.get("TOKODESK_PDF_WARMUP", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    thread = threading.Thread(target=warm_up, name="tokodesk-pdf-warmup", daemon=True)
    thread.start()
    return thread
