"""DataFrames and dicts of arrays as the column tuples the extension module reads.

Kinds follow dtypes: float, int and uint columns are numeric; bool, object, string and
categorical columns are categorical. Values become what ``DataFrame.to_csv`` writes and
``greengate profile`` reads back: bools are the categories ``"True"`` and ``"False"``, other
objects their ``str()``; NaN, None, pandas.NA and empty strings are missing. No value is
visited by Python code: numbers are read from the arrays by the extension, categorical
columns through pandas' codes or the object array itself.
"""

from __future__ import annotations

from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

Column = Tuple[Any, ...]


def _missing_sentinels() -> Tuple[Any, ...]:
    """Objects that mean missing besides None and float NaN (pandas.NA, pandas.NaT)."""
    try:
        import pandas as pd
    except ImportError:
        return ()
    return (pd.NA, pd.NaT)


_MISSING = _missing_sentinels()


def _is_pandas_frame(data: Any) -> bool:
    return type(data).__name__ == "DataFrame" and hasattr(data, "dtypes")


def _column(name: str, values: Any) -> Column:
    import pandas as pd  # pandas is optional for dicts of numpy arrays

    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes if hasattr(values, "cat") else values.codes)
        return ("codes", codes, [str(c) for c in dtype.categories])
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        if pd.api.types.is_bool_dtype(dtype):  # "boolean" with pd.NA
            return _bool_column(values.to_numpy(dtype="float64", na_value=np.nan))
        if pd.api.types.is_numeric_dtype(dtype):  # Int64, Float64 with pd.NA
            return ("numeric", values.to_numpy(dtype="float64", na_value=np.nan))
        values = values.to_numpy(dtype=object, na_value=None)  # "string" and the like
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"column {name!r}: has {array.ndim} dimensions; expected 1")
    kind = array.dtype.kind
    if kind in "fiu":
        return ("numeric", array)
    if kind == "b":
        return ("codes", array.view(np.int8), ["False", "True"])
    if kind in "OUS":
        objects = array if kind == "O" else array.astype(object)
        return ("objects", objects, _MISSING)
    raise TypeError(f"column {name!r}: dtype {array.dtype} cannot be profiled; convert it "
                    "(e.g. datetimes to numbers or strings) or leave it out with exclude=")


def _bool_column(floats: np.ndarray) -> Column:
    codes = np.where(np.isnan(floats), -1, floats).astype(np.int8)
    return ("codes", codes, ["False", "True"])


def columns_of(data: Any, *, include: Optional[Sequence[str]] = None,
               exclude: Iterable[str] = ()) -> Tuple[List[str], List[Column]]:
    """The names and column tuples of ``data``: a pandas DataFrame or a mapping of arrays.

    ``include`` picks and orders the columns (e.g. a reference's features); every name in it
    must be a column. ``exclude`` leaves columns out.
    """
    if _is_pandas_frame(data):
        names = [str(c) for c in data.columns]
        if len(set(names)) != len(names):
            raise ValueError("the DataFrame has duplicate column names")
        get = lambda name: data[name]  # noqa: E731
        lookup = {str(c): c for c in data.columns}
    elif isinstance(data, Mapping):
        names = [str(k) for k in data.keys()]
        lookup = {str(k): k for k in data.keys()}
        get = lambda name: data[name]  # noqa: E731
    else:
        raise TypeError(f"expected a pandas DataFrame or a dict of arrays, not {type(data).__name__}")
    excluded = set(exclude)
    unknown = excluded.difference(names)
    if unknown:
        raise ValueError(f"exclude: {sorted(unknown)} are not columns")
    if include is not None:
        missing = [n for n in include if n not in lookup]
        if missing:
            raise ValueError(f"the reference features {missing} are not columns of the data; "
                             "the current data must have every reference feature")
        names = list(include)
    names = [n for n in names if n not in excluded]
    return names, [_column(n, get(lookup[n])) for n in names]
