"""Issue 17: report templates over the API (/api/v1/report-templates), owner and admin only:
list, read (html, css, variables, version as ETag), save with If-Match (428 without, 412
when it changed since, 422 with the problem's line), preview (HTML or PDF, nothing saved),
reset to the built-in one; and the routes are in the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from tokodesk.notifications.tests.test_slips import pdf_text
from tokodesk.returns.reports import services
from tokodesk.returns.reports.models import ReportTemplate
from tokodesk.returns.tests.test_report_templates import CUSTOM_CSS, CUSTOM_SLIP, made  # noqa: F401

URL = "/api/v1/report-templates"


def _send(client, method, path, body=None, headers=None):
    kwargs = client._headers({"Accept-Language": "en", **(headers or {})})
    data = json.dumps(body) if body is not None else ""
    return getattr(client.client, method)(
        path, data=data, content_type="application/json", **kwargs
    )


def test_list_and_read_the_builtin_templates(shop, api_as):
    c = api_as("owner")
    r = c.get(URL)
    assert r.status_code == 200, r.content
    listed = {t["document"]: t for t in r.json()}
    assert set(listed) == {"slip", "summary"}
    assert listed["slip"]["customised"] is False
    html, css = services.default_template("slip")
    assert listed["slip"]["version"] == services.version_of(html, css)
    r = c.get(f"{URL}/slip")
    assert r.status_code == 200
    body = r.json()
    assert body["html"] == html and body["css"] == css and body["customised"] is False
    assert r["ETag"] == f'"{body["version"]}"'
    assert any(v["name"] == "return.reference" for v in body["variables"])
    assert c.get(f"{URL}/invoice").status_code == 422  # not a document


def test_put_needs_the_version_read(shop, api_as):
    c = api_as("owner")
    version = c.get(f"{URL}/slip").json()["version"]
    body = {"html": CUSTOM_SLIP, "css": CUSTOM_CSS}
    r = _send(c, "put", f"{URL}/slip", body)
    assert r.status_code == 428
    assert r.json()["code"] == "precondition_required" and "If-Match" in r.json()["fields"]
    r = _send(c, "put", f"{URL}/slip", body, {"If-Match": f'"{version + 1}"'})
    assert r.status_code == 412 and r.json()["code"] == "stale_version"
    assert not ReportTemplate.objects.exists()
    r = _send(c, "put", f"{URL}/slip", body, {"If-Match": f'"{version}"'})
    assert r.status_code == 200, r.content
    saved = r.json()
    assert saved["customised"] is True and saved["html"] == CUSTOM_SLIP
    assert saved["version"] == services.version_of(CUSTOM_SLIP, CUSTOM_CSS) != version
    assert r["ETag"] == f'"{saved["version"]}"'
    # The same PUT again (a retry) is the same change, not a conflict.
    r = _send(c, "put", f"{URL}/slip", body, {"If-Match": f'"{version}"'})
    assert r.status_code == 200
    # Other text on the old version is refused; on the new one it is saved (body version too).
    other = {"html": "<p>{{ return.reference }}</p>", "css": ""}
    assert _send(c, "put", f"{URL}/slip", other, {"If-Match": f'"{version}"'}).status_code == 412
    assert _send(c, "put", f"{URL}/slip", {**other, "version": version}).status_code == 409
    r = _send(c, "put", f"{URL}/slip", {**other, "version": saved["version"]})
    assert r.status_code == 200 and ReportTemplate.objects.get().html == other["html"]


def test_put_refuses_a_broken_template_with_its_line(shop, api_as):
    c = api_as("owner")
    version = c.get(f"{URL}/summary").json()["version"]
    html = "<h1>{{ return.reference }}</h1>\n{% if retrun.status %}x{% endif %}"
    with translation.override("en"):
        r = _send(c, "put", f"{URL}/summary", {"html": html, "css": ""}, {"If-Match": str(version)})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input"
    assert r.json()["fields"] == {"html": "Line 2: Unknown variable retrun.status in {% if %}."}
    assert not ReportTemplate.objects.exists()


def test_delete_resets_to_the_builtin(shop, users, api_as):
    services.template_save(actor=users["owner"], document="slip", html=CUSTOM_SLIP, css=CUSTOM_CSS)
    c = api_as("admin")
    assert _send(c, "delete", f"{URL}/slip").status_code == 428
    assert _send(c, "delete", f"{URL}/slip", headers={"If-Match": '"1"'}).status_code == 412
    version = c.get(f"{URL}/slip").json()["version"]
    r = _send(c, "delete", f"{URL}/slip", headers={"If-Match": f'"{version}"'})
    assert r.status_code == 200, r.content
    assert (
        r.json()["customised"] is False and r.json()["html"] == services.default_template("slip")[0]
    )
    assert not ReportTemplate.objects.exists()


def test_preview_renders_html_or_pdf_without_saving(made, api_as):  # noqa: F811
    c = api_as("owner")
    body = {"html": CUSTOM_SLIP, "css": CUSTOM_CSS, "lang": "fr"}
    r = c.post(f"{URL}/slip/preview", body)
    assert r.status_code == 200, r.content
    page = r.content.decode()
    assert r["Content-Type"].startswith("text/html") and "sandbox" in r["Content-Security-Policy"]
    assert "BORDEREAU RMA-000123" in page and "Bonjour" in page  # the sample return
    r = c.post(f"{URL}/slip/preview", {**body, "reference": made.reference, "format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert f"BORDEREAU {made.reference}" in pdf_text(r.content)
    assert not ReportTemplate.objects.exists()
    r = _send(c, "post", f"{URL}/slip/preview", {**body, "reference": "RMA-NOPE"})
    assert r.status_code == 422 and "reference" in r.json()["fields"]
    r = _send(c, "post", f"{URL}/slip/preview", {"html": "{% for x in linez %}{% endfor %}"})
    assert r.status_code == 422
    assert r.json()["fields"]["html"] == "Line 1: Unknown variable linez in {% for %}."


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "viewer"])
def test_only_owner_and_admin(shop, api_as, role):
    c = api_as(role)
    assert c.get(URL).status_code == 403
    assert c.get(f"{URL}/slip").status_code == 403
    r = _send(c, "put", f"{URL}/slip", {"html": "<p>x</p>", "css": ""}, {"If-Match": "*"})
    assert r.status_code == 403
    assert c.post(f"{URL}/slip/preview", {"html": "<p>x</p>"}).status_code == 403
    assert not ReportTemplate.objects.exists()


def test_in_the_openapi_document(shop, api_as):
    paths = api_as("owner").get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[URL]) == {"get"}
    assert set(paths[URL + "/{document}"]) == {"get", "put", "delete"}
    assert "428" in paths[URL + "/{document}"]["put"]["responses"]
    assert set(paths[URL + "/{document}/preview"]) == {"post"}
