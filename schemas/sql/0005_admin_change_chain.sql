-- Admin changes join the tamper-evident audit log: admin_changes becomes one
-- hash chain (seq, record_hash), extended by the database itself in the
-- transaction that makes the change, so no change exists without its link.
-- Every audit checkpoint a node signs also pins the admin chain's head
-- (admin_seq, admin_hash), which is what makes a cut-off or rewritten admin
-- history detectable; `lienthong audit verify` recomputes it all.

ALTER TABLE admin_changes
  ADD COLUMN seq         bigint UNIQUE,
  ADD COLUMN record_hash text CHECK (record_hash ~ '^[0-9a-f]{64}$');

-- "<length>:<text>", or "~" for NULL: lengths in bytes (the database is UTF-8).
CREATE FUNCTION lt_chain_field(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN value IS NULL THEN '~' ELSE octet_length(value) || ':' || value END
$$;

-- The canonical bytes of an admin change, as the verifier rebuilds them
-- (admin_chain.cpp): a version tag, then each field in a fixed order, the
-- time as microseconds since the epoch and JSON as PostgreSQL prints jsonb.
CREATE FUNCTION lt_admin_change_encoding(c admin_changes) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'lienthong-admin-change-v1' || lt_chain_field(c.seq::text) || lt_chain_field(c.id::text)
         || lt_chain_field(((extract(epoch FROM c.at) * 1000000)::bigint)::text)
         || lt_chain_field(c.actor) || lt_chain_field(c.actor_role) || lt_chain_field(c.action)
         || lt_chain_field(c.entity) || lt_chain_field(c.entity_id::text)
         || lt_chain_field(c.member_ids::text) || lt_chain_field(c.before::text)
         || lt_chain_field(c.after::text)
$$;

-- Admin writers take this lock before their first change when one
-- transaction changes several entities (`registry apply`), so that waiting
-- for the chain never happens while holding row locks another writer needs.
CREATE FUNCTION lt_admin_chain_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('lienthong-admin-chain', 0))
$$;

CREATE FUNCTION lt_admin_change_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  previous_seq bigint;
  previous_hash text;
BEGIN
  PERFORM lt_admin_chain_lock();  -- changes take their numbers in commit order
  SELECT seq, record_hash INTO previous_seq, previous_hash
    FROM admin_changes WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(previous_seq, 0) + 1;
  NEW.record_hash := encode(sha256(
      decode(coalesce(previous_hash, repeat('0', 64)), 'hex')
      || convert_to(lt_admin_change_encoding(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END $$;

-- The history so far, linked in id order (the append-only trigger steps
-- aside for this once).
ALTER TABLE admin_changes DISABLE TRIGGER admin_changes_append_only;
DO $$
DECLARE
  change admin_changes;
  previous text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR change IN SELECT * FROM admin_changes ORDER BY id LOOP
    n := n + 1;
    change.seq := n;
    previous := encode(sha256(decode(previous, 'hex')
                              || convert_to(lt_admin_change_encoding(change), 'UTF8')), 'hex');
    UPDATE admin_changes SET seq = n, record_hash = previous WHERE id = change.id;
  END LOOP;
END $$;
ALTER TABLE admin_changes ENABLE TRIGGER admin_changes_append_only;
ALTER TABLE admin_changes ALTER COLUMN seq SET NOT NULL,
                          ALTER COLUMN record_hash SET NOT NULL;

CREATE TRIGGER admin_changes_link BEFORE INSERT ON admin_changes
  FOR EACH ROW EXECUTE FUNCTION lt_admin_change_link();
CREATE TRIGGER admin_changes_no_truncate BEFORE TRUNCATE ON admin_changes
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();

-- A checkpoint signed after this migration also states where the admin
-- chain stood ("lienthong-audit-checkpoint-v2", see audit_chain.hpp).
ALTER TABLE audit_checkpoints
  ADD COLUMN admin_seq  bigint,
  ADD COLUMN admin_hash text CHECK (admin_hash ~ '^[0-9a-f]{64}$'),
  ADD CHECK ((admin_seq IS NULL) = (admin_hash IS NULL));
