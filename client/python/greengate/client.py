"""The blocking client: every RPC of greengate.v1.RetrainGatekeeper as a Python method."""

from __future__ import annotations

import time
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import grpc

from . import _requests as req
from ._base import ClientBase
from .errors import from_rpc_error
from .profiling import profile as profile_data
from .retry import Retry
from .types import TLS, Challenger, Decision, Labeled, Shadow
from .v1 import greengate_pb2 as pb

__all__ = ["Client"]

DataOrProfile = Any  # a pandas DataFrame, a dict of arrays, or a pb.DataProfile


class Client(ClientBase):
    """A connection to a greengate server.

    >>> gg = greengate.Client("greengate.internal:50051", token_file="/run/secrets/gg-token",
    ...                       tls=greengate.TLS(ca_file="ca.pem"))       # doctest: +SKIP
    >>> gg.register_model("churn", version="v7", task="binary-classification")  # doctest: +SKIP

    ``address`` defaults to ``$GREENGATE_SERVER``, else 127.0.0.1:50051 (as the CLI);
    ``token_file`` to ``$GREENGATE_TOKEN_FILE``. ``tls`` is False (plaintext), True (system
    roots) or a :class:`TLS`. ``timeout`` (seconds) is each call's deadline, retries
    included; ``retry`` retries UNAVAILABLE with backoff. Errors are :mod:`greengate.errors`
    exceptions. Thread-safe (gRPC channels are); close() or use as a context manager.
    """

    def __init__(self, address: Optional[str] = None, *, token_file: Optional[str] = None,
                 tls: Union[bool, TLS, None] = False, timeout: float = 30.0,
                 retry: Retry = Retry()):
        super().__init__(address, token_file=token_file, tls=tls, timeout=timeout, retry=retry)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- calls -----------------------------------------------------------------------------

    def _call(self, method: str, request: Any, timeout: Optional[float] = None) -> Any:
        deadline = self._deadline(timeout)
        backoffs = self._attempts()
        while True:
            remaining = deadline - time.monotonic()
            try:
                return getattr(self._stub, method)(request, timeout=max(remaining, 0.001),
                                                   metadata=self._metadata)
            except grpc.RpcError as error:
                failure = from_rpc_error(error)
            wait = self._wait_before_retry(failure, backoffs, deadline)
            if wait is None:
                raise failure
            time.sleep(wait)

    def _profile_on_model(self, model: str, data: DataOrProfile, options: Mapping[str, Any],
                          timeout: Optional[float]) -> pb.DataProfile:
        if isinstance(data, pb.DataProfile):
            return data
        reference = self.get_reference(model, view="basic", timeout=timeout)
        return profile_data(data, reference, **options)

    def health(self, timeout: float = 10.0) -> bool:
        """True once the channel connects within ``timeout`` seconds."""
        try:
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
            return True
        except grpc.FutureTimeoutError:
            return False

    # --- models ----------------------------------------------------------------------------

    def register_model(self, model_id: str, *, version: str, task: str = "",
                       display_name: str = "", timeout: Optional[float] = None) -> pb.Model:
        """RegisterModel. AlreadyExists if the name is taken."""
        return self._call("RegisterModel", req.register_model(model_id, version, task,
                                                              display_name), timeout)

    def get_model(self, model: str, *, timeout: Optional[float] = None) -> pb.Model:
        """GetModel ("churn" or "models/churn"). NotFound for an unknown model."""
        return self._call("GetModel", pb.GetModelRequest(name=req.model_name(model)), timeout)

    def list_models(self, *, timeout: Optional[float] = None) -> Sequence[pb.Model]:
        """ListModels."""
        return list(self._call("ListModels", pb.ListModelsRequest(), timeout).models)

    # --- references and policies -----------------------------------------------------------

    def set_reference(self, model: str, data: DataOrProfile, *, accuracy: float,
                      evaluation_rows: int, scores: Optional[pb.NumericProfile] = None,
                      feature_importance: Optional[Mapping[str, float]] = None,
                      timeout: Optional[float] = None, **profile_options: Any) -> pb.Reference:
        """SetReference: ``data`` is profiled with :func:`greengate.profile` (options such as
        ``bins``, ``seed``, ``exclude`` apply) unless it is a ``DataProfile`` already."""
        reference = data if isinstance(data, pb.DataProfile) else profile_data(data, **profile_options)
        return self._call("SetReference", req.set_reference(
            model, reference, accuracy, evaluation_rows, scores, feature_importance), timeout)

    def get_reference(self, model: str, *, view: str = "full",
                      timeout: Optional[float] = None) -> pb.Reference:
        """GetReference; ``view="basic"`` leaves the samples out (enough to profile on)."""
        return self._call("GetReference", pb.GetReferenceRequest(
            model=req.model_name(model), view=req.VIEWS[view]), timeout)

    def set_policy(self, model: str, policy: Optional[pb.Policy] = None, *,
                   timeout: Optional[float] = None, **fields: Any) -> pb.Policy:
        """SetPolicy from a ``Policy`` message and/or its fields: ``set_policy("churn",
        min_gain=0.01, energy_budget_kwh=500)``."""
        return self._call("SetPolicy", req.set_policy(model, policy, fields), timeout)

    def get_policy(self, model: str, *, timeout: Optional[float] = None) -> pb.Policy:
        """GetPolicy."""
        return self._call("GetPolicy", pb.GetPolicyRequest(model=req.model_name(model)), timeout)

    # --- decisions -------------------------------------------------------------------------

    def should_retrain(self, model: str, data: DataOrProfile, *, plan: Optional[Any] = None,
                       labeled: Optional[Labeled] = None, plans: Sequence[Any] = (),
                       idempotency_key: Optional[str] = None,
                       scores: Optional[pb.NumericProfile] = None, forecast: Sequence[tuple] = (),
                       challenger: Optional[Challenger] = None, timeout: Optional[float] = None,
                       **profile_options: Any) -> Decision:
        """ShouldRetrain. ``data`` (a DataFrame) is profiled in process on the model's
        reference, or is a current ``DataProfile``. ``forecast`` holds (datetime,
        g CO2e/kWh) points; ``challenger`` a proxy retrain scored beside the deployed model
        (:class:`greengate.Challenger`). One idempotency key (given, or a fresh one) for all
        retries."""
        current = self._profile_on_model(model, data, profile_options, timeout)
        request = req.should_retrain(model, current, labeled, plan, plans, idempotency_key,
                                     scores, forecast, challenger)
        return Decision(self._call("ShouldRetrain", request, timeout))

    def get_decision(self, name: str, *, timeout: Optional[float] = None) -> Decision:
        """GetDecision ("decisions/ID" or "ID")."""
        return Decision(self._call("GetDecision",
                                   pb.GetDecisionRequest(name=req.decision_name(name)), timeout))

    def list_decisions(self, model: Optional[str] = None, *, verdict: Optional[str] = None,
                       start: Optional[req.Time] = None, end: Optional[req.Time] = None,
                       page_size: int = 50, timeout: Optional[float] = None) -> Iterator[Decision]:
        """ListDecisions, newest first, fetching pages as the iterator is consumed."""
        request = req.list_decisions(model, verdict, page_size, start, end)
        while True:
            page = self._call("ListDecisions", request, timeout)
            yield from (Decision(d) for d in page.decisions)
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    def watch_decisions(self, model: Optional[str] = None, *, verdicts: Sequence[str] = (),
                        timeout: Optional[float] = None) -> Iterator[Decision]:
        """WatchDecisions: decisions as they are committed, until the server ends the stream
        (or ``timeout`` seconds pass: DeadlineExceeded). Not retried."""
        stream = self._stub.WatchDecisions(req.watch_decisions(model, verdicts), timeout=timeout,
                                           metadata=self._metadata)
        try:
            for decision in stream:
                yield Decision(decision)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            stream.cancel()

    def report_outcome(self, decision: Union[str, Decision, pb.Decision], *,
                       energy_kwh: Optional[float] = None, codecarbon: Optional[str] = None,
                       all_runs: bool = False, source: Optional[str] = None,
                       co2e_kg: Optional[float] = None, duration_s: Optional[float] = None,
                       accuracy_before: Optional[float] = None,
                       accuracy_after: Optional[float] = None, evaluation_set: Optional[str] = None,
                       evaluation_rows: Optional[int] = None, training_rows: Optional[int] = None,
                       shadow: Optional[Shadow] = None, timeout: Optional[float] = None) -> pb.Outcome:
        """ReportOutcome: measured energy from ``codecarbon`` (an emissions.csv, read as
        ``greengate report-outcome --codecarbon`` reads it) or ``energy_kwh``. ``shadow``
        scores the replaced and the new model on the same labeled rows after the retrain
        (:class:`greengate.Shadow`; the server derives accuracy_before / accuracy_after and the
        realised gain from it, so do not pass those as well)."""
        request = req.report_outcome(decision, energy_kwh, codecarbon, all_runs, source, dict(
            co2e_kg=co2e_kg, duration_s=duration_s, accuracy_before=accuracy_before,
            accuracy_after=accuracy_after, evaluation_set=evaluation_set,
            evaluation_rows=evaluation_rows, training_rows=training_rows, shadow=shadow))
        return self._call("ReportOutcome", request, timeout)

    # --- governance ------------------------------------------------------------------------

    def governance_report(self, start: req.Time, end: req.Time, model: Optional[str] = None, *,
                          timeout: Optional[float] = None) -> pb.GovernanceReport:
        """GetGovernanceReport over [start, end) (timezone-aware datetimes)."""
        return self._call("GetGovernanceReport", req.governance_report(start, end, model), timeout)

    def verify_audit_log(self, *, anchor_seq: int = 0, anchor_hash: str = "",
                         timeout: Optional[float] = None) -> pb.AuditLogVerification:
        """VerifyAuditLog; with an anchor (``head_seq``/``head_hash`` kept from an earlier
        report or verification) that decision must still have that hash."""
        return self._call("VerifyAuditLog", pb.VerifyAuditLogRequest(
            anchor_seq=anchor_seq, anchor_hash=anchor_hash), timeout)


