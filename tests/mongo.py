"""Find a MongoDB-protocol server for the tests, starting the local one if need be."""

from __future__ import annotations

import os

from local_stack import components as spec
from local_stack.processes import ProcessManager, port_open

REQUIRE = os.environ.get("LAB_REQUIRE_E2E") == "1"


def ensure_mongo() -> tuple[str, bool]:
    """(url, started_here). MONGO_URL wins; then a server already on 27017; then the local one.

    Returns ("", False) when none can be had; callers skip, or fail under LAB_REQUIRE_E2E=1.
    """
    if os.environ.get("MONGO_URL"):
        return os.environ["MONGO_URL"], False
    if port_open(spec.MONGO_PORT):
        return spec.DEFAULT_MONGO_URL, False
    component = spec.mongo_component()
    if component is None or not os.path.exists(component.argv[0]):
        return "", False
    ProcessManager(spec.STATE_DIR).start(component, dict(os.environ))
    return spec.DEFAULT_MONGO_URL, True


def stop_mongo() -> None:
    component = spec.mongo_component()
    if component is not None:
        ProcessManager(spec.STATE_DIR).stop(component)
