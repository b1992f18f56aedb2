"""DataFrames with every kind of column the package profiles, and their CSV as the CLI reads it."""

import numpy as np
import pandas as pd

CATEGORICAL = ["flag", "city", "grade", "mixed", "label"]


def frame(rows: int, seed: int, cities=("Paris", "Lyon", "Nantes, FR", 'Le "Mans"', "Zürich")):
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 3, rows)
    x[rng.random(rows) < 0.05] = np.nan
    x[::997] = np.inf  # missing, as "inf" is in a CSV
    nullable = pd.array(rng.integers(0, 50, rows), dtype="Int64")
    nullable[rng.random(rows) < 0.1] = pd.NA
    city = np.array(rng.choice(list(cities), rows), dtype=object)
    city[rng.random(rows) < 0.05] = None
    city[rng.random(rows) < 0.02] = np.nan
    grade = pd.Categorical(rng.choice(["a", "b", "c"], rows), categories=["a", "b", "c", "d"])
    grade[rng.random(rows) < 0.03] = np.nan
    mixed = np.array(rng.choice([1, "one", 2.5, "two"], rows), dtype=object)
    label = pd.array(rng.choice(["yes", "no"], rows), dtype="string")
    label[rng.random(rows) < 0.04] = pd.NA
    return pd.DataFrame({
        "x": x,
        "n": rng.integers(-1000, 1000, rows),
        "u8": rng.integers(0, 255, rows).astype(np.uint8),
        "f32": rng.normal(0, 1, rows).astype(np.float32),
        "nullable": nullable,
        "flag": rng.random(rows) < 0.3,
        "city": city,
        "grade": grade,
        "mixed": mixed,
        "label": label,
    })


def write_csv(df: pd.DataFrame, path) -> str:
    # %.17g: every float (float32 widened included) is written with the digits of the double
    # the package reads, so both see the same numbers.
    df.to_csv(path, index=False, float_format="%.17g")
    return str(path)
