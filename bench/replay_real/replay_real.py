#!/usr/bin/env python3
"""A year of real drifting data through a real greengate-server, driven by the CLI.

    replay_real.py SOURCE_DIR BUILD_DIR [--check] [--weeks N]

The world is world.py (scikit-learn's digits with our drift schedule). Each week the pipeline
gets 1,000 labeled rows, scores them with the deployed classifier and asks the gate
(`greengate should-retrain --csv week.csv --labeled-rows --labeled-correct --plan`). On
APPROVE it retrains a linear discriminant classifier on the last four labeled weeks, stores the new
version's reference (`set-reference --csv train.csv --accuracy CV --version vN --approved-by
D`), and a week later reports the outcome with both models scored on that week's batch
(`report-outcome --shadow-rows ...`). Every retrain stands for a declared 8 x A100 6-hour job
(plan.json). Beside it: retrain weekly, a drift trigger (Evidently's defaults: per-column KS
p < 0.05 at <= 1,000 rows, dataset drift when >= 50% of columns drift, against the deployed
model's training data), an oracle that peeks a week ahead and retrains iff that gains >= 1
point, and never. --check asserts what the gate must achieve (see CHECKS).
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import warnings

import numpy as np
from scipy.stats import ks_2samp
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import cross_val_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from world import WEEKS, World  # noqa: E402

TRAIN_WEEKS = 4
ORACLE_MIN_GAIN = 0.01
# What the gate must achieve against the other schedules.
MAX_ENERGY_SHARE_OF_WEEKLY = 0.30
MAX_ACCURACY_LOSS_VS_WEEKLY = 0.003


def fit(xs, ys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LinearDiscriminantAnalysis().fit(np.vstack(xs), np.concatenate(ys))


def accuracy(model, batch):
    return float((model.predict(batch[0]) == batch[1]).mean())


def write_csv(path, x):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"e{i}" for i in range(x.shape[1])])
        w.writerows(np.round(x, 6).tolist())


class Pipeline:
    """The batches, the initial model and the training windows every schedule shares."""

    def __init__(self, weeks):
        self.weeks = weeks
        world = World()
        self.initial = [world.batch(0) for _ in range(TRAIN_WEEKS)]  # clean weeks before
        self.batches = [None] + [world.batch(t) for t in range(1, weeks + 1)]
        self._trained = {}

    def window(self, week):
        """The labeled batches a retrain at the end of `week` trains on."""
        got = [self.batches[t] for t in range(max(1, week - TRAIN_WEEKS + 1), week + 1)]
        return self.initial[len(got):] + got if len(got) < TRAIN_WEEKS else got

    def train(self, week):
        """The model a retrain at the end of `week` produces (the same for every schedule)."""
        if week not in self._trained:
            window = self.window(week)
            self._trained[week] = (fit([b[0] for b in window], [b[1] for b in window]), window)
        return self._trained[week]

    def initial_model(self):
        return fit([b[0] for b in self.initial], [b[1] for b in self.initial]), self.initial


def run_schedule(p, retrain_now):
    """Generic replay: retrain_now(week, model, window) -> bool. Returns accuracies, retrains."""
    model, window = p.initial_model()
    accs, retrains = [], 0
    for t in range(1, p.weeks + 1):
        accs.append(accuracy(model, p.batches[t]))
        if retrain_now(t, model, window):
            model, window = p.train(t)
            retrains += 1
    return accs, retrains


def drift_trigger(t, model, window, p):
    ref = np.vstack([b[0] for b in window])
    cur = p.batches[t][0]
    drifted = sum(ks_2samp(ref[:, j], cur[:, j]).pvalue < 0.05 for j in range(cur.shape[1]))
    return drifted / cur.shape[1] >= 0.5


def oracle(t, model, window, p):
    if t == p.weeks:
        return False
    candidate, _ = p.train(t)
    return accuracy(candidate, p.batches[t + 1]) - accuracy(model, p.batches[t + 1]) >= ORACLE_MIN_GAIN


def cv_accuracy(window):
    x = np.vstack([b[0] for b in window])
    y = np.concatenate([b[1] for b in window])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cross_val_score(LinearDiscriminantAnalysis(), x, y, cv=4).mean()), len(y)


class Gate:
    """The pipeline as a user runs it: the CLI against a live greengate-server."""

    def __init__(self, server, workdir, plan):
        self.server = server
        self.dir = workdir
        self.plan = plan
        self.decisions = []
        self.energy_kwh = 0.0

    def cli(self, *args):
        # should-retrain's exit status tells the verdict; the JSON on stdout is what counts.
        result = self.server.run_cli("--json", *args, check=False)
        if not result.stdout.strip():
            raise AssertionError(f"greengate {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr}")
        return json.loads(result.stdout)

    def set_reference(self, window, version, approved_by=None):
        path = os.path.join(self.dir, "train.csv")
        write_csv(path, np.vstack([b[0] for b in window]))
        acc, rows = cv_accuracy(window)
        args = ["set-reference", "--model", "digits", "--csv", path, "--accuracy", f"{acc:.6f}",
                "--evaluation-rows", str(rows), "--version", version]
        if approved_by:
            args += ["--approved-by", approved_by]
        self.cli(*args)

    def run(self, p, policy_args):
        self.server.run_cli("register", "--model", "digits", "--version", "v0")
        self.server.run_cli("set-policy", "--model", "digits", "--cooldown-hours", "0",
                            *policy_args)
        model, window = p.initial_model()
        self.set_reference(window, "v0")
        accs, retrains, pending = [], 0, None  # pending: (decision, old model, new model)
        for t in range(1, p.weeks + 1):
            batch = p.batches[t]
            accs.append(accuracy(model, batch))
            if pending:  # a week after the retrain: shadow-score both models on this batch
                decision, old, new = pending
                self.server.run_cli(
                    "report-outcome", "--decision", decision, "--energy-kwh",
                    f"{self.plan_kwh:.4f}", "--shadow-rows", str(len(batch[1])),
                    "--shadow-correct-before", str(int((old.predict(batch[0]) == batch[1]).sum())),
                    "--shadow-correct-after", str(int((new.predict(batch[0]) == batch[1]).sum())),
                    "--evaluation-set", f"week-{t}")
                pending = None
            path = os.path.join(self.dir, "week.csv")
            write_csv(path, batch[0])
            correct = int((model.predict(batch[0]) == batch[1]).sum())
            d = self.cli("should-retrain", "--model", "digits", "--csv", path, "--labeled-rows",
                         str(len(batch[1])), "--labeled-correct", str(correct), "--plan", self.plan)
            self.decisions.append(d)
            if d.get("verdict") == "APPROVE":
                self.plan_kwh = d["cost"]["energy_kwh"]
                self.energy_kwh += self.plan_kwh
                new, window = p.train(t)
                retrains += 1
                self.set_reference(window, f"v{retrains}", d["name"])
                pending = (d["name"], model, new)
                model = new
        return accs, retrains


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source_dir")
    ap.add_argument("build_dir")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--weeks", type=int, default=WEEKS)
    ap.add_argument("--verbose", action="store_true", help="one line per gate decision")
    ap.add_argument("--policy", nargs=argparse.REMAINDER, default=[],
                    help="extra set-policy flags for the gate")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(args.source_dir, "tests", "clients"))
    from live_server import LiveServer  # noqa: E402

    p = Pipeline(args.weeks)
    rows = {}
    rows["retrain weekly"] = run_schedule(p, lambda t, m, w: True)
    rows["drift trigger (KS, 50% of columns)"] = run_schedule(p, lambda t, m, w: drift_trigger(t, m, w, p))
    rows["oracle (a week ahead, >= 1 point)"] = run_schedule(p, lambda t, m, w: oracle(t, m, w, p))
    rows["never"] = run_schedule(p, lambda t, m, w: False)
    plan = os.path.join(HERE, "plan.json")
    with LiveServer(args.build_dir, name="replay-real") as server, \
            tempfile.TemporaryDirectory() as workdir:
        gate = Gate(server, workdir, plan)
        rows["greengate, defaults"] = gate.run(p, args.policy)
        kwh_per_retrain = gate.plan_kwh if hasattr(gate, "plan_kwh") else 0
        methods = {}
        for d in gate.decisions:
            key = (d.get("gain", {}).get("method", "none"), d.get("verdict"))
            methods[key] = methods.get(key, 0) + 1

    if not kwh_per_retrain:  # no approval: cost one decision's estimate anyway
        kwh_per_retrain = gate.decisions[0]["cost"]["energy_kwh"]
    print(f"{args.weeks} weeks, {len(p.batches[1][1])} labeled rows a week, "
          f"{kwh_per_retrain:.1f} kWh per retrain (plan.json)\n")
    print("| policy | retrains | kWh | mean accuracy |")
    print("|---|---|---|---|")
    for name, (accs, n) in rows.items():
        print(f"| {name} | {n} | {n * kwh_per_retrain:,.0f} | {np.mean(accs):.4f} |")
    print("\ngate decisions by gain method and verdict: " +
          ", ".join(f"{m}/{v}: {c}" for (m, v), c in sorted(methods.items())))
    print("gate approvals in weeks: " + " ".join(
        str(i + 1) for i, d in enumerate(gate.decisions) if d.get("verdict") == "APPROVE"))

    if args.verbose:
        for week, d in enumerate(gate.decisions, 1):
            g = d.get("gain", {})
            print(f"week {week:2d} {d.get('verdict'):8s} {d.get('decided_by', ''):18s} "
                  f"drift {d.get('drift', {}).get('drifted_share', 0):.2f} "
                  f"{g.get('method', ''):15s} cur {g.get('current_accuracy', 0):.3f} "
                  f"ref {g.get('reference_accuracy', 0):.3f} exp {g.get('expected', 0):.4f} "
                  f"lb {g.get('lower_bound', 0):.4f} r {g.get('recovery_ratio', 0):.2f}")
    if not args.check:
        return 0
    weekly_accs, weekly_n = rows["retrain weekly"]
    gate_accs, gate_n = rows["greengate, defaults"]
    drift_n = rows["drift trigger (KS, 50% of columns)"][1]
    failures = []
    if gate_n > MAX_ENERGY_SHARE_OF_WEEKLY * weekly_n:
        failures.append(f"greengate retrained {gate_n} times, more than "
                        f"{MAX_ENERGY_SHARE_OF_WEEKLY:.0%} of weekly's {weekly_n}")
    if gate_n >= drift_n:
        failures.append(f"greengate retrained {gate_n} times, not fewer than the drift "
                        f"trigger's {drift_n}")
    loss = np.mean(weekly_accs) - np.mean(gate_accs)
    if loss > MAX_ACCURACY_LOSS_VS_WEEKLY:
        failures.append(f"greengate's mean accuracy is {100 * loss:.2f} points below weekly "
                        f"(at most {100 * MAX_ACCURACY_LOSS_VS_WEEKLY:.1f})")
    for f in failures:
        print("CHECK FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
