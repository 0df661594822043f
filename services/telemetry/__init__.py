"""The one telemetry package every service imports: tracing, Mongo statement shapes, request logs."""

from services.telemetry.request_log import RequestLogMiddleware, configure_logging
from services.telemetry.tracing import Telemetry, setup_telemetry

__all__ = ["RequestLogMiddleware", "Telemetry", "configure_logging", "setup_telemetry"]
