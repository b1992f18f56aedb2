#!/usr/bin/python3
"""The whole greengate flow from Python with Debian's python3-grpcio, against a live server.

Usage: /usr/bin/python3 tests/clients/python/flow_test.py SOURCE_DIR BUILD_DIR

Stubs are generated from proto/greengate/v1/greengate.proto at test time into
BUILD_DIR/clients/python (never committed), with Debian's protoc and grpc_python_plugin:
python3-grpc-tools 1.14 bundles protoc 3.5, which predates proto3 `optional` fields.
Profiles are made by the real `greengate profile` from deploy/demo/data and loaded with
google.protobuf.json_format, as a Python pipeline that profiles with the CLI would.
"""

import datetime
import os
import subprocess
import sys
import unittest

SOURCE_DIR, BUILD_DIR = (os.path.abspath(p) for p in sys.argv[1:3])
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "clients"))
sys.dont_write_bytecode = True

# pylint: disable=wrong-import-position
import grpc  # python3-grpcio
from google.protobuf import json_format, timestamp_pb2

from live_server import LiveServer

STUB_DIR = os.path.join(BUILD_DIR, "clients", "python")


def generate_stubs():
    os.makedirs(STUB_DIR, exist_ok=True)
    subprocess.run(
        ["protoc", f"-I{SOURCE_DIR}/proto", f"--python_out={STUB_DIR}",
         f"--grpc_python_out={STUB_DIR}",
         "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
         "greengate/v1/greengate.proto"], check=True)
    sys.path.insert(0, STUB_DIR)


generate_stubs()
from greengate.v1 import greengate_pb2 as pb  # noqa: E402
from greengate.v1 import greengate_pb2_grpc as pb_grpc  # noqa: E402

DATA = os.path.join(SOURCE_DIR, "deploy", "demo", "data")
PLAN = pb.TrainingPlan(accelerator="nvidia-a100-40gb", accelerator_count=1, cpu_cores=8,
                       memory_gb=64, hours=3, region="FR", provider="gcp")


def timestamp(when):
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(when)
    return ts


