-- What a provider wants from the hub besides TLS before it answers (HTTP
-- Basic, a WS-Security UsernameToken, fixed SOAP header blocks): one
-- registration per system. `sealed` is the registration sealed with the
-- nodes' sealing key (AES-256-GCM, bound to the system's id), so the
-- database, its replicas and its dumps never hold a usable password;
-- `key_id` names the key that sealed it and `description` is what may be
-- shown (usernames, options, the SOAP headers' SHA-256).
CREATE TABLE provider_credentials (
  system_id   bigint PRIMARY KEY REFERENCES systems (id),
  sealed      bytea NOT NULL CHECK (octet_length(sealed) BETWEEN 29 AND 65536),
  key_id      text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
  description jsonb NOT NULL CHECK (jsonb_typeof(description) = 'object'),
  updated_by  text NOT NULL,
  revision    bigint NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER provider_credentials_revision BEFORE UPDATE ON provider_credentials
  FOR EACH ROW EXECUTE FUNCTION lt_bump_revision();
CREATE TRIGGER provider_credentials_notify
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON provider_credentials
  FOR EACH STATEMENT EXECUTE FUNCTION lt_notify_registry();
