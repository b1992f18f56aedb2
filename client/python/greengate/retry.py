"""Retries of calls that fail with UNAVAILABLE (server restarting, connection dropped)."""

from __future__ import annotations

import dataclasses
import random
from typing import Iterator, Optional

__all__ = ["Retry"]


@dataclasses.dataclass(frozen=True)
class Retry:
    """Exponential backoff with full jitter on UNAVAILABLE.

    Attempt ``k`` (from 1) that fails waits a random time in ``[0, min(max_backoff_s,
    initial_backoff_s * multiplier ** (k - 1))]`` before the next one, at most ``attempts``
    attempts in all and never past the call's deadline. The request is the same on every
    attempt: ``should_retrain`` sends one idempotency key, so a decision that the server did
    commit before the connection dropped is returned, not made twice.
    ``Retry(attempts=1)`` turns retries off.
    """

    attempts: int = 6
    initial_backoff_s: float = 0.1
    max_backoff_s: float = 5.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts: must be >= 1")
        if self.initial_backoff_s < 0 or self.max_backoff_s < 0 or self.multiplier < 1:
            raise ValueError("backoff: must be >= 0, with multiplier >= 1")

    def backoffs(self, rng: Optional[random.Random] = None) -> Iterator[float]:
        """The waits before attempts 2, 3, ... (``attempts - 1`` of them)."""
        rng = rng or random.Random()
        for k in range(self.attempts - 1):
            cap = min(self.max_backoff_s, self.initial_backoff_s * self.multiplier ** k)
            yield rng.uniform(0, cap)
