"""greengate.profile equals `greengate profile` of the same rows as CSV."""

import numpy as np
import pandas as pd
import pytest

import greengate
from greengate import profiling
from greengate.v1 import greengate_pb2 as pb

from frames import CATEGORICAL, frame, write_csv


def assert_same(python: pb.DataProfile, cli: pb.DataProfile):
    assert [f.name for f in python.features] == [f.name for f in cli.features]
    for a, b in zip(python.features, cli.features):
        assert a == b, f"feature {a.name} differs"
    assert python == cli


@pytest.fixture(params=[profiling.BLOCK_ROWS, 777], ids=["default-blocks", "small-blocks"])
def block_rows(request, monkeypatch):
    monkeypatch.setattr(profiling, "BLOCK_ROWS", request.param)
    return request.param


def test_reference_equals_cli(server, tmp_path, block_rows):
    df = frame(5000, seed=7)
    csv = write_csv(df, tmp_path / "ref.csv")
    cli = server.cli_profile("--csv", csv, "--categorical", ",".join(CATEGORICAL), "--bins", "8",
                             "--seed", "42", "--sample-size", "500", "--joint-sample", "200")
    python = greengate.profile(df, bins=8, seed=42, sample_size=500, joint_sample_size=200)
    assert python.rows == 5000
    assert_same(python, cli)


def test_current_equals_cli_on_model(server, tmp_path, block_rows):
    reference_df = frame(4000, seed=1)
    # Current data: other rows, a city the reference never saw, and an extra column.
    current_df = frame(3000, seed=2, cities=("Paris", "Lille", "Zürich"))
    current_df["extra"] = 1.0
    gg = greengate.Client(server.address)
    gg.register_model("churn", version="v1")
    gg.set_reference("churn", reference_df, accuracy=0.9, evaluation_rows=1000,
                     joint_sample_size=100)
    csv = write_csv(current_df, tmp_path / "cur.csv")
    cli = server.cli_profile("--csv", csv, "--model", "churn", "--seed", "3")
    python = greengate.profile(current_df, gg.get_reference("churn", view="basic"), seed=3)
    assert len(python.joint.features) > 0 and python.joint.rows == 100
    assert python.features[6].categorical.counts["Lille"] > 0
    assert_same(python, cli)


def test_current_takes_the_references_recorded_options(server, tmp_path):
    # A reference made with other options than the defaults: a current profile given no
    # options uses the reference's, as `greengate profile --model` does.
    gg = greengate.Client(server.address)
    gg.register_model("churn", version="v1")
    gg.set_reference("churn", frame(4000, seed=1), accuracy=0.9, evaluation_rows=1000,
                     sample_size=300, top_k=2, seed=9)
    reference = gg.get_reference("churn", view="basic")
    assert (reference.profile.options.sample_size, reference.profile.options.top_k) == (300, 2)
    current_df = frame(3000, seed=2)
    python = greengate.profile(current_df, reference)
    assert (python.options.sample_size, python.options.top_k, python.options.seed) == (300, 2, 9)
    assert len(python.features[0].numeric.sample) == 300
    cli = server.cli_profile("--csv", write_csv(current_df, tmp_path / "cur.csv"), "--model",
                             "churn")
    assert_same(python, cli)
    # Given explicitly, an option wins over the recorded one.
    assert greengate.profile(current_df, reference, sample_size=50).options.sample_size == 50


def test_threads_do_not_change_the_profile():
    # Object columns are read under the GIL from the profiling threads.
    df = frame(20000, seed=4)
    one = greengate.profile(df, threads=1)
    assert greengate.profile(df, threads=3) == one
    assert greengate.profile(df, one, threads=1) == greengate.profile(df, one, threads=2)
    with pytest.raises(greengate.InvalidArgument, match="threads"):
        greengate.profile(df, threads=-1)


def test_dict_of_arrays_and_options():
    data = {"a": np.arange(10, dtype=np.float64), "b": np.array(["x", "y"] * 5, dtype=object)}
    p = greengate.profile(data, bins=4, exclude=["b"])
    assert [f.name for f in p.features] == ["a"]
    assert list(p.features[0].numeric.bin_edges) == pytest.approx([2.25, 4.5, 6.75])
    assert p.features[0].numeric.mean == 4.5


def test_bad_input_names_the_field():
    with pytest.raises(greengate.InvalidArgument) as error:
        greengate.profile(pd.DataFrame({"a": [1.0, 2.0]}), bins=0)
    assert error.value.field == "bins"
    with pytest.raises(TypeError, match="'when'"):
        greengate.profile(pd.DataFrame({"when": pd.to_datetime(["2026-01-01"])}))
    reference = greengate.profile(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match="reference features"):
        greengate.profile(pd.DataFrame({"b": [1.0]}), reference)
    with pytest.raises(greengate.InvalidArgument, match="schema"):
        greengate.profile(pd.DataFrame({"a": ["text"]}), reference)  # kind differs


def test_memory_stays_flat_beyond_the_input():
    import tracemalloc
    df = pd.DataFrame({f"c{i}": np.random.default_rng(i).normal(size=400_000) for i in range(4)})
    tracemalloc.start()
    greengate.profile(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The input is 12.8 MB; Python-side allocations stay far below a copy of it.
    assert peak < 1_000_000


def test_other_threads_run_while_profiling():
    import threading
    import time
    df = pd.DataFrame({f"c{i}": np.random.default_rng(i).normal(size=1_000_000) for i in range(6)})
    longest_gap = [0.0]
    done = threading.Event()

    def tick():  # the longest time this thread could not run
        last = time.monotonic()
        while not done.is_set():
            now = time.monotonic()
            longest_gap[0] = max(longest_gap[0], now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    try:
        start = time.monotonic()
        greengate.profile(df)  # the GIL is released while the C++ profiler runs
        duration = time.monotonic() - start
    finally:
        done.set()
        ticker.join()
    # Holding the GIL would stall the ticker for the whole C++ run, most of `duration`.
    assert longest_gap[0] < duration / 2, (longest_gap[0], duration)
