-- The code of the failure that decided a snapshot's status (crawler/types.ts ServerSnapshot.failure, a
-- crawler/errors.ts ProbeErrorCode; '' when ok or when no one code explains it). The crawl schedule reads
-- the last one per server (db/queries/frontier/list-server-history.ts) to tell a transient failure
-- (dns.timeout: retried soon) from a permanent one (tls.cert-invalid: the full backoff), issue 12 item 5.
-- LowCardinality: a closed set of a few dozen codes.
-- ADD COLUMN IF NOT EXISTS keeps the migration safe to run twice; rows stored before read ''.
-- The two copies fed by `SELECT *` materialized views get the column first, so the views carry it from
-- the first snapshot stored with one (a view's `*` is expanded per insert, then matched by name).
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS failure LowCardinality(String) DEFAULT '' AFTER error;
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS failure LowCardinality(String) DEFAULT '' AFTER error;
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS failure LowCardinality(String) DEFAULT '' AFTER error;
