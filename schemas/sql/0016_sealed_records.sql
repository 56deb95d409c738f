-- Per-exchange proofs (issue 24). A checkpoint of a node's record chain
-- now also signs the root of a Merkle tree over the links of the records
-- it seals (from_seq .. seq), so one record can be proven part of the
-- signed chain without the other records' contents. Earlier checkpoints
-- keep both columns NULL and their v1 signature.
ALTER TABLE audit_checkpoints
  ADD COLUMN from_seq     bigint,
  ADD COLUMN records_root text CHECK (records_root ~ '^[0-9a-f]{64}$'),
  ADD CHECK ((from_seq IS NULL) = (records_root IS NULL)),
  ADD CHECK (from_seq IS NULL OR (from_seq >= 1 AND from_seq <= seq));

-- A token now covers every checkpoint of a chain since the last token: its
-- imprint is the SHA-256 of `batch` (one line per checkpoint with the
-- digest of its timestamped text), and checkpoint_id is the newest of
-- them. NULL for the first tokens, each over one checkpoint's text.
ALTER TABLE audit_timestamps ADD COLUMN batch text;
