import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Export files go to a fresh MEDIA_ROOT per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def client_for():
    """A logged-in page client speaking English (column names are the English msgids)."""

    def make(user):
        c = Client(headers={"Accept-Language": "en"})
        c.force_login(user)
        return c

    return make
