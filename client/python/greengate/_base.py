"""What the blocking and the asyncio clients share: settings, channel, stub, retry decisions."""

from __future__ import annotations

import random
import time
from typing import Iterator, Optional, Union

import grpc

from . import _channel
from .errors import GreengateError, Unavailable
from .retry import Retry
from .types import TLS
from .v1 import greengate_pb2_grpc as pb_grpc


class ClientBase:
    """Settings and channel of a client; ``grpc_module`` is grpc or grpc.aio."""

    def __init__(self, address: Optional[str], *, token_file: Optional[str],
                 tls: Union[bool, TLS, None], timeout: float, retry: Retry, grpc_module=grpc):
        self.address = _channel.address_or_default(address)
        self.timeout = timeout
        self.retry = retry
        self._metadata = _channel.metadata(token_file)
        self._tls = _channel.tls_settings(tls) is not None
        self._channel = _channel.open_channel(self.address, tls, grpc_module)
        self._stub = pb_grpc.RetrainGatekeeperStub(self._channel)
        self._rng = random.Random()

    def __repr__(self) -> str:
        prefix = "greengate.aio." if type(self).__module__.endswith(".aio") else "greengate."
        return (f"{prefix}{type(self).__name__}({self.address!r}, "
                f"tls={self._tls}, token={'yes' if self._metadata else 'no'}, "
                f"timeout={self.timeout})")

    def _deadline(self, timeout: Optional[float]) -> float:
        return time.monotonic() + (timeout if timeout is not None else self.timeout)

    def _attempts(self) -> Iterator[float]:
        return self.retry.backoffs(self._rng)

    @staticmethod
    def _wait_before_retry(failure: GreengateError, backoffs: Iterator[float],
                           deadline: float) -> Optional[float]:
        """Seconds to wait before retrying after ``failure``, or None to raise it: only
        UNAVAILABLE is retried, within the retry budget and the call's deadline."""
        wait = next(backoffs, None) if isinstance(failure, Unavailable) else None
        if wait is None or time.monotonic() + wait >= deadline:
            return None
        return wait
