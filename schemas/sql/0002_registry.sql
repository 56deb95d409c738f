-- The full registry: member contacts, system and service settings, API keys,
-- JSON Schemas, access agreements with their lifecycle, admin tokens and the
-- admin-change log; plus the triggers that keep every hub node's snapshot
-- live (NOTIFY) and give each row a revision for optimistic concurrency.

-- Every editable row carries a revision, bumped on each update; the admin
-- API turns it into the ETag and checks If-Match against it.
CREATE FUNCTION lt_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.revision := OLD.revision + 1;
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- One channel for every registry change. Sent at commit, so a node that
-- rebuilds its snapshot on it always sees the committed change.
CREATE FUNCTION lt_notify_registry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_registry', TG_TABLE_NAME);
  RETURN NULL;
END $$;

ALTER TABLE members
  ADD COLUMN contact_name  text CHECK (length(contact_name) <= 200),
  ADD COLUMN contact_email text CHECK (length(contact_email) <= 200),
  ADD COLUMN contact_phone text CHECK (length(contact_phone) <= 50),
  ADD COLUMN revision      bigint NOT NULL DEFAULT 1;

ALTER TABLE systems
  ADD COLUMN adapter_kind    text NOT NULL DEFAULT 'rest' CHECK (adapter_kind IN ('rest', 'soap', 'async')),
  -- For the hub's calls to this system: extra CA (PEM) and the name to verify.
  ADD COLUMN tls_ca_pem      text CHECK (length(tls_ca_pem) <= 65536),
  ADD COLUMN tls_server_name text CHECK (length(tls_server_name) <= 253),
  ADD COLUMN revision        bigint NOT NULL DEFAULT 1;

ALTER TABLE credentials DROP CONSTRAINT credentials_kind_check;
ALTER TABLE credentials ALTER COLUMN fingerprint DROP NOT NULL;
ALTER TABLE credentials
  ADD CONSTRAINT credentials_kind_check CHECK (kind IN ('certificate', 'api_key')),
  -- API keys are stored only as the SHA-256 of the key; the prefix lets an
  -- administrator recognise a key without being able to use it.
  ADD COLUMN key_sha256  text UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
  ADD COLUMN key_prefix  text,
  ADD COLUMN label       text CHECK (length(label) <= 200),
  ADD COLUMN expires_at  timestamptz,
  ADD COLUMN revoked_by  text,
  ADD CONSTRAINT credentials_secret_matches_kind CHECK (
    (kind = 'certificate' AND fingerprint IS NOT NULL AND key_sha256 IS NULL) OR
    (kind = 'api_key' AND key_sha256 IS NOT NULL AND fingerprint IS NULL));

CREATE TABLE json_schemas (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_id     bigint REFERENCES members (id),  -- NULL: published by the hub operator
  name          lt_identifier_part NOT NULL,
  version       lt_identifier_part NOT NULL,
  description   text CHECK (length(description) <= 2000),
  document      jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'deprecated')),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  deprecated_at timestamptz,
  revision      bigint NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, version)
);

-- A published schema is immutable: services and auditors rely on the exact
-- document behind a name and version. Only deprecation is allowed.
CREATE FUNCTION lt_json_schema_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'json schema % is published and cannot be deleted; deprecate it', OLD.id;
  END IF;
  IF NEW.document IS DISTINCT FROM OLD.document OR NEW.name <> OLD.name
     OR NEW.version <> OLD.version THEN
    RAISE EXCEPTION 'json schema % is published and immutable', OLD.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER json_schemas_immutable BEFORE UPDATE OR DELETE ON json_schemas
  FOR EACH ROW EXECUTE FUNCTION lt_json_schema_immutable();

ALTER TABLE services
  ADD COLUMN adapter_kind       text NOT NULL DEFAULT 'rest' CHECK (adapter_kind IN ('rest', 'soap', 'async')),
  ADD COLUMN adapter_config     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(adapter_config) = 'object'),
  ADD COLUMN max_body_bytes     integer CHECK (max_body_bytes BETWEEN 1 AND 104857600),
  ADD COLUMN request_schema_id  bigint REFERENCES json_schemas (id),
  ADD COLUMN response_schema_id bigint REFERENCES json_schemas (id),
  ADD COLUMN allow_async        boolean NOT NULL DEFAULT false,
  ADD COLUMN require_purpose    boolean NOT NULL DEFAULT true,
  ADD COLUMN revision           bigint NOT NULL DEFAULT 1;

