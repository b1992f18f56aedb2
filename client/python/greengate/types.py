"""Small value types of the client: labeled windows, training plans, TLS settings, and a
notebook-friendly view of a decision."""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from .v1 import greengate_pb2 as pb

__all__ = ["Labeled", "Challenger", "Shadow", "Plan", "TLS", "Decision"]


@dataclasses.dataclass(frozen=True)
class Labeled:
    """Accuracy of the deployed model on recently labeled rows: ``correct`` of ``rows``."""

    rows: int
    correct: int

    def to_proto(self) -> pb.LabeledWindow:
        return pb.LabeledWindow(rows=self.rows, correct=self.correct)


@dataclasses.dataclass(frozen=True)
class Challenger:
    """Opportunity evidence for ``should_retrain``: a cheap proxy retrain and the deployed
    model scored on the same recent labeled holdout (rows the proxy never trained on).

    ``proxy_only_correct`` / ``deployed_only_correct`` (both or neither) make the pairing
    known and narrow the interval; ``energy_kwh`` is the proxy run's, shown in the decision.

    >>> Challenger(rows=2000, proxy_correct=1640, deployed_correct=1530).to_proto().rows
    2000
    """

    rows: int
    proxy_correct: int
    deployed_correct: int
    proxy_only_correct: Optional[int] = None
    deployed_only_correct: Optional[int] = None
    energy_kwh: float = 0.0
    description: str = ""

    def to_proto(self) -> pb.Challenger:
        message = pb.Challenger(rows=self.rows, proxy_correct=self.proxy_correct,
                                deployed_correct=self.deployed_correct,
                                energy_kwh=self.energy_kwh, description=self.description)
        if self.proxy_only_correct is not None:
            message.proxy_only_correct = self.proxy_only_correct
        if self.deployed_only_correct is not None:
            message.deployed_only_correct = self.deployed_only_correct
        return message


@dataclasses.dataclass(frozen=True)
class Shadow:
    """For ``report_outcome``: the replaced and the new model scored on the same labeled rows
    after the retrain (rows neither trained on), which gives the realised gain.

    >>> Shadow(rows=2000, correct_before=1500, correct_after=1620).to_proto().correct_after
    1620
    """

    rows: int
    correct_before: int
    correct_after: int

    def to_proto(self) -> pb.ShadowScore:
        return pb.ShadowScore(rows=self.rows, correct_before=self.correct_before,
                              correct_after=self.correct_after)


@dataclasses.dataclass(frozen=True)
class Plan:
    """The training job a pipeline intends to run (``greengate should-retrain``'s plan flags).

    >>> Plan(hours=3, accelerator="nvidia-a100-40gb", accelerators=1, region="FR").to_proto().accelerator_count
    1
    """

    hours: float
    accelerator: str = ""
    accelerators: int = 0
    region: str = ""
    provider: str = ""
    cpu: str = ""
    cpu_cores: int = 0
    memory_gb: float = 0.0
    name: str = ""
    training_rows: int = 0
    pue: Optional[float] = None
    carbon_intensity_g_per_kwh: Optional[float] = None
    accelerator_utilization: Optional[float] = None
    cpu_utilization: Optional[float] = None
    accelerator_power_w: Optional[float] = None
    cpu_power_per_core_w: Optional[float] = None
    recovery_ratio: Optional[float] = None

    def to_proto(self) -> pb.TrainingPlan:
        fields = dataclasses.asdict(self)
        fields["accelerator_count"] = fields.pop("accelerators")
        return pb.TrainingPlan(**{k: v for k, v in fields.items() if v is not None})


@dataclasses.dataclass(frozen=True)
class TLS:
    """TLS as the CLI takes it: ``ca_file`` (--tls-ca), ``cert_file``/``key_file`` for mutual
    TLS (--tls-cert, --tls-key), ``server_name`` (--tls-server-name). ``TLS()`` uses the
    system's trusted roots (--tls)."""

    ca_file: Optional[str] = None
    cert_file: Optional[str] = None
    key_file: Optional[str] = None
    server_name: Optional[str] = None


class Decision:
    """A ``greengate.v1.Decision`` with its verdict as a string.

    ``verdict`` is ``"APPROVE"``, ``"REJECT"`` or ``"DEFER"``; every other field of the message
    (``reason``, ``checks``, ``drift``, ``gain``, ``cost``, ``name``, ...) reads through, and
    ``proto`` is the message itself.
    """

    __slots__ = ("proto",)

    def __init__(self, proto: pb.Decision):
        self.proto = proto

    @property
    def verdict(self) -> str:
        return pb.Verdict.Name(self.proto.verdict)

    @property
    def approved(self) -> bool:
        return self.proto.verdict == pb.APPROVE

    def __getattr__(self, name: str) -> Any:
        return getattr(self.proto, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Decision) and self.proto == other.proto

    def __repr__(self) -> str:
        p = self.proto
        return (f"Decision({p.name!r}, verdict={self.verdict}, decided_by={p.decided_by!r}, "
                f"reason={p.reason!r})")

    def _repr_markdown_(self) -> str:
        p = self.proto
        rows = "\n".join(f"| {c.name} | {'pass' if c.passed else 'fail'} | {c.observed:.4g} | "
                         f"{c.limit:.4g} | {'**decisive**' if c.decisive else ''} |"
                         for c in p.checks if c.evaluated)
        return (f"**{self.verdict}** `{p.name}`: {p.reason}\n\n"
                f"| check | result | observed | limit | |\n|---|---|---|---|---|\n{rows}")
