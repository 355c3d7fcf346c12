import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Export files go to a fresh MEDIA_ROOT per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _comma_shop(settings):
    """The tests here were written for a shop whose Excel separates with "," (an English
    shop); the Indonesian default (";" and decimal comma) has its own tests
    (test_indonesian_excel.py), which set LANGUAGE_CODE back to "id"."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def client_for():
    """A logged-in page client speaking English (column names are the English msgids)."""

    def make(user):
        c = Client(headers={"Accept-Language": "en"})
        c.force_login(user)
        return c

    return make
