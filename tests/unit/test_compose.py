"""docker-compose.yml as Docker Compose itself reads it (compose-go), plus the lab's own rules."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from local_stack import components as spec
from tests.backends import REQUIRE

COMPOSECHECK = spec.TOOLS_BIN / "composecheck"
ONE_SHOT = {"seed"}
# The official collector image is built FROM scratch: nothing inside it can probe a health endpoint.
# Its absence is explained in docker-compose.yml; everything else long-running must have one.
NO_PROBE_POSSIBLE = {"otel-collector"}


def _load(path: Path) -> subprocess.CompletedProcess:
    if not COMPOSECHECK.exists():
        reason = f"{COMPOSECHECK} missing: run `make tools`"
        if REQUIRE:
            pytest.fail(reason)
        pytest.skip(reason)
    return subprocess.run([str(COMPOSECHECK), str(path)], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def project() -> dict:
    result = _load(spec.REPO / "docker-compose.yml")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_loader_docker_uses_rejects_what_docker_would(tmp_path):
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  web:\n    image: nginx:1.27.0\n    healthchek: {}\n")
    result = _load(bad)
    assert result.returncode != 0 and "healthchek" in result.stderr


def test_every_image_is_pinned(project):
    for name, service in project["services"].items():
        image = service["image"]
        assert re.search(r":[\w][\w.-]*$", image.split("/")[-1]), f"{name}: {image} has no tag"
        assert not image.endswith(":latest"), f"{name}: {image} is not pinned"


def test_every_long_running_service_has_a_healthcheck(project):
    for name, service in project["services"].items():
        if name in ONE_SHOT | NO_PROBE_POSSIBLE:
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_dependencies_wait_for_health(project):
    for name, service in project["services"].items():
        for dependency, rule in service.get("depends_on", {}).items():
            expected = {
                **{d: "service_completed_successfully" for d in ONE_SHOT},
                **{d: "service_started" for d in NO_PROBE_POSSIBLE},
            }.get(dependency, "service_healthy")
            assert rule["condition"] == expected, f"{name} -> {dependency}"


def test_published_ports_are_bound_to_loopback(project):
    published = {}
    for name, service in project["services"].items():
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", f"{name} publishes {port['published']} on all interfaces"
            published[int(port["published"])] = name
    assert published[8000] == "chat" and published[16686] == "jaeger"
    assert published[4317] == published[4318] == "otel-collector"


def test_compose_mounts_the_same_configs_the_local_stack_runs(project):
    mounts = {
        name: {v["source"] for v in service.get("volumes", []) if v["type"] == "bind"}
        for name, service in project["services"].items()
    }
    assert str(spec.REPO / "otel-collector" / "config.yaml") in mounts["otel-collector"]
    assert str(spec.REPO / "jaeger" / "config.yaml") in mounts["jaeger"]
