#!/usr/bin/python3
"""Drift detection on every row: greengate's decisions against scipy on all the rows.

Usage: bench/drift/detection.py BUILD_DIR [--seeds N] [--noise-seeds N] [--check]

The data set of the detection claim: 100 N(0, 1) columns, 50 of them shifted by 0.05 sd,
written as CSVs. For each seed and size (100,000 and 10,000 rows a side), a real
greengate-server on a temporary database and the greengate CLI as a pipeline runs it:
`set-reference --csv` (the reference profile), `set-policy --policy` (KS forced on every
column, Bonferroni), `should-retrain --csv --json`; the same columns go through
scipy.stats.ks_2samp on all the rows with Bonferroni (0.05 / 100) in the same run. Then the
default policy (normed Wasserstein >= 0.1 decides at large n) on clean columns over
--noise-seeds seeds at both sizes. Prints flags per seed, the binary size of a numeric feature's
reference profile, and each side's time. --check exits 1 unless: at 100,000 rows >= 49/50
shifted and 0 clean flagged; at 10,000 rows within 2 of scipy; no clean column flagged by the
default policy.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import stats

COLUMNS, SHIFTED, SHIFT = 100, 50, 0.05


def write_csv(path, table):
    header = ",".join(f"x{c}" for c in range(table.shape[1]))
    np.savetxt(path, table, fmt="%.6f", delimiter=",", header=header, comments="")


def table(rng, rows, columns, shifted, shift):
    t = rng.normal(size=(rows, columns))
    t[:, :shifted] += shift
    return t


class Server:
    def __init__(self, build, work):
        self.build = build
        port_file = os.path.join(work, "port")
        self.proc = subprocess.Popen(
            [os.path.join(build, "server/greengate-server"), "--listen=127.0.0.1:0",
             f"--db={os.path.join(work, 'gg.db')}", f"--port_file={port_file}"],
            stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            time.sleep(0.05)
        self.address = f"127.0.0.1:{open(port_file).read().strip()}"

    def cli(self, *args):
        env = dict(os.environ, GREENGATE_SERVER=self.address)
        run = subprocess.run([os.path.join(self.build, "client/greengate"), *args],
                             capture_output=True, text=True, env=env)
        if run.returncode not in (0, 10, 11):
            raise RuntimeError(f"greengate {' '.join(args)}: {run.stderr}")
        return run.stdout

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def gate(server, work, model, reference, current, policy):
    """The pipeline: reference, policy, decision. Returns (features' drift, seconds)."""
    ref_csv, cur_csv = os.path.join(work, "ref.csv"), os.path.join(work, "cur.csv")
    write_csv(ref_csv, reference)
    write_csv(cur_csv, current)
    start = time.perf_counter()
    server.cli("register", "--model", model, "--version", "1", "--task", "binary-classification")
    server.cli("set-reference", "--model", model, "--csv", ref_csv, "--accuracy", "0.9",
               "--evaluation-rows", "1000")
    if policy is not None:
        policy_file = os.path.join(work, "policy.json")
        with open(policy_file, "w") as f:
            json.dump(policy, f)
        server.cli("set-policy", "--model", model, "--policy", policy_file)
    out = server.cli("--json", "should-retrain", "--model", model, "--csv", cur_csv,
                     "--hours", "1", "--accelerator", "nvidia-a100-40gb", "--accelerators", "1",
                     "--region", "FR")
    seconds = time.perf_counter() - start
    decision = json.loads(out)
    return decision["drift"]["features"], seconds


def count(flags):
    return sum(flags[:SHIFTED]), sum(flags[SHIFTED:])


def reference_profile_size(build, work, reference):
    """Bytes of one numeric feature's reference profile, in binary."""
    ref_csv = os.path.join(work, "size.csv")
    write_csv(ref_csv, reference[:, :1])
    out = os.path.join(work, "size.pb")
    subprocess.run([os.path.join(build, "client/greengate"), "profile", "--csv", ref_csv,
                    "--out", out], check=True, capture_output=True)
    return os.path.getsize(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--noise-seeds", type=int, default=20)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    ks_policy = {"correction": "BONFERRONI",
                 "feature_tests": {f"x{c}": "ks" for c in range(COLUMNS)}}
    failures = []
    model = 0
    with tempfile.TemporaryDirectory() as work:
        server = Server(args.build, work)
        try:
            for rows in (100_000, 10_000):
                for seed in range(args.seeds):
                    rng = np.random.default_rng(1000 * rows + seed)
                    reference = table(rng, rows, COLUMNS, 0, 0.0)
                    current = table(rng, rows, COLUMNS, SHIFTED, SHIFT)
                    model += 1
                    drift, seconds = gate(server, work, f"m{model}", reference, current,
                                          ks_policy)
                    ours = count([f.get("drifted", False) for f in drift])
                    start = time.perf_counter()
                    scipy_flags = [stats.ks_2samp(reference[:, c], current[:, c]).pvalue
                                   < 0.05 / COLUMNS for c in range(COLUMNS)]
                    scipy_seconds = time.perf_counter() - start
                    theirs = count(scipy_flags)
                    print(f"{rows} rows, seed {seed}: KS + Bonferroni flags shifted/clean: "
                          f"greengate {ours[0]}/{ours[1]} ({seconds:.2f} s, profiles and "
                          f"decision), scipy on all rows {theirs[0]}/{theirs[1]} "
                          f"({scipy_seconds:.2f} s, tests only)")
                    if rows == 100_000 and (ours[0] < 49 or ours[1] != 0):
                        failures.append(f"{rows} rows seed {seed}: {ours}")
                    if rows == 10_000 and (abs(ours[0] - theirs[0]) > 2 or
                                           abs(ours[1] - theirs[1]) > 2):
                        failures.append(f"{rows} rows seed {seed}: {ours} vs scipy {theirs}")
            for rows in (100_000, 10_000):
                flagged, largest = 0, 0.0
                for seed in range(args.noise_seeds):
                    rng = np.random.default_rng(7_000_000 + 1000 * rows + seed)
                    reference = table(rng, rows, 10, 0, 0.0)
                    current = table(rng, rows, 10, 0, 0.0)
                    model += 1
                    drift, _ = gate(server, work, f"m{model}", reference, current, None)
                    flagged += sum(f.get("drifted", False) for f in drift)
                    largest = max([largest] + [f.get("statistic", 0.0) for f in drift])
                print(f"{rows} rows, default policy, {args.noise_seeds} seeds x 10 clean "
                      f"columns: {flagged} flagged (largest normed W1 {largest:.4f})")
                if flagged:
                    failures.append(f"default policy at {rows} rows flagged {flagged}")
            size = reference_profile_size(args.build, work,
                                          np.random.default_rng(5).normal(size=(1_000_000, 1)))
            print(f"numeric reference profile of 1,000,000 rows: {size} bytes (binary)")
            if size > 32 * 1024:
                failures.append(f"profile of {size} bytes > 32 KB")
        finally:
            server.stop()
    for f in failures:
        print("FAIL", f)
    if args.check and failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
