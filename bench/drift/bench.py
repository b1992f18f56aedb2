#!/usr/bin/python3
"""Python side of bench/drift/run.sh: data generation and the scipy/numpy baselines.

Subcommands (DIR is the work directory run.sh made):
  gen DIR KS_FEATURES HIST_FEATURES ROWS MMD_ROWS MMD_DIMS
      raw float64 files for drift_bench and for the baselines below (seeded).
  ks DIR FEATURES ROWS         scipy.stats.ks_2samp per feature, and numpy.sort alone.
  hist DIR FEATURES ROWS BINS  scipy wasserstein_distance + numpy histogram on the reference's
                               quantile edges + PSI + scipy jensenshannon, per feature.
  mmd DIR ROWS DIMS PERMS      alibi-detect's MMDDrift algorithm in numpy (float64): full
                               kernel matrix, median-heuristic sigma on ref-ref, 100
                               permutations by re-indexing the kernel matrix.
  csv DIR ROWS                 two CSVs of ROWS x (100 numeric + 10 categorical).
  e2e DIR                      the per-column tests greengate's default runs, on the CSVs:
                               normed Wasserstein, PSI and JS per numeric column; JS and PSI
                               per categorical column.
  gencsv FILE ROWS             one CSV like `csv`'s reference (for bench/drift/csv_scale.sh).
  readcsv FILE                 pandas.read_csv of FILE, then what a profile holds: per numeric
                               column a 10-bin numpy histogram, mean, std, min, max, missing;
                               per categorical column its value counts.
Each prints one line of key=value pairs, times in ms of thread CPU time (time.thread_time),
so other processes on a shared machine do not inflate them; mmd and e2e also give wall time.
"""

import os
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance


def path(d, name):
    return os.path.join(d, name)


def gen(d, ks_features, hist_features, rows, mmd_rows, mmd_dims):
    rng = np.random.default_rng(42)
    # Rounded to 4 decimals: real data has ties.
    rng.normal(0, 1, (ks_features, rows)).round(4).tofile(path(d, "ks_ref.f64"))
    rng.normal(0.01, 1, (ks_features, rows)).round(4).tofile(path(d, "ks_cur.f64"))
    rng.gamma(2.0, 1.0, (hist_features, rows)).tofile(path(d, "hist_ref.f64"))
    rng.gamma(2.05, 1.0, (hist_features, rows)).tofile(path(d, "hist_cur.f64"))
    rng.normal(0, 1, (mmd_rows, mmd_dims)).tofile(path(d, "mmd_ref.f64"))
    cur = rng.normal(0, 1, (mmd_rows, mmd_dims))
    cur[:, :5] += 0.2
    cur.tofile(path(d, "mmd_cur.f64"))


def load(d, name, shape):
    return np.fromfile(path(d, name)).reshape(shape)


def ks(d, features, rows):
    ref = load(d, "ks_ref.f64", (features, rows))
    cur = load(d, "ks_cur.f64", (features, rows))
    t_ks = t_sort = 0.0
    total_p = 0.0
    for f in range(features):
        t0 = time.thread_time()
        r = stats.ks_2samp(ref[f], cur[f], method="auto")
        t_ks += time.thread_time() - t0
        total_p += r.pvalue
        t0 = time.thread_time()
        np.sort(cur[f])
        t_sort += time.thread_time() - t0
    print(f"ks_ms_per_feature={1e3 * t_ks / features:.3f} "
          f"sort_ms_per_feature={1e3 * t_sort / features:.3f} sum_p={total_p:.6g}")


def kstwo(features, rows):
    """The p-value step of ks_2samp on all the rows of two samples of `rows` values: kstwo.sf at
    n m / (n + m), for the distances drift_bench profile-tests times (0.02 + 1e-6 f)."""
    n = rows * rows / (rows + rows)
    t0 = time.thread_time()
    total_p = sum(stats.kstwo.sf(0.02 + 1e-6 * f, round(n)) for f in range(features))
    print(f"kstwo_ms_per_feature={1e3 * (time.thread_time() - t0) / features:.3f} "
          f"sum_p={total_p:.6g}")


def psi(r, c):
    r = r / r.sum()
    c = c / c.sum()
    r = np.where(r == 0, 1e-4, r)
    c = np.where(c == 0, 1e-4, c)
    return float(np.sum((r - c) * np.log(r / c)))


