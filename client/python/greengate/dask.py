"""Profiles of Dask DataFrames: each partition is profiled on the workers by the C++
profiler, and the partial profiles are merged in a tree (``split_every`` at a time).

>>> import dask.dataframe as dd, greengate.dask                       # doctest: +SKIP
>>> ddf = dd.read_parquet("s3://bucket/events/")                      # doctest: +SKIP
>>> current = greengate.dask.profile(ddf, reference=ref)              # doctest: +SKIP

With a reference, partitions are profiled on its edges and categories, and the result equals
one pass of ``greengate.profile`` over the whole frame in counts, missing, bin counts, min,
max and categories (mean and m2 to rounding; the sample is a uniform sample of the union).
Without one, a reference profile takes two distributed passes: pass 1 profiles the
partitions and merges their samples; the quantiles of that merged sample become the edges
that pass 2 counts on (persist the frame first so it is read once). Runs on whatever
scheduler is active: a ``distributed.Client`` if one is, else Dask's default.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import dask

from . import _profiler, partitions, profiling
from .profiling import ReferenceLike, _reference_profile
from .v1 import greengate_pb2 as pb

__all__ = ["profile"]


def _reduce(parts: list, options: dict, split_every: int):
    merge = dask.delayed(partitions.merge_bytes, pure=True)
    while len(parts) > 1:
        parts = [merge(parts[i:i + split_every], options)
                 for i in range(0, len(parts), split_every)]
    return parts[0]


def _pass(ddf: Any, reference: Optional[pb.DataProfile], options: dict, split_every: int,
          single_bin: bool = False):
    profile_one = dask.delayed(partitions.profile_partition, pure=True)
    # The reference goes into the graph once, serialized (hashing bytes is cheap; a message
    # would be hashed through its text form by every task).
    shared = dask.delayed(reference.SerializeToString()) if reference is not None else None
    parts = [profile_one(part, shared, i, options) for i, part in enumerate(ddf.to_delayed())]
    if single_bin:
        parts = [dask.delayed(partitions.single_bin, pure=True)(p) for p in parts]
    return _reduce(parts, options, split_every)


def profile(ddf: Any, reference: ReferenceLike = None, *, split_every: int = 8,
            bins: int = profiling.DEFAULT_BINS, sample_size: Optional[int] = None,
            top_k: Optional[int] = None, seed: Optional[int] = None,
            joint_sample_size: Optional[int] = None,
            exclude: Iterable[str] = ()) -> pb.DataProfile:
    """The profile of a ``dask.dataframe.DataFrame``; options as :func:`greengate.profile`
    (unset: the CLI's defaults, or on a reference the reference's recorded options)."""
    if split_every < 2:
        raise ValueError("split_every: must be >= 2")
    if joint_sample_size:
        raise ValueError("joint_sample_size: joint samples are not merged across partitions; "
                         "profile the joint sample with greengate.profile on a sample")
    ref = _reference_profile(reference)
    if ref is not None:
        options = dict(sample_size=sample_size, top_k=top_k, seed=seed, joint_sample_size=0)
        return pb.DataProfile.FromString(dask.compute(_pass(ddf, ref, options, split_every))[0])
    # A distributed reference: pass 2 profiles on pass 1's merged profile, whose recorded
    # options are pass 1's, so every option is given explicitly.
    options = dict(
        sample_size=profiling.DEFAULT_SAMPLE_SIZE if sample_size is None else sample_size,
        top_k=profiling.DEFAULT_TOP_K if top_k is None else top_k,
        seed=profiling.DEFAULT_SEED if seed is None else seed, joint_sample_size=0,
        exclude=list(exclude))
    # Pass 1 keeps as many values per partition as the CLI's pass 1 draws for its edges,
    # and the merge keeps that many of the union: the edges' sample is as large.
    edge_sample = max(options["sample_size"], _profiler.edge_sample_capacity(bins))
    pass1 = dask.compute(_pass(ddf, None, dict(options, bins=1, sample_size=edge_sample),
                               split_every, single_bin=True))[0]
    ref = partitions.edges_reference(pb.DataProfile.FromString(pass1), bins)
    del options["exclude"]  # pass 2 profiles the reference's features
    return pb.DataProfile.FromString(dask.compute(_pass(ddf, ref, options, split_every))[0])
