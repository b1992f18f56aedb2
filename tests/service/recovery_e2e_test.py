#!/usr/bin/env python3
"""End to end: a model retrained in bad conditions is approved once the data recovers.

Through the CLI against a live greengate-server: v0 is trained on clean data (accuracy 0.93);
a noise event drifts the data and v1 and v2 are retrained on noisy windows (reference
accuracies 0.60 and 0.55), each landing with `set-reference --version --approved-by` and a
shadow-scored outcome. The noise ends: v2 scores 0.88 on clean data, far above its own
reference, so against its reference nothing is lost. The gate still approves, from headroom:
v0 reached 0.93 on data like today's.

    recovery_e2e_test.py SOURCE_DIR BUILD_DIR
"""

import csv
import datetime
import json
import os
import sys
import tempfile
import unittest

import numpy as np

SOURCE_DIR, BUILD_DIR = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "clients"))
from live_server import LiveServer  # noqa: E402

PLAN = ["--accelerator", "nvidia-a100-40gb", "--accelerators", "1", "--hours", "1",
        "--region", "FR"]


def write_csv(path, x):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"f{i}" for i in range(x.shape[1])])
        w.writerows(np.round(x, 5).tolist())


class RecoveryTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(3)
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def data(self, name, noisy):
        x = self.rng.normal(0, 1, (1000, 4))
        if noisy:
            x = x * 2.5 + 1.0
        path = os.path.join(self.dir.name, f"{name}.csv")
        write_csv(path, x)
        return path

    def ask(self, server, csv_path, correct):
        result = server.run_cli("--json", "should-retrain", "--model", "m", "--csv", csv_path,
                                "--labeled-rows", "1000", "--labeled-correct", str(correct),
                                *PLAN, check=False)
        self.assertTrue(result.stdout.strip(), result.stderr)
        return json.loads(result.stdout)

    def land(self, server, decision, version, train_csv, accuracy, before, after):
        server.run_cli("set-reference", "--model", "m", "--csv", train_csv, "--accuracy",
                       str(accuracy), "--evaluation-rows", "4000", "--version", version,
                       "--approved-by", decision["name"])
        server.run_cli("report-outcome", "--decision", decision["name"], "--energy-kwh", "0.5",
                       "--shadow-rows", "1000", "--shadow-correct-before", str(before),
                       "--shadow-correct-after", str(after))

    def test_retrained_in_noise_then_approved_when_data_recovers(self):
        with LiveServer(BUILD_DIR, name="recovery") as server:
            server.run_cli("register", "--model", "m", "--version", "v0")
            server.run_cli("set-reference", "--model", "m", "--csv", self.data("clean0", False),
                           "--accuracy", "0.93", "--evaluation-rows", "4000")
            server.run_cli("set-policy", "--model", "m", "--cooldown-hours", "0")

            first = self.ask(server, self.data("noisy1", True), 450)
            self.assertEqual(first["verdict"], "APPROVE", first["reason"])
            self.land(server, first, "v1", self.data("train1", True), 0.60, 450, 600)
            second = self.ask(server, self.data("noisy2", True), 520)
            self.assertEqual(second["verdict"], "APPROVE", second["reason"])
            self.land(server, second, "v2", self.data("train2", True), 0.55, 520, 560)
            model = json.loads(server.run_cli("--json", "get-model", "--model", "m").stdout)
            self.assertEqual(model["deployed_version"], "v2")

            recovered = self.ask(server, self.data("clean3", False), 880)
            gain = recovered["gain"]
            self.assertEqual(recovered["model_version"], "v2")
            self.assertEqual(gain["method"], "headroom", gain)
            self.assertAlmostEqual(gain["attainable_accuracy"], 0.93)
            self.assertGreater(gain["lower_bound"], 0)
            self.assertIn("labeled_window", gain["considered"])
            self.assertEqual(recovered["verdict"], "APPROVE", recovered["reason"])

            # The governance report follows each version's life.
            today = datetime.date.today()
            report = json.loads(server.run_cli(
                "report", "--model", "m", "--format", "json", "--from",
                (today - datetime.timedelta(days=1)).isoformat(), "--to",
                (today + datetime.timedelta(days=1)).isoformat()).stdout)
            versions = report["models"][0]["versions"]
            self.assertEqual([v["model_version"] for v in versions], ["v0", "v1", "v2"])
            self.assertEqual(versions[0]["approved_by"], "")  # deployed without the gate
            self.assertEqual(versions[2]["approved_by"], second["name"])
            self.assertAlmostEqual(versions[2]["realised_gain"], 0.04)
            self.assertEqual(int(versions[2]["decisions_gated"]), 1)  # the recovered week's decision

            outcome = json.loads(server.run_cli("--json", "decision", second["name"]).stdout)
            self.assertAlmostEqual(outcome["outcome"]["realised_gain"], 0.04)
            self.assertEqual(outcome["outcome"]["model_version"], "v1")

    def test_a_challenger_measures_the_opportunity_directly(self):
        with LiveServer(BUILD_DIR, name="challenger") as server:
            server.run_cli("register", "--model", "c", "--version", "v0")
            server.run_cli("set-reference", "--model", "c", "--csv", self.data("ref", False),
                           "--accuracy", "0.80", "--evaluation-rows", "4000")
            current = self.data("now", False)
            # No drift and an accuracy above the reference: only the challenger sees a gain.
            args = ["--json", "should-retrain", "--model", "c", "--csv", current,
                    "--labeled-rows", "1000", "--labeled-correct", "850", *PLAN,
                    "--challenger-rows", "2000", "--proxy-correct", "1800",
                    "--deployed-correct", "1700", "--proxy-only-correct", "140",
                    "--deployed-only-correct", "40", "--challenger-kwh", "0.2"]
            d = json.loads(server.run_cli(*args, check=False).stdout)
            gain = d["gain"]
            self.assertEqual(gain["method"], "challenger", gain)
            self.assertAlmostEqual(gain["proxy_gain"], 0.05)
            self.assertGreater(gain["lower_bound"], 0.03)
            self.assertAlmostEqual(gain["challenger_energy_kwh"], 0.2)
            self.assertEqual(d["verdict"], "APPROVE", d["reason"])
            # Inconsistent counts are refused, naming the field.
            bad = server.run_cli(*args[:-6], "--proxy-only-correct", "140",
                                 "--deployed-only-correct", "50", check=False)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("challenger.deployed_only_correct", bad.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
