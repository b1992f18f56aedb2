-- Version 2: measured outcomes of approved retrains (ReportOutcome), one per decision.
-- They close the loop: energy estimates and gain estimates learn from them.

CREATE TABLE outcomes (
  decision_seq          INTEGER PRIMARY KEY REFERENCES decisions(seq),
  model_id              INTEGER NOT NULL REFERENCES models(id),
  energy_kwh            REAL    NOT NULL CHECK (energy_kwh >= 0),
  co2e_kg               REAL    CHECK (co2e_kg IS NULL OR co2e_kg >= 0),
  duration_s            REAL    CHECK (duration_s IS NULL OR duration_s >= 0),
  source                TEXT    NOT NULL,              -- "codecarbon", "manual", ...
  accuracy_before       REAL,
  accuracy_after        REAL,
  evaluation_set        TEXT    NOT NULL DEFAULT '',
  evaluation_rows       INTEGER NOT NULL DEFAULT 0,
  training_rows         INTEGER NOT NULL DEFAULT 0,
  estimated_energy_kwh  REAL    NOT NULL,              -- copied from the decision
  expected_gain         REAL    NOT NULL,              -- copied from the decision
  -- Copied from the decision, so the estimators learn without parsing decision payloads:
  -- the Green Algorithms estimate (before any history), the degradation the gain estimate
  -- expected, the reference accuracy it compared with and the drifted share of features.
  green_algorithms_energy_kwh REAL NOT NULL DEFAULT 0,
  expected_degradation  REAL,
  reference_accuracy    REAL,
  drifted_share         REAL    NOT NULL DEFAULT 0,
  create_time_ms        INTEGER NOT NULL,
  payload               TEXT    NOT NULL               -- the Outcome, protobuf JSON
) STRICT;
CREATE INDEX outcomes_by_model ON outcomes(model_id, decision_seq);

CREATE TRIGGER outcomes_no_update BEFORE UPDATE ON outcomes
BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END;
CREATE TRIGGER outcomes_no_delete BEFORE DELETE ON outcomes
BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END;

-- The deployed model's confidence scores on its evaluation set, beside the reference they
-- describe, and whether they were calibrated (checked by SetReference; CBPE needs it).
CREATE TABLE reference_scores (
  reference_id          INTEGER PRIMARY KEY REFERENCES model_references(id),
  scores                TEXT    NOT NULL,              -- NumericProfile, protobuf JSON
  calibrated            INTEGER NOT NULL CHECK (calibrated IN (0, 1)),
  calibration_detail    TEXT    NOT NULL
) STRICT;