-- Who may call what, why, and until when. The consumer's member requests,
-- the provider's member decides. A service is named by provider system and
-- code; `versions` lists the versions covered (empty: every version).
CREATE TABLE agreements (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_system_id    bigint NOT NULL REFERENCES systems (id),
  provider_system_id    bigint NOT NULL REFERENCES systems (id),
  service_code          lt_identifier_part NOT NULL,
  versions              text[] NOT NULL DEFAULT '{}',
  purpose               text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
  legal_basis           text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 2000),
  legal_reference       text CHECK (length(legal_reference) <= 500),
  valid_from            timestamptz NOT NULL DEFAULT now(),
  valid_until           timestamptz,
  allowed_methods       text[] NOT NULL DEFAULT '{POST}',
  path_patterns         text[] NOT NULL DEFAULT '{}',
  response_fields       text[] NOT NULL DEFAULT '{}',  -- JSON pointers; empty: the whole answer
  rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
  daily_quota           integer CHECK (daily_quota > 0),
  status                text NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'approved', 'rejected', 'suspended', 'revoked')),
  requested_by          text NOT NULL,
  requested_at          timestamptz NOT NULL DEFAULT now(),
  status_changed_by     text NOT NULL,
  status_changed_at     timestamptz NOT NULL DEFAULT now(),
  revision              bigint NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_until IS NULL OR valid_until > valid_from),
  CHECK (consumer_system_id <> provider_system_id)
);
CREATE INDEX agreements_consumer ON agreements (consumer_system_id);
CREATE INDEX agreements_provider ON agreements (provider_system_id, service_code);

-- Every lifecycle transition: who, when, from which state, why.
CREATE TABLE agreement_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agreement_id  bigint NOT NULL REFERENCES agreements (id),
  from_status   text,
  to_status     text NOT NULL,
  actor         text NOT NULL,
  reason        text CHECK (length(reason) <= 2000),
  at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agreement_events_agreement ON agreement_events (agreement_id, id);

CREATE TABLE admin_tokens (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  token_prefix text NOT NULL,
  role        text NOT NULL CHECK (role IN ('hub-admin', 'member-admin', 'auditor')),
  member_id   bigint REFERENCES members (id),
  label       text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz,
  revoked_at  timestamptz,
  revision    bigint NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'member-admin') = (member_id IS NOT NULL))
);

-- Every change made through the admin API or `registry apply`, written in the
-- same transaction as the change itself. Append-only.
CREATE TABLE admin_changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  actor_role  text NOT NULL,
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   bigint NOT NULL,
  member_ids  bigint[] NOT NULL DEFAULT '{}',  -- members whose admins may read this entry
  before      jsonb,
  after       jsonb
);
CREATE INDEX admin_changes_entity ON admin_changes (entity, entity_id);

CREATE FUNCTION lt_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER admin_changes_append_only BEFORE UPDATE OR DELETE ON admin_changes
  FOR EACH ROW EXECUTE FUNCTION lt_append_only();
CREATE TRIGGER agreement_events_append_only BEFORE UPDATE OR DELETE ON agreement_events
  FOR EACH ROW EXECUTE FUNCTION lt_append_only();

ALTER TABLE credentials ADD COLUMN revision bigint NOT NULL DEFAULT 1,
                        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['members', 'systems', 'credentials', 'services', 'json_schemas',
                           'agreements', 'admin_tokens'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW
                    EXECUTE FUNCTION lt_bump_revision()', t || '_revision', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['members', 'systems', 'credentials', 'services', 'json_schemas',
                           'agreements'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION lt_notify_registry()', t || '_notify', t);
  END LOOP;
END $$;

-- The admin API's representation of each entity, defined once here so the
-- API, the admin-change log and `registry export` all show the same thing.
-- `owner_member_id` (and for agreements `provider_member_id`) scope what a
-- member-admin may see.
CREATE VIEW api_members AS
SELECT m.id, m.id AS owner_member_id, NULL::bigint AS provider_member_id, m.revision,
       m.member_class AS class, NULL::text AS status,
       jsonb_build_object(
         'id', m.id, 'identifier', concat_ws('/', m.instance, m.member_class, m.member_code),
         'instance', m.instance, 'class', m.member_class, 'code', m.member_code, 'name', m.name,
         'contact_name', m.contact_name, 'contact_email', m.contact_email,
         'contact_phone', m.contact_phone, 'revision', m.revision,
         'created_at', m.created_at, 'updated_at', m.updated_at) AS doc
FROM members m;

CREATE VIEW api_systems AS
SELECT s.id, s.member_id AS owner_member_id, NULL::bigint AS provider_member_id, s.revision,
       s.member_id, s.status,
       jsonb_build_object(
         'id', s.id,
         'identifier', concat_ws('/', m.instance, m.member_class, m.member_code, s.system_code),
         'member_id', s.member_id,
         'member', concat_ws('/', m.instance, m.member_class, m.member_code),
         'code', s.system_code, 'name', s.name, 'status', s.status,
         'base_url', s.base_url, 'adapter_kind', s.adapter_kind, 'tls_ca_pem', s.tls_ca_pem,
         'tls_server_name', s.tls_server_name, 'revision', s.revision,
         'created_at', s.created_at, 'updated_at', s.updated_at) AS doc
FROM systems s JOIN members m ON m.id = s.member_id;

CREATE VIEW api_credentials AS
SELECT c.id, s.member_id AS owner_member_id, NULL::bigint AS provider_member_id, c.revision,
       c.system_id, c.kind,
       CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked'
            WHEN c.expires_at <= now() THEN 'expired' ELSE 'active' END AS status,
       jsonb_build_object(
         'id', c.id, 'system_id', c.system_id,
         'system', concat_ws('/', m.instance, m.member_class, m.member_code, s.system_code),
         'kind', c.kind, 'fingerprint', c.fingerprint, 'key_prefix', c.key_prefix,
         'label', c.label, 'expires_at', c.expires_at, 'revoked_at', c.revoked_at,
         'revoked_by', c.revoked_by,
         'status', CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked'
                        WHEN c.expires_at <= now() THEN 'expired' ELSE 'active' END,
         'revision', c.revision, 'created_at', c.created_at) AS doc
FROM credentials c JOIN systems s ON s.id = c.system_id JOIN members m ON m.id = s.member_id;

CREATE VIEW api_services AS
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
         'require_purpose', v.require_purpose, 'revision', v.revision,
         'created_at', v.created_at, 'updated_at', v.updated_at) AS doc
