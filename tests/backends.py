"""Find the MongoDB-protocol server and Redis the tests need, starting the local ones if need be."""

from __future__ import annotations

import os
import shutil

from local_stack import components as spec
from local_stack.processes import Component, ProcessManager, port_open

REQUIRE = os.environ.get("LAB_REQUIRE_E2E") == "1"


def _component(name: str) -> Component | None:
    if name == "mongo":
        return spec.mongo_component()
    return next(c for c in spec.components() if c.name == name)


def ensure(name: str, url_variable: str, default_url: str, port: int) -> tuple[str, bool]:
    """(url, started_here). The URL variable wins; then a server already on the port; then ours.

    Returns ("", False) when none can be had; callers skip, or fail under LAB_REQUIRE_E2E=1.
    """
    if os.environ.get(url_variable):
        return os.environ[url_variable], False
    if port_open(port):
        return default_url, False
    component = _component(name)
    if component is None or not shutil.which(component.argv[0]):
        return "", False
    ProcessManager(spec.STATE_DIR).start(component, dict(os.environ))
    return default_url, True


def stop(name: str) -> None:
    component = _component(name)
    if component is not None:
        ProcessManager(spec.STATE_DIR).stop(component)
