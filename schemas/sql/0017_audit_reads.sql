-- Audited reads (issue 24): who looked at which exchange records, bodies,
-- exports and evidence is evidence too. Every such read through the
-- auditor API is a row here, written in the request's transaction and
-- committed before the answer leaves, and linked into one more hash chain
-- ('audit-reads') the database extends itself, as it does the admin
-- changes (0005): the nodes sign its head into their checkpoints, the
-- timestamper dates them, `audit verify` rebuilds it.
CREATE TABLE audit_reads (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq         bigint NOT NULL UNIQUE,
  record_hash text NOT NULL CHECK (record_hash ~ '^[0-9a-f]{64}$'),
  at          timestamptz NOT NULL,
  actor       text NOT NULL,           -- the token, as the admin-change log names it
  actor_role  text NOT NULL,
  scope       bigint,                  -- the member an auditor token is scoped to
  endpoint    text NOT NULL,           -- e.g. 'GET /audit/v1/exchanges/{id}/evidence'
  filter      text NOT NULL,           -- the query as sent ('' for none)
  record_ids  bigint[] NOT NULL,       -- the records returned ('{}' for an export: see filter)
  returned    bigint NOT NULL,         -- how many records the answer holds
  member_ids  bigint[] NOT NULL        -- the members whose systems took part in them
);
CREATE INDEX audit_reads_at ON audit_reads (at);
CREATE INDEX audit_reads_members ON audit_reads USING gin (member_ids);

-- The canonical bytes of a read, as the verifier rebuilds them
-- (audit_chain.hpp, access_read_encoding).
CREATE FUNCTION lt_audit_read_encoding(r audit_reads) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'lienthong-audit-read-v1' || lt_chain_field(r.seq::text) || lt_chain_field(r.id::text)
         || lt_chain_field(((extract(epoch FROM r.at) * 1000000)::bigint)::text)
         || lt_chain_field(r.actor) || lt_chain_field(r.actor_role)
         || lt_chain_field(r.scope::text) || lt_chain_field(r.endpoint)
         || lt_chain_field(r.filter) || lt_chain_field(r.record_ids::text)
         || lt_chain_field(r.returned::text) || lt_chain_field(r.member_ids::text)
$$;

CREATE FUNCTION lt_audit_read_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous_seq bigint;
  previous_hash text;
BEGIN
  -- Reads take their numbers in commit order.
  PERFORM pg_advisory_xact_lock(hashtextextended('lienthong-audit-reads', 0));
  SELECT seq, record_hash INTO previous_seq, previous_hash
    FROM audit_reads ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(previous_seq, 0) + 1;
  NEW.at := date_trunc('microseconds', clock_timestamp());
  NEW.record_hash := encode(sha256(
      decode(coalesce(previous_hash, repeat('0', 64)), 'hex')
      || convert_to(lt_audit_read_encoding(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END $$;

CREATE TRIGGER audit_reads_link BEFORE INSERT ON audit_reads
  FOR EACH ROW EXECUTE FUNCTION lt_audit_read_link();
CREATE TRIGGER audit_reads_append_only BEFORE UPDATE OR DELETE ON audit_reads
  FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only();
CREATE TRIGGER audit_reads_no_truncate BEFORE TRUNCATE ON audit_reads
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();
