-- Version 5: the plan each measured retrain ran, copied from its decision, so the recovery
-- ratio is learned per plan (a fine-tune on recent data recovers differently from a full
-- retrain). Existing outcomes take the plan name from their decision's payload.

ALTER TABLE outcomes ADD COLUMN plan TEXT NOT NULL DEFAULT '';

-- Outcomes are append-only; the backfill is the one sanctioned update, inside this migration's
-- transaction, with the guard restored before it commits.
DROP TRIGGER outcomes_no_update;
UPDATE outcomes SET plan = COALESCE(
  (SELECT json_extract(payload, '$.cost.plan') FROM decisions WHERE seq = outcomes.decision_seq),
  '');
CREATE TRIGGER outcomes_no_update BEFORE UPDATE ON outcomes
BEGIN SELECT RAISE(ABORT, 'outcomes are append-only'); END;
