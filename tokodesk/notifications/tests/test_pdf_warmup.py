"""The web process warms WeasyPrint up at start (tokodesk/notifications/pdf_warmup.py),
so the first return slip PDF does not pay for loading it: config/wsgi.py starts the
warm-up thread, the warm-up really loads WeasyPrint, lays out a page and compiles the
slip's template, and TOKODESK_PDF_WARMUP=0 turns it off. (No timing is asserted.)"""

import importlib

import pytest

from tokodesk.notifications import pdf_warmup, slips
from tokodesk.returns.reports import services as report_services


def test_the_wsgi_module_starts_the_warm_up(monkeypatch):
    started = []
    monkeypatch.setattr(pdf_warmup, "start", lambda: started.append(True))
    import config.wsgi  # the first import in this process starts it too

    started.clear()
    importlib.reload(config.wsgi)
    assert started == [True]


def test_warm_up_loads_weasyprint_renders_and_compiles_the_slip_template(monkeypatch):
    # scripts/test.sh installs Pango: as the slip tests, this fails rather than skips without it.
    assert slips.pdf_available(), "WeasyPrint/Pango not installed (scripts/test.sh installs them)"
    compiled = []
    real_compiled = report_services.compiled
    monkeypatch.setattr(
        report_services, "compiled", lambda html: compiled.append(html) or real_compiled(html)
    )
    rendered = []
    weasyprint = slips._weasyprint()
    real_write_pdf = weasyprint.HTML.write_pdf

    def spy(self, *args, **kwargs):
        pdf = real_write_pdf(self, *args, **kwargs)
        rendered.append(pdf)
        return pdf

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", spy)
    assert pdf_warmup.warm_up() is True
    assert compiled == [report_services.default_template("slip")[0]]  # the built-in slip
    assert len(rendered) == 1 and rendered[0].startswith(b"%PDF")


def test_start_runs_warm_up_in_a_daemon_thread(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf_warmup, "warm_up", lambda: calls.append(True) or True)
    monkeypatch.delenv("TOKODESK_PDF_WARMUP", raising=False)
    thread = pdf_warmup.start()
    assert thread is not None and thread.daemon
    thread.join(10)
    assert calls == [True]


def test_start_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(pdf_warmup, "warm_up", lambda: pytest.fail("must not run"))
    monkeypatch.setenv("TOKODESK_PDF_WARMUP", "0")
    assert pdf_warmup.start() is None


def test_a_failing_layout_does_not_raise(monkeypatch):
    # scripts/test.sh installs Pango: as the slip tests, this fails rather than skips without it.
    assert slips.pdf_available(), "WeasyPrint/Pango not installed (scripts/test.sh installs them)"
    weasyprint = slips._weasyprint()

    def boom(self, *args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", boom)
    assert pdf_warmup.warm_up() is False
