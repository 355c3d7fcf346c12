"""The API of export templates and exports: create → 202 → worker → status → download."""

import uuid

import pytest
from django.core.management import call_command

from tokodesk.exports.models import Export, ExportTemplate
from tokodesk.exports.tests.helpers import body, bulk_orders, read_csv
from tokodesk.orders.tests.factories import make_order

COLUMNS = [{"field": "reference", "header": "Ref"}, {"field": "recipient_name", "header": ""},
           {"field": "total", "header": "Jumlah"}]


def run_worker():
    call_command("worker", "--once", "--verbosity", "0")


def test_template_crud(db, api_as):
    owner = api_as("owner")
    r = owner.get("/api/v1/export-templates")
    assert r.status_code == 200
    assert sum(t["built_in"] for t in r.json()) == 3

    r = owner.post("/api/v1/export-templates", {"name": "Gudang", "columns": COLUMNS, "delimiter": ";"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert [c["field"] for c in created["columns"]] == ["reference", "recipient_name", "total"]
    assert [c["header"] for c in created["columns"]] == ["Ref", "", "Jumlah"]
    assert created["delimiter"] == ";" and created["built_in"] is False
    tid = created["id"]

    r = owner.patch(f"/api/v1/export-templates/{tid}", {"columns": COLUMNS[::-1]})
    assert r.status_code == 200
    assert [c["field"] for c in r.json()["columns"]] == ["total", "recipient_name", "reference"]
    assert r.json()["name"] == "Gudang"
    assert owner.get(f"/api/v1/export-templates/{tid}").json()["columns"][0]["header"] == "Jumlah"

    assert owner.post("/api/v1/export-templates", {"name": "gudang", "columns": COLUMNS}).status_code == 422
    r = owner.post("/api/v1/export-templates", {"name": "X", "columns": [{"field": "password"}]})
    assert r.status_code == 422 and "columns.0.field" in r.json()["fields"]
    r = owner.post("/api/v1/export-templates", {"name": "X", "columns": COLUMNS + COLUMNS[:1]})
    assert r.status_code == 422
    assert owner.post("/api/v1/export-templates", {"name": "X", "columns": []}).status_code == 422
    assert owner.post("/api/v1/export-templates", {"name": "X", "columns": COLUMNS, "delimiter": "|"}).status_code == 422

    built_in = ExportTemplate.objects.filter(built_in=True).first()
    assert owner.patch(f"/api/v1/export-templates/{built_in.pk}", {"name": "Mine"}).status_code == 409

    fields = {f["field"]: f for f in owner.get("/api/v1/export-templates/columns").json()}
    assert len(fields) > 50 and fields["awb"]["label"] and fields["awb"]["group"]


def test_only_owner_and_admin_change_templates(db, api_as, users):
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    for role in ("agent", "warehouse", "finance", "viewer"):
        client = api_as(role)
        assert client.get("/api/v1/export-templates").status_code == 200, role  # to choose one
        assert client.post("/api/v1/export-templates", {"name": role, "columns": COLUMNS}).status_code == 403
        assert client.patch(f"/api/v1/export-templates/{tmpl.pk}", {"name": "x"}).status_code == 403
    assert api_as("admin").patch(f"/api/v1/export-templates/{tmpl.pk}", {"name": "Gudang 2"}).status_code == 200


def test_delete_a_template(db, api_as):
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    owner = api_as("owner")
    r = owner.client.delete(f"/api/v1/export-templates/{tmpl.pk}", **owner._headers({}))
    assert r.status_code == 204
    assert not ExportTemplate.objects.filter(pk=tmpl.pk).exists()
    built_in = ExportTemplate.objects.filter(built_in=True).first()
    r = owner.client.delete(f"/api/v1/export-templates/{built_in.pk}", **owner._headers({}))
    assert r.status_code == 409 and r.json()["code"] == "built_in"
    r = owner.client.delete("/api/v1/export-templates/999999", **owner._headers({}))
    assert r.status_code == 404


def test_export_by_filters_through_the_worker(shop, users, api_as):
    owner = users["owner"]
    cod = [make_order(owner, method="cod") for _ in range(3)]
    make_order(owner, method="bank_transfer")
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    client = api_as("owner")

    r = client.post("/api/v1/exports", {"template": tmpl.pk, "filters": {"payment_method": "cod", "tab": "all"}})
    assert r.status_code == 202, r.content
    data = r.json()
    assert data["status"] == "queued" and data["rows_total"] == 3 and data["progress"] == 0
    assert data["download_url"] is None and data["url"].endswith(f"/exports/{data['id']}/")
    url = f"/api/v1/exports/{data['id']}"
    r = client.get(url + "/download")
    assert r.status_code == 409 and r.json()["code"] == "not_ready"

    run_worker()
    data = client.get(url).json()
    assert data["status"] == "done" and data["progress"] == 100 and data["rows_done"] == 3
    assert data["download_url"].endswith(f"/api/v1/exports/{data['id']}/download")
    r = client.get(url + "/download")
    assert r.status_code == 200 and r["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="orders-' in r["Content-Disposition"]
    rows = read_csv(body(r))
    assert rows[0][0] == "Ref" and rows[0][2] == "Jumlah"
    assert sorted(row[0] for row in rows[1:]) == sorted(o.reference for o in cod)
    assert [e["id"] for e in client.get("/api/v1/exports").json()] == [data["id"]]

    # someone else's export does not exist for you
    other = api_as("admin")
    assert other.get(url).status_code == 404
    assert other.get(url + "/download").status_code == 404
    assert client.get(f"/api/v1/exports/{uuid.uuid4()}").status_code == 404


def test_export_by_references_and_agent_scope(shop, users, api_as):
    owner = users["owner"]
    mine = make_order(owner, agent="agent")
    theirs = make_order(owner, agent="agent2")
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    agent = api_as("agent")
    r = agent.post("/api/v1/exports", {"template": tmpl.pk,
                                       "references": [mine.reference, theirs.reference.lower(), "ORD-NOPE"]})
    assert r.status_code == 202 and r.json()["rows_total"] == 1
    run_worker()
    rows = read_csv(body(agent.get(f"/api/v1/exports/{r.json()['id']}/download")))
    assert [row[0] for row in rows[1:]] == [mine.reference]

    r = agent.post("/api/v1/exports", {"template": tmpl.pk, "filters": {}})
    assert r.status_code == 202 and r.json()["rows_total"] == 1


@pytest.mark.parametrize("payload, field", [
    ({"filters": {"payment_methd": "cod"}}, "filters.payment_methd"),  # a typo is not "everything"
    ({"filters": {"status": ["nonsense"]}}, "status"),
    ({"filters": {"tab": "nope"}}, "tab"),
    ({"references": []}, "references"),
    ({"filters": {}, "references": ["ORD-1"]}, "references"),
])
def test_export_input_is_checked(shop, users, api_as, payload, field):
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    r = api_as("owner").post("/api/v1/exports", {"template": tmpl.pk, **payload})
    assert r.status_code == 422, r.content
    assert field in r.json()["fields"], r.json()
    assert Export.objects.count() == 0


def test_export_of_an_unknown_template(db, api_as):
    assert api_as("owner").post("/api/v1/exports", {"template": 999999}).status_code == 404


def test_a_failed_export_says_so(shop, users, api_as, monkeypatch):
    bulk_orders(5)
    tmpl = ExportTemplate.objects.create(name="Gudang", columns=COLUMNS)
    client = api_as("owner")
    export_id = client.post("/api/v1/exports", {"template": tmpl.pk}).json()["id"]

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tokodesk.exports.services.iter_csv", broken)
    run_worker()
    data = client.get(f"/api/v1/exports/{export_id}").json()
    assert data["status"] == "failed" and "disk full" in data["error"] and data["download_url"] is None
    export = Export.objects.get(pk=export_id)
    from tokodesk.exports.services import export_file_path

    assert not export_file_path(export).exists()
    assert not list(export_file_path(export).parent.glob("*.part"))


@pytest.mark.parametrize("template_id", ["0", "-1", str(2**70), "abc"])
def test_odd_template_ids_are_not_found(db, api_as, template_id):
    owner = api_as("owner")
    r = owner.get(f"/api/v1/export-templates/{template_id}")
    assert r.status_code in (404, 422) and r["Content-Type"].startswith("application/json")
    if template_id.lstrip("-").isdigit():
        assert r.status_code == 404
        assert owner.post("/api/v1/exports", {"template": int(template_id)}).status_code == 404
    assert owner.get(f"/api/v1/exports/{template_id}").status_code == 422
