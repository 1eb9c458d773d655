-- The first snapshot Chatlas holds of each server (issue 15): the guide's "first seen", a server's age as
-- Chatlas knows it (db/queries/guide/list-guide-facts.ts). One row per (protocol, domain) after merges.
-- min(day) of server_daily_v1 says the same to the day, but every read would scan every server-day ever
-- stored (no TTL: 3.65e7 rows a year at 1e5 servers; that scan alone took 2-3 s on 2 cores at a year,
-- growing with history), where this table is 1e5 rows at any age (under 0.1 s; bench/guide-facts.ts).
-- "First seen" is the first probe, whatever it found: `domains.first_seen` (0001) is when the name was
-- first found, which can be long before anything answered for this protocol.
CREATE TABLE IF NOT EXISTS server_first_seen_v1 ${ON_CLUSTER}
(
    protocol LowCardinality(String),
    domain   String,
    first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC'))
)
ENGINE = ${REPLICATED}AggregatingMergeTree
ORDER BY (protocol, domain)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS server_first_seen_v1_mv ${ON_CLUSTER} TO server_first_seen_v1 AS
SELECT protocol, domain, min(observed_at) AS first_at
FROM server_snapshots
GROUP BY protocol, domain;

-- Backfill for stores that predate this table, after the view exists so no snapshot falls between the two.
-- Idempotent: a repeat adds rows with the same minimum, which readers fold with min() (and merges too).
-- One pass over server_snapshots' three key columns, in key order; on a new store it reads nothing.
INSERT INTO server_first_seen_v1 (protocol, domain, first_at)
SELECT protocol, domain, min(observed_at)
FROM server_snapshots
GROUP BY protocol, domain;
