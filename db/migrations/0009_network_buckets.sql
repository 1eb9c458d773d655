-- Network rollup: the overview's, the software pages' and /api/v1/stats's counts per closed day, week and
-- month, so a cold read adds up a few hundred rows per bucket instead of merging the argMax states of
-- every server-day in server_daily_v1 (~3e6 server-days for 30 days of 1e5 servers, 6-24 s of 2 cores;
-- BENCHMARKS.md "Site (issue 6)").
--
-- Grain: (step, bucket, protocol, software, version, registration), one row per combination of each
-- server's LAST state in the bucket (argMax over the bucket, exactly as the live queries compute it),
-- holding how many servers share it and their summed facts. Summing cells over software, version or
-- registration therefore counts every server once per bucket, with its last state: the
-- "one server counts once per day, last state wins" rule of server_daily_v1 is kept, not approximated.
-- Weeks and months are rows of their own (step = 'week' | 'month'): the last state in a week is not
-- a sum of days.
--
-- Not a materialized view: a server's last state of a bucket can change with every probe until the
-- bucket ends, so per-insert increments would count a server once per state it had. Rows are written
-- by the network rollup job (jobs/network-rollup.ts, db/queries/stats/refresh-network-buckets.ts) for
-- buckets that have ended, one computation per (step, bucket, protocol), stamped with computed_at.
--
-- Staleness is detected, never assumed: every row carries source_probes, the sum of server_daily_v1's
-- `probes` over the bucket and protocol at computation time. server_daily_v1 only grows (no deletes,
-- no TTL), and every insert adds probes >= 1, so a late or replayed observation changes the live sum.
-- Readers (db/queries/stats/plan-network-cells.ts) use a bucket's rows only when its latest
-- computation's source_probes equals the live sum, and compute every other bucket (today, the current
-- week and month, a bucket cut by the range, a bucket that got late data) from server_daily_v1 as before.
-- So the table is only ever a shortcut: empty, stale or half-written, answers stay exact.
--
-- No backfill INSERT here: the job fills history bucket by bucket on its first round (at serve start),
-- which bounds the memory of each aggregation; until then pages read server_daily_v1 as before.
CREATE TABLE IF NOT EXISTS network_buckets_v1 ${ON_CLUSTER}
(
    step            LowCardinality(String),      -- 'day' | 'week' | 'month' (db/queries/stats/bucket-sql.ts)
    bucket          Date,                        -- first day of the bucket
    protocol        LowCardinality(String),
    software        LowCardinality(String),      -- the server's last state in the bucket
    version         LowCardinality(String),
    registration    LowCardinality(String),
    computed_at     DateTime64(3, 'UTC'),        -- one value per computation of (step, bucket, protocol)
    source_probes   UInt64,                      -- sum(server_daily_v1.probes) over the bucket and protocol
    probes          UInt64,                      -- this cell's share of source_probes
    probed          UInt64,                      -- servers probed in the bucket
    reachable       UInt64,                      -- of those, status = 'ok' at their last probe
    rooms           UInt64,                      -- public rooms of the reachable ones
    members         UInt64,
    tls_observed    UInt64,
    tls_ok          UInt64,
    tls_expiring    UInt64,                      -- valid, expiring within 14 days of the last probe
    dnssec_observed UInt64,
    dnssec_on       UInt64,
    dane_observed   UInt64,
    dane_on         UInt64,
    ipv6_observed   UInt64,
    ipv6_on         UInt64,
    first_at        DateTime64(3, 'UTC'),        -- earliest and latest last-probe of the cell's servers
    last_at         DateTime64(3, 'UTC')
)
-- Every computation stays whole until it is superseded: computed_at is part of the key and nothing
-- replaces rows, so a reader that chose a computation always finds all of its rows, even while the job
-- writes a newer one. Superseded computations are left in place (a bucket is rewritten only after late
-- observations, and the job waits an hour past a bucket's end to let the last batches land): a few
-- hundred rows each.
ENGINE = ${REPLICATED}MergeTree
ORDER BY (step, bucket, protocol, computed_at, software, version, registration);
