"""Profiles of partitioned data: profile each partition where it lives, merge the partial
profiles (the pattern behind :mod:`greengate.dask` and the Spark recipe in docs/python.md).

Partition ``i`` is profiled with seed ``partition_seed(seed, i)`` so the partitions'
reservoirs are drawn independently; the merge then keeps a uniform sample of the union.
Counts, missing, bin counts, min, max and categories equal one pass over the whole data;
mean and m2 agree to rounding.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Sequence, Union

from . import profiling
from .v1 import greengate_pb2 as pb

__all__ = ["partition_seed", "profile_partition", "profile_batches", "merge_tree",
           "edges_reference"]

_MASK64 = (1 << 64) - 1


def partition_seed(seed: int, index: int) -> int:
    """The seed of partition ``index``: distinct per partition, fixed for a seed."""
    return (seed * 0x9E3779B97F4A7C15 + (index + 1) * 0xBF58476D1CE4E5B9) & _MASK64


def profile_partition(frame: Any, reference: Union[pb.DataProfile, bytes, None], index: int,
                      options: Dict[str, Any]) -> bytes:
    """The serialized profile of one partition (bytes travel cheaply between processes);
    ``reference`` may be serialized too."""
    if isinstance(reference, bytes):
        reference = pb.DataProfile.FromString(reference)
    options = dict(options)
    seed = options.get("seed")
    if seed is None:  # the reference's recorded seed, else the CLI's
        recorded = reference.options.seed if reference is not None and reference.HasField(
            "options") else None
        seed = recorded if recorded is not None else profiling.DEFAULT_SEED
    options["seed"] = partition_seed(seed, index)
    return profiling.profile(frame, reference, **options).SerializeToString()


def profile_batches(batches: Iterable[Any], reference: pb.DataProfile, index: int = 0,
                    **options: Any) -> Iterator[Any]:
    """A ``mapInPandas`` function: the batches of one Spark partition in, one row with the
    partition's serialized profile (column ``profile``, binary) out. Use it with
    ``functools.partial(profile_batches, reference=ref)`` and merge on the driver::

        rows = df.mapInPandas(partial(profile_batches, reference=ref), "profile binary")
        merged = greengate.merge([DataProfile.FromString(r.profile) for r in rows.collect()])

    ``index`` distinguishes partitions' seeds (Spark: ``TaskContext.get().partitionId()``).
    """
    import pandas as pd

    if not isinstance(reference, (pb.DataProfile, bytes)):
        raise TypeError("reference: profile the partitions on one reference (a DataProfile), "
                        "so that their bin edges agree and the profiles merge")
    parts = [profile_partition(batch, reference, index * 1_000_003 + b, options)
             for b, batch in enumerate(batches)]
    if parts:
        merged = merge_tree(parts, options)
        yield pd.DataFrame({"profile": [merged]})


def merge_bytes(parts: Sequence[bytes], options: Dict[str, Any]) -> bytes:
    """Serialized merge of serialized profiles, with the profiling options' capacities."""
    profiles = [pb.DataProfile.FromString(p) for p in parts]
    if len(profiles) == 1:
        return parts[0]
    seed = options.get("seed")
    return profiling.merge(
        profiles, seed=profiling.DEFAULT_SEED if seed is None else seed,
        sample_capacity=options.get("sample_size"),  # None: what the parts recorded
        max_categories=options.get("top_k")).SerializeToString()


def merge_tree(parts: List[bytes], options: Dict[str, Any], split_every: int = 8) -> bytes:
    """Merges serialized profiles ``split_every`` at a time, level by level."""
    while len(parts) > 1:
        parts = [merge_bytes(parts[i:i + split_every], options)
                 for i in range(0, len(parts), split_every)]
    return parts[0]


def single_bin(serialized: bytes) -> bytes:
    """A partition's reference profile without its edges (one bin per numeric feature), so
    partitions with different edges merge: what pass 1 of a distributed reference needs
    (its merged samples give the edges)."""
    p = pb.DataProfile.FromString(serialized)
    for feature in p.features:
        if feature.HasField("numeric"):
            numeric = feature.numeric
            del numeric.bin_edges[:]
            del numeric.bin_counts[:]
            numeric.bin_counts.append(feature.count - feature.missing)
            del numeric.edge_counts[:]  # no edges; the outer-bin sums go with them
            numeric.low_bin_sum = numeric.high_bin_sum = 0.0
    return p.SerializeToString()


def edges_reference(merged_pass1: pb.DataProfile, bins: int) -> pb.DataProfile:
    """The reference that pass 2 of a distributed reference profiles on: the features and
    kinds of the merged pass-1 profile, each numeric one with ``bins`` quantile edges of the
    merged (uniform) sample, as ``greengate profile`` derives edges from its reservoir."""
    from . import _profiler

    reference = pb.DataProfile()
    reference.CopyFrom(merged_pass1)
    for feature in reference.features:
        if feature.HasField("numeric"):
            numeric = feature.numeric
            edges = _profiler.quantile_edges(list(numeric.sample), bins) if numeric.sample else []
            del numeric.bin_edges[:]
            numeric.bin_edges.extend(edges)
            del numeric.bin_counts[:]
            numeric.bin_counts.extend([0.0] * (len(edges) + 1))
            del numeric.edge_counts[:]
    return reference
