-- Every domain Chatlas knows, and each way it was found.
-- Placeholders: ${ON_CLUSTER} is empty on the embedded store and ` ON CLUSTER <name>` with --cluster;
-- ${REPLICATED} is empty or `Replicated`, so the same file builds single-node and replicated tables.
-- Every statement is idempotent (IF NOT EXISTS), so a migration that failed halfway is simply run again.

-- Raw discovery edges, append-only: (domain, via, source) can repeat over time; the MV below folds them.
-- ORDER BY starts with domain because every read is "how was this domain found".
CREATE TABLE IF NOT EXISTS discoveries ${ON_CLUSTER}
(
    found_at      DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    domain        String CODEC(ZSTD(1)),
    protocol      LowCardinality(String),            -- 'xmpp' | 'matrix' | '' (not yet known)
    via           LowCardinality(String),            -- seed, srv, room-alias, muc, ... (crawler/types.ts DISCOVERY_VIAS)
    source_domain String CODEC(ZSTD(1))              -- '' for seeds, CLI and registrations
)
ENGINE = ${REPLICATED}MergeTree
PARTITION BY toYYYYMM(found_at)
ORDER BY (domain, via, source_domain, found_at)
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per domain after merges: first/last seen and the set of ways it was found.
-- SimpleAggregateFunction keeps plain values readable without -Merge combinators.
CREATE TABLE IF NOT EXISTS domains ${ON_CLUSTER}
(
    domain     String,
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen  SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    protocols  SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    vias       SimpleAggregateFunction(groupUniqArrayArray, Array(String)),
    -- bounded: a domain named by a million rooms does not need a million sources
    sources    SimpleAggregateFunction(groupUniqArrayArray(64), Array(String))
)
ENGINE = ${REPLICATED}AggregatingMergeTree
ORDER BY domain
-- retried batches (same insert_deduplication_token) are dropped here too, not only in the source table
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS domains_mv ${ON_CLUSTER} TO domains AS
SELECT
    domain,
    found_at AS first_seen,
    found_at AS last_seen,
    if(protocol = '', [], [protocol]) AS protocols,
    [via] AS vias,
    if(source_domain = '', [], [source_domain]) AS sources
FROM discoveries;