FROM services v JOIN systems s ON s.id = v.system_id JOIN members m ON m.id = s.member_id
LEFT JOIN json_schemas rq ON rq.id = v.request_schema_id
LEFT JOIN json_schemas rs ON rs.id = v.response_schema_id;

CREATE VIEW api_json_schemas AS
SELECT j.id, j.member_id AS owner_member_id, NULL::bigint AS provider_member_id, j.revision,
       j.member_id, j.name, j.status,
       jsonb_build_object(
         'id', j.id, 'identifier', j.name || '/' || j.version, 'member_id', j.member_id,
         'member', CASE WHEN m.id IS NOT NULL
                        THEN concat_ws('/', m.instance, m.member_class, m.member_code) END,
         'name', j.name, 'version', j.version,
         'description', j.description, 'document', j.document, 'status', j.status,
         'created_by', j.created_by, 'created_at', j.created_at,
         'deprecated_at', j.deprecated_at, 'revision', j.revision) AS doc
FROM json_schemas j LEFT JOIN members m ON m.id = j.member_id;

CREATE VIEW api_agreements AS
SELECT a.id, cs.member_id AS owner_member_id, ps.member_id AS provider_member_id, a.revision,
       a.consumer_system_id, a.provider_system_id, a.service_code,
       CASE WHEN a.status = 'approved' AND a.valid_until <= now() THEN 'expired'
            ELSE a.status END AS status,
       jsonb_build_object(
         'id', a.id, 'consumer_system_id', a.consumer_system_id,
         'consumer', concat_ws('/', cm.instance, cm.member_class, cm.member_code, cs.system_code),
         'provider_system_id', a.provider_system_id,
         'provider', concat_ws('/', pm.instance, pm.member_class, pm.member_code, ps.system_code),
         'service_code', a.service_code, 'versions', to_jsonb(a.versions),
         'purpose', a.purpose, 'legal_basis', a.legal_basis,
         'legal_reference', a.legal_reference, 'valid_from', a.valid_from,
         'valid_until', a.valid_until, 'allowed_methods', to_jsonb(a.allowed_methods),
         'path_patterns', to_jsonb(a.path_patterns),
         'response_fields', to_jsonb(a.response_fields),
         'rate_limit_per_minute', a.rate_limit_per_minute, 'daily_quota', a.daily_quota,
         'status', CASE WHEN a.status = 'approved' AND a.valid_until <= now() THEN 'expired'
                        ELSE a.status END,
         'requested_by', a.requested_by, 'requested_at', a.requested_at,
         'status_changed_by', a.status_changed_by, 'status_changed_at', a.status_changed_at,
         'revision', a.revision, 'created_at', a.created_at, 'updated_at', a.updated_at) AS doc
FROM agreements a
JOIN systems cs ON cs.id = a.consumer_system_id JOIN members cm ON cm.id = cs.member_id
JOIN systems ps ON ps.id = a.provider_system_id JOIN members pm ON pm.id = ps.member_id;

CREATE VIEW api_admin_tokens AS
SELECT t.id, t.member_id AS owner_member_id, NULL::bigint AS provider_member_id, t.revision,
       t.role,
       CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
            WHEN t.expires_at <= now() THEN 'expired' ELSE 'active' END AS status,
       jsonb_build_object(
         'id', t.id, 'role', t.role, 'member_id', t.member_id,
         'member', CASE WHEN m.id IS NOT NULL
                        THEN concat_ws('/', m.instance, m.member_class, m.member_code) END,
         'label', t.label,
         'token_prefix', t.token_prefix, 'created_by', t.created_by,
         'created_at', t.created_at, 'expires_at', t.expires_at, 'revoked_at', t.revoked_at,
         'status', CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'
                        WHEN t.expires_at <= now() THEN 'expired' ELSE 'active' END,
         'revision', t.revision) AS doc
FROM admin_tokens t LEFT JOIN members m ON m.id = t.member_id;

CREATE VIEW api_admin_changes AS
SELECT c.id, c.member_ids, c.entity, c.entity_id,
       jsonb_build_object(
         'id', c.id, 'at', c.at, 'actor', c.actor, 'actor_role', c.actor_role,
         'action', c.action, 'entity', c.entity, 'entity_id', c.entity_id,
         'before', c.before, 'after', c.after) AS doc
FROM admin_changes c;
