"""When each request is *meant* to be sent: an open model, independent of how fast answers come.

A closed loop (send, wait, send) slows down with the server and so never measures the stall it
waits out; that is coordinated omission. Here the send times are fixed in advance, and each
latency is measured from its intended send time.
"""

from __future__ import annotations

import math
from collections.abc import Iterator


def arrival_offsets(rate: float, duration_s: float, start_rate: float | None = None) -> Iterator[float]:
    """Seconds after the start at which to send, evenly spaced at `rate` per second.

    With `start_rate`, the rate ramps linearly from it to `rate` over the run.
    """
    if rate <= 0 or duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    if start_rate is None or start_rate == rate:
        count = int(rate * duration_s)
        return (n / rate for n in range(count))
    return _ramp(start_rate, rate, duration_s)


def _ramp(r0: float, r1: float, duration_s: float) -> Iterator[float]:
    # Requests sent by time t: N(t) = r0*t + (r1-r0)*t^2/(2T). The n-th goes where N(t) = n.
    slope = (r1 - r0) / duration_s
    total = int(r0 * duration_s + slope * duration_s**2 / 2)
    for n in range(total):
        if slope == 0:
            yield n / r0
        else:
            yield (-r0 + math.sqrt(r0 * r0 + 2 * slope * n)) / slope
