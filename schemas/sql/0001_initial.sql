-- Lienthong registry and audit, first version.
-- Identifiers follow ARCHITECTURE.md: INSTANCE/CLASS/MEMBER/SYSTEM[/SERVICE/VERSION],
-- each part [A-Za-z0-9._-]+ (checked here too, so hand-made rows cannot break the hub).

CREATE DOMAIN lt_identifier_part AS text
  CHECK (VALUE ~ '^[A-Za-z0-9._-]{1,128}$');

CREATE TABLE members (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance      lt_identifier_part NOT NULL,
  member_class  text NOT NULL CHECK (member_class IN ('GOV', 'PROV', 'ORG', 'COM')),
  member_code   lt_identifier_part NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (instance, member_class, member_code)
);

CREATE TABLE systems (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_id     bigint NOT NULL REFERENCES members (id),
  system_code   lt_identifier_part NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Where the hub calls this system when it acts as a provider (NULL: consumer only).
  base_url      text CHECK (base_url ~ '^https?://'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (member_id, system_code)
);

-- How a system proves who it is. For now: client certificates by the
-- SHA-256 of their DER encoding, lower-case hex.
CREATE TABLE credentials (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id     bigint NOT NULL REFERENCES systems (id),
  kind          text NOT NULL CHECK (kind IN ('certificate')),
  fingerprint   text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  UNIQUE (kind, fingerprint)
);

CREATE TABLE services (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id     bigint NOT NULL REFERENCES systems (id),
  service_code  lt_identifier_part NOT NULL,
  version       lt_identifier_part NOT NULL,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  -- Path under the provider system's base_url that implements the service.
  provider_path text NOT NULL CHECK (provider_path ~ '^/[A-Za-z0-9._~!$&''()*+,;=:@%/-]*$'),
  timeout_ms    integer NOT NULL DEFAULT 30000 CHECK (timeout_ms BETWEEN 10 AND 3600000),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (system_id, service_code, version)
);

-- One row per exchange, accepted or refused. Written only by the audit
-- writer; never updated. Identifiers are stored as text, not foreign keys,
-- so the record stays true after the registry changes.
CREATE TABLE audit_records (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  node                  text NOT NULL,
  message_id            text,
  request_id            text NOT NULL,
  correlation_id        text,
  consumer              text,
  provider              text,
  service               text,
  service_version       text,
  method                text NOT NULL,
  path                  text NOT NULL,
  user_id               text,
  purpose               text,
  client_address        text,
  client_fingerprint    text,
  status                integer NOT NULL,
  error_code            text,
  request_bytes         bigint NOT NULL,
  response_bytes        bigint NOT NULL,
  request_sha256        text NOT NULL,
  response_sha256       text NOT NULL,
  received_at           timestamptz NOT NULL,
  provider_called_at    timestamptz,
  provider_answered_at  timestamptz,
  responded_at          timestamptz NOT NULL,
  committed_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_records_message_id ON audit_records (message_id);
CREATE INDEX audit_records_received_at ON audit_records (received_at);
