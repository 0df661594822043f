"""One real local stack for the whole end-to-end session: FerretDB or mongod, Redis, collector, Jaeger, services."""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
import pytest
from pymongo import MongoClient

from local_stack import components as spec
from local_stack.stack import LocalStack
from tests.backends import REQUIRE

BINARIES = ("jaeger", "otelcol-lab", "ferretdb")


@dataclass
class Stack:
    local: LocalStack
    client: httpx.Client
    db: object  # the seeded database, read with the synchronous driver for assertions

    def login(self, user_id: str = "user-0001") -> dict[str, str]:
        password = self.local.env["DEMO_USER_PASSWORD"]
        response = self.client.post("/api/login", json={"username": user_id, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def message_count(self) -> int:
        return self.db.messages.count_documents({})

    def set_scenarios(self, *on: str) -> None:
        """Exactly these scenarios on, every other one fixed."""
        admin = {"Authorization": f"Bearer {self.local.env['ADMIN_TOKEN']}"}
        assert self.client.post("/admin/fix", headers=admin).status_code == 200
        for name in on:
            response = self.client.put(f"/admin/scenarios/{name}", json={"on": True}, headers=admin)
            assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def stack():
    missing = [name for name in BINARIES if not (spec.TOOLS_BIN / name).exists()]
    if missing:
        reason = f"the local stack needs {', '.join(missing)} in {spec.TOOLS_BIN}: run `make tools`"
        if REQUIRE:
            pytest.fail(reason)
        pytest.skip(reason)
    local = LocalStack(say=lambda line: None)
    started = local.up()
    mongo = MongoClient(local.env["MONGO_URL"], serverSelectionTimeoutMS=5000)
    with httpx.Client(base_url=spec.CHAT_URL, timeout=60) as client:
        stack = Stack(local, client, mongo[os.environ.get("MONGO_DB", "chatlab")])
        yield stack
        stack.set_scenarios("missing_index")  # leave the stack as the write-up's incident
    mongo.close()
    local.down(started)
