"""Who may see and do what with returns (SPEC 1): agents only the returns of their orders
(404 otherwise, like a return that does not exist), the warehouse receives, finance
completes and refunds, the viewer reads, and the `return_order` permission group works on
its own; each return's `actions` offers only what the caller may do."""

import pytest
from django.contrib.auth.models import Group

from conftest import ApiClient
from tokodesk.accounts.roles import PERMISSION_GROUPS
from tokodesk.accounts.services import user_create
from tokodesk.returns.tests.factories import BANK, paid_order

URL = "/api/v1/returns"


@pytest.fixture
def orders(shop, users):
    """A completed, paid order for each agent and one unassigned."""
    owner = users["owner"]
    return {key: paid_order(owner, agent=agent) for key, agent in
            [("mine", "agent"), ("theirs", "agent2"), ("nobody", None)]}


@pytest.fixture
def returns(orders, api_as):
    made = {}
    for key, order in orders.items():
        r = api_as("owner").post(URL, {"order": order.reference, "reason": "Ukuran kekecilan", "resolution": "refund",
                                       "lines": [{"sku": "KAOS-M", "qty": 1}]})
        assert r.status_code == 201, r.content
        made[key] = r.json()["reference"]
    return made


def test_agent_lists_only_the_returns_of_their_orders(returns, api_as):
    agent = api_as("agent")
    assert [r["reference"] for r in agent.get(URL).json()["items"]] == [returns["mine"]]
    assert agent.get(URL, {"q": returns["theirs"]}).json()["items"] == []
    assert agent.get(URL, {"responsible": "none"}).json()["items"][0]["reference"] == returns["mine"]
    assert agent.get(f"{URL}/status-counts").json()["all"] == 1
    assert [r["reference"] for r in api_as("agent2").get(URL).json()["items"]] == [returns["theirs"]]
    assert len(api_as("viewer").get(URL).json()["items"]) == 3


def test_agent_cannot_see_or_touch_another_s_return(returns, orders, api_as):
    agent = api_as("agent")
    for key in ("theirs", "nobody"):
        ref = returns[key]
        calls = [
            agent.get(f"{URL}/{ref}"),
            agent.get(f"{URL}/{ref}/timeline"),
            agent.get(f"{URL}/{ref}/label"),
            agent.post(f"{URL}/{ref}/actions/approve"),
            agent.post(f"{URL}/{ref}/actions/cancel", {}),
            agent.patch(f"{URL}/{ref}", {"target_date": "2030-01-01"}),
            agent.post(f"{URL}/{ref}/recreate"),
            agent.post(URL, {"order": orders[key].reference, "reason": "x", "resolution": "refund",
                             "lines": [{"sku": "KAOS-M", "qty": 1}]}),
            agent.get(f"{URL}/returnable", {"order": orders[key].reference}),
        ]
        for r in calls:
            assert r.status_code == 404, (r.request["PATH_INFO"], r.content)
            assert r.json()["code"] == "not_found"
    ghost = agent.get(f"{URL}/RMA-99999")
    assert ghost.status_code == 404 and ghost.json()["code"] == "not_found"


def test_agent_works_their_own_returns(returns, orders, api_as):
    agent = api_as("agent")
    body = agent.get(f"{URL}/{returns['mine']}").json()
    assert body["actions"] == ["approve", "reject", "cancel"]
    assert agent.post(f"{URL}/{returns['mine']}/actions/approve").status_code == 200
    r = agent.post(f"{URL}/{returns['mine']}/actions/receive", {"lines": [{"sku": "KAOS-M", "qty": 1}]})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = agent.post(URL, {"order": orders["mine"].reference, "reason": "x", "resolution": "refund",
                         "lines": [{"sku": "MADU-500", "qty": 1}]})
    assert r.status_code == 201


