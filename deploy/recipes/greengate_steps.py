"""Pipeline steps around the `greengate` CLI, for orchestrators that run Python.

The Airflow DAG (airflow_dag.py) and the Kubeflow components (kubeflow_components.py) are thin
wrappers around these functions, so the logic is tested without either installed
(tests/deploy/recipes_test.py). Each function shells out to the CLI, which must be on PATH
(or named by $GREENGATE_CLI); the server is $GREENGATE_SERVER (or `server=`). Standard
library only; Python >= 3.8.

    profile = profile_current("churn", "new.csv", "current.json")
    gate = should_retrain("churn", profile, plan={"hours": 3, "accelerator": "nvidia-a100-40gb",
                                                  "accelerators": 1, "region": "FR"},
                          labeled_rows=1200, labeled_correct=1008)
    if gate.approved:
        train(...)  # under CodeCarbon's EmissionsTracker, which writes emissions.csv
        report_outcome(gate.decision, "emissions.csv", accuracy_after=0.91)
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Union

# `greengate should-retrain` exit codes (client/names.h): the verdict, or a failure.
EXIT_APPROVE = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REJECT = 10
EXIT_DEFER = 11
VERDICTS = {EXIT_APPROVE: "APPROVE", EXIT_REJECT: "REJECT", EXIT_DEFER: "DEFER"}


class GreengateError(RuntimeError):
    """The CLI failed (exit 1 or 2, or a verdict-less exit): the pipeline must not guess."""

    def __init__(self, args: Sequence[str], code: int, stderr: str):
        super().__init__(f"greengate {' '.join(args)} exited {code}: {stderr.strip()}")
        self.code = code
        self.stderr = stderr


@dataclass
class GateResult:
    """The gate's answer. `decision` is "decisions/ID" (pass it to report_outcome)."""

    verdict: str                    # APPROVE, REJECT or DEFER
    decision: str
    reason: str
    exit_code: int
    retry_after: Optional[str] = None   # DEFER: RFC 3339 time worth retrying at, if known
    raw: Dict = field(default_factory=dict)  # the Decision message as protobuf JSON

    @property
    def approved(self) -> bool:
        return self.verdict == "APPROVE"


def _run(args: Sequence[str], server: Optional[str], ok_codes=(0,)) -> subprocess.CompletedProcess:
    cli = os.environ.get("GREENGATE_CLI", "greengate")
    argv = [cli]
    if server:
        argv += ["--server", server]
    argv += list(args)
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode not in ok_codes:
        raise GreengateError(args, result.returncode, result.stderr)
    return result


# Training-job flags of should-retrain (client/plan_flags.cc), by plan key.
_PLAN_FLAGS = ("accelerator", "accelerators", "cpu", "cpu-cores", "memory-gb", "hours",
               "region", "provider", "pue", "carbon-intensity", "accelerator-utilization",
               "cpu-utilization", "training-rows", "plan-name", "accelerator-power-w",
               "cpu-power-per-core-w")


def plan_args(plan: Union[Dict[str, object], str]) -> List[str]:
    """A training plan as CLI flags: a dict of flag names (hyphens or underscores, without
    "--") to values, or the path of a TrainingPlan JSON file (--plan)."""
    if isinstance(plan, str):
        return ["--plan", plan]
    args = []
    for key, value in plan.items():
        flag = key.replace("_", "-")
        if flag not in _PLAN_FLAGS:
            raise ValueError(f"plan: unknown key {key!r}; expected one of {', '.join(_PLAN_FLAGS)}")
        args += [f"--{flag}", str(value)]
    return args


def profile_current(model: str, csv_path: str, out_path: str,
                    server: Optional[str] = None) -> str:
    """Profiles new data on the model's reference bin edges (`greengate profile --model`);
    returns out_path."""
    _run(["profile", "--model", model, "--csv", csv_path, "--out", out_path], server)
    return out_path


def should_retrain(model: str, profile_path: str, plan: Union[Dict[str, object], str],
                   labeled_rows: Optional[int] = None, labeled_correct: Optional[int] = None,
                   idempotency_key: Optional[str] = None,
                   server: Optional[str] = None) -> GateResult:
    """Asks the gate (`greengate --json should-retrain`). Raises GreengateError on any exit
    other than 0 (APPROVE), 10 (REJECT) or 11 (DEFER)."""
    args = ["--json", "should-retrain", "--model", model, "--profile", profile_path]
    args += plan_args(plan)
    if labeled_rows is not None:
        args += ["--labeled-rows", str(labeled_rows), "--labeled-correct", str(labeled_correct)]
    if idempotency_key:
        args += ["--idempotency-key", idempotency_key]
    result = _run(args, server, ok_codes=tuple(VERDICTS))
    decision = json.loads(result.stdout)
    verdict = VERDICTS[result.returncode]
    if decision.get("verdict") != verdict:  # the exit code and the message must agree
        raise GreengateError(args, result.returncode,
                             f"verdict {decision.get('verdict')} but exit {result.returncode}")
    return GateResult(verdict=verdict, decision=decision["name"], reason=decision["reason"],
                      exit_code=result.returncode, retry_after=decision.get("retry_after"),
                      raw=decision)


def report_outcome(decision: str, emissions_csv: str, accuracy_after: float,
                   accuracy_before: Optional[float] = None,
                   evaluation_set: Optional[str] = None, evaluation_rows: Optional[int] = None,
                   training_rows: Optional[int] = None, all_runs: bool = False,
                   server: Optional[str] = None) -> Dict:
    """Reports what the approved retrain cost, from CodeCarbon's emissions.csv (its last run,
    or every run's last row summed with all_runs), and what it gained. Returns the stored
    Outcome as protobuf JSON."""
    args = ["--json", "report-outcome", "--decision", decision, "--codecarbon", emissions_csv,
            "--accuracy-after", repr(accuracy_after)]
    if all_runs:
        args.append("--codecarbon-all-runs")
    if accuracy_before is not None:
        args += ["--accuracy-before", repr(accuracy_before)]
    if evaluation_set:
        args += ["--evaluation-set", evaluation_set]
    if evaluation_rows is not None:
        args += ["--evaluation-rows", str(evaluation_rows)]
    if training_rows is not None:
        args += ["--training-rows", str(training_rows)]
    return json.loads(_run(args, server).stdout)
