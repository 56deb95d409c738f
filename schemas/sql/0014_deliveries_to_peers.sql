-- Asynchronous messages across hubs (docs/federation.md): a message for
-- another instance's service is queued on the sender's hub like any other,
-- and its delivery passes it on to the peer hub the service is reached
-- through, where it is queued again (once: the same sender and id there is
-- the same message). Such a row names no provider system of ours.
ALTER TABLE deliveries ALTER COLUMN provider_system_id DROP NOT NULL;
