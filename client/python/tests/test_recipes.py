"""deploy/recipes/greengate_steps.py, the steps the Airflow DAG and Kubeflow components call,
against a live server: gate on the demo data, report from a CodeCarbon file, fail closed."""

import os
import sys

import pandas as pd
import pytest

import greengate

SOURCE_DIR = os.environ["GG_SOURCE_DIR"]
DATA = os.path.join(SOURCE_DIR, "deploy", "demo", "data")
EMISSIONS = os.path.join(SOURCE_DIR, "tests", "client", "testdata", "emissions.csv")
sys.path.insert(0, os.path.join(SOURCE_DIR, "deploy", "recipes"))

import greengate_steps  # noqa: E402

PLAN = {"accelerator": "nvidia-a100-40gb", "accelerators": 1, "cpu_cores": 8, "memory_gb": 64,
        "hours": 3, "region": "FR", "provider": "gcp"}


@pytest.fixture
def model(server):
    gg = greengate.Client(server.address)
    gg.register_model("steps", version="v1")
    gg.set_reference("steps", pd.read_csv(f"{DATA}/reference.csv"), accuracy=0.912,
                     evaluation_rows=4000)
    gg.set_policy("steps", min_gain=0.01, min_gain_points_per_kwh=0.1, cooldown_s=86400)
    return server


def test_gate_then_report_from_codecarbon(model):
    address = model.address
    rejected = greengate_steps.should_retrain("steps", f"{DATA}/undrifted.csv", PLAN,
                                              labeled_rows=1200, labeled_correct=1090,
                                              server=address)
    assert (rejected.verdict, rejected.approved) == ("REJECT", False)
    drifted = pd.read_csv(f"{DATA}/drifted.csv")
    approved = greengate_steps.should_retrain("steps", drifted, PLAN, labeled_rows=1200,
                                              labeled_correct=1008, idempotency_key="run-1",
                                              server=address)
    assert (approved.verdict, approved.approved) == ("APPROVE", True), approved.reason
    assert approved.decision.startswith("decisions/")
    again = greengate_steps.should_retrain("steps", drifted, PLAN, labeled_rows=1200,
                                           labeled_correct=1008, idempotency_key="run-1",
                                           server=address)
    assert again.decision == approved.decision  # a retried task decides once

    outcome = greengate_steps.report_outcome(approved.decision, EMISSIONS, accuracy_after=0.9,
                                             accuracy_before=0.84, all_runs=True,
                                             training_rows=20000, server=address)
    assert outcome["energy_kwh"] == pytest.approx(3.25)  # 1.25 + 2.0: both runs' last rows
    assert outcome["co2e_kg"] == pytest.approx(0.1625)
    assert outcome["source"] == "codecarbon"
    with pytest.raises(greengate.AlreadyExists):
        greengate_steps.report_outcome(approved.decision, EMISSIONS, accuracy_after=0.9,
                                       server=address)


def test_fail_closed(model):
    with pytest.raises(greengate.NotFound):
        greengate_steps.should_retrain("no-such-model", f"{DATA}/drifted.csv", PLAN,
                                       server=model.address)
    with pytest.raises(TypeError):
        greengate_steps.should_retrain("steps", f"{DATA}/drifted.csv", {"gpus": 8},
                                       server=model.address)
