-- Kinds of fact and requests per snapshot (issue 12 items 1, 2).
-- measured: the kinds of fact the probe measured (crawler/fact-kinds.ts: liveness, setup, rooms,
-- register); the fields of the others were carried forward from the server's last good snapshot when
-- the row was written (db/queries/observations/insert-probe-results.ts), so every row stays complete.
-- The crawl plan reads the last time each kind was measured (db/queries/frontier/list-server-history.ts)
-- and the server page the last observation of each kind. Rows stored before read [], meaning the
-- probe measured everything, as every probe did then (crawler/fact-kinds.ts parseMeasured).
-- requests: requests the probe sent the server (crawler/net/request-budget.ts); the server page sums the
-- last 24 hours, and the crawl plan seeds the network layer's budget with them.
-- As in 0011: the two copies fed by `SELECT *` materialized views get the columns first.
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured Array(LowCardinality(String)) DEFAULT [];
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured Array(LowCardinality(String)) DEFAULT [];
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS measured Array(LowCardinality(String)) DEFAULT [];
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS requests UInt32 DEFAULT 0;
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS requests UInt32 DEFAULT 0;
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS requests UInt32 DEFAULT 0;
