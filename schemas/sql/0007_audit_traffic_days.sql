-- Daily traffic per consumer -> provider pair, rolled up from the audit log
-- once a UTC day is over. The connectivity index reads these rows for past
-- days and aggregates only the days not rolled up yet (today), instead of
-- every audit record in its window (3.5 s at 10 million records). Derived
-- data: the audit log stays the record; a rolled-up day also outlives the
-- archiving of its month.
CREATE TABLE audit_traffic_days (
  day        date NOT NULL,
  consumer   text NOT NULL,
  provider   text NOT NULL,
  exchanges  bigint NOT NULL CHECK (exchanges >= 0),
  refused    bigint NOT NULL CHECK (refused >= 0),
  succeeded  bigint NOT NULL CHECK (succeeded >= 0),
  PRIMARY KEY (day, consumer, provider)
);

-- The days rolled up, with or without traffic.
CREATE TABLE audit_traffic_days_done (
  day          date PRIMARY KEY,
  rolled_up_at timestamptz NOT NULL DEFAULT now()
);

-- Rolls up each day in [first_day, last_day] that is over and not rolled up
-- yet, in one pass over the audit log for all of them. A day counts as over
-- an hour after its end: a request received just before midnight is
-- committed to the audit log within its timeout. Two callers rolling up the
-- same day produce the same rows; the second's inserts find them and do
-- nothing.
CREATE FUNCTION lt_roll_up_traffic_days(first_day date, last_day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  missing date[];
BEGIN
  SELECT coalesce(array_agg(g::date ORDER BY g), '{}') INTO missing
    FROM generate_series(first_day, last_day, interval '1 day') AS g
   WHERE now() >= (g::date + 1)::timestamp AT TIME ZONE 'UTC' + interval '1 hour'
     AND NOT EXISTS (SELECT 1 FROM audit_traffic_days_done d WHERE d.day = g::date);
  IF cardinality(missing) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO audit_traffic_days (day, consumer, provider, exchanges, refused, succeeded)
    SELECT (received_at AT TIME ZONE 'UTC')::date, consumer, provider, count(*),
           count(*) FILTER (WHERE error_code IS NOT NULL), count(*) FILTER (WHERE error_code IS NULL)
      FROM audit_records
     WHERE received_at >= missing[1]::timestamp AT TIME ZONE 'UTC'
       AND received_at < (missing[cardinality(missing)] + 1)::timestamp AT TIME ZONE 'UTC'
       AND (received_at AT TIME ZONE 'UTC')::date = ANY (missing)
       AND consumer IS NOT NULL AND provider IS NOT NULL
     GROUP BY 1, consumer, provider
  ON CONFLICT DO NOTHING;
  INSERT INTO audit_traffic_days_done (day) SELECT unnest(missing) ON CONFLICT DO NOTHING;
END
$$;
