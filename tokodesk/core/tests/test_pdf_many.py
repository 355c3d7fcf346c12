"""core.pdf.html_to_pdf_many: documents laid out here and in spawned processes come back
one PDF each, in the order given, whichever process finished first (the bulk labels join
them in that order)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tokodesk.core import pdf


def documents(count: int) -> list[str]:
    # Unequal lengths: the processes finish out of turn.
    return [
        f"<html><body><p>DOC-{i:02d}</p>{'<p>x</p>' * (40 if i % 3 == 0 else 1)}</body></html>"
        for i in range(count)
    ]


def first_words(parts: list[bytes]) -> list[str]:
    return [PdfReader(io.BytesIO(part)).pages[0].extract_text().split()[0] for part in parts]


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_each_document_comes_back_in_its_place(processes):
    parts = pdf.html_to_pdf_many(documents(7), lean=True, processes=processes)
    assert first_words(parts) == [f"DOC-{i:02d}" for i in range(7)]


def test_where_processes_cannot_start_the_documents_are_laid_out_here(monkeypatch):
    import concurrent.futures

    class NoProcesses:
        def __init__(self, *args, **kwargs):
            raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoProcesses)
    parts = pdf.html_to_pdf_many(documents(4), lean=True, processes=2)
    assert first_words(parts) == [f"DOC-{i:02d}" for i in range(4)]
