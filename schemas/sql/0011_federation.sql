-- Hub-to-hub exchange (docs/federation.md): the peer hubs this hub trusts,
-- which of our services each may see, and the last valid catalogue each
-- published to us.

-- A peer hub, registered by this hub's administrator from what the peer's
-- administrator sent (out of band): its instance, where it listens, the CA of
-- its server certificate, the certificate it calls us with and the key that
-- signs its catalogues.
CREATE TABLE peers (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance           lt_identifier_part NOT NULL UNIQUE,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  exchange_url       text NOT NULL CHECK (exchange_url ~ '^https://' AND length(exchange_url) <= 2000),
  tls_ca_pem         text NOT NULL CHECK (length(tls_ca_pem) <= 65536),
  client_fingerprint text NOT NULL UNIQUE CHECK (client_fingerprint ~ '^[0-9a-f]{64}$'),
  catalogue_key_pem  text NOT NULL CHECK (length(catalogue_key_pem) <= 4096),
  -- Our services the peer may see and call: PROVIDER/SERVICE keys
  -- (INSTANCE/CLASS/MEMBER/SYSTEM/SERVICE), every active version.
  published_services text[] NOT NULL DEFAULT '{}',
  status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_by         text NOT NULL,
  revision           bigint NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- What the last pull of each peer's catalogue brought. `token` is the last
-- valid catalogue, kept until it expires whatever later pulls bring;
-- `error` says why the last attempt did not replace it (NULL: it did).
CREATE TABLE peer_catalogues (
  peer_id      bigint PRIMARY KEY REFERENCES peers (id),
  token        text,
  version      bigint,
  issued_at    timestamptz,
  expires_at   timestamptz,
  services     jsonb,
  received_at  timestamptz,
  received_by  text,           -- the node that pulled it
  attempted_at timestamptz NOT NULL,
  error        text CHECK (length(error) <= 2000)
);

-- Every registry change counts here. A catalogue's version is the count its
-- snapshot was built at, so every node of a hub issues the same version for
-- the same registry, and a later registry a higher one.
CREATE SEQUENCE registry_changes;
CREATE OR REPLACE FUNCTION lt_notify_registry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('registry_changes');
  PERFORM pg_notify('lienthong_registry', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER peers_revision BEFORE UPDATE ON peers
  FOR EACH ROW EXECUTE FUNCTION lt_bump_revision();
CREATE TRIGGER peers_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON peers
  FOR EACH STATEMENT EXECUTE FUNCTION lt_notify_registry();

CREATE VIEW api_peers AS
SELECT p.id, NULL::bigint AS owner_member_id, NULL::bigint AS provider_member_id, p.revision,
       p.status,
       jsonb_build_object(
         'id', p.id, 'instance', p.instance, 'name', p.name, 'exchange_url', p.exchange_url,
         'tls_ca_pem', p.tls_ca_pem, 'client_fingerprint', p.client_fingerprint,
         'catalogue_key_pem', p.catalogue_key_pem, 'published_services', p.published_services,
         'status', p.status, 'created_by', p.created_by, 'revision', p.revision,
         'created_at', p.created_at, 'updated_at', p.updated_at,
         'catalogue', CASE WHEN c.peer_id IS NULL THEN NULL ELSE jsonb_build_object(
           'version', c.version, 'issued_at', c.issued_at, 'expires_at', c.expires_at,
           'fresh', coalesce(c.expires_at > now(), false),
           'services', coalesce(jsonb_array_length(c.services), 0),
           'received_at', c.received_at, 'received_by', c.received_by,
           'attempted_at', c.attempted_at, 'error', c.error) END) AS doc
FROM peers p LEFT JOIN peer_catalogues c ON c.peer_id = p.id;
