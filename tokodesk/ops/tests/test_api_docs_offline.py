"""/api/v1/docs works offline: Swagger UI comes from our own static files (django-ninja's
bundled copy, served because "ninja" is in INSTALLED_APPS; without it ninja renders a
template that loads Swagger UI from a CDN), and the page names no other host."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_from_our_static_files(owner):
    assert "ninja" in settings.INSTALLED_APPS
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert any(a.endswith("swagger-ui.css") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset}: only our own origin"
        assert not asset.startswith("//"), f"{asset}: a protocol-relative URL is another host"
        assert asset.startswith(
            settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL
        )
        path = (
            asset.split("?")[0].removeprefix("/").removeprefix(settings.STATIC_URL.strip("/") + "/")
        )
        assert finders.find(path), f"{asset} is not among our static files"
    assert not re.search(r"https?://(?!www\.w3\.org/)", html), "the docs page names another host"


def test_the_bundled_init_script_fetches_nothing_from_another_host():
    """The page's own script (ninja's swagger-ui-init.js) only reads our openapi.json."""
    with open(finders.find("ninja/swagger-ui-init.js"), encoding="utf-8") as f:
        code = "\n".join(line for line in f if not line.lstrip().startswith("//"))
    assert not re.search(r"https?://", code)
