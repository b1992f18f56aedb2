"""Request messages of every RPC, built from Python arguments; shared by the blocking and the
asyncio clients so both send exactly the same requests."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from google.protobuf import timestamp_pb2

from . import _profiler
from .errors import from_native
from .types import Challenger, Decision, Labeled, Plan, Shadow
from .v1 import greengate_pb2 as pb

Time = Union[datetime.datetime, timestamp_pb2.Timestamp]
PlanLike = Union[Plan, pb.TrainingPlan]

VIEWS = {"full": pb.REFERENCE_VIEW_FULL, "basic": pb.REFERENCE_VIEW_BASIC}


def model_name(model: str) -> str:
    """"churn" -> "models/churn"; a full name is kept."""
    return model if model.startswith("models/") else f"models/{model}"


def decision_name(decision: Union[str, Decision, pb.Decision]) -> str:
    if isinstance(decision, (Decision, pb.Decision)):
        return decision.name
    return decision if decision.startswith("decisions/") else f"decisions/{decision}"


def timestamp(when: Time) -> timestamp_pb2.Timestamp:
    if isinstance(when, timestamp_pb2.Timestamp):
        return when
    if when.tzinfo is None:
        raise ValueError("times must be timezone-aware (e.g. datetime.now(timezone.utc))")
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(when.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    return ts


def plan_proto(plan: Optional[PlanLike]) -> Optional[pb.TrainingPlan]:
    if plan is None or isinstance(plan, pb.TrainingPlan):
        return plan
    return plan.to_proto()


def register_model(model_id: str, version: str, task: str, display_name: str):
    return pb.RegisterModelRequest(model_id=model_id, model=pb.Model(
        deployed_version=version, task=task, display_name=display_name))


def set_reference(model: str, profile: pb.DataProfile, accuracy: float, evaluation_rows: int,
                  scores: Optional[pb.NumericProfile],
                  feature_importance: Optional[Mapping[str, float]]) -> pb.SetReferenceRequest:
    if feature_importance:
        profile = pb.DataProfile.FromString(profile.SerializeToString())
        profile.feature_importance.update(dict(feature_importance))
    reference = pb.Reference(model=model_name(model), profile=profile, accuracy=accuracy,
                             evaluation_rows=evaluation_rows)
    if scores is not None:
        reference.scores.CopyFrom(scores)
    return pb.SetReferenceRequest(reference=reference)


def set_policy(model: str, policy: Optional[pb.Policy], fields: Dict[str, Any]):
    message = pb.Policy()
    if policy is not None:
        message.CopyFrom(policy)
    for key, value in fields.items():
        if key == "feature_tests":
            message.feature_tests.update(value)
        else:
            setattr(message, key, value)
    message.model = model_name(model)
    return pb.SetPolicyRequest(policy=message)


def should_retrain(model: str, current: pb.DataProfile, labeled: Optional[Labeled],
                   plan: Optional[PlanLike], plans: Sequence[PlanLike],
                   idempotency_key: Optional[str], scores: Optional[pb.NumericProfile],
                   forecast: Iterable[tuple],
                   challenger: Union[Challenger, pb.Challenger, None] = None
                   ) -> pb.ShouldRetrainRequest:
    request = pb.ShouldRetrainRequest(
        model=model_name(model), current=current,
        # One key for every attempt of this call: a retry after a dropped connection gets the
        # decision the server may already have committed.
        idempotency_key=idempotency_key or uuid.uuid4().hex)
    if labeled is not None:
        request.labeled.CopyFrom(labeled.to_proto() if isinstance(labeled, Labeled) else labeled)
    if plan is not None:
        request.plan.CopyFrom(plan_proto(plan))
    request.plans.extend(plan_proto(p) for p in plans)
    if scores is not None:
        request.scores.CopyFrom(scores)
    for when, intensity in forecast:
        request.forecast.add(time=timestamp(when), carbon_intensity_g_per_kwh=intensity)
    if challenger is not None:
        request.challenger.CopyFrom(
            challenger.to_proto() if isinstance(challenger, Challenger) else challenger)
    return request


def list_decisions(model: Optional[str], verdict: Optional[str], page_size: int,
                   start: Optional[Time], end: Optional[Time]) -> pb.ListDecisionsRequest:
    request = pb.ListDecisionsRequest(page_size=page_size)
    if model:
        request.model = model_name(model)
    if verdict:
        request.verdict = pb.Verdict.Value(verdict)
    if start is not None:
        request.start_time.CopyFrom(timestamp(start))
    if end is not None:
        request.end_time.CopyFrom(timestamp(end))
    return request


def report_outcome(decision, energy_kwh: Optional[float], codecarbon: Optional[str],
                   all_runs: bool, source: Optional[str], fields: Dict[str, Any]):
    outcome = pb.Outcome(decision=decision_name(decision))
    if codecarbon is not None:
        try:
            totals = _profiler.read_codecarbon(codecarbon, all_runs)
        except (ValueError, RuntimeError) as error:
            raise from_native(error) from None
        outcome.energy_kwh = totals["energy_kwh"]
        outcome.co2e_kg = totals["co2e_kg"]
        outcome.duration_s = totals["duration_s"]
        outcome.source = "codecarbon"
    if energy_kwh is not None:
        outcome.energy_kwh = energy_kwh
    if source is not None:
        outcome.source = source
    if not outcome.source:
        outcome.source = "manual"
    for key, value in fields.items():
        if value is None:
            continue
        if key == "shadow":
            outcome.shadow.CopyFrom(value.to_proto() if isinstance(value, Shadow) else value)
        else:
            setattr(outcome, key, value)
    return pb.ReportOutcomeRequest(outcome=outcome)


def governance_report(start: Time, end: Time, model: Optional[str]):
    return pb.GetGovernanceReportRequest(start_time=timestamp(start), end_time=timestamp(end),
                                         model=model_name(model) if model else "")


def watch_decisions(model: Optional[str], verdicts: Sequence[str]):
    return pb.WatchDecisionsRequest(model=model_name(model) if model else "",
                                    verdicts=[pb.Verdict.Value(v) for v in verdicts])
