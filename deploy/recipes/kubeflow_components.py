"""Kubeflow Pipelines (kfp v2) components and pipeline: gate retraining with greengate.

    gate -> dsl.If(verdict == "APPROVE") -> train -> report_outcome

Lightweight Python components run in `GREENGATE_IMAGE`: an image with the `greengate` Python
package installed (pip install client/python) and greengate_steps.py (this folder) on
PYTHONPATH, plus CodeCarbon. `gate` profiles the new data in process (the package's C++
profiler, on the model's reference) and asks the gate. The server is the `server` argument.
Each component body only calls greengate_steps, whose logic is tested without kfp (the
package's tests, client/python/tests/test_recipes.py).

Compile: `python3 -c "from kfp import compiler; import kubeflow_components as k;
compiler.Compiler().compile(k.churn_retraining, 'churn_retraining.yaml')"`. kfp >= 2.7
(dsl.If).
"""

from typing import NamedTuple

from kfp import dsl
from kfp.dsl import Dataset, Input, Output, Artifact

GREENGATE_IMAGE = "registry.example.com/greengate-pipeline:0.1.0"


@dsl.component(base_image=GREENGATE_IMAGE)
def gate(model: str, server: str, new_data: Input[Dataset], hours: float, accelerator: str,
         accelerators: int, region: str, labeled_rows: int, labeled_correct: int,
         run_id: str) -> NamedTuple("GateOutputs", [("verdict", str), ("decision", str)]):
    from collections import namedtuple  # pylint: disable=import-outside-toplevel

    import greengate_steps  # pylint: disable=import-outside-toplevel

    result = greengate_steps.should_retrain(
        model, new_data.path,
        {"hours": hours, "accelerator": accelerator, "accelerators": accelerators,
         "region": region},
        labeled_rows=labeled_rows, labeled_correct=labeled_correct, idempotency_key=run_id,
        server=server)
    print(f"greengate: {result.verdict} {result.decision}: {result.reason}")
    return namedtuple("GateOutputs", ["verdict", "decision"])(result.verdict, result.decision)


@dsl.component(base_image=GREENGATE_IMAGE)
def train(train_data: Input[Dataset], emissions: Output[Artifact]) -> float:
    import os  # pylint: disable=import-outside-toplevel
    import shutil  # pylint: disable=import-outside-toplevel

    from codecarbon import EmissionsTracker  # pylint: disable=import-outside-toplevel

    out_dir = os.path.dirname(emissions.path) or "."
    tracker = EmissionsTracker(output_dir=out_dir, output_file="emissions.csv")
    tracker.start()
    try:
        accuracy = 0.91  # your training and evaluation of train_data.path here
    finally:
        tracker.stop()
    produced = os.path.join(out_dir, "emissions.csv")
    if produced != emissions.path:
        shutil.move(produced, emissions.path)
    return accuracy


@dsl.component(base_image=GREENGATE_IMAGE)
def report_outcome(server: str, decision: str, emissions: Input[Artifact], accuracy: float):
    import greengate_steps  # pylint: disable=import-outside-toplevel

    greengate_steps.report_outcome(decision, emissions.path, accuracy_after=accuracy,
                                   server=server)


@dsl.pipeline(name="churn-retraining")
def churn_retraining(new_data_uri: str, train_data_uri: str,
                     server: str = "greengate.greengate.svc:50051", model: str = "churn",
                     labeled_rows: int = 1200, labeled_correct: int = 1008):
    new_data = dsl.importer(artifact_uri=new_data_uri, artifact_class=Dataset)
    train_data = dsl.importer(artifact_uri=train_data_uri, artifact_class=Dataset)
    decided = gate(model=model, server=server, new_data=new_data.output, hours=3.0,
                   accelerator="nvidia-a100-40gb", accelerators=1, region="FR",
                   labeled_rows=labeled_rows, labeled_correct=labeled_correct,
                   run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER)
    with dsl.If(decided.outputs["verdict"] == "APPROVE"):
        trained = train(train_data=train_data.output)
        report_outcome(server=server, decision=decided.outputs["decision"],
                       emissions=trained.outputs["emissions"], accuracy=trained.outputs["Output"])
