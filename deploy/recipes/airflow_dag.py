"""Airflow DAG: retrain the churn model only when greengate approves, then report the outcome.

    gate (short-circuit) >> train >> report_outcome

`gate` profiles the day's new data in process with the greengate Python package (its C++
profiler, on the model's reference) and asks the gate; it is a @task.short_circuit: on REJECT or DEFER it returns a falsy value and Airflow skips
the training and reporting tasks (the run succeeds: not retraining is a normal result); on
APPROVE it returns the decision name, which `report_outcome` reads from XCom. Any greengate
error fails the task (fail closed: no retrain on an unknown answer). Training runs under
CodeCarbon's EmissionsTracker, whose emissions.csv the outcome report reads.

Setup: the workers need the `greengate` package installed (pip install client/python),
GREENGATE_SERVER (and GREENGATE_TOKEN_FILE if the server checks tokens) set, and
greengate_steps.py (this folder) importable, e.g. copied next to this file in the DAGs
folder. Airflow >= 2.3 (TaskFlow @task.short_circuit).
"""

import os

import pendulum
from airflow.decorators import dag, task

import greengate_steps

MODEL = "churn"
WORK_DIR = os.environ.get("GREENGATE_WORK_DIR", "/tmp/greengate-churn")
# The training job: greengate.Plan fields.
PLAN = {"accelerator": "nvidia-a100-40gb", "accelerators": 1, "cpu_cores": 8,
        "memory_gb": 64, "hours": 3, "region": "FR", "provider": "gcp",
        "training_rows": 1_200_000}


@dag(schedule="@daily", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"), catchup=False,
     tags=["greengate", "retraining"])
def churn_retraining():
    @task.short_circuit
    def gate(ds=None):
        labeled_rows, labeled_correct = 1200, 1008  # from your labeling system
        result = greengate_steps.should_retrain(
            MODEL, f"/data/churn/{ds}.parquet", PLAN, labeled_rows=labeled_rows,
            labeled_correct=labeled_correct, idempotency_key=f"{MODEL}-{ds}")
        print(f"greengate: {result.verdict} {result.decision}: {result.reason}")
        return result.decision if result.approved else False

    @task
    def train(decision: str) -> dict:
        from codecarbon import EmissionsTracker  # pylint: disable=import-outside-toplevel

        os.makedirs(WORK_DIR, exist_ok=True)
        tracker = EmissionsTracker(output_dir=WORK_DIR, project_name=decision)
        tracker.start()
        try:
            accuracy = 0.91  # your training and evaluation here
        finally:
            tracker.stop()
        return {"decision": decision, "accuracy": accuracy,
                "emissions": os.path.join(WORK_DIR, "emissions.csv")}

    @task
    def report_outcome(trained: dict) -> None:
        greengate_steps.report_outcome(trained["decision"], trained["emissions"],
                                       accuracy_after=trained["accuracy"],
                                       evaluation_set="holdout", training_rows=1_200_000)

    report_outcome(train(gate()))


churn_retraining()
