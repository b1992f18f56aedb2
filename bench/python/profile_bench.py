#!/usr/bin/env python3
"""greengate.profile against pandas describe() + numpy histograms, and greengate.dask.

Not a test (nothing is asserted): one run prints rows/s and the extra peak memory of each
method on the same DataFrame, in the same process, and Dask's rows/s with 1 and 2 workers.

    python bench/python/profile_bench.py [--rows 1000000] [--numeric 100] [--categorical 10]

Run it with the interpreter of a venv that has the package installed (docs/python.md). Each
method runs in a child forked after the frame is built; its extra peak memory is the child's
peak resident set size during the call minus its size before (Linux: /proc/self/status
VmHWM, reset through /proc/self/clear_refs).
"""

import argparse
import os
import time

import numpy as np
import pandas as pd

import greengate


def make_frame(rows: int, numeric: int, categorical: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for i in range(numeric):
        values = rng.normal(i, 1 + i % 7, rows)
        values[rng.random(rows) < 0.01] = np.nan
        columns[f"num_{i}"] = values
    for i in range(categorical):
        levels = np.array([f"level_{i}_{k}" for k in range(5 + 3 * i)], dtype=object)
        values = levels[rng.integers(0, len(levels), rows)]
        values[rng.random(rows) < 0.01] = None
        columns[f"cat_{i}"] = values
    return pd.DataFrame(columns)


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def measure(label: str, rows: int, fn):
    """Runs fn() in a forked child (the frame is shared copy-on-write, so the child starts
    with none of the heap another method left behind) and prints its time and extra peak."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")  # reset the peak RSS to the current RSS
        before = _status_kb("VmRSS")
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        extra_kb = _status_kb("VmHWM") - before
        os.write(write_fd, f"{seconds} {extra_kb}".encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        seconds, extra_kb = f.read().split()
    os.waitpid(pid, 0)
    seconds, extra_mb = float(seconds), int(extra_kb) / 1024
    print(f"{label:<46} {seconds:8.2f} s {rows / seconds / 1e6:8.2f} M rows/s "
          f"{extra_mb:9.1f} MB extra peak", flush=True)
    return seconds


def pandas_baseline(df: pd.DataFrame):
    df.describe(include="all")
    for name in df.columns:
        if df[name].dtype.kind == "f":
            values = df[name].to_numpy()
            np.histogram(values[~np.isnan(values)], bins=10)


def dask_runs(rows: int, numeric: int, categorical: int, reference, partitions: int):
    import dask.dataframe as dd
    import distributed

    import greengate.dask

    per_part = rows // partitions
    meta = make_frame(0, numeric, categorical)
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None, memory_limit=0) as cluster, \
                distributed.Client(cluster):
            # Partitions are made on the workers (as a read would), not shipped from here.
            ddf = dd.from_map(lambda i: make_frame(per_part, numeric, categorical, seed=i),
                              range(partitions), meta=meta)
            ddf = ddf.persist()
            distributed.wait(ddf)
            total = per_part * partitions
            start = time.perf_counter()
            greengate.dask.profile(ddf, reference=reference)
            seconds = time.perf_counter() - start
            print(f"{f'greengate.dask.profile, current, {workers} worker(s)':<46} {seconds:8.2f} s "
                  f"{total / seconds / 1e6:8.2f} M rows/s", flush=True)
            start = time.perf_counter()
            greengate.dask.profile(ddf)
            seconds = time.perf_counter() - start
            print(f"{f'greengate.dask.profile, reference, {workers} worker(s)':<46} {seconds:8.2f} s "
                  f"{total / seconds / 1e6:8.2f} M rows/s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--numeric", type=int, default=100)
    parser.add_argument("--categorical", type=int, default=10)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    print(f"{args.rows} rows x {args.numeric} numeric + {args.categorical} categorical columns "
          f"(1% missing), {os.cpu_count()} CPUs", flush=True)
    df = make_frame(args.rows, args.numeric, args.categorical)
    print(f"frame: {df.memory_usage(deep=False).sum() / 2**20:.0f} MB", flush=True)
    reference = greengate.profile(df)  # for the current profile below (not measured)
    pandas_s = measure("pandas describe(include='all') + np.histogram", args.rows,
                       lambda: pandas_baseline(df))
    reference_s = measure("greengate.profile (reference, 2 passes)", args.rows,
                          lambda: greengate.profile(df))
    current_s = measure("greengate.profile (current, on the reference)", args.rows,
                        lambda: greengate.profile(df, reference))
    print(f"speed-up over pandas: reference {pandas_s / reference_s:.1f}x, "
          f"current {pandas_s / current_s:.1f}x", flush=True)
    if not args.no_dask:
        dask_runs(args.rows, args.numeric, args.categorical, reference, args.partitions)


if __name__ == "__main__":
    main()
