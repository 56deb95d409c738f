-- Agreement limits for the whole hub, not per node. Nodes never ask per
-- request: each holds a small grant of calls it may admit on its own and
-- comes back for more (policy::BudgetLedger, every limits.sync_ms while it
-- is busy, at once when a caller waits). See docs/architecture.md, "Limits
-- across nodes".

-- Rate limits: one token bucket per agreement (capacity rate_limit_per_minute,
-- refilled at that rate). A node's grant is taken from the bucket; what it
-- does not use it puts back. A grant held by a node that dies is spent, never
-- put back, so the limit is never exceeded; the bucket refills within a
-- minute at most.
CREATE TABLE limit_buckets (
  agreement_id bigint PRIMARY KEY,
  tokens       double precision NOT NULL,
  refilled_at  timestamptz NOT NULL
);

-- Takes up to `want` whole tokens after putting back `put_back`; the time
-- is the database's, the same for every node.
CREATE FUNCTION lt_rate_grant(p_agreement bigint, p_per_minute integer, p_put_back integer,
                              p_want integer, OUT given integer, OUT tokens_left double precision)
LANGUAGE plpgsql AS $$
DECLARE
  bucket limit_buckets%ROWTYPE;
  at timestamptz := clock_timestamp();
BEGIN
  INSERT INTO limit_buckets VALUES (p_agreement, p_per_minute, at) ON CONFLICT DO NOTHING;
  SELECT * INTO bucket FROM limit_buckets WHERE agreement_id = p_agreement FOR UPDATE;
  bucket.tokens := least(p_per_minute::double precision,
                         bucket.tokens + p_put_back
                           + greatest(0, extract(epoch FROM at - bucket.refilled_at))
                             * p_per_minute / 60.0);
  given := greatest(0, least(p_want, floor(bucket.tokens)))::integer;
  tokens_left := bucket.tokens - given;
  UPDATE limit_buckets SET tokens = tokens_left, refilled_at = at
   WHERE agreement_id = p_agreement;
END
$$;

-- Daily quotas (UTC days): what each node process (`holder`: node name and
-- an id of the process) was granted and reported used. The day's grants
-- never add up to more than the quota. A holder not seen for `dead_after`
-- has its unused grant put back: it may have admitted calls since its last
-- report, at most one sync interval's worth (docs/architecture.md).
CREATE TABLE limit_quota_grants (
  agreement_id bigint NOT NULL,
  day          date NOT NULL,
  holder       text NOT NULL CHECK (length(holder) BETWEEN 1 AND 300),
  granted      bigint NOT NULL CHECK (granted >= used),
  used         bigint NOT NULL CHECK (used >= 0),
  seen_at      timestamptz NOT NULL,
  PRIMARY KEY (agreement_id, day, holder)
);

CREATE FUNCTION lt_quota_grant(p_agreement bigint, p_day date, p_holder text, p_quota bigint,
                               p_used bigint, p_put_back bigint, p_want bigint,
                               p_dead_after interval, OUT given bigint, OUT left_over bigint)
LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := clock_timestamp();
  total bigint;
BEGIN
  -- One holder at a time per agreement and day (held until the statement's
  -- transaction ends).
  PERFORM pg_advisory_xact_lock(hashtextextended('lienthong quota ' || p_agreement || ' ' || p_day, 0));
  -- Days that are over are of no use to anyone: the agreement's rows of
  -- days before yesterday go (one agreement at a time, so no sweep).
  DELETE FROM limit_quota_grants WHERE agreement_id = p_agreement AND day < p_day - 1;
  UPDATE limit_quota_grants SET granted = used
   WHERE agreement_id = p_agreement AND day = p_day AND holder <> p_holder
     AND granted > used AND seen_at < at - p_dead_after;
  INSERT INTO limit_quota_grants VALUES (p_agreement, p_day, p_holder, 0, 0, at)
    ON CONFLICT DO NOTHING;
  UPDATE limit_quota_grants
     SET used = used + p_used,
         granted = greatest(used + p_used, granted - p_put_back),
         seen_at = at
   WHERE agreement_id = p_agreement AND day = p_day AND holder = p_holder;
  SELECT sum(granted) INTO total FROM limit_quota_grants
   WHERE agreement_id = p_agreement AND day = p_day;
  given := greatest(0, least(p_want, p_quota - total));
  UPDATE limit_quota_grants SET granted = granted + given
   WHERE agreement_id = p_agreement AND day = p_day AND holder = p_holder;
  left_over := greatest(0, p_quota - total - given);
END
$$;
