"""Retries on UNAVAILABLE: across a server restart, and with one idempotency key."""

import threading
import time

import grpc
import pytest

import greengate

from frames import frame

PLAN = greengate.Plan(hours=1, cpu_cores=8, region="FR")
# Bounded by the call's deadline, not by a count: on a loaded machine the restarted server may
# take several seconds to listen again.
PATIENT = greengate.Retry(attempts=1000, initial_backoff_s=0.1, max_backoff_s=0.25)


def test_calls_wait_out_a_server_restart(server):
    gg = greengate.Client(server.address, retry=PATIENT, timeout=60)
    gg.register_model("churn", version="v1")
    gg.set_reference("churn", frame(500, seed=1), accuracy=0.9, evaluation_rows=100)
    server.stop()
    restarter = threading.Timer(1.5, server.start)
    restarter.start()
    started = time.monotonic()
    d = gg.should_retrain("churn", frame(500, seed=2), plan=PLAN)  # GetReference, ShouldRetrain
    restarter.join()
    assert time.monotonic() - started >= 1.0
    assert d.verdict in ("APPROVE", "REJECT", "DEFER")
    assert [x.name for x in gg.list_decisions("churn")] == [d.name]


def test_no_retry_gives_unavailable(server):
    server.stop()
    gg = greengate.Client(server.address, retry=greengate.Retry(attempts=1), timeout=5)
    with pytest.raises(greengate.Unavailable):
        gg.list_models()


class LostResponse(grpc.RpcError):
    """What a dropped connection after the server committed looks like to the caller."""

    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return "connection reset"


def test_a_retried_decision_is_made_once(server):
    gg = greengate.Client(server.address, retry=PATIENT)
    gg.register_model("churn", version="v1")
    gg.set_reference("churn", frame(500, seed=1), accuracy=0.9, evaluation_rows=100)
    real = gg._stub.ShouldRetrain
    keys = []

    def lose_first_response(request, **kwargs):
        keys.append(request.idempotency_key)
        response = real(request, **kwargs)  # committed on the server
        if len(keys) == 1:
            raise LostResponse()
        return response

    gg._stub.ShouldRetrain = lose_first_response
    d = gg.should_retrain("churn", frame(500, seed=2), plan=PLAN)
    assert len(keys) == 2 and keys[0] == keys[1] == d.idempotency_key
    assert [x.name for x in gg.list_decisions("churn")] == [d.name]


def test_backoff_is_bounded_and_jittered():
    import random
    waits = list(greengate.Retry(attempts=5, initial_backoff_s=1, max_backoff_s=3)
                 .backoffs(random.Random(1)))
    assert len(waits) == 4
    assert all(0 <= w <= cap for w, cap in zip(waits, [1, 2, 3, 3]))
    with pytest.raises(ValueError):
        greengate.Retry(attempts=0)
