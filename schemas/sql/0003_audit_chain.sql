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
