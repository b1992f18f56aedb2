"""asyncio variant of :class:`greengate.Client`, on grpc.aio.

Every unary method of the blocking client exists here as a coroutine with the same
arguments, requests, retries and errors; ``watch_decisions`` is an async iterator::

    async with greengate.aio.Client("greengate.internal:50051") as gg:
        d = await gg.should_retrain("churn", new_df, plan=greengate.Plan(hours=3))

Profiling a DataFrame (``set_reference``, ``should_retrain``) runs the C++ profiler in a
worker thread (``asyncio.to_thread``; it releases the GIL), so the event loop keeps serving
other tasks meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator, Optional, Sequence, Union

import grpc
import grpc.aio

from . import _requests as req
from ._base import ClientBase
from .errors import from_rpc_error
from .profiling import profile as profile_data
from .retry import Retry
from .types import TLS, Decision
from .v1 import greengate_pb2 as pb

__all__ = ["Client"]


class Client(ClientBase):
    """The asyncio client; see :class:`greengate.Client` for the arguments."""

    def __init__(self, address: Optional[str] = None, *, token_file: Optional[str] = None,
                 tls: Union[bool, TLS, None] = False, timeout: float = 30.0,
                 retry: Retry = Retry()):
        super().__init__(address, token_file=token_file, tls=tls, timeout=timeout, retry=retry,
                         grpc_module=grpc.aio)

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _call(self, method: str, request: Any, timeout: Optional[float] = None) -> Any:
        deadline = self._deadline(timeout)
        backoffs = self._attempts()
        while True:
            remaining = deadline - time.monotonic()
            try:
                return await getattr(self._stub, method)(
                    request, timeout=max(remaining, 0.001), metadata=self._metadata)
            except grpc.RpcError as error:
                failure = from_rpc_error(error)
            wait = self._wait_before_retry(failure, backoffs, deadline)
            if wait is None:
                raise failure
            await asyncio.sleep(wait)

    async def register_model(self, model_id: str, *, version: str, task: str = "",
                             display_name: str = "", timeout: Optional[float] = None) -> pb.Model:
        return await self._call("RegisterModel", req.register_model(
            model_id, version, task, display_name), timeout)

    async def get_model(self, model: str, *, timeout: Optional[float] = None) -> pb.Model:
        return await self._call("GetModel", pb.GetModelRequest(name=req.model_name(model)),
                                timeout)

    async def list_models(self, *, timeout: Optional[float] = None) -> Sequence[pb.Model]:
        return list((await self._call("ListModels", pb.ListModelsRequest(), timeout)).models)

    async def set_reference(self, model: str, data: Any, *, accuracy: float,
                            evaluation_rows: int, scores: Optional[pb.NumericProfile] = None,
                            feature_importance=None, timeout: Optional[float] = None,
                            **profile_options: Any) -> pb.Reference:
        reference = data
        if not isinstance(data, pb.DataProfile):
            reference = await asyncio.to_thread(profile_data, data, **profile_options)
        return await self._call("SetReference", req.set_reference(
            model, reference, accuracy, evaluation_rows, scores, feature_importance), timeout)

    async def get_reference(self, model: str, *, view: str = "full",
                            timeout: Optional[float] = None) -> pb.Reference:
        return await self._call("GetReference", pb.GetReferenceRequest(
            model=req.model_name(model), view=req.VIEWS[view]), timeout)

    async def set_policy(self, model: str, policy: Optional[pb.Policy] = None, *,
                         timeout: Optional[float] = None, **fields: Any) -> pb.Policy:
        return await self._call("SetPolicy", req.set_policy(model, policy, fields), timeout)

    async def get_policy(self, model: str, *, timeout: Optional[float] = None) -> pb.Policy:
        return await self._call("GetPolicy", pb.GetPolicyRequest(model=req.model_name(model)),
                                timeout)

    async def should_retrain(self, model: str, data: Any, *, plan: Optional[Any] = None,
                             labeled=None, plans: Sequence[Any] = (),
                             idempotency_key: Optional[str] = None,
                             scores: Optional[pb.NumericProfile] = None,
                             forecast: Sequence[tuple] = (), challenger=None,
                             timeout: Optional[float] = None,
                             **profile_options: Any) -> Decision:
        current = data
        if not isinstance(data, pb.DataProfile):
            reference = await self.get_reference(model, view="basic", timeout=timeout)
            current = await asyncio.to_thread(profile_data, data, reference, **profile_options)
        request = req.should_retrain(model, current, labeled, plan, plans, idempotency_key,
                                     scores, forecast, challenger)
        return Decision(await self._call("ShouldRetrain", request, timeout))

    async def get_decision(self, name: str, *, timeout: Optional[float] = None) -> Decision:
        return Decision(await self._call(
            "GetDecision", pb.GetDecisionRequest(name=req.decision_name(name)), timeout))

    async def list_decisions(self, model: Optional[str] = None, *, verdict: Optional[str] = None,
                             start=None, end=None, page_size: int = 50,
                             timeout: Optional[float] = None) -> AsyncIterator[Decision]:
        request = req.list_decisions(model, verdict, page_size, start, end)
        while True:
            page = await self._call("ListDecisions", request, timeout)
            for decision in page.decisions:
                yield Decision(decision)
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    async def watch_decisions(self, model: Optional[str] = None, *, verdicts: Sequence[str] = (),
                              timeout: Optional[float] = None) -> AsyncIterator[Decision]:
        call = self._stub.WatchDecisions(req.watch_decisions(model, verdicts), timeout=timeout,
                                         metadata=self._metadata)
        try:
            async for decision in call:
                yield Decision(decision)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            call.cancel()

    async def report_outcome(self, decision, *, energy_kwh: Optional[float] = None,
                             codecarbon: Optional[str] = None, all_runs: bool = False,
                             source: Optional[str] = None, timeout: Optional[float] = None,
                             **measured: Any) -> pb.Outcome:
        """As :meth:`greengate.Client.report_outcome`; ``measured`` holds co2e_kg,
        duration_s, accuracy_before, accuracy_after, evaluation_set, evaluation_rows,
        training_rows, shadow."""
        request = req.report_outcome(decision, energy_kwh, codecarbon, all_runs, source, measured)
        return await self._call("ReportOutcome", request, timeout)

    async def governance_report(self, start, end, model: Optional[str] = None, *,
                                timeout: Optional[float] = None) -> pb.GovernanceReport:
        return await self._call("GetGovernanceReport", req.governance_report(start, end, model),
                                timeout)

    async def verify_audit_log(self, *, anchor_seq: int = 0, anchor_hash: str = "",
                               timeout: Optional[float] = None) -> pb.AuditLogVerification:
        return await self._call("VerifyAuditLog", pb.VerifyAuditLogRequest(
            anchor_seq=anchor_seq, anchor_hash=anchor_hash), timeout)