def test_each_role_does_its_part(returns, api_as):
    ref = returns["nobody"]
    assert api_as("warehouse").post(f"{URL}/{ref}/actions/approve").status_code == 403
    assert api_as("admin").post(f"{URL}/{ref}/actions/approve").status_code == 200
    warehouse = api_as("warehouse")
    assert warehouse.get(f"{URL}/{ref}").json()["actions"] == ["receive"]
    assert api_as("finance").post(f"{URL}/{ref}/actions/receive", {"lines": [{"sku": "KAOS-M", "qty": 1}]}
                                  ).status_code == 403
    assert warehouse.post(f"{URL}/{ref}/actions/receive", {"lines": [{"sku": "KAOS-M", "qty": 1}]}).status_code == 200
    complete = {"lines": [{"sku": "KAOS-M", "decision": "accept"}], **BANK}
    assert warehouse.post(f"{URL}/{ref}/actions/complete", complete).status_code == 403
    assert api_as("finance").get(f"{URL}/{ref}").json()["actions"] == ["complete"]
    assert api_as("finance").post(f"{URL}/{ref}/actions/complete", complete).status_code == 200


def test_viewer_reads_only(returns, orders, api_as):
    viewer = api_as("viewer")
    ref = returns["mine"]
    assert viewer.get(f"{URL}/{ref}").status_code == 200
    assert viewer.get(f"{URL}/{ref}").json()["actions"] == []
    for r in [viewer.post(f"{URL}/{ref}/actions/approve"), viewer.patch(f"{URL}/{ref}", {"target_date": "2030-01-01"}),
              viewer.post(URL, {"order": orders["mine"].reference, "reason": "x", "resolution": "refund",
                                "lines": [{"sku": "MADU-500", "qty": 1}]}),
              viewer.post("/api/v1/refunds", {"order": orders["mine"].reference, "amount": 1, "method": "cash"})]:
        assert r.status_code == 403, r.content


def test_the_return_order_group_works_on_its_own(returns, orders, db):
    """InvenTree's `return_order` group: every return permission, on every order, without a role."""
    assert "returns.override_return_window" in PERMISSION_GROUPS["return_order"]
    user = user_create(username="rma-desk", role="viewer")
    user.groups.set([Group.objects.get(name="return_order")])
    api = ApiClient(user)
    assert not user.has_perm("orders.view_order")
    assert len(api.get(URL).json()["items"]) == 3
    r = api.post(URL, {"order": orders["nobody"].reference, "reason": "x", "resolution": "refund",
                       "lines": [{"sku": "MADU-500", "qty": 1}]})
    assert r.status_code == 201, r.content
    assert api.post(f"{URL}/{returns['theirs']}/actions/approve").status_code == 200
    assert api.get("/api/v1/orders").json()["items"] == []  # no order rights came with it


def test_refunds_and_store_credit_are_scoped(returns, orders, api_as):
    owner = api_as("owner")
    for key in ("mine", "theirs"):
        owner.post("/api/v1/refunds", {"order": orders[key].reference, "amount": 1000, "method": "store_credit"})
    agent = api_as("agent")
    assert [r["order"] for r in agent.get("/api/v1/refunds").json()] == [orders["mine"].reference]
    theirs = owner.get("/api/v1/refunds", {"order": orders["theirs"].reference}).json()[0]["id"]
    assert agent.get(f"/api/v1/refunds/{theirs}").status_code == 404
    # The two orders share a customer (same phone): the agent reaches it through their own order.
    assert agent.get(f"/api/v1/store-credit/{orders['mine'].customer_id}").json()["balance"] == 2000


def test_store_credit_of_a_customer_the_agent_never_served(returns, api_as):
    from tokodesk.customers.models import Customer

    stranger = Customer.objects.create(name="Budi", phone="+6281298765432")
    assert api_as("agent").get(f"/api/v1/store-credit/{stranger.pk}").status_code == 404
    assert api_as("finance").get(f"/api/v1/store-credit/{stranger.pk}").json() == {
        "customer": stranger.pk, "balance": 0, "entries": []}
