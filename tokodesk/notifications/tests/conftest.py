"""Fixtures of the customer-communication tests: files under a fresh MEDIA_ROOT, tasks run
at once (the worker's job, synchronously), and a paid order whose customer has an e-mail."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tokodesk.core.tests import files
from tokodesk.orders.models import Order
from tokodesk.returns.tests.factories import paid_order

EMAIL = "siti@example.com"
# A real one-page PDF: the upload check parses labels.
LABEL_PDF = files.PDF


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def immediate_tasks(settings):
    """Enqueued tasks run at once, in the test (django-tasks' immediate backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def label_file(name="label-jne.pdf"):
    return SimpleUploadedFile(name, LABEL_PDF, content_type="application/pdf")


def with_email(order: Order, email: str = EMAIL) -> Order:
    Order.objects.filter(pk=order.pk).update(recipient_email=email)
    order.refresh_from_db()
    return order


@pytest.fixture
def order(shop, owner):
    """A completed, paid order of Siti Rahayu (2 × KAOS-M, 1 × MADU-500) with her e-mail."""
    return with_email(paid_order(owner))
