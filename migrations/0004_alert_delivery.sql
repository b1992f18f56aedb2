-- Version 4: alert delivery. The decision log itself is the outbox (a decision and its alert
-- are committed in one transaction, as one row); each sink keeps a cursor of the last
-- decision it delivered, advanced only after the sink acknowledged it.

CREATE TABLE alert_cursors (
  sink             TEXT    PRIMARY KEY,        -- "alertmanager", "webhook:<name>"
  last_seq         INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0, -- failed attempts at the next decision
  last_error       TEXT    NOT NULL DEFAULT '',
  update_time_ms   INTEGER NOT NULL
) STRICT;