class PythonClientFlowTest(unittest.TestCase):
    """Register, reference, policy, two decisions, an outcome and the governance report."""

    def load_profile(self, server, *args):
        out = os.path.join(server.dir, "profile.json")
        server.run_cli("profile", *args, "--out", out)
        with open(out, encoding="utf-8") as f:
            return json_format.Parse(f.read(), pb.DataProfile())

    def test_whole_flow(self):
        with LiveServer(BUILD_DIR, "python") as server:
            channel = grpc.insecure_channel(server.address)
            grpc.channel_ready_future(channel).result(timeout=30)
            stub = pb_grpc.RetrainGatekeeperStub(channel)

            model = stub.RegisterModel(pb.RegisterModelRequest(
                model_id="churn", model=pb.Model(deployed_version="2026-11-01",
                                                 display_name="Customer churn")), timeout=30)
            self.assertEqual(model.name, "models/churn")

            reference = self.load_profile(server, "--csv", f"{DATA}/reference.csv")
            stored = stub.SetReference(pb.SetReferenceRequest(reference=pb.Reference(
                model="models/churn", profile=reference, accuracy=0.912,
                evaluation_rows=4000)), timeout=30)
            self.assertEqual(stored.model_version, "2026-11-01")
            self.assertEqual(stored.profile.rows, reference.rows)

            policy = stub.SetPolicy(pb.SetPolicyRequest(policy=pb.Policy(
                model="models/churn", min_gain=0.01, min_gain_points_per_kwh=0.1,
                cooldown_s=86400)), timeout=30)
            self.assertEqual(policy.version, 1)
            self.assertAlmostEqual(policy.min_gain, 0.01)

            # Current profiles on the reference's bin edges (the CLI reads them from the
            # server): an unchanged batch, then a drifted one with a degraded labeled window.
            undrifted = self.load_profile(server, "--model", "churn", "--csv",
                                          f"{DATA}/undrifted.csv")
            drifted = self.load_profile(server, "--model", "churn", "--csv",
                                        f"{DATA}/drifted.csv")
            rejected = stub.ShouldRetrain(pb.ShouldRetrainRequest(
                model="models/churn", current=undrifted, plan=PLAN,
                labeled=pb.LabeledWindow(rows=1200, correct=1090)), timeout=30)
            self.assertEqual(rejected.verdict, pb.REJECT, rejected.reason)
            approved = stub.ShouldRetrain(pb.ShouldRetrainRequest(
                model="models/churn", current=drifted, plan=PLAN,
                labeled=pb.LabeledWindow(rows=1200, correct=1008)), timeout=30)
            self.assertEqual(approved.verdict, pb.APPROVE, approved.reason)
            for decision in (rejected, approved):
                names = [c.name for c in decision.checks]
                self.assertIn("evidence_of_need", names)
                self.assertEqual(sum(c.decisive for c in decision.checks), 1, names)
                self.assertTrue(decision.name.startswith("decisions/"))
                self.assertGreater(decision.cost.energy_kwh, 0)
            self.assertTrue(approved.drift.dataset_drift)
            self.assertTrue(all(c.passed for c in approved.checks if c.evaluated))

            # Once per decision; only approvals take outcomes.
            outcome = stub.ReportOutcome(pb.ReportOutcomeRequest(outcome=pb.Outcome(
                decision=approved.name, energy_kwh=2.5, co2e_kg=0.125, duration_s=9000,
                source="python-test", accuracy_before=0.84, accuracy_after=0.9,
                evaluation_set="holdout", evaluation_rows=4000, training_rows=20000)),
                timeout=30)
            self.assertAlmostEqual(outcome.estimated_energy_kwh, approved.cost.energy_kwh)
            with self.assertRaises(grpc.RpcError) as again:
                stub.ReportOutcome(pb.ReportOutcomeRequest(outcome=pb.Outcome(
                    decision=approved.name, energy_kwh=1, source="python-test")), timeout=30)
            self.assertEqual(again.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
            with self.assertRaises(grpc.RpcError) as not_approved:
                stub.ReportOutcome(pb.ReportOutcomeRequest(outcome=pb.Outcome(
                    decision=rejected.name, energy_kwh=1, source="python-test")), timeout=30)
            self.assertEqual(not_approved.exception.code(),
                             grpc.StatusCode.FAILED_PRECONDITION)

            now = datetime.datetime.now(datetime.timezone.utc)
            report = stub.GetGovernanceReport(pb.GetGovernanceReportRequest(
                start_time=timestamp(now - datetime.timedelta(days=1)),
                end_time=timestamp(now + datetime.timedelta(days=1))), timeout=30)
            overall = report.overall
            self.assertEqual((overall.decisions.approved, overall.decisions.rejected,
                              overall.decisions.total), (1, 1, 2))
            self.assertAlmostEqual(overall.approved_energy_kwh, approved.cost.energy_kwh)
            self.assertAlmostEqual(overall.approved_co2e_kg, approved.cost.co2e_kg)
            self.assertEqual(overall.avoided_jobs, 1)
            self.assertAlmostEqual(overall.avoided_energy_kwh, rejected.cost.energy_kwh)
            self.assertEqual(overall.outcomes, 1)
            self.assertAlmostEqual(overall.measured_energy_kwh, 2.5)
            self.assertAlmostEqual(overall.measured_co2e_kg, 0.125)
            self.assertAlmostEqual(overall.estimated_energy_kwh, approved.cost.energy_kwh)
            self.assertEqual(overall.outcomes_with_gain, 1)
            self.assertAlmostEqual(overall.mean_realised_gain, 0.06)
            self.assertEqual([m.model for m in report.models], ["models/churn"])
            self.assertTrue(report.audit.intact)
            channel.close()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
