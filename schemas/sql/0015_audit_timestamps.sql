-- RFC 3161 trusted timestamps of audit checkpoints (issue 24): a token from
-- an outside Time-Stamping Authority over a checkpoint's signed text and
-- signature, so that a rewritten history re-signed by whoever runs the hub
-- would lack the authority's tokens for its checkpoints. One token covers
-- every record up to its checkpoint through the chain; a node stamps its
-- chains' newest checkpoints every audit.timestamp_seconds.
CREATE TABLE audit_timestamps (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  checkpoint_id bigint NOT NULL UNIQUE REFERENCES audit_checkpoints (id),
  digest        text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),  -- SHA-256 of the stamped text
  token         bytea NOT NULL,        -- the TimeStampToken (DER), as the authority signed it
  generated_at  timestamptz NOT NULL,  -- the authority's time in the token
  tsa           text NOT NULL,         -- the signing certificate's subject
  serial        text NOT NULL,         -- the authority's serial number of the token
  requested_by  text NOT NULL          -- the node that asked
);

CREATE TRIGGER audit_timestamps_append_only BEFORE UPDATE OR DELETE ON audit_timestamps
  FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only();
CREATE TRIGGER audit_timestamps_no_truncate BEFORE TRUNCATE ON audit_timestamps
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();
