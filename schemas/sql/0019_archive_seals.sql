-- An archived month's file sealed by the Time-Stamping Authority (issue 24):
-- with trusted timestamps configured, `lienthong audit archive` obtains an
-- RFC 3161 token over the file's SHA-256 before the month is dropped, writes
-- it beside the file (FILE.tsr) and keeps it here. It dates the whole file,
-- so a file cut short or rewritten later no longer matches its seal.
ALTER TABLE audit_archives ADD COLUMN seal_token bytea;
