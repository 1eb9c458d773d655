-- Which public room directories of a Matrix server answered (crawler/types.ts DIRECTORY_EXPOSURES:
-- none, client, federation, both); '' for XMPP and for snapshots stored before it was measured.
-- The federation directory is read with Chatlas's signed requests (issue 11); the software pages and
-- the stats API show how each implementation's servers share their directory.
-- As in 0011: the two copies fed by `SELECT *` materialized views get the column first.
ALTER TABLE servers_latest ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS directory LowCardinality(String) DEFAULT '' AFTER failure;
ALTER TABLE servers_last_ok ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS directory LowCardinality(String) DEFAULT '' AFTER failure;
ALTER TABLE server_snapshots ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS directory LowCardinality(String) DEFAULT '' AFTER failure;
