#!/usr/bin/python3
"""Cross-check of the drift core against scipy 1.10.1 on random inputs (run by ctest).

Draws inputs with a fixed seed, writes them to a temporary file, runs the drift_crosscheck
driver (argv[1]) on it and compares every statistic and p-value with scipy's:
  ks_2samp (method="auto"), cramervonmises_2samp (method="auto"), anderson_ksamp
  (statistic and significance_level), wasserstein_distance and energy_distance (plain and
  weighted), chi2_contingency, scipy.spatial.distance.jensenshannon (base 2 and e).
Tolerance: |core - scipy| <= 1e-9 * |scipy| + 1e-14. The absolute 1e-14 covers p-values that
both compute as 1 - cdf (CvM asymptotic, chi-square), where the last digits of a value near 1
differ in rounding.
Needs /usr/bin/python3 with numpy and scipy (Debian python3-scipy).
"""

import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy import stats
from scipy.spatial import distance

REL = 1e-9
ABS = 1e-14


def samples(rng):
    """Yields (id, test, arrays, expected (statistic, p or None))."""
    def rounded(x, digits):
        return np.round(x, digits)

    case = 0
    # KS: exact and asymptotic branches, with and without ties.
    for n1, n2, digits in [(5, 7, 3), (30, 30, 1), (80, 50, 2), (300, 300, 6),
                           (1000, 1500, 1), (9000, 10000, 2), (12000, 11000, 3)]:
        for shift in (0.0, 0.2):
            x = rounded(rng.normal(size=n1), digits)
            y = rounded(rng.normal(shift, 1.0, size=n2), digits)
            r = stats.ks_2samp(x, y, method="auto")
            case += 1
            yield f"ks{case}", "ks", [x, y], (r.statistic, r.pvalue)
    # CvM: exact (max size <= 20) and asymptotic, ties included.
    for n1, n2, digits in [(3, 4, 6), (6, 5, 1), (9, 15, 6), (20, 20, 1), (12, 20, 0),
                           (21, 25, 6), (60, 45, 1), (500, 800, 6)]:
        for shift in (0.0, 0.7):
            x = rounded(rng.normal(size=n1), digits)
            y = rounded(rng.normal(shift, 1.0, size=n2), digits)
            r = stats.cramervonmises_2samp(x, y, method="auto")
            case += 1
            yield f"cvm{case}", "cvm", [x, y], (r.statistic, r.pvalue)
    # Anderson-Darling k-sample: 2 and 3 samples; p capped, floored and interpolated.
    for sizes, shift, digits in [((10, 12), 0.0, 6), ((40, 50), 0.3, 1), ((200, 150), 0.2, 6),
                                 ((30, 30, 30), 0.0, 1), ((100, 80, 60), 0.5, 6),
                                 ((25, 35), 2.0, 6), ((500, 400), 0.05, 2)]:
        arrays = [rounded(rng.normal(shift * i, 1.0, size=n), digits)
                  for i, n in enumerate(sizes)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = stats.anderson_ksamp(arrays)
        case += 1
        yield f"ad{case}", "ad", arrays, (r.statistic, r.significance_level)
    # Wasserstein and energy distances, plain and weighted.
    for n1, n2 in [(1, 3), (10, 17), (500, 800), (5000, 4000)]:
        x = rounded(rng.gamma(2.0, size=n1), 3)
        y = rounded(rng.gamma(2.5, size=n2), 3)
        case += 1
        yield f"w{case}", "wasserstein", [x, y], (stats.wasserstein_distance(x, y), None)
        yield f"e{case}", "energy", [x, y], (stats.energy_distance(x, y), None)
        uw = rng.uniform(0, 5, size=n1)
        vw = rng.uniform(0, 5, size=n2)
        yield (f"ww{case}", "wasserstein_w", [x, y, uw, vw],
               (stats.wasserstein_distance(x, y, uw, vw), None))
        yield (f"ew{case}", "energy_w", [x, y, uw, vw],
               (stats.energy_distance(x, y, uw, vw), None))
    # chi2_contingency on 2 x k tables (Yates when k = 2); no all-zero column.
    for k, scale in [(2, 20), (2, 2000), (3, 30), (6, 100), (10, 5000), (40, 50)]:
        table = rng.integers(1, scale, size=(2, k)).astype(float)
        chi2, p, _, _ = stats.chi2_contingency(table)
        case += 1
        yield f"chi{case}", "chi2", [table[0], table[1]], (chi2, p)
    # Jensen-Shannon distance on count vectors (zeros allowed on one side).
    for k in (2, 5, 10, 50):
        a = rng.integers(0, 100, size=k).astype(float)
        b = rng.integers(1, 100, size=k).astype(float)
        a[0] = max(a[0], 1.0)
        case += 1
        yield f"js2_{case}", "js2", [a, b], (distance.jensenshannon(a, b, base=2), None)
        yield f"jse_{case}", "jse", [a, b], (distance.jensenshannon(a, b), None)


def close(actual, expected):
    if expected is None:
        return math.isnan(actual)
    return abs(actual - expected) <= REL * abs(expected) + ABS


def main():
    if len(sys.argv) != 2:
        print("usage: scipy_crosscheck.py PATH_TO_drift_crosscheck", file=sys.stderr)
        return 2
    rng = np.random.default_rng(20261123)
    cases = list(samples(rng))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        path = f.name
        for cid, test, arrays, _ in cases:
            f.write(f"{cid} {test} {len(arrays)}\n")
            for a in arrays:
                f.write(str(len(a)) + " " + " ".join(repr(float(v)) for v in a) + "\n")
    try:
        run = subprocess.run([sys.argv[1], path], capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    if run.returncode not in (0, 1):
        print(run.stderr, file=sys.stderr)
        return 1
    got = {}
    for line in run.stdout.splitlines():
        parts = line.split(" ", 2)
        got[parts[0]] = parts[1:]
    failures = 0
    worst = 0.0
    for cid, test, arrays, (stat, p) in cases:
        out = got.get(cid)
        if out is None or out[0] == "error":
            print(f"FAIL {cid} ({test}): {out}")
            failures += 1
            continue
        s_core, p_core = float(out[0]), float(out[1])
        ok = close(s_core, float(stat)) and close(p_core, None if p is None else float(p))
        for a, e in ((s_core, stat), (p_core, p)):
            if e is not None and e != 0:
                worst = max(worst, abs(a - e) / abs(e))
        if not ok:
            failures += 1
            print(f"FAIL {cid} ({test}, sizes {[len(a) for a in arrays]}): "
                  f"core ({s_core!r}, {p_core!r}) vs scipy ({stat!r}, {p!r})")
    print(f"{len(cases)} cases, {failures} failures; worst relative difference {worst:.3g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
