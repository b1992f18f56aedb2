-- Version 3: tamper-evident decision log. Each decision row holds the SHA-256 of the previous
-- row's hash and of its own canonical content (server/store/audit_chain.h), so editing a row,
-- or deleting one that is not the newest, breaks the chain.
-- Rows written before this migration have NULL hashes; verification starts after them.

ALTER TABLE decisions ADD COLUMN prev_hash TEXT;
ALTER TABLE decisions ADD COLUMN hash TEXT;

-- The chain head, advanced in the transaction that appends a decision. It lets verification
-- notice that the newest rows were deleted. It lives in the same file, so someone who rewrites
-- the file can rewrite it too: only a head recorded elsewhere (an anchor) defeats that.
CREATE TABLE audit_head (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  legacy_max_seq   INTEGER NOT NULL,  -- rows up to this seq predate the chain (NULL hashes)
  head_seq         INTEGER NOT NULL,  -- newest chained row; legacy_max_seq while none
  head_hash        TEXT    NOT NULL,  -- its hash; 64 zeros (the genesis) while none
  chained_rows     INTEGER NOT NULL
) STRICT;
INSERT INTO audit_head (id, legacy_max_seq, head_seq, head_hash, chained_rows)
  SELECT 1, COALESCE(MAX(seq), 0), COALESCE(MAX(seq), 0),
         '0000000000000000000000000000000000000000000000000000000000000000', 0
  FROM decisions;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head is never deleted'); END;
