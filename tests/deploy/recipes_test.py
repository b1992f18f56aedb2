#!/usr/bin/python3
"""The pipeline recipes of deploy/recipes/, run against a live greengate-server.

Usage: /usr/bin/python3 tests/deploy/recipes_test.py SOURCE_DIR BUILD_DIR

- gate_step.sh: the shell step branches on the CLI's exit code; APPROVE trains and reports
  the outcome from a CodeCarbon emissions.csv, REJECT does not train, an error fails the step.
- airflow_dag.py, kubeflow_components.py, greengate_steps.py: Airflow and kfp are not
  installed here, so their files are only compiled (py_compile); greengate_steps.py runs on
  the greengate Python package, and its tests are the package's (client/python/tests).
- sharded_profile.sh: four shards profiled in parallel and merged equal one pass.
The CodeCarbon fixture is tests/client/testdata/emissions.csv (CodeCarbon 2.3.4 columns; its
last run measured 2.0 kWh, 0.1 kg CO2e in 2400 s).
"""

import json
import os
import py_compile
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR, BUILD_DIR = (os.path.abspath(p) for p in sys.argv[1:3])
RECIPES = os.path.join(SOURCE_DIR, "deploy", "recipes")
DATA = os.path.join(SOURCE_DIR, "deploy", "demo", "data")
EMISSIONS = os.path.join(SOURCE_DIR, "tests", "client", "testdata", "emissions.csv")
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "clients"))

# pylint: disable=wrong-import-position
from live_server import LiveServer  # noqa: E402

PLAN = {"accelerator": "nvidia-a100-40gb", "accelerators": 1, "cpu-cores": 8,
        "memory-gb": 64, "hours": 3, "region": "FR", "provider": "gcp"}


