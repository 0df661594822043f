"""What the local stack runs, in start order, on the same ports as docker-compose.yml."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from local_stack.processes import Component

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".tools" / "bin"
STATE_DIR = REPO / ".local"
HOST = "127.0.0.1"

# Published ports, as in docker-compose.yml.
CHAT_PORT, AUTH_PORT, LLM_PORT = 8000, 8001, 8002
MONGO_PORT, REDIS_PORT = 27017, 6379
OTLP_GRPC_PORT, OTLP_HTTP_PORT, COLLECTOR_HEALTH_PORT = 4317, 4318, 13133
JAEGER_UI_PORT = 16686
# In compose these live on the container network; here they need ports of their own.
JAEGER_OTLP_PORT, JAEGER_HEALTH_PORT, JAEGER_QUERY_GRPC_PORT = 14317, 13134, 16685

JAEGER_URL = f"http://{HOST}:{JAEGER_UI_PORT}"
CHAT_URL = f"http://{HOST}:{CHAT_PORT}"
DEFAULT_MONGO_URL = f"mongodb://{HOST}:{MONGO_PORT}"
# FerretDB on SQLite scans about 15,000 documents a second: 5,000 messages make a collection scan
# cost a few hundred ms, the same order as the model call, so the culprit shows without drowning the rest.
DEFAULT_SEED_MESSAGES = "5000"


def read_dotenv(path: Path = REPO / ".env") -> dict[str, str]:
    """KEY=VALUE lines of the compose `.env` file, so both stacks share one set of settings."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                values[key.strip()] = value.strip()
    return values


def base_environment() -> dict[str, str]:
    """What every process gets: the `.env` settings, then the caller's environment on top."""
    env = {**read_dotenv(), **os.environ}
    env.setdefault("MONGO_URL", DEFAULT_MONGO_URL)
    return env


def _tool(name: str) -> str:
    return str(TOOLS_BIN / name)


def mongo_component() -> Component | None:
    """mongod if installed, else FerretDB on SQLite; None when MONGO_URL points at a server of yours."""
    if os.environ.get("MONGO_URL"):
        return None
    data = STATE_DIR / "data"
    mongod = shutil.which("mongod")
    if mongod:
        (data / "mongo").mkdir(parents=True, exist_ok=True)
        argv = [mongod, "--bind_ip", HOST, "--port", str(MONGO_PORT), "--dbpath", str(data / "mongo")]
    else:
        (data / "ferretdb").mkdir(parents=True, exist_ok=True)
        argv = [_tool("ferretdb"), "-listen-addr", f"{HOST}:{MONGO_PORT}", "-sqlite-url", f"file:{data / 'ferretdb'}/"]
    return Component("mongo", argv, MONGO_PORT)


def _service(name: str, module: str, port: int, env: dict[str, str] | None = None) -> Component:
    argv = [
        sys.executable, "-m", "uvicorn", f"services.{module}.app:main", "--factory",
        "--host", HOST, "--port", str(port), "--no-access-log", "--app-dir", str(REPO),
    ]  # fmt: skip
    return Component(name, argv, port, health_url=f"http://{HOST}:{port}/readyz", env=env or {})


def telemetry_environment() -> dict[str, str]:
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{HOST}:{OTLP_HTTP_PORT}",
        # Export every 200 ms instead of every 5 s, so a trace is in Jaeger by the time you look.
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "DEPLOYMENT_ENVIRONMENT": "local",
    }


def components() -> list[Component]:
    """Every long-running process, in the order they start (the reverse of the order they stop)."""
    mongo = mongo_component()
    return [
        *([mongo] if mongo else []),
        Component(
            "redis",
            [shutil.which("redis-server") or "redis-server", "--bind", HOST, "--port", str(REDIS_PORT),
             "--save", "", "--appendonly", "no"],
            REDIS_PORT,
        ),  # fmt: skip
        Component(
            "jaeger",
            [_tool("jaeger"), "--config", str(REPO / "jaeger" / "config.yaml")],
            JAEGER_UI_PORT,
            health_url=f"http://{HOST}:{JAEGER_HEALTH_PORT}/status",
            env={
                "JAEGER_LISTEN_HOST": HOST,
                "JAEGER_OTLP_GRPC_PORT": str(JAEGER_OTLP_PORT),
                "JAEGER_HEALTH_PORT": str(JAEGER_HEALTH_PORT),
                "JAEGER_QUERY_GRPC_PORT": str(JAEGER_QUERY_GRPC_PORT),
            },
        ),
        Component(
            "otel-collector",
            [_tool("otelcol-lab"), "--config", str(REPO / "otel-collector" / "config.yaml")],
            OTLP_HTTP_PORT,
            health_url=f"http://{HOST}:{COLLECTOR_HEALTH_PORT}/",
            env={"OTELCOL_LISTEN_HOST": HOST, "JAEGER_OTLP_ENDPOINT": f"{HOST}:{JAEGER_OTLP_PORT}"},
        ),
        _service("auth", "auth", AUTH_PORT, telemetry_environment()),
        _service("llm-stub", "llm_stub", LLM_PORT, telemetry_environment()),
        _service(
            "chat",
            "chat",
            CHAT_PORT,
            {
                **telemetry_environment(),
                "AUTH_URL": f"http://{HOST}:{AUTH_PORT}",
                "LLM_URL": f"http://{HOST}:{LLM_PORT}",
            },
        ),
    ]


def seed_command() -> list[str]:
    """The one-shot seed job, sized for the local stack unless SEED_MESSAGES says otherwise."""
    messages = os.environ.get("SEED_MESSAGES", DEFAULT_SEED_MESSAGES)
    return [sys.executable, "-m", "services.seed", "--messages", messages]
