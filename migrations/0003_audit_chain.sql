-- Version 3: tamper-evident decision log. Each decision row holds the SHA-256 of the previous
-- row's hash and of its own canonical content, so editing or deleting a row breaks the chain.
-- Rows written before this migration have NULL hashes; verification starts after them.

ALTER TABLE decisions ADD COLUMN prev_hash TEXT;
ALTER TABLE decisions ADD COLUMN hash TEXT;
