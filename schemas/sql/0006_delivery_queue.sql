-- Durable store-and-forward delivery (async exchanges). A message accepted
-- with 202 is a row here, committed before the answer; workers on any hub
-- node claim due rows with FOR UPDATE SKIP LOCKED, deliver them through the
-- service's adapter and record the outcome. A claim is a lease: a node that
-- dies while delivering leaves a row another node picks up once the lease
-- has run out.
CREATE TABLE deliveries (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id          text NOT NULL CHECK (length(message_id) BETWEEN 1 AND 200),
  consumer_system_id  bigint NOT NULL REFERENCES systems (id),
  consumer            text NOT NULL,  -- the sender's identifier, as on the wire
  provider_system_id  bigint NOT NULL REFERENCES systems (id),
  service             text NOT NULL,  -- PROVIDER/SERVICE/VERSION
  request_id          text NOT NULL,  -- the hub's id of the request that submitted it
  user_id             text,
  purpose             text,
  request_body        text NOT NULL,
  request_sha256      text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  state               text NOT NULL DEFAULT 'queued'
                      CHECK (state IN ('queued', 'delivering', 'delivered', 'failed', 'dead')),
  attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts        integer NOT NULL CHECK (max_attempts >= 1),
  next_attempt_at     timestamptz NOT NULL DEFAULT now(),
  lease_until         timestamptz,
  claimed_by          text,
  last_error_code     text,
  last_error          text,
  response_status     integer,
  response_body       text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  delivered_at        timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  -- One message per sender and id: resubmitting is idempotent.
  UNIQUE (consumer_system_id, message_id)
);

-- What workers look for: due rows, and claims whose lease ran out.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state IN ('queued', 'failed');
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE state = 'delivering';
-- Admins list by state (the dead letters), newest first.
CREATE INDEX deliveries_by_state ON deliveries (state, id);

-- New work wakes idle workers at once instead of at their next poll.
CREATE FUNCTION lt_notify_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lienthong_delivery', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER deliveries_notify AFTER INSERT ON deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION lt_notify_delivery();
