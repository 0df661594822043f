"""The project's collector and Jaeger configs, checked by the real binaries that run them."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from local_stack import components as spec
from local_stack.processes import port_open

pytestmark = pytest.mark.e2e


def _validate(binary: str, config: str) -> subprocess.CompletedProcess:
    path = spec.TOOLS_BIN / binary
    if not path.exists():
        pytest.skip(f"{path} missing: run `make tools`")
    return subprocess.run([str(path), "validate", "--config", config], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("binary", "config"), [("otelcol-lab", "otel-collector/config.yaml"), ("jaeger", "jaeger/config.yaml")]
)
def test_config_is_valid(binary, config):
    result = _validate(binary, str(spec.REPO / config))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("binary", ["otelcol-lab", "jaeger"])
def test_validate_rejects_a_broken_config(binary, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpont: x\n")
    assert _validate(binary, str(broken)).returncode != 0, "so a pass above means something"


def test_jaeger_runs_with_the_projects_config(stack):
    """The stack's Jaeger started from jaeger/config.yaml, on the addresses that file gives it."""
    health = httpx.get(f"http://{spec.HOST}:{spec.JAEGER_HEALTH_PORT}/status", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "StatusOK"
    assert httpx.get(f"{spec.JAEGER_URL}/api/services", timeout=5).status_code == 200
    assert port_open(spec.JAEGER_OTLP_PORT) and port_open(spec.JAEGER_QUERY_GRPC_PORT)
