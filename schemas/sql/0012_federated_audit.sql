-- Audit on every hop (docs/federation.md): a record of an exchange that
-- crossed peer hubs names the hub the request came from and the assertion it
-- signed for the caller (upstream), and the hub this one passed it on to,
-- the assertion this hub signed, that hub's request id and the hash of its
-- record, its receipt (downstream). Neighbouring hubs keep the same
-- assertion. The chain covers them (audit_chain.hpp: the v2 encoding); NULL
-- on every other record.
ALTER TABLE audit_records
  ADD COLUMN upstream_instance      text,
  ADD COLUMN upstream_assertion     text CHECK (length(upstream_assertion) <= 16384),
  ADD COLUMN downstream_instance    text,
  ADD COLUMN downstream_assertion   text CHECK (length(downstream_assertion) <= 16384),
  ADD COLUMN downstream_request_id  text CHECK (length(downstream_request_id) <= 200),
  ADD COLUMN downstream_record_hash text CHECK (downstream_record_hash ~ '^[0-9a-f]{64}$');

-- An auditor following one exchange across hubs starts from the other hub's
-- request id or record hash.
CREATE INDEX audit_records_downstream_request ON audit_records (downstream_request_id)
  WHERE downstream_request_id IS NOT NULL;
CREATE INDEX audit_records_downstream_record ON audit_records (downstream_record_hash)
  WHERE downstream_record_hash IS NOT NULL;

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
         'request_body_base64', encode(r.request_body, 'base64'),
         'response_body_base64', encode(r.response_body, 'base64'),
         'upstream_instance', r.upstream_instance,
         'upstream_assertion', r.upstream_assertion,
         'downstream_instance', r.downstream_instance,
         'downstream_assertion', r.downstream_assertion,
         'downstream_request_id', r.downstream_request_id,
         'downstream_record_hash', r.downstream_record_hash) AS doc
FROM audit_records r;
