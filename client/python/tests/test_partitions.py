"""Partitioned profiling: Dask on a LocalCluster of worker processes, and the Spark pattern
(mapInPandas over greengate.partitions.profile_batches) run over pandas partitions."""

import numpy as np
import pytest

import greengate
from greengate import partitions
from greengate.v1 import greengate_pb2 as pb

from frames import frame


def assert_one_pass(merged: pb.DataProfile, one: pb.DataProfile):
    """Equal to one pass in counts, edges, bins, min, max, moments (to rounding), categories."""
    assert merged.rows == one.rows
    for m, o in zip(merged.features, one.features, strict=True):
        assert (m.name, m.count, m.missing) == (o.name, o.count, o.missing)
        assert m.WhichOneof("kind") == o.WhichOneof("kind")
        if m.HasField("numeric"):
            a, b = m.numeric, o.numeric
            assert list(a.bin_edges) == list(b.bin_edges)
            assert list(a.bin_counts) == list(b.bin_counts)
            assert list(a.edge_counts) == list(b.edge_counts)
            assert a.low_bin_sum == pytest.approx(b.low_bin_sum, rel=1e-9, abs=1e-9)
            assert a.high_bin_sum == pytest.approx(b.high_bin_sum, rel=1e-9, abs=1e-9)
            assert (a.min, a.max, a.sample_seen) == (b.min, b.max, b.sample_seen)
            assert a.mean == pytest.approx(b.mean, rel=1e-12, abs=1e-12)
            assert a.m2 == pytest.approx(b.m2, rel=1e-9)
            assert len(a.sample) == len(b.sample) and list(a.sample) == sorted(a.sample)
        else:
            assert dict(m.categorical.counts) == dict(o.categorical.counts)
            assert m.categorical.other == o.categorical.other


@pytest.fixture(scope="module")
def data():
    reference = greengate.profile(frame(6000, seed=1))
    return frame(20000, seed=2, cities=("Paris", "Lille", "Zürich")), reference


def test_spark_pattern_over_pandas_partitions(data):
    df, reference = data
    # What Spark's mapInPandas does: each partition's batches go to the function, and the
    # driver merges the rows it yields.
    rows = []
    for index, part in enumerate(np.array_split(df, 7)):
        batches = np.array_split(part, 3)
        rows.extend(partitions.profile_batches(iter(batches), reference, index=index))
    merged = greengate.merge([pb.DataProfile.FromString(r["profile"][0]) for r in rows])
    assert_one_pass(merged, greengate.profile(df, reference))
    with pytest.raises(TypeError, match="one reference"):
        next(partitions.profile_batches(iter([df]), None))


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def test_dask_on_a_reference_equals_one_pass(data, cluster):
    import dask.dataframe as dd
    import greengate.dask
    df, reference = data
    ddf = dd.from_pandas(df, npartitions=11)
    merged = greengate.dask.profile(ddf, reference=reference, split_every=3)
    assert_one_pass(merged, greengate.profile(df, reference))
    assert len(cluster.scheduler_info()["workers"]) == 3


def test_dask_reference_profile(data, cluster):
    import dask.dataframe as dd
    import greengate.dask
    df, _ = data
    merged = greengate.dask.profile(dd.from_pandas(df, npartitions=5), bins=10)
    one = greengate.profile(df, bins=10)
    # Edges are quantiles of the merged sample (a uniform sample of the union), not of one
    # pass's reservoir, so they differ; the counts on them are those of one pass on them.
    assert_one_pass(merged, greengate.profile(df, merged))
    for m, o in zip(merged.features, one.features):
        assert m.count == o.count and m.missing == o.missing
        if m.HasField("numeric"):
            assert len(m.numeric.bin_edges) == len(o.numeric.bin_edges)
            assert m.numeric.min == o.numeric.min and m.numeric.max == o.numeric.max
