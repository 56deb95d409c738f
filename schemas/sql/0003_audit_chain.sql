-- Tamper-evident audit log: every node's records form one hash chain
-- (node, seq), sealed by checkpoints signed with the node's Ed25519 key.
-- `lienthong audit verify` and GET /audit/v1/verify recompute both.

-- Records written before this migration stay unchained (seq NULL); the
-- verifier counts and reports them.
ALTER TABLE audit_records
  ADD COLUMN seq         bigint,
  ADD COLUMN record_hash text CHECK (record_hash ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX audit_records_chain ON audit_records (node, seq);
-- The auditor API's filters: a time range always, plus one party.
CREATE INDEX audit_records_consumer ON audit_records (consumer, received_at);
CREATE INDEX audit_records_provider ON audit_records (provider, received_at);
CREATE INDEX audit_records_user ON audit_records (user_id, received_at) WHERE user_id IS NOT NULL;

-- The public half of each node's signing key. A node registers its own key
-- when its writer starts; auditors should also keep the key ids out of band
-- (`lienthong audit verify --trust KEY_ID`), since whoever can rewrite the
-- audit tables could register a key of their own.
CREATE TABLE audit_signing_keys (
  node        text NOT NULL,
  key_id      text NOT NULL CHECK (key_id ~ '^[0-9a-f]{64}$'),  -- SHA-256 of the raw public key
  public_key  text NOT NULL,                                    -- PEM (SubjectPublicKeyInfo)
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (node, key_id)
);

-- A signed statement "node N's chain reached seq S with hash H".
CREATE TABLE audit_checkpoints (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  node        text NOT NULL,
  seq         bigint NOT NULL CHECK (seq >= 1),
  record_hash text NOT NULL CHECK (record_hash ~ '^[0-9a-f]{64}$'),
  signed_at   timestamptz NOT NULL,
  key_id      text NOT NULL,
  signature   text NOT NULL,                                        -- base64 Ed25519
  UNIQUE (node, seq),
  FOREIGN KEY (node, key_id) REFERENCES audit_signing_keys (node, key_id)
);

-- Append-only: the hub never updates or deletes audit rows, so nobody
-- should. This stops mistakes and roles that are not the table's owner; the
-- chain is what catches an owner or superuser who disables the trigger.
CREATE FUNCTION lt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['audit_records', 'audit_checkpoints', 'audit_signing_keys'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I
                    FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only()',
                   t || '_no_truncate', t);
  END LOOP;
END $$;

-- An auditor token may name a member: it then sees only the exchanges where
-- that member's systems are consumer or provider.
ALTER TABLE admin_tokens DROP CONSTRAINT admin_tokens_check;
ALTER TABLE admin_tokens ADD CONSTRAINT admin_tokens_member_scope
  CHECK (CASE role WHEN 'member-admin' THEN member_id IS NOT NULL
                   WHEN 'hub-admin' THEN member_id IS NULL
                   ELSE true END);

-- What the audit log keeps of a service's message bodies, which hold
-- personal data: 'hash' (SHA-256 only, the default), 'full' (the bodies too)
-- or 'none' (neither). The chain covers a kept body through its SHA-256.
ALTER TABLE services
  ADD COLUMN audit_bodies text NOT NULL DEFAULT 'hash' CHECK (audit_bodies IN ('none', 'hash', 'full'));
ALTER TABLE audit_records
  ADD COLUMN request_body  bytea,
  ADD COLUMN response_body bytea;

CREATE OR REPLACE VIEW api_services AS
SELECT v.id, s.member_id AS owner_member_id, NULL::bigint AS provider_member_id, v.revision,
       v.system_id, v.status,
       jsonb_build_object(
         'id', v.id,
         'identifier', concat_ws('/', m.instance, m.member_class, m.member_code, s.system_code,
                                 v.service_code, v.version),
         'system_id', v.system_id,
         'system', concat_ws('/', m.instance, m.member_class, m.member_code, s.system_code),
         'code', v.service_code, 'version', v.version, 'name', v.name,
         'provider_path', v.provider_path, 'timeout_ms', v.timeout_ms, 'status', v.status,
         'adapter_kind', v.adapter_kind, 'adapter_config', v.adapter_config,
         'max_body_bytes', v.max_body_bytes, 'request_schema_id', v.request_schema_id,
         'request_schema', rq.name || '/' || rq.version,
         'response_schema_id', v.response_schema_id,
         'response_schema', rs.name || '/' || rs.version, 'allow_async', v.allow_async,
         'require_purpose', v.require_purpose, 'audit_bodies', v.audit_bodies,
         'revision', v.revision, 'created_at', v.created_at, 'updated_at', v.updated_at) AS doc
FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = s.member_id
LEFT JOIN json_schemas rq ON rq.id = v.request_schema_id
LEFT JOIN json_schemas rs ON rs.id = v.response_schema_id;

-- The auditor API's representation of a record, defined once.
CREATE VIEW api_audit_records AS
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
         'response_body_base64', encode(r.response_body, 'base64')) AS doc
FROM audit_records r;