class RecipesTest(unittest.TestCase):
    """One server for the class; each test registers its own model (the policy's cooldown
    would otherwise turn a second approval into a rejection)."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = LiveServer(BUILD_DIR, "recipes").__enter__()
        os.environ["GREENGATE_SERVER"] = cls.server.address
        os.environ["GREENGATE_CLI"] = cls.server.cli
        cls.reference = os.path.join(cls.server.dir, "reference.json")
        cls.server.run_cli("profile", "--csv", f"{DATA}/reference.csv", "--out", cls.reference)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="greengate-recipes-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def new_model(self, model):
        """Registers `model` like deploy/demo.sh does; returns the current profiles of the
        undrifted and drifted demo batches."""
        cli = self.server.run_cli
        cli("register", "--model", model, "--version", "v1")
        cli("set-reference", "--model", model, "--profile", self.reference, "--accuracy",
            "0.912", "--evaluation-rows", "4000")
        cli("set-policy", "--model", model, "--min-gain", "0.01", "--min-gain-points-per-kwh",
            "0.1", "--cooldown-hours", "24")
        profiles = []
        for batch in ("undrifted", "drifted"):
            out = os.path.join(self.dir, f"{batch}.json")
            cli("profile", "--model", model, "--csv", f"{DATA}/{batch}.csv", "--out", out)
            profiles.append(out)
        return profiles

    def decision(self, name):
        return json.loads(self.server.run_cli("--json", "decision", name).stdout)

    # --- gate_step.sh -------------------------------------------------------------------

    def gate_step(self, model, profile, labeled_correct):
        marker = os.path.join(self.dir, "trained")
        # The training command: records the decision it ran under, "measures" with the
        # CodeCarbon fixture, writes its accuracy.
        train = (f'echo "$GREENGATE_DECISION" > {marker} && cp {EMISSIONS} emissions.csv && '
                 'echo 0.9 > accuracy.txt')
        plan = [a for k, v in PLAN.items() for a in (f"--{k}", str(v))]
        result = subprocess.run(
            ["bash", os.path.join(RECIPES, "gate_step.sh"), "--train", train, "--",
             "--model", model, "--profile", profile, "--labeled-rows", "1200",
             "--labeled-correct", str(labeled_correct), *plan],
            cwd=self.dir, capture_output=True, text=True, check=False)
        lines = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        trained = None
        if os.path.exists(marker):
            with open(marker, encoding="utf-8") as f:
                trained = f.read().strip()
        return result, lines, trained

    def test_shell_step_approve_trains_and_reports_the_outcome(self):
        _, drifted = self.new_model("shell-approve")
        result, lines, trained = self.gate_step("shell-approve", drifted, 1008)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(lines["verdict"], "APPROVE")
        self.assertTrue(lines["decision"].startswith("decisions/"), lines)
        self.assertEqual(trained, lines["decision"])
        outcome = self.decision(lines["decision"])["outcome"]
        self.assertEqual(outcome["source"], "codecarbon")
        self.assertAlmostEqual(outcome["energy_kwh"], 2.0)   # the fixture's last run
        self.assertAlmostEqual(outcome["co2e_kg"], 0.1)
        self.assertAlmostEqual(outcome["duration_s"], 2400)
        self.assertAlmostEqual(outcome["accuracy_after"], 0.9)

    def test_shell_step_reject_does_not_train(self):
        undrifted, _ = self.new_model("shell-reject")
        result, lines, trained = self.gate_step("shell-reject", undrifted, 1090)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(lines["verdict"], "REJECT")
        self.assertIsNone(trained)
        self.assertIn("greengate rejected retraining: ", result.stderr)
        self.assertNotIn("outcome", self.decision(lines["decision"]))

    def test_shell_step_error_fails_without_training(self):
        undrifted, _ = self.new_model("shell-error")
        result, lines, trained = self.gate_step("no-such-model", undrifted, 1090)
        self.assertEqual(result.returncode, 1)
        self.assertNotIn("verdict", lines)
        self.assertIsNone(trained)
        self.assertIn("greengate: NOT_FOUND: ", result.stderr)

    def test_orchestrator_files_compile(self):
        for name in ("airflow_dag.py", "kubeflow_components.py", "greengate_steps.py"):
            py_compile.compile(os.path.join(RECIPES, name), doraise=True,
                               cfile=os.path.join(self.dir, name + "c"))

    # --- sharded_profile.sh --------------------------------------------------------------

    def test_sharded_profile_equals_one_pass(self):
        self.new_model("shards")
        whole = os.path.join(self.dir, "whole.json")
        merged = os.path.join(self.dir, "merged.json")
        self.server.run_cli("profile", "--model", "shards", "--csv", f"{DATA}/reference.csv",
                            "--out", whole)
        result = subprocess.run(
            ["bash", os.path.join(RECIPES, "sharded_profile.sh"), "--model", "shards", "--csv",
             f"{DATA}/reference.csv", "--shards", "4", "--jobs", "2", "--out", merged],
            capture_output=True, text=True, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(whole, encoding="utf-8") as f:
            one = json.load(f)
        with open(merged, encoding="utf-8") as f:
            parts = json.load(f)
        self.assertEqual(parts["rows"], one["rows"])
        self.assertEqual(parts["rows"], "20000")
        self.assertEqual([x["name"] for x in parts["features"]],
                         [x["name"] for x in one["features"]])
        for a, b in zip(one["features"], parts["features"]):
            with self.subTest(feature=a["name"]):
                self.assertEqual((a["count"], a["missing"]), (b["count"], b["missing"]))
                if "categorical" in a:
                    self.assertEqual(a["categorical"], b["categorical"])
                    continue
                x, y = a["numeric"], b["numeric"]
                for exact in ("bin_edges", "bin_counts", "min", "max", "sample_seen"):
                    self.assertEqual(x[exact], y[exact], exact)
                self.assertAlmostEqual(x["mean"], y["mean"], delta=1e-9 * abs(x["mean"]) + 1e-12)
                self.assertAlmostEqual(x["m2"], y["m2"], delta=1e-9 * abs(x["m2"]) + 1e-9)
                self.assertEqual(len(x["sample"]), len(y["sample"]))
                self.assertLessEqual(set(y["sample"]), set(self.column_values(a["name"])))

    def column_values(self, name):
        with open(f"{DATA}/reference.csv", encoding="utf-8") as f:
            header = f.readline().strip().split(",")
            index = header.index(name)
            return {float(line.split(",")[index]) for line in f if line.split(",")[index]}


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
