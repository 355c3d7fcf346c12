"""Idempotency-Key on multipart uploads larger than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB):
the middleware fingerprints the parsed form and a streamed hash of each file instead of
`request.body` (which refuses such a body and would hold the file in memory twice), and a
retry replays the stored answer without a second write."""

import os

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from tokodesk.api.idempotency import IdempotencyRecord
from tokodesk.core.tests import files
from tokodesk.returns.models import Refund, Return, ReturnEvent, ReturnPhoto
from tokodesk.returns.tests.factories import paid_order, return_in

MB = 1024 * 1024
URL = "/api/v1/returns"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api(api_as):
    return api_as("owner")


@pytest.fixture
def ret(shop, users):
    owner = users["owner"]
    return return_in("awaiting_item", owner, order=paid_order(owner))


def big_pdf(size=4 * MB, seed=b"a") -> bytes:
    """A real PDF of `size` bytes (incompressible, so no layer can shortcut it)."""
    return files.pdf_of_size(size, seed)


def big_png(size=4 * MB, seed=b"a") -> bytes:
    """A real PNG of about `size` bytes (noise): photos are images only."""
    return files.png_of_size(size, seed)


def upload(api, path, *, key, content, name="label.pdf", boundary=None, **fields):
    """POST a multipart form with one `file`, as the test client (fixed boundary) or
    encoded with `boundary` (a client that draws a new boundary on each retry)."""
    headers = api._headers({"Idempotency-Key": key} if key else {})
    data = {"file": SimpleUploadedFile(name, content), **fields}
    if boundary is None:
        return api.client.post(path, data=data, **headers)
    body = encode_multipart(boundary, data)
    return api.client.post(
        path, data=body, content_type=f"multipart/form-data; boundary={boundary}", **headers
    )


def files_under(root, folder):
    return sorted(p for p in (root / folder).rglob("*") if p.is_file())


def test_the_upload_is_over_djangos_body_limit():
    assert 4 * MB > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_4_mb_label_with_a_key_is_stored_once_and_replayed(ret, api, media):
    content = big_pdf()
    first = upload(api, f"{URL}/{ret.reference}/label", key="label-1", content=content)
    assert first.status_code == 200, first.content[:500]
    version = ret.version + 1
    assert first.json()["version"] == version
    stored = files_under(media, "return-labels")
    assert len(stored) == 1 and stored[0].read_bytes() == content  # the view got the whole file

    again = upload(api, f"{URL}/{ret.reference}/label", key="label-1", content=content)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert files_under(media, "return-labels") == stored  # nothing written twice
    ret.refresh_from_db()
    assert ret.version == version
    assert ReturnEvent.objects.filter(return_order=ret, kind="label_added").count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_key_with_another_file_is_refused(ret, api, media):
    first = upload(api, f"{URL}/{ret.reference}/label", key="label-2", content=big_pdf())
    assert first.status_code == 200
    other = big_pdf(seed=b"b")  # same name and size, other bytes
    reused = upload(api, f"{URL}/{ret.reference}/label", key="label-2", content=other)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    renamed = upload(
        api, f"{URL}/{ret.reference}/label", key="label-2", content=big_pdf(), name="other.pdf"
    )
    assert renamed.status_code == 422
    assert len(files_under(media, "return-labels")) == 1
    assert ReturnEvent.objects.filter(return_order=ret, kind="label_added").count() == 1


def test_the_same_key_with_other_form_fields_is_refused(ret, api):
    content = big_pdf(3 * MB)
    path = f"{URL}/{ret.reference}/label"
    seen = str(ret.version)
    assert upload(api, path, key="label-3", content=content, version=seen).status_code == 200
    assert upload(api, path, key="label-3", content=content, version=seen)["Idempotent-Replayed"]
    assert upload(api, path, key="label-3", content=content, version="99").status_code == 422


def test_a_retry_encoded_with_a_new_boundary_is_the_same_request(ret, api, media):
    content = big_png()
    path = f"{URL}/{ret.reference}/photos"
    first = upload(api, path, key="photo-1", content=content, boundary="aaaa1111", sku="KAOS-M", name="photo.png")
    assert first.status_code == 201, first.content[:500]
    again = upload(api, path, key="photo-1", content=content, boundary="bbbb2222", sku="KAOS-M", name="photo.png")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert ReturnPhoto.objects.filter(return_order=ret).count() == 1
    assert len(files_under(media, "return-photos")) == 1


def test_a_failed_upload_does_not_burn_the_key(ret, api, media):
    path = f"{URL}/{ret.reference}/photos"
    not_a_pdf = b"MZ" + os.urandom(3 * MB)
    bad = upload(api, path, key="photo-2", content=not_a_pdf, name="x.exe")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    good = upload(api, path, key="photo-2", content=big_png(), name="photo.png")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    assert ReturnPhoto.objects.filter(return_order=ret).count() == 1


def test_a_large_proof_of_transfer_with_a_key(shop, users, api, media):
    owner = users["owner"]
    done = return_in("completed", owner, order=paid_order(owner))  # a pending bank-transfer refund
    refund = Refund.objects.get(return_order=done)
    path = f"/api/v1/refunds/{refund.pk}/mark-paid"
    headers = api._headers({"Idempotency-Key": "proof-1"})
    data = {"proof": SimpleUploadedFile("bukti.pdf", big_pdf(5 * MB)), "paid_on": "2026-01-05"}
    first = api.client.post(path, data=data, **headers)
    assert first.status_code == 200, first.content[:500]
    data["proof"] = SimpleUploadedFile("bukti.pdf", big_pdf(5 * MB))
    again = api.client.post(path, data=data, **headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert len(files_under(media, "refund-proofs")) == 1
    assert ReturnEvent.objects.filter(return_order=done, kind="refund_paid").count() == 1


def test_a_broken_upload_is_a_400(ret, api):
    headers = api._headers({"Idempotency-Key": "broken-1"})
    body = b"--x\r\nContent-Disposition: form-data; name=file; filename=a.pdf\r\n\r\n%PDF"
    r = api.client.post(
        f"{URL}/{ret.reference}/label",
        data=body,
        content_type="multipart/form-data; boundary=",  # no boundary: the parser refuses it
        **headers,
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
    assert Return.objects.get(pk=ret.pk).version == ret.version
