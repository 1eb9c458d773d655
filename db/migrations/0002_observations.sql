-- Probe observations: one row per probe step, server and time. Append-only, never updated.
-- ORDER BY (protocol, domain, step, observed_at): a server page reads one domain's steps in time order,
-- and the sort groups similar rows so facts/raw compress well. Monthly partitions keep merges small and
-- make dropping old months cheap. The raw reply is large and only needed to re-parse recent history:
-- a column TTL clears it after 180 days while every parsed fact is kept for years.
-- non_replicated_deduplication_window lets a retried batch (same insert_deduplication_token) be dropped,
-- so a crawler that lost the acknowledgement can safely send the batch again.
CREATE TABLE IF NOT EXISTS observations ${ON_CLUSTER}
(
    observed_at DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    pass_id     UUID,
    domain      String CODEC(ZSTD(1)),
    protocol    LowCardinality(String),
    step        LowCardinality(String),
    outcome     LowCardinality(String),              -- 'ok', expected results ('absent', 'auth-required'), or an error code
    duration_ms UInt32 CODEC(T64, ZSTD(1)),
    facts       String CODEC(ZSTD(3)),               -- JSON of the parsed facts
    raw         String CODEC(ZSTD(6)) TTL toDateTime(observed_at) + INTERVAL 180 DAY,
    error       String CODEC(ZSTD(3))
)
ENGINE = ${REPLICATED}MergeTree
PARTITION BY toYYYYMM(observed_at)
ORDER BY (protocol, domain, step, observed_at)
SETTINGS non_replicated_deduplication_window = 1000;

-- Which (pass, domain) pairs are complete: a resumed pass skips them, so a crash never double counts.
-- Written after a server's observations, in the same batch order, so its presence implies theirs.
CREATE TABLE IF NOT EXISTS pass_progress ${ON_CLUSTER}
(
    pass_id    UUID,
    domain     String,
    protocol   LowCardinality(String),
    done_at    DateTime64(3, 'UTC')
)
ENGINE = ${REPLICATED}ReplacingMergeTree(done_at)
ORDER BY (pass_id, protocol, domain)
TTL toDateTime(done_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- Crawl passes: one row per state change (running, done); the latest wins.
CREATE TABLE IF NOT EXISTS passes ${ON_CLUSTER}
(
    pass_id    UUID,
    started_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    shard      String,                               -- 'i/n', or '' for a whole pass
    state      LowCardinality(String),               -- running | done | failed
    planned    UInt32,
    done       UInt32
)
ENGINE = ${REPLICATED}ReplacingMergeTree(updated_at)
ORDER BY pass_id;
