#!/usr/bin/python3
"""The drift tests on profiles against scipy 1.10.1 on all the rows (run by ctest).

Each case is a pair of value lists. drift_grid_crosscheck (argv[1]) profiles them as the CLI
does (the reference on its default 1000-bin quantile grid, the current counted on it) and
reports each test's statistic with the interval the drift core claims scipy's value on all
the rows lies in. This script computes scipy's value on all the (non-missing) rows and checks:
  - resolution "all_values" (every value kept): equal to scipy, |core - scipy| <= 1e-9 |scipy|
    + 1e-12 (the p-value too);
  - resolution "grid": lower <= scipy <= upper (plus 1e-9 relative slack for rounding), and
    the estimate itself close to scipy: KS within 0.001 + 1e-9, normed Wasserstein within
    0.005, energy distance within 8% + 1e-6, Cramer-von Mises T within 1% + 0.01, and
    Anderson-Darling within 3% + 0.1 of scipy's standardised statistic, or both beyond the
    table's 0.1% critical value (p at its floor of 0.001 either way: same decision);
  - every case where scipy raises (a constant pooled sample for Anderson-Darling) is one where
    the core reports an error too.
The data cover heavy tails (Cauchy, Pareto), ties (Poisson, rounded values), constants,
bimodal data and missing values. Needs numpy and scipy (Debian python3-scipy).
"""

import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy import stats

# (name, test) -> (relative, absolute) tolerance of the grid estimate against scipy.
ESTIMATE_TOLERANCE = {
    "ks": (0.0, 0.001),
    "cvm": (0.01, 0.01),
    "ad": (0.03, 0.1),
    "wasserstein_norm": (0.0, 0.005),
    "energy": (0.08, 1e-6),
}


def cases(rng):
    """Yields (id, reference values, current values); NaN marks a missing value."""
    normal = lambda n, shift=0.0: rng.normal(shift, 1.0, n)
    yield "normal_same_100k", normal(100_000), normal(100_000)
    yield "normal_shift_100k_80k", normal(100_000), normal(80_000, 0.05)
    yield "normal_shift_10k", normal(10_000), normal(10_000, 0.03)
    yield "cauchy_shift", rng.standard_cauchy(50_000), rng.standard_cauchy(40_000) + 0.1
    yield "pareto_scale", rng.pareto(1.5, 50_000), 1.1 * rng.pareto(1.5, 40_000)
    yield "poisson_ties", rng.poisson(3.0, 60_000) * 1.0, rng.poisson(3.2, 50_000) * 1.0
    yield "rounded_ties", np.round(normal(50_000), 1), np.round(normal(50_000, 0.05), 1)
    yield "constant_same", np.full(20_000, 5.0), np.full(15_000, 5.0)
    yield "constant_vs_spread", np.full(20_000, 5.0), rng.normal(5.0, 0.1, 15_000)
    bimodal = lambda n, shift: np.where(rng.random(n) < 0.5, rng.normal(-2, 1, n),
                                        rng.normal(2 + shift, 1, n))
    yield "bimodal_shift", bimodal(100_000, 0.0), bimodal(100_000, 0.1)
    with_missing = normal(50_000)
    with_missing[rng.random(50_000) < 0.2] = np.nan
    current_missing = normal(30_000, 0.05)
    current_missing[rng.random(30_000) < 0.05] = np.nan
    yield "missing_values", with_missing, current_missing
    yield "wide_current", normal(30_000), rng.normal(3.0, 4.0, 30_000)
    yield "small_exact", normal(23), normal(40, 0.5)


def scipy_values(x, y):
    """test -> (statistic, p-value or None), or an exception's message."""
    out = {}
    std = float(np.std(x))
    ks = stats.ks_2samp(x, y, method="auto")
    out["ks"] = (ks.statistic, ks.pvalue)
    cvm = stats.cramervonmises_2samp(x, y, method="auto")
    out["cvm"] = (cvm.statistic, cvm.pvalue)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ad = stats.anderson_ksamp([x, y])
        out["ad"] = (ad.statistic, ad.significance_level)
    except ValueError as e:
        out["ad"] = str(e)
    out["wasserstein_norm"] = (stats.wasserstein_distance(x, y) / max(std, 0.001), None)
    out["energy"] = (stats.energy_distance(x, y), None)
    return out


def close(a, b, rel, abs_):
    return abs(a - b) <= rel * abs(b) + abs_


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(20261207)
    expected = {}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        path = f.name
        for case_id, x, y in cases(rng):
            f.write(f"{case_id} {len(x)} {' '.join(repr(float(v)) for v in x)} "
                    f"{len(y)} {' '.join(repr(float(v)) for v in y)}\n")
            expected[case_id] = scipy_values(x[~np.isnan(x)], y[~np.isnan(y)])
    try:
        run = subprocess.run([driver, path], capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    if run.returncode not in (0, 1):
        print(run.stderr)
        return 1
    failures = 0
    seen = 0
    for line in run.stdout.splitlines():
        parts = line.split()
        case_id, test = parts[0], parts[1]
        want = expected[case_id][test]
        seen += 1
        if parts[2] == "error":
            if isinstance(want, str):
                continue
            print(f"FAIL {case_id} {test}: core error {' '.join(parts[3:])}, scipy {want}")
            failures += 1
            continue
        if isinstance(want, str):
            print(f"FAIL {case_id} {test}: scipy raised ({want}), core returned {line}")
            failures += 1
            continue
        resolution = parts[2]
        got, lower, upper, p = (float(v) for v in parts[3:7])
        stat, pvalue = want
        problems = []
        if resolution == "all_values":
            if not close(got, stat, 1e-9, 1e-12):
                problems.append("statistic differs")
            if pvalue is not None and not close(p, pvalue, 1e-9, 1e-12):
                problems.append(f"p-value {p} != {pvalue}")
        elif resolution == "grid":
            if not math.isnan(lower):
                slack = 1e-9 * abs(stat) + 1e-12
                if not (lower - slack <= stat <= upper + slack):
                    problems.append(f"scipy outside the bound [{lower}, {upper}]")
            rel, abs_ = ESTIMATE_TOLERANCE[test]
            both_at_floor = test == "ad" and p == 0.001 and pvalue == 0.001
            if not close(got, stat, rel, abs_) and not both_at_floor:
                problems.append(f"estimate off by {got - stat:.3g}")
        else:
            problems.append(f"resolution {resolution}: profiles of all the rows must not fall "
                            "back to samples")
        status = "FAIL" if problems else "ok"
        width = "" if math.isnan(lower) else f" bound [{lower:.6g}, {upper:.6g}]"
        print(f"{status} {case_id} {test} ({resolution}): core {got:.6g}{width}, scipy "
              f"{stat:.6g}" + (f"; {'; '.join(problems)}" if problems else ""))
        failures += bool(problems)
    expected_lines = sum(len(v) for v in expected.values())
    if seen != expected_lines:
        print(f"FAIL: the driver reported {seen} results, expected {expected_lines}")
        failures += 1
    print(f"{expected_lines - failures} passed, {failures} failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
