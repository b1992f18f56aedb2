-- Version 9: a retrain lands as a new version, and outcomes teach the challenger's scale.
-- A reference may name the APPROVE decision whose retrain produced its version (SetReference
-- approved_by), so the governance report can follow each version's life. An outcome copies
-- its decision's challenger gain (proxy accuracy - deployed accuracy on the holdout), from
-- which the proxy-to-full-retrain scale is learned; NULL when the decision had no challenger.
ALTER TABLE model_references ADD COLUMN approved_by_seq INTEGER REFERENCES decisions(seq);
ALTER TABLE outcomes ADD COLUMN proxy_gain REAL;
