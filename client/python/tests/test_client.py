"""The whole flow with greengate.Client against a live server, and the error mapping."""

import datetime
import os
import time

import pytest

import greengate
from greengate.v1 import greengate_pb2 as pb

from frames import frame

PLAN = greengate.Plan(hours=3, accelerator="nvidia-a100-40gb", accelerators=1, region="FR")


def test_flow(server, tmp_path):
    gg = greengate.Client(server.address)
    assert "127.0.0.1" in repr(gg)
    model = gg.register_model("churn", version="v7", task="binary-classification")
    assert model.name == "models/churn"
    assert [m.name for m in gg.list_models()] == ["models/churn"]
    stored = gg.set_reference("churn", frame(4000, seed=1), accuracy=0.912, evaluation_rows=4000)
    assert stored.model_version == "v7"
    assert gg.get_model("churn").has_reference
    policy = gg.set_policy("churn", min_gain=0.001, cooldown_s=0)
    assert policy.version == 1 and gg.get_policy("churn").min_gain == pytest.approx(0.001)

    # Drifted data and a labeled window well below the reference accuracy: approve.
    drifted = frame(3000, seed=2, cities=("Lille", "Brest"))
    drifted["x"] = drifted["x"] * 3 + 5
    d = gg.should_retrain("churn", drifted, labeled=greengate.Labeled(rows=1200, correct=900),
                          plan=PLAN)
    assert d.verdict == "APPROVE", d.reason
    assert d.approved and d.drift.drifted_features >= 2 and d.gain.expected > 0
    assert d.cost.energy_kwh > 0 and d.checks
    assert "APPROVE" in repr(d) and "| check |" in d._repr_markdown_()
    assert gg.get_decision(d.name) == d
    assert gg.get_decision(d.name.split("/")[1]).name == d.name
    assert [x.name for x in gg.list_decisions("churn", verdict="APPROVE", page_size=1)] == [d.name]

    # The same idempotency key returns the stored decision instead of a new one.
    again = gg.should_retrain("churn", drifted, labeled=greengate.Labeled(rows=1200, correct=900),
                              plan=PLAN, idempotency_key=d.idempotency_key)
    assert again.name == d.name

    emissions = tmp_path / "emissions.csv"
    emissions.write_text("run_id,duration,emissions,energy_consumed\nr1,3600,0.05,1.5\n")
    outcome = gg.report_outcome(d, codecarbon=str(emissions), accuracy_before=0.75,
                                accuracy_after=0.93)
    assert outcome.energy_kwh == 1.5 and outcome.co2e_kg == 0.05 and outcome.source == "codecarbon"
    assert gg.get_decision(d.name).outcome.accuracy_after == pytest.approx(0.93)

    now = datetime.datetime.now(datetime.timezone.utc)
    report = gg.governance_report(now - datetime.timedelta(days=1),
                                  now + datetime.timedelta(minutes=1))
    assert report.overall.decisions.approved == 1 and report.overall.outcomes == 1
    verification = gg.verify_audit_log()
    assert verification.intact and verification.checked_rows >= 1
    assert gg.verify_audit_log(anchor_seq=verification.head_seq,
                               anchor_hash=verification.head_hash).intact

    # A profile message works wherever a DataFrame does.
    current = greengate.profile(drifted, gg.get_reference("churn"))
    d2 = gg.should_retrain("churn", current, plan=PLAN)
    assert d2.verdict in ("APPROVE", "REJECT", "DEFER")
    gg.close()


