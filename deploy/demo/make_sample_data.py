#!/usr/bin/env python3
"""Writes the demo's bundled sample data (deterministic; re-run to regenerate).

A churn model's training data (reference.csv) and two later batches of production data:
undrifted.csv from the same distribution, drifted.csv after a price change moved
monthly_charges up and shifted customers towards monthly contracts.
Uses only the standard library, so it runs anywhere."""
import csv
import random
from pathlib import Path

CONTRACTS = ["monthly", "one-year", "two-year"]
PAYMENTS = ["card", "bank-transfer", "electronic-check", "mailed-check"]


def rows(n, seed, drifted):
    rng = random.Random(seed)
    contract_weights = [0.65, 0.2, 0.15] if drifted else [0.45, 0.3, 0.25]
    for _ in range(n):
        tenure = max(0.0, rng.gammavariate(2.0, 12.0))
        charges = rng.gauss(78.0 if drifted else 65.0, 18.0)
        calls = min(12, int(rng.expovariate(1 / (2.2 if drifted else 1.5))))
        age = "" if rng.random() < 0.02 else round(rng.gauss(44, 13), 1)
        yield {
            "tenure_months": round(tenure, 1),
            "monthly_charges": round(charges, 2),
            "support_calls": calls,
            "age": age,
            "contract": rng.choices(CONTRACTS, contract_weights)[0],
            "payment_method": rng.choice(PAYMENTS),
        }


def write(path, n, seed, drifted):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["tenure_months", "monthly_charges", "support_calls",
                                          "age", "contract", "payment_method"])
        w.writeheader()
        w.writerows(rows(n, seed, drifted))


if __name__ == "__main__":
    out = Path(__file__).resolve().parent / "data"
    out.mkdir(exist_ok=True)
    write(out / "reference.csv", 20000, 1, False)
    write(out / "undrifted.csv", 5000, 2, False)
    write(out / "drifted.csv", 5000, 3, True)
