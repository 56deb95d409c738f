-- Genesis checkpoints: when its writer starts, a node signs "my chain
-- begins at seq 0 with the genesis hash" for its own chain and for the
-- admin-change chain. A node with a registered key but no checkpoint at all
-- has then lost its chain, rather than never having written one; the
-- verifier reports it as missing instead of leaving it out.
ALTER TABLE audit_checkpoints DROP CONSTRAINT audit_checkpoints_seq_check;
ALTER TABLE audit_checkpoints ADD CONSTRAINT audit_checkpoints_seq_check
  CHECK (seq >= 1 OR (seq = 0 AND record_hash = repeat('0', 64)));
