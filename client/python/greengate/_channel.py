"""Channel options, credentials and the bearer token, as the CLI sets them up."""

from __future__ import annotations

import os
from typing import List, Optional, Tuple, Union

import grpc

from . import _profiler
from .errors import InvalidArgument, NotFound, from_native
from .types import TLS

DEFAULT_ADDRESS = "127.0.0.1:50051"  # the CLI's default when $GREENGATE_SERVER is unset

# Reconnect quickly after a server restart: gRPC's default first reconnect backoff is 1 s and
# grows to 120 s, longer than a retry budget of a few seconds.
CHANNEL_OPTIONS: List[Tuple[str, int]] = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.max_receive_message_length", 256 << 20),  # a wide reference with its samples
    ("grpc.max_send_message_length", 256 << 20),
]


def address_or_default(address: Optional[str]) -> str:
    return address or os.environ.get("GREENGATE_SERVER") or DEFAULT_ADDRESS


def _read_pem(path: str, flag: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise NotFound(f"{flag}: cannot read {path}: {error.strerror}", field=flag) from None


def tls_settings(tls: Union[bool, TLS, None]) -> Optional[TLS]:
    if tls is None or tls is False:
        return None
    return TLS() if tls is True else tls


def credentials(tls: TLS) -> grpc.ChannelCredentials:
    if (tls.cert_file is None) != (tls.key_file is None):
        raise InvalidArgument("tls: give cert_file and key_file both or neither", field="tls")
    return grpc.ssl_channel_credentials(
        root_certificates=_read_pem(tls.ca_file, "tls.ca_file") if tls.ca_file else None,
        private_key=_read_pem(tls.key_file, "tls.key_file") if tls.key_file else None,
        certificate_chain=_read_pem(tls.cert_file, "tls.cert_file") if tls.cert_file else None)


def options(tls: Optional[TLS]) -> List[Tuple[str, Union[int, str]]]:
    result: List[Tuple[str, Union[int, str]]] = list(CHANNEL_OPTIONS)
    if tls is not None and tls.server_name:
        result.append(("grpc.ssl_target_name_override", tls.server_name))
    return result


def metadata(token_file: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    """The authorization header of every call: the token file read by the CLI's rules
    (one line, the token only, not readable by others); none without a file."""
    token_file = token_file or os.environ.get("GREENGATE_TOKEN_FILE")
    if not token_file:
        return ()
    try:
        token = _profiler.read_token_file(token_file)
    except (ValueError, RuntimeError) as error:
        raise from_native(error) from None
    return (("authorization", f"Bearer {token}"),)


def open_channel(address: str, tls: Union[bool, TLS, None], grpc_module=grpc):
    """A channel to ``address``: plaintext, or TLS as ``tls`` says. ``grpc_module`` is grpc
    for the blocking client and grpc.aio for the asyncio one (the same two functions)."""
    settings = tls_settings(tls)
    if settings is None:
        return grpc_module.insecure_channel(address, options(None))
    return grpc_module.secure_channel(address, credentials(settings), options(settings))
