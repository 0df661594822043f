"""Latency percentiles with HdrHistogram: exact to 3 significant digits from 1 µs to an hour."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hdrh.histogram import HdrHistogram

LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS = 1, 3_600_000_000, 3
PERCENTILES = (50, 90, 95, 99)


def _histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)


@dataclass
class LatencyStats:
    """Every request's latency (answered or not), and its outcome by status."""

    histogram: HdrHistogram = field(default_factory=_histogram)
    outcomes: Counter = field(default_factory=Counter)

    def record(self, latency_s: float, outcome: str) -> None:
        """`outcome` is the status code as text ("200", "503") or the transport error ("ConnectError")."""
        micros = min(max(int(latency_s * 1_000_000), LOWEST_US), HIGHEST_US)
        self.histogram.record_value(micros)
        self.outcomes[outcome] += 1

    @property
    def count(self) -> int:
        return self.histogram.get_total_count()

    @property
    def errors(self) -> dict[str, int]:
        return {k: v for k, v in sorted(self.outcomes.items()) if not k.startswith(("2", "3"))}

    def percentile_ms(self, p: float) -> float:
        return self.histogram.get_value_at_percentile(p) / 1000 if self.count else 0.0

    def summary(self, elapsed_s: float) -> dict:
        return {
            "count": self.count,
            "errors": self.errors,
            "throughput_rps": round(self.count / elapsed_s, 2) if elapsed_s else 0.0,
            **{f"p{p}_ms": round(self.percentile_ms(p), 1) for p in PERCENTILES},
            "max_ms": round(self.histogram.get_max_value() / 1000, 1) if self.count else 0.0,
        }
