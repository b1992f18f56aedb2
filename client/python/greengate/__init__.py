"""greengate for Python: profile DataFrames in process with greengate's C++ profiler, and ask
a greengate server whether a model may be retrained.

>>> import greengate
>>> gg = greengate.Client("greengate.internal:50051", token_file="/run/secrets/gg-token")  # doctest: +SKIP
>>> gg.set_reference("churn", train_df, accuracy=0.912, evaluation_rows=4000)  # doctest: +SKIP
>>> d = gg.should_retrain("churn", new_df, plan=greengate.Plan(hours=3, region="FR"))  # doctest: +SKIP
>>> d.verdict                                                          # doctest: +SKIP
'REJECT'

The manual is docs/python.md in the greengate repository.
"""

from .client import Client
from .errors import (Aborted, AlreadyExists, Cancelled, DataLoss, DeadlineExceeded,
                     FailedPrecondition, GreengateError, Internal, InvalidArgument, NotFound,
                     OutOfRange, PermissionDenied, ResourceExhausted, Unauthenticated,
                     Unavailable, Unimplemented, Unknown)
from .profiling import merge, profile
from .retry import Retry
from .types import TLS, Challenger, Decision, Labeled, Plan, Shadow
from .v1 import greengate_pb2 as pb

__version__ = "0.1.0"

__all__ = [
    "Client", "profile", "merge", "Retry", "TLS", "Decision", "Labeled", "Challenger", "Shadow",
    "Plan", "pb",
    "GreengateError", "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded",
    "FailedPrecondition", "Internal", "InvalidArgument", "NotFound", "OutOfRange",
    "PermissionDenied", "ResourceExhausted", "Unauthenticated", "Unavailable", "Unimplemented",
    "Unknown",
]
