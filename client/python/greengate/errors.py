"""Exceptions raised by greengate, one per gRPC status code.

Every failure of a call (or of the in-process profiler) is a :class:`GreengateError` whose
class is named after its gRPC code, so callers catch what they can handle::

    try:
        gg.get_model("churn")
    except greengate.NotFound:
        gg.register_model("churn", version="v1")

:class:`InvalidArgument` carries ``field``, the path of the offending field as the server
names it (``"current.features[2].numeric.bin_edges"``), and is also a :class:`ValueError`.
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Type

import grpc

__all__ = [
    "GreengateError", "Cancelled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
    "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
    "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    "from_rpc_error",
]

# A message that starts with a field path ("current.features[2].numeric.bin_edges: ...") or
# several ("plan.accelerator_count, plan.cpu_cores: ..."); the first is the field.
_PATH = r"[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*|\['[^']*'\])*"
_FIELD_PATH = re.compile(rf"^({_PATH})(?:, {_PATH})*: ")


class GreengateError(Exception):
    """A failed greengate call: ``code`` (a :class:`grpc.StatusCode`), ``message``, ``field``."""

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str, *, field: Optional[str] = None):
        super().__init__(message)
        self.message = message
        self.field = field if field is not None else field_path(message)

    def __repr__(self) -> str:
        field = f", field={self.field!r}" if self.field else ""
        return f"{type(self).__name__}({self.message!r}{field})"


def field_path(message: str) -> Optional[str]:
    """The field path a greengate error message starts with, or None."""
    match = _FIELD_PATH.match(message)
    return match.group(1) if match else None


def _error(name: str, code: grpc.StatusCode, *bases: type) -> Type[GreengateError]:
    cls = type(name, (GreengateError, *bases), {"code": code, "__doc__": f"gRPC {code.name}."})
    cls.__module__ = __name__
    return cls


Cancelled = _error("Cancelled", grpc.StatusCode.CANCELLED)
Unknown = _error("Unknown", grpc.StatusCode.UNKNOWN)
InvalidArgument = _error("InvalidArgument", grpc.StatusCode.INVALID_ARGUMENT, ValueError)
DeadlineExceeded = _error("DeadlineExceeded", grpc.StatusCode.DEADLINE_EXCEEDED, TimeoutError)
NotFound = _error("NotFound", grpc.StatusCode.NOT_FOUND, LookupError)
AlreadyExists = _error("AlreadyExists", grpc.StatusCode.ALREADY_EXISTS)
PermissionDenied = _error("PermissionDenied", grpc.StatusCode.PERMISSION_DENIED, PermissionError)
ResourceExhausted = _error("ResourceExhausted", grpc.StatusCode.RESOURCE_EXHAUSTED)
FailedPrecondition = _error("FailedPrecondition", grpc.StatusCode.FAILED_PRECONDITION)
Aborted = _error("Aborted", grpc.StatusCode.ABORTED)
OutOfRange = _error("OutOfRange", grpc.StatusCode.OUT_OF_RANGE)
Unimplemented = _error("Unimplemented", grpc.StatusCode.UNIMPLEMENTED, NotImplementedError)
Internal = _error("Internal", grpc.StatusCode.INTERNAL)
Unavailable = _error("Unavailable", grpc.StatusCode.UNAVAILABLE, ConnectionError)
DataLoss = _error("DataLoss", grpc.StatusCode.DATA_LOSS)
Unauthenticated = _error("Unauthenticated", grpc.StatusCode.UNAUTHENTICATED)

_BY_CODE: Dict[grpc.StatusCode, Type[GreengateError]] = {
    cls.code: cls for cls in (Cancelled, Unknown, InvalidArgument, DeadlineExceeded, NotFound,
                              AlreadyExists, PermissionDenied, ResourceExhausted,
                              FailedPrecondition, Aborted, OutOfRange, Unimplemented, Internal,
                              Unavailable, DataLoss, Unauthenticated)}
_BY_NAME = {code.name: cls for code, cls in _BY_CODE.items()}


def error_for(code: grpc.StatusCode, message: str) -> GreengateError:
    """The exception for a status ``code`` with ``message``."""
    return _BY_CODE.get(code, Unknown)(message)


def from_rpc_error(error: grpc.RpcError) -> GreengateError:
    """The greengate exception for a failed gRPC call."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    return error_for(code, details or code.name)


def from_native(error: Exception) -> GreengateError:
    """The greengate exception for an error of the extension module.

    It raises ValueError for INVALID_ARGUMENT and RuntimeError("CODE: message") otherwise.
    """
    message = str(error)
    if isinstance(error, ValueError):
        return InvalidArgument(message)
    code, _, rest = message.partition(": ")
    cls = _BY_NAME.get(code)
    return cls(rest) if cls is not None else Internal(message)
