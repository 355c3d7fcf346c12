"""The README's "API quick start" runs as written: its curl commands are replayed against
the app (the token from `createtoken`, the order's reference taken from the create
answer, never a reference that belongs to the demo data), and what it says about
If-Match holds: optional, and a stale one answers 412."""

import json
import re
import shlex
from pathlib import Path

import pytest
from django.test import Client

from tokodesk.accounts.models import ApiToken

README = Path(__file__).resolve().parents[3] / "README.md"


def _quick_start() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## API quick start", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def _commands(block: str) -> list[str]:
    """Shell commands, continuation lines joined, comments dropped."""
    commands, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line + "\n"
        if not line.endswith("\\") and current.count("'") % 2 == 0:
            commands.append(current.strip())
            current = ""
    return commands


def _curl(client, words: list[str], env: dict):
    words = [re.sub(r"\$(\w+)", lambda m: env[m.group(1)], w) for w in words]
    assert words[0] == "curl"
    method, headers, body, url = "GET", {}, None, None
    i = 1
    while i < len(words):
        w = words[i]
        if w == "-X":
            method, i = words[i + 1], i + 2
        elif w == "-H":
            name, value = words[i + 1].split(":", 1)
            headers["HTTP_" + name.strip().upper().replace("-", "_")] = value.strip()
            i += 2
        elif w == "-d":
            body, i = words[i + 1], i + 2
        elif w.startswith("-"):
            i += 1
        else:
            url, i = w, i + 1
    path = re.sub(r"^https?://[^/]+", "", url)
    content_type = headers.pop("HTTP_CONTENT_TYPE", "application/json")
    if method == "GET":
        return client.get(path, **headers)
    return client.generic(method, path, data=body or "", content_type=content_type, **headers)


@pytest.mark.django_db
def test_the_readme_api_example_runs_as_written(shop, owner):
    block = _quick_start()
    assert "ORD-0" not in block, "the example must take the reference from the create answer"
    commands = _commands(block)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    env = {}
    answers = []
    for command in commands:
        if command.startswith("TOKEN=$(.venv/bin/tokodesk createtoken owner)"):
            env["TOKEN"] = ApiToken.issue(owner)[1]
            continue
        assign = re.match(r"(\w+)=\$\((.*)\)$", command, re.S)
        if assign:
            name, inner = assign.groups()
            curl_part, _, pipe = inner.partition(" | ")
            response = _curl(client, shlex.split(curl_part), env)
            assert response.status_code in (200, 201), response.content
            assert '["reference"]' in pipe, pipe
            env[name] = response.json()["reference"]
            answers.append(response)
            continue
        response = _curl(client, shlex.split(command), env)
        assert response.status_code == 200, (command, response.content)
        answers.append(response)
    assert "REF" in env and env["REF"].startswith("ORD-")
    confirmed = answers[-1].json()
    assert confirmed["reference"] == env["REF"] and confirmed["status"] == "confirmed"


@pytest.mark.django_db
def test_if_match_is_optional_and_a_stale_one_is_refused(shop, owner):
    token = ApiToken.issue(owner)[1]
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "customer": {"name": "Siti", "phone": "081234567890", "address": "Jl. Melati 5"},
        "lines": [{"sku": "MADU-500", "qty": 1}],
        "payment_method": "cod",
        "courier": "jne",
    }
    created = client.post("/api/v1/orders", json.dumps(body), content_type="application/json")
    ref = created.json()["reference"]
    stale = client.post(
        f"/api/v1/orders/{ref}/actions/confirm",
        "{}",
        content_type="application/json",
        HTTP_IF_MATCH='"7"',
    )
    assert stale.status_code == 412
    plain = client.post(
        f"/api/v1/orders/{ref}/actions/confirm", "{}", content_type="application/json"
    )
    assert plain.status_code == 200, plain.content
    readme = README.read_text(encoding="utf-8")
    assert "`If-Match` is **not required**" in readme