def hist(d, features, rows, bins):
    ref = load(d, "hist_ref.f64", (features, rows))
    cur = load(d, "hist_cur.f64", (features, rows))
    # Reference side precomputed, as greengate's stored reference profile is.
    edges, ref_counts = [], []
    for f in range(features):
        s = np.sort(ref[f])
        e = s[(rows * np.arange(1, bins)) // bins]
        edges.append(np.concatenate(([-np.inf], e, [np.inf])))
        ref_counts.append(np.histogram(ref[f], edges[-1])[0].astype(float))
    total = 0.0
    t0 = time.thread_time()
    for f in range(features):
        w1 = stats.wasserstein_distance(ref[f], cur[f])
        counts = np.histogram(cur[f], edges[f])[0].astype(float)
        total += w1 + psi(ref_counts[f], counts) + distance.jensenshannon(ref_counts[f], counts, 2)
    print(f"hist_total_ms={1e3 * (time.thread_time() - t0):.3f} features={features} "
          f"checksum={total:.9g}")


def sq_dist(a, b):
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 1e-30)


def mmd2_from_kernel(k, m):
    n = k.shape[0] - m
    kxx, kyy, kxy = k[:-m, :-m], k[-m:, -m:], k[-m:, :-m]
    return kxx.sum() / (n * (n - 1)) + kyy.sum() / (m * (m - 1)) - 2.0 * kxy.mean()


