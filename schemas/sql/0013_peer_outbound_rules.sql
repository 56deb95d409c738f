-- The consumer hub's own outbound rules (docs/federation.md): which of the
-- systems whose requests this hub passes to a peer may reach which of the
-- services that peer offers. Each rule is {"consumer": "*" | MEMBER |
-- SYSTEM, "service": "*" | PROVIDER/SERVICE}; a request goes through when a
-- rule matches it. The default lets every system reach every service the
-- peer offers, as before this migration; [] lets none through.
ALTER TABLE peers
  ADD COLUMN outbound_rules jsonb NOT NULL DEFAULT '[{"consumer": "*", "service": "*"}]'
    CHECK (jsonb_typeof(outbound_rules) = 'array' AND length(outbound_rules::text) <= 65536);

CREATE OR REPLACE VIEW api_peers AS
SELECT p.id, NULL::bigint AS owner_member_id, NULL::bigint AS provider_member_id, p.revision,
       p.status,
       jsonb_build_object(
         'id', p.id, 'instance', p.instance, 'name', p.name, 'exchange_url', p.exchange_url,
         'tls_ca_pem', p.tls_ca_pem, 'client_fingerprint', p.client_fingerprint,
         'catalogue_key_pem', p.catalogue_key_pem, 'published_services', p.published_services,
         'outbound_rules', p.outbound_rules,
         'status', p.status, 'created_by', p.created_by, 'revision', p.revision,
         'created_at', p.created_at, 'updated_at', p.updated_at,
         'catalogue', CASE WHEN c.peer_id IS NULL THEN NULL ELSE jsonb_build_object(
           'version', c.version, 'issued_at', c.issued_at, 'expires_at', c.expires_at,
           'fresh', coalesce(c.expires_at > now(), false),
           'services', coalesce(jsonb_array_length(c.services), 0),
           'received_at', c.received_at, 'received_by', c.received_by,
           'attempted_at', c.attempted_at, 'error', c.error) END) AS doc
FROM peers p LEFT JOIN peer_catalogues c ON c.peer_id = p.id;