def test_challenger_evidence_and_shadow_outcome(server):
    gg = greengate.Client(server.address)
    gg.register_model("churn", version="v7")
    gg.set_reference("churn", frame(4000, seed=1), accuracy=0.80, evaluation_rows=4000)
    gg.set_policy("churn", min_gain=0.001, cooldown_s=0)
    # No drift and the deployed model as good as at deployment, but a proxy retrain scored on
    # the same holdout does 6 points better: the opportunity is measured, not inferred.
    challenger = greengate.Challenger(rows=4000, proxy_correct=3440, deployed_correct=3200,
                                      proxy_only_correct=300, deployed_only_correct=60,
                                      energy_kwh=0.4, description="10% subsample, 2 epochs")
    d = gg.should_retrain("churn", frame(3000, seed=2), plan=PLAN, challenger=challenger)
    assert d.gain.method == "challenger", d.reason
    assert d.gain.expected > 0 and d.verdict == "APPROVE", d.reason
    outcome = gg.report_outcome(d, energy_kwh=20.0,
                                shadow=greengate.Shadow(rows=2000, correct_before=1600,
                                                        correct_after=1700))
    assert outcome.accuracy_before == pytest.approx(0.80)
    assert outcome.accuracy_after == pytest.approx(0.85)
    assert outcome.realised_gain == pytest.approx(0.05)
    assert outcome.evaluation_rows == 2000
    with pytest.raises(greengate.InvalidArgument, match="challenger"):
        gg.should_retrain("churn", frame(300, seed=3), plan=PLAN,
                          challenger=greengate.Challenger(rows=10, proxy_correct=11,
                                                          deployed_correct=5))
    gg.close()


def test_watch_decisions(server):
    import threading
    with greengate.Client(server.address) as gg:
        gg.register_model("m", version="v1")
        gg.set_reference("m", frame(500, seed=1), accuracy=0.9, evaluation_rows=100)
        seen = []
        ready = threading.Event()

        def watch():
            stream = gg.watch_decisions("m", timeout=20)
            ready.set()
            seen.append(next(stream))

        watcher = threading.Thread(target=watch)
        watcher.start()
        ready.wait(5)
        import time
        time.sleep(0.5)  # the subscription reaches the server
        d = gg.should_retrain("m", frame(500, seed=2), plan=PLAN)
        watcher.join(20)
        assert seen and seen[0].name == d.name


def test_errors_are_named_after_codes(server):
    gg = greengate.Client(server.address)
    with pytest.raises(greengate.NotFound):
        gg.get_model("nope")
    with pytest.raises(LookupError):  # NotFound is a LookupError too
        gg.get_reference("nope")
    gg.register_model("churn", version="v1")
    with pytest.raises(greengate.AlreadyExists):
        gg.register_model("churn", version="v1")
    with pytest.raises(greengate.InvalidArgument) as error:
        gg.register_model("Bad Name", version="v1")
    assert error.value.field == "model_id"
    assert error.value.code.name == "INVALID_ARGUMENT"
    gg.set_reference("churn", frame(500, seed=1), accuracy=0.9, evaluation_rows=100)
    bad = greengate.profile(frame(500, seed=2), gg.get_reference("churn"))
    bad.features[0].numeric.bin_edges[0] += 1  # not the reference's edges
    with pytest.raises(greengate.InvalidArgument) as error:
        gg.should_retrain("churn", bad, plan=PLAN)
    assert error.value.field.startswith("current.features[0]")
    with pytest.raises(greengate.InvalidArgument) as error:
        gg.should_retrain("churn", frame(10, seed=3), plan=greengate.Plan(hours=-1))
    assert error.value.field.startswith("plan")


def test_token_file_rules(tmp_path):
    token = tmp_path / "token"
    token.write_text("# ci runner\nsecret-token\n")
    os.chmod(token, 0o644)
    with pytest.raises(greengate.PermissionDenied, match="chmod 600"):
        greengate.Client("127.0.0.1:1", token_file=str(token))
    os.chmod(token, 0o600)
    gg = greengate.Client("127.0.0.1:1", token_file=str(token))
    assert gg._metadata == (("authorization", "Bearer secret-token"),)
    token.write_text("name pipeline secret\n")
    with pytest.raises(greengate.InvalidArgument, match="blanks"):
        greengate.Client("127.0.0.1:1", token_file=str(token))
    with pytest.raises(greengate.NotFound):
        greengate.Client("127.0.0.1:1", tls=greengate.TLS(ca_file=str(tmp_path / "none.pem")))


def test_deadlines(server):
    gg = greengate.Client(server.address, timeout=1e-6)
    with pytest.raises(greengate.DeadlineExceeded):
        gg.list_models()
    assert greengate.Client(server.address).list_models(timeout=10) == []
    started = time.monotonic()
    with pytest.raises(greengate.DeadlineExceeded):
        next(greengate.Client(server.address).watch_decisions(timeout=0.5))
    assert time.monotonic() - started < 10
