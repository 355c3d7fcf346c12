"""Concurrency against the real served app (gunicorn, 2 workers x 8 threads, its own
database): idempotent creation, many writers at once, and conflicting actions racing on
one order. Runs on whichever database the suite's pass uses (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import order_payload

pytestmark = pytest.mark.served

LOCKED = "database is locked"


def together(clients: list[httpx.Client], fn: Callable[[int, httpx.Client], object]) -> list:
    """fn(i, client) in one thread per client, all released at once by a barrier."""
    barrier = threading.Barrier(len(clients))

    def run(i):
        barrier.wait(timeout=30)
        return fn(i, clients[i])

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(run, range(len(clients))))


def clients_for(served, n: int) -> list[httpx.Client]:
    return [served.client() for _ in range(n)]


def close_all(clients):
    for c in clients:
        c.close()


def customer(name: str) -> dict:
    return {"name": name, "phone": "081234567890", "address": "Jl. Melati 5, Bandung"}


def summary(responses) -> str:
    return "\n".join(f"{r.status_code} {r.text[:300]}" for r in responses)


# --- a. one Idempotency-Key, twenty identical POSTs at once ------------------------------


def test_idempotent_create_under_concurrency(served):
    since = served.stderr_size()
    marker = f"Idem {uuid.uuid4().hex[:12]}"
    key = f"served-{uuid.uuid4()}"
    body = order_payload(customer=customer(marker))
    with served.client() as c:
        before = c.get("/api/v1/orders/tab-counts").json()["all"]

    clients = clients_for(served, 20)
    try:
        answers = together(
            clients,
            lambda i, c: c.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key}),
        )
    finally:
        close_all(clients)

    details = served.explain(summary(answers), since)
    assert [r.status_code for r in answers] == [201] * 20, details
    assert len({r.content for r in answers}) == 1, details  # byte-identical answers
    references = {r.json()["reference"] for r in answers}
    assert len(references) == 1, details
    (reference,) = references
    # One request did the work; the nineteen others replayed its stored answer.
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == 19, details

    with served.client() as c:
        assert c.get("/api/v1/orders/tab-counts").json()["all"] == before + 1, details
        found = c.get("/api/v1/orders", params={"q": marker}).json()["items"]
        assert [o["reference"] for o in found] == [reference], details

        # A later retry with the same key and body: the same answer again.
        retry = c.post("/api/v1/orders", json=body, headers={"Idempotency-Key": key})
        assert retry.status_code == 201 and retry.content == answers[0].content, retry.text
        assert retry.headers.get("Idempotent-Replayed") == "true"

        # The same key with another body is refused, and writes nothing.
        other = order_payload(customer=customer(marker), lines=[{"sku": "KAOS-M", "qty": 2}])
        reused = c.post("/api/v1/orders", json=other, headers={"Idempotency-Key": key})
        assert reused.status_code == 422, reused.text
        assert reused.json()["code"] == "idempotency_key_reused", reused.text
        assert c.get("/api/v1/orders/tab-counts").json()["all"] == before + 1
        assert len(c.get("/api/v1/orders", params={"q": marker}).json()["items"]) == 1


# --- b. eight writers at once, ten operations each ---------------------------------------

WRITERS = 8
READERS = 2


def test_concurrent_writers_never_fail(served):
    """Every write succeeds while others write (SQLite: IMMEDIATE transactions queue on
    busy_timeout); nothing answers 500 and nothing says "database is locked"."""
    since = served.stderr_size()
    with served.client() as c:
        before = c.get("/api/v1/orders/tab-counts").json()["all"]
    log: list[tuple[str, str, int, str]] = []  # (who, operation, status, body)
    finals: dict[int, dict] = {}
    writers_done = threading.Event()

    def writer(i: int, c: httpx.Client):
        def call(op, method, path, **kwargs):
            try:
                r = c.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                log.append((f"writer{i}", op, 0, repr(exc)))
                return None
            log.append((f"writer{i}", op, r.status_code, r.text))
            return r.json() if 200 <= r.status_code < 300 else None

        def create(tag):
            return call(
                f"create {tag}",
                "POST",
                "/api/v1/orders",
                json=order_payload(customer=customer(f"Writer {i} {tag}")),
                headers={"Idempotency-Key": f"w{i}-{tag}-{uuid.uuid4()}"},
            )

        def act(order, action, inputs=None, headers=None):
            return call(
                f"{action} {order['reference']}",
                "POST",
                f"/api/v1/orders/{order['reference']}/actions/{action}",
                json=inputs or {},
                headers=headers or {},
            )

        a = create("a")
        a = a and act(a, "confirm", {"version": a["version"]})
        b = create("b")
        b = b and act(
            b, "cancel", {"reason": "customer changed their mind", "version": b["version"]}
        )
        note = a and call(
            "note",
            "POST",
            f"/api/v1/orders/{a['reference']}/notes",
            json={"body": f"called the customer ({i})"},
        )
        a = note and act(
            a,
            "confirm_payment",
            {"amount": a["total"], "reference": f"trf-{i}", "version": a["version"]},
            headers={"Idempotency-Key": f"pay-{i}-{uuid.uuid4()}"},
        )
        cc = create("c")
        cc = cc and call(
            "tags", "POST", f"/api/v1/orders/{cc['reference']}/tags", json={"add": [f"writer-{i}"]}
        )
        cc = cc and act(cc, "confirm", headers={"If-Match": f'"{cc["version"]}"'})
        b = b and act(b, "reopen", {"version": b["version"]})
        finals[i] = {"a": a, "b": b, "c": cc}

    def reader(i: int, c: httpx.Client):
        while not writers_done.is_set():
            for path in ("/api/v1/orders?limit=20", "/api/v1/orders/tab-counts"):
                try:
                    r = c.get(path)
                    log.append((f"reader{i}", f"GET {path}", r.status_code, r.text[:500]))
                except httpx.HTTPError as exc:
                    log.append((f"reader{i}", f"GET {path}", 0, repr(exc)))

    clients = clients_for(served, WRITERS + READERS)
    barrier = threading.Barrier(WRITERS + READERS)

    def released(i):
        barrier.wait(timeout=30)
        if i < WRITERS:
            return writer(i, clients[i])
        return reader(i - WRITERS, clients[i])

    with ThreadPoolExecutor(max_workers=WRITERS + READERS) as pool:
        try:
            writer_jobs = [pool.submit(released, i) for i in range(WRITERS)]
            reader_jobs = [pool.submit(released, i) for i in range(WRITERS, WRITERS + READERS)]
            for job in writer_jobs:
                job.result(timeout=120)
        finally:
            writers_done.set()  # readers stop, even when a writer blew up
        for job in reader_jobs:
            job.result(timeout=60)
    close_all(clients)

    stderr = served.stderr(since)
    failed = [entry for entry in log if not 200 <= entry[2] < 300]
    details = served.explain(
        "\n".join(f"{w} {op}: {st} {body[:400]}" for w, op, st, body in failed[:20]), since
    )
    assert not failed, f"{len(failed)} of {len(log)} requests failed:\n{details}"
    assert not [e for e in log if LOCKED in e[3]], details
    assert LOCKED not in stderr, details
    assert "Traceback" not in stderr and "Internal Server Error" not in stderr, details
    writes = [e for e in log if e[0].startswith("writer")]
    assert len(writes) == WRITERS * 10, f"{len(writes)} writes\n{details}"
    assert any(e[0].startswith("reader") for e in log)

    for i in range(WRITERS):
        assert finals[i]["a"]["status"] == "paid", finals[i]
        assert finals[i]["a"]["paid_total"] == finals[i]["a"]["total"]
        assert finals[i]["b"]["status"] == "new", finals[i]
        assert finals[i]["c"]["status"] == "confirmed", finals[i]
        assert finals[i]["c"]["tags"] == [f"writer-{i}"]
    with served.client() as c:
        assert c.get("/api/v1/orders/tab-counts").json()["all"] == before + 3 * WRITERS


# --- c. two conflicting actions on one order, released together --------------------------

ROUNDS = 10


def _create(c: httpx.Client, name: str, prepare: tuple[str, ...] = ()) -> dict:
    r = c.post("/api/v1/orders", json=order_payload(customer=customer(name)))
    assert r.status_code == 201, r.text
    order = r.json()
    for action in prepare:
        r = c.post(
            f"/api/v1/orders/{order['reference']}/actions/{action}",
            json={"version": order["version"]},
        )
        assert r.status_code == 200, r.text
        order = r.json()
    return order


def _action_events(c: httpx.Client, reference: str, actions: set[str]) -> list[dict]:
    r = c.get(f"/api/v1/orders/{reference}/timeline")
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["kind"] == "action" and e["action"] in actions]


def _payment(reference, with_version):
    def inputs(order):
        body = {"amount": order["total"], "reference": reference}
        if with_version:
            body["version"] = order["version"]
        return body

    return inputs


RACES = {
    # same version: whoever commits second acted on an old copy
    "confirm_vs_cancel": (
        (),
        ("confirm", lambda o: {"version": o["version"]}),
        ("cancel", lambda o: {"reason": "sold out", "version": o["version"]}),
        {"stale_version", "not_allowed_in_status"},
    ),
    "two_full_payments_same_version": (
        ("confirm",),
        ("confirm_payment", _payment("trf-A", True)),
        ("confirm_payment", _payment("trf-B", True)),
        {"stale_version", "not_allowed_in_status"},
    ),
    # no version: only the row lock stands between the two, and the second finds it paid
    "two_full_payments_no_version": (
        ("confirm",),
        ("confirm_payment", _payment("trf-A", False)),
        ("confirm_payment", _payment("trf-B", False)),
        {"not_allowed_in_status"},
    ),
}


@pytest.mark.parametrize("race", list(RACES))
def test_conflicting_actions_one_wins(served, race):
    prepare, first, second, loser_codes = RACES[race]
    moves = [first, second]
    actions = {first[0], second[0]}
    since = served.stderr_size()
    wins = [0, 0]
    clients = clients_for(served, 2)
    try:
        with served.client() as c:
            for n in range(ROUNDS):
                order = _create(c, f"Race {race} {n}", prepare)
                ref, v0 = order["reference"], order["version"]
                answers = together(
                    clients,
                    lambda i, client, order=order: client.post(
                        f"/api/v1/orders/{order['reference']}/actions/{moves[i][0]}",
                        json=moves[i][1](order),
                    ),
                )
                details = served.explain(f"{race} round {n} on {ref}:\n{summary(answers)}", since)
                assert sorted(r.status_code for r in answers) == [200, 409], details
                w = 0 if answers[0].status_code == 200 else 1
                wins[w] += 1
                winner, loser = answers[w].json(), answers[1 - w].json()
                assert loser["code"] in loser_codes, details

                now = c.get(f"/api/v1/orders/{ref}").json()
                assert now["version"] == v0 + 1, details  # exactly one change
                assert now["status"] == winner["status"], details
                events = _action_events(c, ref, actions)
                assert len(events) == 1, f"{events}\n{details}"
                assert (
                    events[0]["action"] == moves[w][0] and events[0]["to_status"] == now["status"]
                )
                assert events[0]["from_status"] == order["status"]
                if first[0] == "confirm_payment":
                    live = [p for p in now["payments"] if p["voided_at"] is None]
                    assert len(live) == 1, f"{now['payments']}\n{details}"
                    assert live[0]["reference"] == moves[w][1](order)["reference"]
                    assert now["paid_total"] == now["total"] and now["status"] == "paid"
                else:
                    assert now["status"] == ("confirmed" if w == 0 else "cancelled")
    finally:
        close_all(clients)
    print(f"{race} on {served.vendor}: first won {wins[0]}, second won {wins[1]} of {ROUNDS}")


def test_concurrent_partial_payments_add_up(served):
    """Two half payments at once, no version: both are right, and both must count (a lost
    update would leave the order partially paid with half the money)."""
    since = served.stderr_size()
    clients = clients_for(served, 2)
    try:
        with served.client() as c:
            for n in range(ROUNDS):
                order = _create(c, f"Halves {n}", ("confirm",))
                half = order["total"] // 2
                amounts = [half, order["total"] - half]
                answers = together(
                    clients,
                    lambda i, client, order=order, amounts=amounts: client.post(
                        f"/api/v1/orders/{order['reference']}/actions/confirm_payment",
                        json={"amount": amounts[i], "reference": f"half-{i}"},
                    ),
                )
                details = served.explain(
                    f"round {n} on {order['reference']}:\n{summary(answers)}", since
                )
                assert [r.status_code for r in answers] == [200, 200], details
                now = c.get(f"/api/v1/orders/{order['reference']}").json()
                assert now["paid_total"] == now["total"] and now["status"] == "paid", details
                assert now["version"] == order["version"] + 2, details
                assert len([p for p in now["payments"] if p["voided_at"] is None]) == 2, details
                events = _action_events(c, order["reference"], {"confirm_payment"})
                assert sorted(e["to_status"] for e in events) == ["paid", "partially_paid"], events
    finally:
        close_all(clients)