def mmd(d, rows, dims, perms):
    x = load(d, "mmd_ref.f64", (rows, dims))
    y = load(d, "mmd_cur.f64", (rows, dims))
    t0 = time.perf_counter()
    c0 = time.process_time()
    dxx = sq_dist(x, x)
    n = rows
    flat = np.sort(dxx.ravel())
    sigma = np.sqrt(0.5 * flat[n + (flat.size - n) // 2 - 1])
    z = np.vstack([x, y])
    k = np.exp(-sq_dist(z, z) / (2.0 * sigma * sigma))
    k = k - np.diag(np.diag(k))
    m = y.shape[0]
    stat = mmd2_from_kernel(k, m)
    rng = np.random.default_rng(0)
    perm_stats = []
    for _ in range(perms):
        idx = rng.permutation(k.shape[0])
        perm_stats.append(mmd2_from_kernel(k[idx][:, idx], m))
    p = float(np.mean(stat <= np.array(perm_stats)))
    print(f"mmd_ms={1e3 * (time.perf_counter() - t0):.3f} "
          f"mmd_cpu_ms={1e3 * (time.process_time() - c0):.3f} mmd2={stat:.9g} sigma={sigma:.9g} "
          f"p={p:.3g}")


NUMERIC = 100
CATEGORICAL = 10


def csv(d, rows):
    rng = np.random.default_rng(7)
    header = [f"x{i}" for i in range(NUMERIC)] + [f"c{i}" for i in range(CATEGORICAL)]
    letters = np.array(list("abcdefghijklmnopqrst"))
    for name, shift in (("reference.csv", 0.0), ("current.csv", 0.3)):
        num = rng.normal(0, 1, (rows, NUMERIC))
        num[:, : NUMERIC // 2] += shift  # half the columns drift
        num[rng.random((rows, NUMERIC)) < 0.01] = np.nan
        cats = letters[np.minimum(rng.geometric(0.3 + shift / 3, (rows, CATEGORICAL)) - 1, 19)]
        with open(path(d, name), "w") as f:
            f.write(",".join(header) + "\n")
            for start in range(0, rows, 10000):
                block = num[start:start + 10000]
                text = np.char.mod("%.5f", block)
                text[np.isnan(block)] = ""
                lines = [",".join(t) + "," + ",".join(c)
                         for t, c in zip(text.tolist(), cats[start:start + 10000].tolist())]
                f.write("\n".join(lines) + "\n")


def read_table(file):
    try:
        import pandas  # Debian python3-pandas, when installed
        frame = pandas.read_csv(file)
        num = frame.iloc[:, :NUMERIC].to_numpy(dtype=float)
        cats = frame.iloc[:, NUMERIC:].astype(str).to_numpy()
        return num, cats, "pandas.read_csv " + pandas.__version__
    except ImportError:
        num = np.genfromtxt(file, delimiter=",", skip_header=1, usecols=range(NUMERIC))
        cats = np.loadtxt(file, delimiter=",", skiprows=1, dtype=str,
                          usecols=range(NUMERIC, NUMERIC + CATEGORICAL))
        return num, cats, "numpy genfromtxt/loadtxt"


def e2e(d):
    t0 = time.perf_counter()
    ref_num, ref_cat, reader = read_table(path(d, "reference.csv"))
    cur_num, cur_cat, _ = read_table(path(d, "current.csv"))
    t_read = time.perf_counter() - t0
    drifted = 0
    for j in range(NUMERIC):
        r = ref_num[:, j][~np.isnan(ref_num[:, j])]
        c = cur_num[:, j][~np.isnan(cur_num[:, j])]
        w = stats.wasserstein_distance(r, c) / max(np.std(r), 1e-3)
        edges = np.quantile(r, np.linspace(0, 1, 11)[1:-1])
        e = np.concatenate(([-np.inf], edges, [np.inf]))
        rc = np.histogram(r, e)[0].astype(float)
        cc = np.histogram(c, e)[0].astype(float)
        psi(rc, cc)
        distance.jensenshannon(rc, cc, 2)
        drifted += w >= 0.1
    for j in range(CATEGORICAL):
        keys = sorted(set(np.unique(ref_cat[:, j])) | set(np.unique(cur_cat[:, j])))
        rc = np.array([np.sum(ref_cat[:, j] == k) for k in keys], float)
        cc = np.array([np.sum(cur_cat[:, j] == k) for k in keys], float)
        psi(rc, cc)
        drifted += distance.jensenshannon(rc, cc, 2) >= 0.1
    total = time.perf_counter() - t0
    print(f"e2e_ms={1e3 * total:.1f} read_ms={1e3 * t_read:.1f} drifted={drifted} "
          f"reader='{reader}'")


def write_csv(file, rows, shift, rng):
    header = [f"x{i}" for i in range(NUMERIC)] + [f"c{i}" for i in range(CATEGORICAL)]
    letters = np.array(list("abcdefghijklmnopqrst"))
    with open(file, "w") as f:
        f.write(",".join(header) + "\n")
        for start in range(0, rows, 10000):
            n = min(10000, rows - start)
            block = rng.normal(0, 1, (n, NUMERIC))
            block[:, : NUMERIC // 2] += shift
            block[rng.random((n, NUMERIC)) < 0.01] = np.nan
            cats = letters[np.minimum(rng.geometric(0.3 + shift / 3, (n, CATEGORICAL)) - 1, 19)]
            text = np.char.mod("%.5f", block)
            text[np.isnan(block)] = ""
            lines = [",".join(t) + "," + ",".join(c) for t, c in zip(text.tolist(), cats.tolist())]
            f.write("\n".join(lines) + "\n")


def gencsv(file, rows):
    write_csv(file, rows, 0.0, np.random.default_rng(11))


def readcsv(file):
    import pandas
    t0 = time.perf_counter()
    frame = pandas.read_csv(file)
    t_read = time.perf_counter() - t0
    for name in frame.columns:
        col = frame[name]
        if col.dtype.kind == "f":
            v = col.to_numpy()
            v = v[~np.isnan(v)]
            np.histogram(v, bins=10)
            (v.mean(), v.std(), v.min(), v.max(), len(col) - len(v))
        else:
            col.value_counts()
    total = time.perf_counter() - t0
    print(f"rows={len(frame)} total_ms={1e3 * total:.1f} read_ms={1e3 * t_read:.1f} "
          f"pandas={pandas.__version__}")


def main():
    cmd = sys.argv[1]
    if cmd == "gencsv":
        return gencsv(sys.argv[2], int(sys.argv[3]))
    if cmd == "readcsv":
        return readcsv(sys.argv[2])
    if cmd == "kstwo":
        return kstwo(int(sys.argv[2]), int(sys.argv[3]))
    d, args = sys.argv[2], [int(a) for a in sys.argv[3:]]
    {"gen": gen, "ks": ks, "hist": hist, "mmd": mmd, "csv": csv, "e2e": e2e}[cmd](d, *args)


if __name__ == "__main__":
    main()
