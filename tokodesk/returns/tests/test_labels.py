"""Return reasons and custom states with a label per shop language (issue 17): the service,
the API (and its refusals), and who reads which label."""

import pytest
from django.utils import translation

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.notifications.models import NotificationSettings
from tokodesk.returns.lists import (
    custom_state_move,
    custom_state_save,
    return_reason_move,
    return_reason_save,
)
from tokodesk.returns.models import CustomState, ReturnReason

URL = "/api/v1/returns"
pytestmark = pytest.mark.django_db


def test_the_starting_reasons_speak_the_three_languages():
    reason = ReturnReason.objects.get(code="size_too_small")
    for lang, text in (("id", "Ukuran kekecilan"), ("en", "Size too small"), ("fr", "Taille trop petite")):
        with translation.override(lang):
            assert str(reason) == text


def test_a_label_per_language_with_fallbacks(owner):
    reason = return_reason_save(actor=owner, code="late", labels={"fr": " Colis  en retard ", "en": "Parcel late"})
    assert reason.labels == {"fr": "Colis en retard", "en": "Parcel late"}
    with translation.override("fr"):
        assert reason.display_label == "Colis en retard"
    with translation.override("en"):
        assert reason.display_label == "Parcel late"
    # No Indonesian label: the customers' language of the shop, then the plain label.
    row = NotificationSettings.get()
    row.customer_language = "fr"
    row.save()
    with translation.override("id"):
        assert reason.display_label == "Colis en retard"
    reason = return_reason_save(actor=owner, code="late", labels={"en": "Parcel late"})
    assert reason.labels == {"en": "Parcel late"}
    with translation.override("id"):
        assert reason.display_label == "Parcel late"


def test_refusals_leave_nothing_written(users):
    owner = users["owner"]
    with pytest.raises(ValidationFailed) as err:
        return_reason_save(actor=owner, code="late", labels={"de": "Verspätet"})
    assert "labels.de" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        return_reason_save(actor=owner, code="late", labels={"fr": "x" * 201})
    assert "labels.fr" in err.value.fields
    with pytest.raises(ValidationFailed):
        return_reason_save(actor=owner, code="late", labels={"fr": "   "})
    assert not ReturnReason.objects.filter(code="late").exists()
    with pytest.raises(PermissionDenied):
        return_reason_save(actor=users["agent"], code="late", labels={"fr": "Retard"})


def test_custom_state_labels_and_order(owner):
    a = custom_state_save(actor=owner, status="item_received", labels={"fr": "En inspection", "id": "Diperiksa"})
    b = custom_state_save(actor=owner, status="item_received", labels={"en": "Waiting for parts"}, position=1)
    with translation.override("fr"):
        assert str(a) == "En inspection"
    with translation.override("id"):
        assert str(a) == "Diperiksa"
    custom_state_move(actor=owner, state_id=b.pk, direction=-1)
    assert list(CustomState.objects.values_list("pk", flat=True)) == [b.pk, a.pk]
    first = ReturnReason.objects.first()
    return_reason_move(actor=owner, code=first.code, direction=1)
    assert ReturnReason.objects.all()[1].code == first.code
    # At the end of the list, down does nothing.
    last = ReturnReason.objects.last()
    return_reason_move(actor=owner, code=last.code, direction=1)
    assert ReturnReason.objects.last().code == last.code


def test_api_labels(users, api_as):
    owner_api = api_as("owner")
    made = owner_api.post(f"{URL}/reasons", {"code": "late", "labels": {"fr": "Colis en retard", "en": "Parcel late"}})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["labels"] == {"fr": "Colis en retard", "en": "Parcel late"} and body["label"]
    bad = owner_api.post(f"{URL}/reasons", {"code": "late2", "labels": {"xx": "?"}})
    assert bad.status_code == 422 and "labels.xx" in str(bad.json())
    assert owner_api.post(f"{URL}/reasons", {"code": "late3"}).status_code == 422
    assert api_as("agent").patch(f"{URL}/reasons/late", {"labels": {"fr": "X"}}).status_code == 403
    patched = owner_api.patch(f"{URL}/reasons/late", {"labels": {"fr": "En retard"}})
    assert patched.status_code == 200 and patched.json()["labels"] == {"fr": "En retard"}
    state = owner_api.post(f"{URL}/custom-states", {"status": "on_hold", "labels": {"fr": "Attente pièce"}})
    assert state.status_code == 201 and state.json()["label"] == "Attente pièce"
    assert owner_api.post(f"{URL}/custom-states", {"status": "on_hold"}).status_code == 422
    assert not ReturnReason.objects.filter(code__in=["late2", "late3"]).exists()


def test_a_reason_given_by_its_label_in_any_language(owner):
    from tokodesk.returns.checks import _reason

    assert _reason("Taille trop petite", "")[0].code == "size_too_small"
    assert _reason("size too SMALL", "")[0].code == "size_too_small"
    other, text = _reason("Couleur différente", "")
    assert other.needs_text and text == "Couleur différente"
