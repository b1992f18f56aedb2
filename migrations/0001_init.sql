-- greengate schema, version 1. Forward-only: never edit once landed; add 0002_*.sql instead.
-- Times are unix milliseconds (UTC). Payloads are protobuf JSON written by the service.

CREATE TABLE models (
  id               INTEGER PRIMARY KEY,
  model_id         TEXT    NOT NULL UNIQUE,
  display_name     TEXT    NOT NULL DEFAULT '',
  deployed_version TEXT    NOT NULL,
  task             TEXT    NOT NULL DEFAULT '',
  create_time_ms   INTEGER NOT NULL,
  update_time_ms   INTEGER NOT NULL
) STRICT;

-- Reference profiles of deployed versions; the newest row per model is the live one.
CREATE TABLE model_references (
  id               INTEGER PRIMARY KEY,
  model_id         INTEGER NOT NULL REFERENCES models(id),
  model_version    TEXT    NOT NULL,
  profile          TEXT    NOT NULL,
  accuracy         REAL,
  evaluation_rows  INTEGER NOT NULL DEFAULT 0,
  create_time_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX model_references_by_model ON model_references(model_id, id);

-- Versioned policies; decisions record the version they used.
CREATE TABLE policies (
  model_id         INTEGER NOT NULL REFERENCES models(id),
  version          INTEGER NOT NULL CHECK (version >= 1),
  policy           TEXT    NOT NULL,
  create_time_ms   INTEGER NOT NULL,
  PRIMARY KEY (model_id, version)
) STRICT;

-- The decision log: append-only (see the triggers below).
CREATE TABLE decisions (
  seq              INTEGER PRIMARY KEY,
  decision_id      TEXT    NOT NULL UNIQUE,
  model_id         INTEGER NOT NULL REFERENCES models(id),
  model_version    TEXT    NOT NULL,
  policy_version   INTEGER NOT NULL,
  verdict          TEXT    NOT NULL CHECK (verdict IN ('APPROVE', 'REJECT', 'DEFER')),
  decided_by       TEXT    NOT NULL,
  energy_kwh       REAL    NOT NULL CHECK (energy_kwh >= 0),
  co2e_kg          REAL    NOT NULL CHECK (co2e_kg >= 0),
  expected_gain    REAL    NOT NULL,
  gain_lower_bound REAL    NOT NULL,
  dataset_drift    INTEGER NOT NULL CHECK (dataset_drift IN (0, 1)),
  idempotency_key  TEXT,
  create_time_ms   INTEGER NOT NULL,
  payload          TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX decisions_idempotency ON decisions(model_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX decisions_by_model ON decisions(model_id, seq);
CREATE INDEX decisions_by_time ON decisions(create_time_ms);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
