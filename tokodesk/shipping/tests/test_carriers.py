"""The shop's carriers (issue 17): the service, the page (owner and admin; others 403), the
API and its refusals; a deactivated carrier is not offered to new orders and is never deleted."""

import pytest
from django.test import Client

from tokodesk.core.errors import PermissionDenied, ValidationFailed
from tokodesk.shipping.carriers import courier_save, parse_services
from tokodesk.shipping.models import Courier

pytestmark = pytest.mark.django_db
PAGE = "/shipping/carriers/"
API = "/api/v1/shipping/carriers"


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_parse_services():
    assert parse_services("Domicile, Point relais\nDomicile ,") == ["Domicile", "Point relais"]
    assert parse_services(["A", " A ", "", "B"]) == ["A", "B"]


def test_service_adds_changes_and_refuses(users):
    owner = users["owner"]
    c = courier_save(actor=owner, code="Colissimo", name="Colissimo", services="Domicile, Point retrait",
                     tracking_url="https://www.laposte.fr/outils/suivre-vos-envois?code={awb}", create=True)
    assert (c.code, c.services, c.active) == ("colissimo", ["Domicile", "Point retrait"], True)
    courier_save(actor=users["admin"], code="colissimo", active=False)
    assert not Courier.objects.get(code="colissimo").active
    for kwargs, field in (
        ({"code": "colissimo", "name": "X", "create": True}, "code"),
        ({"code": "bad code!", "name": "X", "create": True}, "code"),
        ({"code": "mr", "name": "", "create": True}, "name"),
        ({"code": "mr", "name": "Mondial Relay", "tracking_url": "javascript:alert(1)", "create": True}, "tracking_url"),
        ({"code": "mr", "name": "Mondial Relay", "services": ["x" * 31], "create": True}, "services"),
    ):
        with pytest.raises(ValidationFailed) as err:
            courier_save(actor=owner, **kwargs)
        assert field in err.value.fields
    assert not Courier.objects.filter(code="mr").exists()
    with pytest.raises(PermissionDenied):
        courier_save(actor=users["agent"], code="mr", name="Mondial Relay", create=True)


def test_page_owner_adds_a_carrier_and_deactivates_it(users):
    c = client_for(users["owner"])
    assert c.get(PAGE).status_code == 200
    r = c.post(PAGE, {"new": "1", "code": "colissimo", "name": "Colissimo", "services": "Domicile, Point retrait",
                      "tracking_url": "https://www.laposte.fr/outils/suivre-vos-envois?code={awb}"})
    assert r.status_code == 302
    assert Courier.objects.get(code="colissimo").services == ["Domicile", "Point retrait"]
    page = c.get(PAGE).content.decode()
    assert 'data-carrier="colissimo"' in page and "Point retrait" in page
    r = c.post(PAGE, {"code": "colissimo", "name": "Colissimo", "services": "Domicile", "tracking_url": ""})
    assert r.status_code == 302
    assert not Courier.objects.get(code="colissimo").active
    r = c.post(PAGE, {"new": "1", "code": "mr", "name": "Mondial Relay", "tracking_url": "ftp://x/{awb}"})
    assert r.status_code == 422 and b"field-error" in r.content
    assert not Courier.objects.filter(code="mr").exists()
    assert b'data-link="carriers"' in c.get("/orders/settings/").content


@pytest.mark.parametrize("role", ["agent", "warehouse", "finance", "viewer"])
def test_other_roles_cannot_manage_carriers(users, role):
    c = client_for(users[role])
    assert c.get(PAGE).status_code == 403
    assert c.post(PAGE, {"new": "1", "code": "mr", "name": "Mondial Relay"}).status_code == 403
    assert not Courier.objects.filter(code="mr").exists()


def test_api(users, api_as):
    owner_api = api_as("owner")
    r = owner_api.post(API, {"code": "mondial_relay", "name": "Mondial Relay", "services": ["Point Relais"],
                             "tracking_url": "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={awb}"})
    assert r.status_code == 201, r.content
    assert r.json()["services"] == ["Point Relais"]
    bad = owner_api.post(API, {"code": "x", "name": "X", "tracking_url": "javascript:alert(1)"})
    assert bad.status_code == 422 and bad.json()["code"]
    assert api_as("agent").post(API, {"code": "y", "name": "Y"}).status_code == 403
    r = owner_api.patch(f"{API}/mondial_relay", {"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert "mondial_relay" not in [c["code"] for c in owner_api.get(API).json()]
    assert "mondial_relay" in [c["code"] for c in owner_api.get(API, {"include_inactive": True}).json()]
    assert owner_api.patch(f"{API}/nope", {"active": False}).status_code == 404
    assert not Courier.objects.filter(code__in=["x", "y"]).exists()



@pytest.mark.parametrize("country,codes", [("FR", []), ("ID", ["anteraja", "jne", "jnt", "pos", "sicepat"])])
def test_setup_presets_the_indonesian_carriers_only_for_indonesia(db, country, codes):
    from tokodesk.ops.setup import ShopInput, create_shop

    create_shop(ShopInput(owner_username="marie", owner_password="Un-mot-de-passe-2026", shop_name="Boutique",
                          country=country))
    assert sorted(Courier.objects.values_list("code", flat=True)) == codes
