"""Pipeline steps on the `greengate` Python package (client/python), for orchestrators that
run Python.

The Airflow DAG (airflow_dag.py) and the Kubeflow components (kubeflow_components.py) are thin
wrappers around these functions, so their logic is tested without either installed (the
package's tests, client/python/tests/test_recipes.py). New data is profiled in process by the
package's C++ profiler on the model's reference (no CSV written, no CLI); the server is
$GREENGATE_SERVER (or `server=`), the token file $GREENGATE_TOKEN_FILE (or `token_file=`).
Shell pipelines keep the CLI recipes (gate_step.sh, sharded_profile.sh).

    gate = should_retrain("churn", new_df, plan={"hours": 3, "accelerator": "nvidia-a100-40gb",
                                                 "accelerators": 1, "region": "FR"},
                          labeled_rows=1200, labeled_correct=1008, idempotency_key=run_id)
    if gate.approved:
        train(...)  # under CodeCarbon's EmissionsTracker, which writes emissions.csv
        report_outcome(gate.decision, "emissions.csv", accuracy_after=0.91)
"""

from dataclasses import dataclass
from typing import Any, Dict, Optional

import greengate
from google.protobuf import json_format


@dataclass
class GateResult:
    """The gate's answer. `decision` is "decisions/ID" (pass it to report_outcome)."""

    verdict: str                    # APPROVE, REJECT or DEFER
    decision: str
    reason: str
    retry_after: Optional[str] = None   # DEFER: RFC 3339 time worth retrying at, if known

    @property
    def approved(self) -> bool:
        return self.verdict == "APPROVE"


def client(server: Optional[str] = None, token_file: Optional[str] = None) -> greengate.Client:
    """A client of $GREENGATE_SERVER (or `server`); retries UNAVAILABLE with backoff."""
    return greengate.Client(server, token_file=token_file)


def read_frame(path: str):
    """New data as a DataFrame: Parquet (.parquet) or CSV."""
    import pandas as pd  # pylint: disable=import-outside-toplevel

    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def should_retrain(model: str, data: Any, plan: Dict[str, Any],
                   labeled_rows: Optional[int] = None, labeled_correct: Optional[int] = None,
                   idempotency_key: Optional[str] = None, server: Optional[str] = None,
                   token_file: Optional[str] = None) -> GateResult:
    """Asks the gate about `data` (a DataFrame, or the path of a CSV or Parquet file), profiled
    on the model's reference. `plan` holds greengate.Plan fields (hours, accelerator,
    accelerators, region, ...). Any error raises a greengate exception: fail closed."""
    frame = read_frame(data) if isinstance(data, str) else data
    labeled = (greengate.Labeled(rows=labeled_rows, correct=labeled_correct)
               if labeled_rows is not None else None)
    with client(server, token_file) as gg:
        d = gg.should_retrain(model, frame, plan=greengate.Plan(**plan), labeled=labeled,
                              idempotency_key=idempotency_key)
    retry_after = d.retry_after.ToJsonString() if d.HasField("retry_after") else None
    return GateResult(verdict=d.verdict, decision=d.name, reason=d.reason,
                      retry_after=retry_after)


def report_outcome(decision: str, emissions_csv: str, accuracy_after: float,
                   accuracy_before: Optional[float] = None,
                   evaluation_set: Optional[str] = None, evaluation_rows: Optional[int] = None,
                   training_rows: Optional[int] = None, all_runs: bool = False,
                   server: Optional[str] = None, token_file: Optional[str] = None) -> Dict:
    """Reports what the approved retrain cost, from CodeCarbon's emissions.csv (its last run,
    or every run's last row summed with all_runs), and what it gained. Returns the stored
    Outcome as protobuf JSON (a dict, for XCom and pipeline outputs)."""
    with client(server, token_file) as gg:
        outcome = gg.report_outcome(decision, codecarbon=emissions_csv, all_runs=all_runs,
                                    accuracy_after=accuracy_after,
                                    accuracy_before=accuracy_before,
                                    evaluation_set=evaluation_set,
                                    evaluation_rows=evaluation_rows, training_rows=training_rows)
    return json_format.MessageToDict(outcome, preserving_proto_field_name=True)
