"""Claims for lost or damaged parcels (issue 15): submitted → approved / rejected,
approved → paid, only through the claim table (timeline row per change, version checked);
evidence through the safe upload path; one claim in progress per order; finance, owner and
admin act, agents read (their own orders); paid claims are money in on the reconciliation;
the list filters by status and courier in a constant number of queries; the API."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tokodesk.core.errors import Conflict, PermissionDenied, StaleVersion, ValidationFailed
from tokodesk.orders.tests.factories import order_in
from tokodesk.payments import claims
from tokodesk.payments.claim_states import CLAIM_TABLE
from tokodesk.payments.models import Claim, ClaimEvent

API = "/api/v1/claims"


def png(name="paket.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


@pytest.fixture
def lost(shop, users):
    return order_in("lost_or_damaged", users["owner"])


def submit(order, actor, files=None, **extra):
    data = {
        "order": order.reference,
        "reason": "lost",
        "amount": 150000,
        "note": "hilang di hub",
        **extra,
    }
    return claims.claim_create(data=data, actor=actor, files=files)


def test_table_statuses_and_actions():
    assert set(CLAIM_TABLE.statuses) == {"submitted", "approved", "rejected", "paid"}
    assert {(t.action, t.sources, t.target) for t in CLAIM_TABLE} == {
        ("approve", ("submitted",), "approved"),
        ("reject", ("submitted",), "rejected"),
        ("pay", ("approved",), "paid"),
    }


def test_submitted_approved_paid_with_timeline_and_evidence(lost, users, media):
    finance = users["finance"]
    claim = claims.claim_create(
        data={"order": lost.reference, "reason": "lost", "amount": 150000},
        files=[png()],
        actor=finance,
        source="web",
    )
    assert (claim.status, claim.courier.code, claim.reference[:4]) == ("submitted", "jne", "CLM-")
    [evidence] = claim.evidence.all()
    assert evidence.original_name == "paket.png" and evidence.file.name.endswith(".png")
    claim = claims.claim_apply_action(
        reference=claim.reference,
        action="approve",
        actor=finance,
        inputs={"amount": 120000},
        expected_version=1,
    )
    assert (claim.status, claim.approved_amount, claim.version) == ("approved", 120000, 2)
    with pytest.raises(StaleVersion):
        claims.claim_apply_action(
            reference=claim.reference, action="pay", actor=finance, expected_version=1
        )
    claim = claims.claim_apply_action(
        reference=claim.reference,
        action="pay",
        actor=finance,
        inputs={"reference": "TRF-77", "paid_on": "2026-12-02"},
    )
    assert (claim.status, claim.paid_amount, str(claim.paid_on)) == ("paid", 120000, "2026-12-02")
    events = list(ClaimEvent.objects.filter(claim=claim).values_list("kind", "action", "to_status"))
    assert events == [
        ("created", "", "submitted"),
        ("action", "approve", "approved"),
        ("action", "pay", "paid"),
    ]
    with pytest.raises(Conflict) as exc:
        claims.claim_apply_action(
            reference=claim.reference, action="reject", actor=finance, inputs={"reason": "x"}
        )
    assert exc.value.code == "not_allowed_in_status"


def test_rules(shop, lost, users, media):
    owner, agent = users["owner"], users["agent"]
    with pytest.raises(PermissionDenied):
        submit(lost, agent)
    delivered = order_in("delivered", owner)
    with pytest.raises(Conflict) as exc:  # lost needs the order marked lost or damaged
        submit(delivered, owner)
    assert exc.value.code == "not_allowed_in_status"
    assert submit(delivered, owner, reason="damaged").status == "submitted"
    with pytest.raises(ValidationFailed) as exc:
        submit(lost, owner, amount=0)
    assert "amount" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        claims.claim_create(data={"order": "ORD-NOPE", "reason": "lost", "amount": 1}, actor=owner)
    assert "order" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:  # not a picture: refused, nothing stored
        submit(
            lost,
            owner,
            files=[SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", "image/png")],
        )
    assert "evidence" in exc.value.fields and not Claim.objects.filter(order=lost).exists()
    first = submit(lost, owner)
    with pytest.raises(Conflict) as exc:
        submit(lost, owner)
    assert exc.value.code == "claim_exists"
    with pytest.raises(Conflict):  # approve for more than claimed
        claims.claim_apply_action(
            reference=first.reference,
            action="approve",
            actor=owner,
            inputs={"amount": first.amount + 1},
        )
    claims.claim_apply_action(
        reference=first.reference,
        action="reject",
        actor=owner,
        inputs={"reason": "tidak ada bukti"},
    )
    assert submit(lost, owner).status == "submitted"  # a rejected claim may be claimed again


@pytest.fixture
def page(client, users):
    def login(role):
        client.force_login(users[role])
        return client

    return login


def test_pages_list_detail_actions_and_money_in(shop, lost, users, page, media):
    c = page("finance")
    r = c.get(f"/orders/{lost.reference}/")
    assert r.status_code == 200 and b"data-new-claim" in r.content
    r = c.get(f"/payments/claims/new/?order={lost.reference}")
    assert r.status_code == 200
    r = c.post("/payments/claims/new/", {"order": lost.reference, "reason": "lost", "amount": "0"})
    assert r.status_code == 422 and b'data-field="amount"' in r.content
    r = c.post(
        "/payments/claims/new/",
        {"order": lost.reference, "reason": "lost", "amount": "150000", "evidence": png()},
    )
    claim = Claim.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/payments/claims/{claim.reference}/"
    detail = c.get(r["Location"]).content.decode()
    assert 'data-claim-status="submitted"' in detail and 'data-action="approve"' in detail
    evidence = claim.evidence.get()
    r = c.get(f"/payments/claims/{claim.reference}/evidence/{evidence.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert c.post(f"/payments/claims/{claim.reference}/pay/", {}).status_code == 409
    r = c.post(f"/payments/claims/{claim.reference}/approve/", {"amount": "140000", "version": "1"})
    assert r.status_code == 302
    r = c.post(
        f"/payments/claims/{claim.reference}/pay/", {"amount": "140000", "paid_on": "2026-12-02"}
    )
    assert r.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount) == ("paid", 140000)
    rec = c.get("/payments/cod/").content.decode()
    assert 'data-claims-paid="140000"' in rec and 'data-money-in="140000"' in rec
    html = c.get("/payments/claims/?status=paid&courier=jne").content.decode()
    assert f'data-claim="{claim.reference}"' in html
    assert (
        f'data-claim="{claim.reference}"'
        not in c.get("/payments/claims/?status=submitted").content.decode()
    )
    assert (
        f'data-claim="{claim.reference}"'
        not in c.get("/payments/claims/?courier=jnt").content.decode()
    )
    # An agent reads the claims of the orders they see, and acts on none.
    agent = page("agent")
    assert agent.get("/payments/claims/").status_code == 200
    assert agent.get(f"/payments/claims/{claim.reference}/").status_code == 404  # not their order
    assert agent.post(f"/payments/claims/{claim.reference}/approve/", {}).status_code == 403


def test_list_queries_do_not_grow(shop, users, page, media):
    owner = users["owner"]
    c = page("finance")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/payments/claims/").status_code == 200
        return len(ctx)

    submit(order_in("lost_or_damaged", owner), owner)
    one = count()
    for _ in range(3):
        submit(order_in("lost_or_damaged", owner), owner, files=[png()])
    assert count() == one


def test_api_create_evidence_actions_list(shop, lost, api_as, media):
    finance, agent = api_as("finance"), api_as("agent")
    r = agent.post(API, {"order": lost.reference, "reason": "lost", "amount": 150000})
    assert r.status_code == 403
    r = finance.post(API, {"order": lost.reference, "reason": "stolen", "amount": 150000})
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    r = finance.post(
        API, {"order": lost.reference, "reason": "lost", "amount": 150000, "note": "hilang"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    ref = body["reference"]
    assert (body["status"], body["actions"], body["version"]) == (
        "submitted",
        ["approve", "reject"],
        1,
    )
    r = finance.client.post(f"{API}/{ref}/evidence", data={"file": png()}, **finance._headers({}))
    assert r.status_code == 201 and [e["name"] for e in r.json()["evidence"]] == ["paket.png"]
    assert (
        finance.post(API, {"order": lost.reference, "reason": "lost", "amount": 1}).json()["code"]
        == "claim_exists"
    )
    r = finance.post(f"{API}/{ref}/actions/approve", {"version": 1})
    assert r.status_code == 200 and r.json()["approved_amount"] == 150000
    r = finance.post(f"{API}/{ref}/actions/approve", {})
    assert r.status_code == 409 and r.json()["code"] == "not_allowed_in_status"
    r = finance.post(f"{API}/{ref}/actions/pay", {"amount": 150000, "reference": "TRF-1"})
    assert r.status_code == 200 and r.json()["status"] == "paid"
    events = [(e["kind"], e["to_status"]) for e in r.json()["events"]]
    assert events == [
        ("created", "submitted"),
        ("evidence", ""),
        ("action", "approved"),
        ("action", "paid"),
    ]
    r = finance.get(API, {"status": "paid"})
    assert [x["reference"] for x in r.json()] == [ref]
    assert finance.get(API, {"status": "nope"}).status_code == 422
    assert finance.get(f"{API}/CLM-NOPE").status_code == 404
