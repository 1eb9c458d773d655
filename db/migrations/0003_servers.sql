-- One row per server per pass: what the pass concluded (crawler/types.ts ServerSnapshot).
-- This is the source of the latest state and of every daily rollup; observations keep the detail.
-- LowCardinality for the closed sets (status, software, registration, TLS version): a few hundred
-- distinct values at most, so dictionary encoding makes them both small and fast to group by.
CREATE TABLE IF NOT EXISTS server_snapshots ${ON_CLUSTER}
(
    observed_at    DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    pass_id        UUID,
    domain         String CODEC(ZSTD(1)),
    protocol       LowCardinality(String),
    status         LowCardinality(String),           -- ok | unreachable | error | opted-out | disallowed | not-a-server
    software       LowCardinality(String),           -- normalised name or 'unknown'
    version_raw    String CODEC(ZSTD(1)),            -- as reported
    version        LowCardinality(String),           -- major.minor.patch, '' when it does not parse
    registration   LowCardinality(String),           -- crawler/types.ts REGISTRATION_MODES
    features       Array(LowCardinality(String)),
    spec_versions  Array(LowCardinality(String)),
    tls_version    LowCardinality(String),
    tls_issuer     LowCardinality(String),
    tls_valid      Nullable(Bool),                   -- chain and name both verify; NULL = no TLS observed
    tls_expires_at Nullable(DateTime('UTC')),
    dnssec         Nullable(Bool),
    dane           Nullable(Bool),
    ipv4           Nullable(Bool),
    ipv6           Nullable(Bool),
    public_rooms   UInt32 CODEC(T64, ZSTD(1)),
    public_members UInt64 CODEC(T64, ZSTD(1)),
    users          Nullable(UInt64),
    endpoint       String CODEC(ZSTD(1)),
    error          String CODEC(ZSTD(3)),
    report         String CODEC(ZSTD(3))             -- JSON: step-by-step health report
)
ENGINE = ${REPLICATED}MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (protocol, domain, observed_at)
SETTINGS non_replicated_deduplication_window = 1000;

-- Latest state per server, kept by ClickHouse: the MV copies each snapshot and merges keep the
-- newest per (protocol, domain). Readers use FINAL (cheap: one row per server, ~1e5 rows).
CREATE TABLE IF NOT EXISTS servers_latest ${ON_CLUSTER} AS server_snapshots
ENGINE = ${REPLICATED}ReplacingMergeTree(observed_at)
ORDER BY (protocol, domain)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS servers_latest_mv ${ON_CLUSTER} TO servers_latest AS
SELECT * FROM server_snapshots;

-- Last good sighting per server, so a server that goes down keeps its last known software and rooms
-- on its page (and 'last seen ok' can be shown).
CREATE TABLE IF NOT EXISTS servers_last_ok ${ON_CLUSTER} AS server_snapshots
ENGINE = ${REPLICATED}ReplacingMergeTree(observed_at)
ORDER BY (protocol, domain)
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS servers_last_ok_mv ${ON_CLUSTER} TO servers_last_ok AS
SELECT * FROM server_snapshots WHERE status = 'ok';
