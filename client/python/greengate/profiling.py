"""In-process profiling with greengate's C++ profiler.

``profile(df)`` returns the ``DataProfile`` message that ``greengate profile`` writes for the
same rows as CSV, with the same options and seed; ``profile(df, reference=ref)`` profiles on
the reference's features, kinds and bin edges, as ``greengate profile --model`` does.
``merge(profiles)`` combines the profiles of a dataset's parts into the profile of the whole.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence, Union

from . import _profiler
from ._columns import columns_of
from .errors import from_native
from .v1 import greengate_pb2 as pb

__all__ = ["profile", "merge", "DEFAULT_BINS", "DEFAULT_SAMPLE_SIZE", "DEFAULT_TOP_K"]

# The defaults of `greengate profile` (client/csv_profiler.h, CsvProfileOptions), read from
# the extension so that they are the CLI's.
DEFAULT_BINS: int = _profiler.DEFAULT_BINS
DEFAULT_SAMPLE_SIZE: int = _profiler.DEFAULT_SAMPLE_SIZE
DEFAULT_TOP_K: int = _profiler.DEFAULT_TOP_K
DEFAULT_SEED: int = _profiler.DEFAULT_SEED
# Rows read per block: memory beyond the input is a block of each column, not the column
# (8192 rows: 128 KB of string views per text column).
BLOCK_ROWS = 8192

ReferenceLike = Union[pb.DataProfile, pb.Reference, None]


def _reference_profile(reference: ReferenceLike) -> Optional[pb.DataProfile]:
    if reference is None:
        return None
    if isinstance(reference, pb.Reference):
        return reference.profile
    if isinstance(reference, pb.DataProfile):
        return reference
    raise TypeError(f"reference: expected a DataProfile or Reference message, "
                    f"not {type(reference).__name__}")


def profile(data: Any, reference: ReferenceLike = None, *, bins: int = DEFAULT_BINS,
            sample_size: Optional[int] = None, top_k: Optional[int] = None,
            seed: Optional[int] = None, joint_sample_size: Optional[int] = None,
            exclude: Iterable[str] = (), threads: int = 0) -> pb.DataProfile:
    """Profiles ``data`` (a pandas DataFrame or a dict of 1-D numpy arrays) in process.

    Without ``reference``: a reference profile, ``bins`` quantile bins per numeric column
    (two passes over the arrays). With one (a ``DataProfile`` or ``Reference``): a current
    profile of the reference's features on its edges; other columns are ignored and every
    reference feature must be a column. Options are ``greengate profile``'s (``--bins``,
    ``--sample-size``, ``--top-k``, ``--seed``, ``--joint-sample``, ``--exclude``) and give
    the same profile. An option left unset (None) takes the CLI's default for a reference
    (``DEFAULT_SAMPLE_SIZE``, ``DEFAULT_TOP_K``, ``DEFAULT_SEED``, no joint sample) and, on a
    reference, the value the reference recorded (``DataProfile.options``), as
    ``greengate profile --model`` does.

    ``threads`` profile the columns in parallel (0: the machine's, at most 8, as the CLI's
    ``--threads``); the profile does not depend on it.

    Column kinds follow dtypes (see ``greengate._columns``): numbers are numeric; bool, str,
    object and categorical columns are categorical. NaN, None and empty strings are missing.

    >>> import pandas as pd, greengate
    >>> p = greengate.profile(pd.DataFrame({"age": [31, 45, None], "city": ["Paris", "Lyon", None]}))
    >>> [(f.name, f.count, f.missing) for f in p.features]
    [('age', 3, 1), ('city', 3, 1)]

    Raises :class:`greengate.InvalidArgument` naming the column or option at fault.
    """
    ref = _reference_profile(reference)
    include: Optional[Sequence[str]] = [f.name for f in ref.features] if ref is not None else None
    try:
        names, columns = columns_of(data, include=include, exclude=exclude if ref is None else ())
        serialized = _profiler.profile_columns(
            names, columns, ref.SerializeToString() if ref is not None else None, bins,
            sample_size, top_k, seed, joint_sample_size, BLOCK_ROWS, threads)
    except (ValueError, RuntimeError) as error:
        raise from_native(error) from None
    return pb.DataProfile.FromString(serialized)


def merge(profiles: Sequence[pb.DataProfile], *, seed: int = 0,
          sample_capacity: Optional[int] = None,
          max_categories: Optional[int] = None) -> pb.DataProfile:
    """The profile of the union of the data that ``profiles`` describe.

    The profiles must have the same features, kinds and bin edges (profile the parts on one
    reference). Counts, missing, bins, min and max are exact; mean and m2 agree with one pass
    to rounding; the merged sample is a uniform sample of the union of ``sample_capacity``
    values and ``max_categories`` categories are kept per feature (on profiles counted on a
    reference, the unseen ones listed). Both default to what the parts recorded
    (``DataProfile.options``: their sample size and top-K), as ``greengate profile merge``
    does for the top-K; ``sample_capacity=0`` infers it from the samples. Pure; the same
    inputs and seed give the same result.
    """
    try:
        serialized = _profiler.merge([p.SerializeToString() for p in profiles], seed,
                                     sample_capacity, max_categories)
    except (ValueError, RuntimeError) as error:
        raise from_native(error) from None
    return pb.DataProfile.FromString(serialized)
