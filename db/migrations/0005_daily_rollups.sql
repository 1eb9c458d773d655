-- Daily rollups for the statistics pages, kept current by ClickHouse (materialized views on insert),
-- never rewritten by jobs. Named by grain and version: a changed definition gets a new _v2 table and
-- a backfill, so old and new can be compared before the switch.

-- Grain 1: one row per server per day holding its LAST state of that day (argMax by observed_at).
-- Every "servers by X per day" chart reads this, so a server counts once per day even if it changed
-- software or registration mode during the day (the last observation wins) and hourly probes do not
-- inflate anything. ~1e5 servers x 365 days = 3.7e7 tiny rows a year, partitioned by month.
CREATE TABLE IF NOT EXISTS server_daily_v1 ${ON_CLUSTER}
(
    day            Date,
    protocol       LowCardinality(String),
    domain         String,
    probes         SimpleAggregateFunction(sum, UInt64),
    ok_probes      SimpleAggregateFunction(sum, UInt64),
    last_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    status         AggregateFunction(argMax, LowCardinality(String), DateTime64(3, 'UTC')),
    software       AggregateFunction(argMax, LowCardinality(String), DateTime64(3, 'UTC')),
    version        AggregateFunction(argMax, LowCardinality(String), DateTime64(3, 'UTC')),
    registration   AggregateFunction(argMax, LowCardinality(String), DateTime64(3, 'UTC')),
    tls_valid      AggregateFunction(argMax, Nullable(Bool), DateTime64(3, 'UTC')),
    tls_expires_at AggregateFunction(argMax, Nullable(DateTime('UTC')), DateTime64(3, 'UTC')),
    dnssec         AggregateFunction(argMax, Nullable(Bool), DateTime64(3, 'UTC')),
    dane           AggregateFunction(argMax, Nullable(Bool), DateTime64(3, 'UTC')),
    ipv6           AggregateFunction(argMax, Nullable(Bool), DateTime64(3, 'UTC')),
    public_rooms   AggregateFunction(argMax, UInt32, DateTime64(3, 'UTC')),
    public_members AggregateFunction(argMax, UInt64, DateTime64(3, 'UTC'))
)
ENGINE = ${REPLICATED}AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, protocol, domain)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS server_daily_v1_mv ${ON_CLUSTER} TO server_daily_v1 AS
SELECT
    toDate(observed_at)                       AS day,
    protocol,
    domain,
    count()                                   AS probes,
    countIf(server_snapshots.status = 'ok') AS ok_probes,
    max(observed_at)                          AS last_at,
    argMaxState(status, observed_at)          AS status,
    argMaxState(software, observed_at)        AS software,
    argMaxState(version, observed_at)         AS version,
    argMaxState(registration, observed_at)    AS registration,
    argMaxState(tls_valid, observed_at)       AS tls_valid,
    argMaxState(tls_expires_at, observed_at)  AS tls_expires_at,
    argMaxState(dnssec, observed_at)          AS dnssec,
    argMaxState(dane, observed_at)            AS dane,
    argMaxState(ipv6, observed_at)            AS ipv6,
    argMaxState(public_rooms, observed_at)    AS public_rooms,
    argMaxState(public_members, observed_at)  AS public_members
FROM server_snapshots
GROUP BY day, protocol, domain;

-- Grain 2: distinct reachable servers per day, protocol, software and version. uniqExact states merge as
-- set unions, so summing over versions or days with uniqExactMerge stays exact. Small enough to scan
-- for any range (a few thousand rows a day), which makes the share and version charts instant.
CREATE TABLE IF NOT EXISTS software_daily_v1 ${ON_CLUSTER}
(
    day      Date,
    protocol LowCardinality(String),
    software LowCardinality(String),
    version  LowCardinality(String),
    servers  AggregateFunction(uniqExact, String)
)
ENGINE = ${REPLICATED}AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, protocol, software, version)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS software_daily_v1_mv ${ON_CLUSTER} TO software_daily_v1 AS
SELECT toDate(observed_at) AS day, protocol, software, version, uniqExactState(domain) AS servers
FROM server_snapshots
WHERE status = 'ok'
GROUP BY day, protocol, software, version;

-- Grain 3: feature adoption, distinct reachable servers per day, protocol, software and feature.
CREATE TABLE IF NOT EXISTS features_daily_v1 ${ON_CLUSTER}
(
    day      Date,
    protocol LowCardinality(String),
    software LowCardinality(String),
    feature  LowCardinality(String),
    servers  AggregateFunction(uniqExact, String)
)
ENGINE = ${REPLICATED}AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, protocol, feature, software)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS features_daily_v1_mv ${ON_CLUSTER} TO features_daily_v1 AS
SELECT toDate(observed_at) AS day, protocol, software, feature, uniqExactState(domain) AS servers
FROM server_snapshots
ARRAY JOIN features AS feature
WHERE status = 'ok'
GROUP BY day, protocol, software, feature;
