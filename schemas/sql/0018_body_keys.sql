-- Kept bodies encrypted at rest (issue 24, docs/evidence.md "Bodies at
-- rest"). A service that keeps its bodies (audit_bodies = full) has them
-- stored sealed with AES-256-GCM under a data key of its provider's member
-- and the month the record was written. Each data key is kept here only
-- wrapped by the node's key-encryption key, which never enters the
-- database (a file beside the hub's TLS key, or a PKCS#11 token), so a dump
-- of the database alone holds no body a citizen sent.
--
-- Destroying a month's wrapped key (`lienthong audit shred-bodies`) makes
-- that month's bodies unreadable for good, while the chain, which covers
-- only the bodies' SHA-256, still verifies: crypto-shredding for retention.
CREATE TABLE body_keys (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member      text NOT NULL CHECK (length(member) BETWEEN 1 AND 400),  -- e.g. VN/GOV/000.00.00.G12
  month       date NOT NULL CHECK (extract(day FROM month) = 1),
  kek_id      text NOT NULL CHECK (length(kek_id) BETWEEN 1 AND 200),  -- which key wrapped it
  wrapped_key bytea CHECK (length(wrapped_key) <= 1024),             -- NULL once shredded
  created_at  timestamptz NOT NULL DEFAULT now(),
  shredded_at timestamptz,
  shredded_by text,
  UNIQUE (member, month),
  CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL))
);

-- A data key is created once; afterwards it may only be destroyed, or
-- wrapped again under a new key-encryption key (`lienthong audit
-- rewrap-body-keys`). No other change, no deletion (a deleted row would
-- hide that a month was shredded, and by whom), no return from shredding.
CREATE FUNCTION lt_body_key_shred_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.wrapped_key IS NOT NULL
     AND (NEW.id, NEW.member, NEW.month, NEW.created_at)
         IS NOT DISTINCT FROM (OLD.id, OLD.member, OLD.month, OLD.created_at)
     AND ((NEW.wrapped_key IS NULL AND NEW.shredded_at IS NOT NULL AND NEW.shredded_by IS NOT NULL
           AND NEW.kek_id = OLD.kek_id)
          OR (NEW.wrapped_key IS NOT NULL AND NEW.shredded_at IS NULL
              AND NEW.shredded_by IS NULL)) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'body keys are only ever shredded or wrapped again (lienthong audit '
                  'shred-bodies, rewrap-body-keys)'
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER body_keys_shred_only BEFORE UPDATE OR DELETE ON body_keys
  FOR EACH ROW EXECUTE FUNCTION lt_body_key_shred_only();
CREATE TRIGGER body_keys_no_truncate BEFORE TRUNCATE ON body_keys
  FOR EACH STATEMENT EXECUTE FUNCTION lt_body_key_shred_only();

-- The data key a record's bodies are sealed under; NULL for bodies kept in
-- the clear (written before this migration, or with audit.body_key = "").
ALTER TABLE audit_records ADD COLUMN bodies_key bigint REFERENCES body_keys (id);

-- The auditor view's document names the key, so the API opens the bodies
-- before they leave (admin/auditor/body_opening.hpp).
CREATE OR REPLACE VIEW api_audit_records AS
SELECT r.id, r.node, r.seq, r.received_at, r.consumer, r.provider, r.service, r.user_id,
       r.purpose, r.status, r.error_code, r.message_id,
       jsonb_build_object(
         'id', r.id, 'node', r.node, 'seq', r.seq, 'record_hash', r.record_hash,
         'message_id', r.message_id, 'request_id', r.request_id,
         'correlation_id', r.correlation_id, 'consumer', r.consumer, 'provider', r.provider,
         'service', r.service, 'service_version', r.service_version, 'method', r.method,
         'path', r.path, 'user_id', r.user_id, 'purpose', r.purpose,
         'client_address', r.client_address, 'client_fingerprint', r.client_fingerprint,
         'status', r.status, 'error_code', r.error_code, 'request_bytes', r.request_bytes,
         'response_bytes', r.response_bytes, 'request_sha256', r.request_sha256,
         'response_sha256', r.response_sha256, 'received_at', r.received_at,
         'provider_called_at', r.provider_called_at,
         'provider_answered_at', r.provider_answered_at, 'responded_at', r.responded_at,
         'committed_at', r.committed_at,
         -- base64 without PostgreSQL's line breaks, as RFC 4648 decoders expect
         'request_body_base64', translate(encode(r.request_body, 'base64'), E'\n', ''),
         'response_body_base64', translate(encode(r.response_body, 'base64'), E'\n', ''),
         'upstream_instance', r.upstream_instance,
         'upstream_assertion', r.upstream_assertion,
         'downstream_instance', r.downstream_instance,
         'downstream_assertion', r.downstream_assertion,
         'downstream_request_id', r.downstream_request_id,
         'downstream_record_hash', r.downstream_record_hash,
         'bodies_key', r.bodies_key) AS doc
FROM audit_records r;
