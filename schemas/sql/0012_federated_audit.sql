-- Audit on every hop (docs/federation.md): a record of an exchange that
-- crossed a peer hub names that hub, keeps the signed assertion that crossed
-- (both hubs keep the same one), and, on the hub that forwarded, the next
-- hub's request id and the hash of its record (its receipt). The chain covers
-- them (audit_chain.hpp: the v2 encoding); NULL on every other record.
ALTER TABLE audit_records
  ADD COLUMN peer_instance    text,
  ADD COLUMN peer_assertion   text CHECK (length(peer_assertion) <= 16384),
  ADD COLUMN peer_request_id  text CHECK (length(peer_request_id) <= 200),
  ADD COLUMN peer_record_hash text CHECK (peer_record_hash ~ '^[0-9a-f]{64}$');

-- An auditor following one exchange across hubs starts from the other hub's
-- request id or record hash.
CREATE INDEX audit_records_peer_request ON audit_records (peer_request_id)
  WHERE peer_request_id IS NOT NULL;

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
         'peer_instance', r.peer_instance, 'peer_assertion', r.peer_assertion,
         'peer_request_id', r.peer_request_id,
         'peer_record_hash', r.peer_record_hash) AS doc
FROM audit_records r;
