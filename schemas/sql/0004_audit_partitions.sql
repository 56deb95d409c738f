-- The audit log partitioned by month, so years of traffic stay fast to
-- query and a month can be archived to a file and dropped whole
-- (`lienthong audit archive`).
--
-- The partition key is committed_at, which the audit writer sets per batch
-- from its clock: a node's records then fall into months in chain order,
-- so a month holds one contiguous stretch of each node's chain. (received_at
-- would not: an exchange received at 23:59 and answered after midnight is
-- written after records received at 00:00.)

-- The auditor view is recreated over the new table from its own definition.
CREATE TEMPORARY TABLE saved_view AS
  SELECT pg_get_viewdef('api_audit_records'::regclass) AS definition;
DROP VIEW api_audit_records;
ALTER TABLE audit_records RENAME TO audit_records_unpartitioned;

CREATE TABLE audit_records (
  LIKE audit_records_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY
) PARTITION BY RANGE (committed_at);

-- Catches a record whose month has no partition (a clock far off), so a
-- write never fails for want of one. Stays empty in normal operation.
CREATE TABLE audit_records_default PARTITION OF audit_records DEFAULT;

-- Row triggers on the parent reach every partition; TRUNCATE triggers do
-- not, so each partition gets its own.
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();
CREATE TRIGGER audit_records_default_no_truncate BEFORE TRUNCATE ON audit_records_default
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();

-- Creates the partitions of the months from `first_month` to `months_ahead`
-- months after it that do not exist yet; returns how many it created. The
-- audit writer calls it when it connects and when its month changes.
CREATE FUNCTION lt_audit_ensure_partitions(first_month timestamptz, months_ahead integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamptz;
  partition_name text;
  created integer := 0;
BEGIN
  -- Nodes starting together must not race to create the same partition.
  PERFORM pg_advisory_xact_lock(hashtextextended('lienthong-audit-partitions', 0));
  FOR i IN 0..months_ahead LOOP
    month_start := date_trunc('month', first_month AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                   + make_interval(months => i);
    partition_name := 'audit_records_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
    CONTINUE WHEN to_regclass(partition_name) IS NOT NULL;
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_records FOR VALUES FROM (%L) TO (%L)',
                   partition_name, month_start, month_start + interval '1 month');
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only()',
                   partition_name || '_no_truncate', partition_name);
    created := created + 1;
  END LOOP;
  RETURN created;
END $$;

-- Partitions for the months already recorded, then this one and two ahead.
DO $$
DECLARE month_start timestamptz;
BEGIN
  FOR month_start IN SELECT DISTINCT date_trunc('month', committed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                     FROM audit_records_unpartitioned LOOP
    PERFORM lt_audit_ensure_partitions(month_start, 0);
  END LOOP;
  PERFORM lt_audit_ensure_partitions(now(), 2);
END $$;

INSERT INTO audit_records OVERRIDING SYSTEM VALUE SELECT * FROM audit_records_unpartitioned;
SELECT setval(pg_get_serial_sequence('audit_records', 'id'),
              greatest((SELECT max(id) FROM audit_records), 1),
              (SELECT max(id) FROM audit_records) IS NOT NULL);
DROP TABLE audit_records_unpartitioned;

-- Constraints and indexes on the parent are created on every partition.
-- (node, seq) cannot be unique across partitions without the partition key;
-- the writer's per-node lock keeps it unique, and the verifier reports a
-- repeated seq.
ALTER TABLE audit_records ADD PRIMARY KEY (id, committed_at);
CREATE INDEX audit_records_chain ON audit_records (node, seq);
-- The auditor API pages by id: it first finds the page's ids (the filter
-- indexes carry id, so that is an index-only scan however many records
-- match), then builds the documents of just those records.
CREATE INDEX audit_records_message_id ON audit_records (message_id) INCLUDE (received_at, id);
CREATE INDEX audit_records_received_at ON audit_records (received_at) INCLUDE (id);
CREATE INDEX audit_records_consumer ON audit_records (consumer, received_at) INCLUDE (id);
CREATE INDEX audit_records_provider ON audit_records (provider, received_at) INCLUDE (id);
CREATE INDEX audit_records_user ON audit_records (user_id, received_at) INCLUDE (id)
  WHERE user_id IS NOT NULL;

DO $$
BEGIN
  EXECUTE 'CREATE VIEW api_audit_records AS ' || (SELECT definition FROM saved_view);
END $$;
DROP TABLE saved_view;

-- What `lienthong audit archive` moved out of the database: per month and
-- node, the stretch of the chain written to the file, so the verifier can
-- continue the chain after it, and an auditor can find (and check the
-- SHA-256 of) the file that holds those records.
CREATE TABLE audit_archives (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  month         date NOT NULL,
  node          text NOT NULL,
  first_seq     bigint NOT NULL CHECK (first_seq >= 1),
  last_seq      bigint NOT NULL CHECK (last_seq >= first_seq),
  previous_hash text NOT NULL CHECK (previous_hash ~ '^[0-9a-f]{64}$'),
  last_hash     text NOT NULL CHECK (last_hash ~ '^[0-9a-f]{64}$'),
  file_name     text NOT NULL,
  file_sha256   text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  archived_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (node, first_seq)
);
CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives
  FOR EACH ROW EXECUTE FUNCTION lt_audit_append_only();
CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
  FOR EACH STATEMENT EXECUTE FUNCTION lt_audit_append_only();
