"""One real local stack for the whole end-to-end session: FerretDB or mongod, Redis, collector, Jaeger, services."""

from __future__ import annotations

import os
from dataclasses import dataclass

import httpx
import pytest
from pymongo import MongoClient

from local_stack import components as spec
from local_stack.stack import LocalStack
from tests.mongo import REQUIRE

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
    with httpx.Client(base_url=spec.CHAT_URL, timeout=30) as client:
        yield Stack(local, client, mongo[os.environ.get("MONGO_DB", "chatlab")])
    mongo.close()
    local.down(started)
